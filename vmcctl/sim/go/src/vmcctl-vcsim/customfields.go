package main

// Custom attributes. AddCustomFieldDef is govmomi's (it adds the field to
// every existing entity's availableField); SetField and SetCustomValue are
// answered here because govmomi 0.24 appends a second value when a key is set
// again. A value replaces the previous one for its key, an empty value
// removes it, and the change is published (customValue and value), so
// property collectors and WaitForUpdatesEx see it. Nothing else touches
// customValue, so values survive relocation, power changes and renames.

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func (s *sim) setField(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.SetField)
	if f := s.setValue(r.Entity, func(def types.CustomFieldDef) bool { return def.Key == r.Key }, "key", r.Value); f != nil {
		return nil, f
	}
	return &types.SetFieldResponse{}, nil
}

func (s *sim) setCustomValue(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.SetCustomValue)
	match := func(def types.CustomFieldDef) bool {
		return def.Name == r.Key && (def.ManagedObjectType == "" || def.ManagedObjectType == r.This.Type)
	}
	if f := s.setValue(r.This, match, "key", r.Value); f != nil {
		return nil, f
	}
	return &types.SetCustomValueResponse{}, nil
}

func (s *sim) setValue(ref types.ManagedObjectReference, match func(types.CustomFieldDef) bool, arg, value string) *soapFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj, ok := simulator.Map.Get(ref).(mo.Entity)
	if !ok {
		return notFound(ref)
	}
	cfm := simulator.Map.CustomFieldsManager()
	var def *types.CustomFieldDef
	simulator.Map.WithLock(cfm, func() {
		for i := range cfm.Field {
			if match(cfm.Field[i]) {
				def = &cfm.Field[i]
				break
			}
		}
	})
	if def == nil || (def.ManagedObjectType != "" && def.ManagedObjectType != ref.Type) {
		return invalidArg(arg)
	}
	key := def.Key
	var values []types.BaseCustomFieldValue
	simulator.Map.WithLock(obj, func() {
		for _, v := range obj.Entity().CustomValue {
			if v.GetCustomFieldValue().Key != key {
				values = append(values, v)
			}
		}
	})
	if value != "" {
		values = append(values, &types.CustomFieldStringValue{
			CustomFieldValue: types.CustomFieldValue{Key: key}, Value: value})
	}
	setProps(obj, prop("customValue", values), prop("value", values))
	return nil
}
