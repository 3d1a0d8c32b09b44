package main

// Injected faults: from the inventory's faults: list and POST /_sim/faults.
// A fault matches a method and a target by name (the VM for VM methods, the
// host for host methods) and fires `times` times.

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

var faultMethods = map[string]bool{
	"RelocateVM_Task": true, "EnterMaintenanceMode_Task": true,
	"ExitMaintenanceMode_Task": true, "PowerOnVM_Task": true,
}

type faultRec struct {
	spec   faultSpec
	target types.ManagedObjectReference
	landOn *hostRec // effect land-on
	left   int
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

var effects = map[string]bool{"reboot": true, "power-off": true, "land-on": true}

// normaliseFault fills defaults and checks a fault spec from POST /_sim/faults;
// nil error = usable. (The inventory's faults arrive already normalised.)
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
	if f.Effect != nil {
		if !effects[*f.Effect] {
			return fmt.Errorf("effect: must be reboot, power-off or land-on, not %q", *f.Effect)
		}
		if f.Method != "RelocateVM_Task" {
			return fmt.Errorf("effect: applies to RelocateVM_Task only")
		}
		if f.Fault != "" {
			return fmt.Errorf("fault: give either fault or effect, not both")
		}
		if (*f.Effect == "land-on") != (f.LandOn != nil) {
			return fmt.Errorf("land_on: effect land-on needs land_on (a host name), and only it takes one")
		}
	} else if f.LandOn != nil {
		return fmt.Errorf("land_on: needs effect land-on")
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

// addFault resolves the fault's target and registers it (caller holds s.mu
// or is building). The target is a VM (moid, full path, folder/name or an
// unambiguous name) or a host name.
func (s *sim) addFault(f faultSpec) error {
	rec := &faultRec{spec: f, left: f.Times}
	vms := s.findVMs(f.VM)
	switch {
	case len(vms) == 1:
		rec.target = vms[0].ref()
	case len(vms) > 1:
		paths := make([]string, len(vms))
		for i, v := range vms {
			paths[i] = v.path()
		}
		return fmt.Errorf("vm: %q names %d VMs (%s); give a folder/name, a full path or a moid",
			f.VM, len(vms), strings.Join(paths, ", "))
	case s.hosts[f.VM] != nil:
		rec.target = s.hosts[f.VM].ref()
	default:
		return fmt.Errorf("vm: unknown VM or host %q", f.VM)
	}
	if f.LandOn != nil {
		if rec.landOn = s.hosts[*f.LandOn]; rec.landOn == nil {
			return fmt.Errorf("land_on: unknown host %q", *f.LandOn)
		}
	}
	s.faults = append(s.faults, rec)
	return nil
}

// findVMs: the existing VMs ref names (moid, /DC/vm/path, folder/name or
// name), ordered by moid.
func (s *sim) findVMs(ref string) []*vmRec {
	if v := s.vmsByRef[types.ManagedObjectReference{Type: "VirtualMachine", Value: ref}]; v != nil {
		return []*vmRec{v}
	}
	folder, name := "", ref
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		folder, name = ref[:i], ref[i+1:]
	}
	var out []*vmRec
	for _, v := range s.vmsByRef {
		switch {
		case strings.HasPrefix(ref, "/"):
			if v.path() == ref {
				out = append(out, v)
			}
		case v.spec.Name == name && (folder == "" || v.spec.Folder == folder):
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ref().Value < out[j].ref().Value })
	return out
}

// takeFault consumes the first armed fault for method on target (caller holds s.mu).
func (s *sim) takeFault(method string, target types.ManagedObjectReference) *faultRec {
	for _, f := range s.faults {
		if f.left > 0 && f.spec.Method == method && f.target == target {
			f.left--
			c := *f
			return &c
		}
	}
	return nil
}

func (f *faultRec) build() *soapFault {
	vf, _ := makeFault(f.spec.Fault)
	return newFault(f.spec.Message, vf)
}
