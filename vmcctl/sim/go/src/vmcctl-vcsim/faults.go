package main

// Injected faults: from the inventory's faults: list and POST /_sim/faults.
// A fault matches a method and a target by name (the VM for VM methods, the
// host for host methods) and fires `times` times.

import (
	"fmt"
	"reflect"

	"github.com/vmware/govmomi/vim25/types"
)

var faultMethods = map[string]bool{
	"RelocateVM_Task": true, "EnterMaintenanceMode_Task": true,
	"ExitMaintenanceMode_Task": true, "PowerOnVM_Task": true,
}

type faultRec struct {
	spec faultSpec
	left int
}

// makeFault builds an empty vim fault of the named type, e.g. "MigrationFault".
func makeFault(name string) (types.BaseMethodFault, bool) {
	rt, ok := types.TypeFunc()(name)
	if !ok || rt.Kind() != reflect.Struct {
		return nil, false
	}
	f, ok := reflect.New(rt).Interface().(types.BaseMethodFault)
	return f, ok
}

func faultName(f types.BaseMethodFault) string {
	return reflect.TypeOf(f).Elem().Name()
}

// normaliseFault fills defaults and checks a fault spec; nil error = usable.
func normaliseFault(f *faultSpec) error {
	if f.VM == "" {
		return fmt.Errorf("vm: required key is missing")
	}
	if f.Method == "" {
		f.Method = "RelocateVM_Task"
	}
	if !faultMethods[f.Method] {
		return fmt.Errorf("method: unsupported method %q", f.Method)
	}
	if f.Fault == "" {
		f.Fault = "MigrationFault"
	}
	if _, ok := makeFault(f.Fault); !ok {
		return fmt.Errorf("fault: %q is not a vSphere fault type", f.Fault)
	}
	if f.Message == "" {
		f.Message = "injected fault"
	}
	if f.AtProgress < 0 || f.AtProgress > 100 {
		return fmt.Errorf("at_progress: must be between 0 and 100")
	}
	if f.Times == 0 {
		f.Times = 1
	}
	if f.Times < 0 {
		return fmt.Errorf("times: must be at least 1")
	}
	return nil
}

// addFault registers a fault (caller holds s.mu or is building).
func (s *sim) addFault(f faultSpec) {
	s.faults = append(s.faults, &faultRec{spec: f, left: f.Times})
}

// takeFault consumes the first armed fault for method on target (caller holds s.mu).
func (s *sim) takeFault(method, target string) *faultSpec {
	for _, f := range s.faults {
		if f.left > 0 && f.spec.Method == method && f.spec.VM == target {
			f.left--
			spec := f.spec
			return &spec
		}
	}
	return nil
}

func (f *faultSpec) build() *soapFault {
	vf, _ := makeFault(f.Fault)
	return newFault(f.Message, vf)
}
