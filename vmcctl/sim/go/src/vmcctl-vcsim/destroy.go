package main

// Destroy_Task and Rename_Task on the objects this simulator models.
// Destroy_Task removes a powered-off VM everywhere at once: its host's vm
// list and load, its pool, datastores, folder, DRS rules and groups, the
// registry (so container views drop it, property collector filters see it
// leave, and naming it in a RetrievePropertiesEx is ManagedObjectNotFound);
// a powered-on VM is refused with InvalidPowerState (an InvalidState), as on
// vCenter. Rename_Task renames VMs, hosts and clusters (DuplicateName when a
// sibling has the name). Other types go to govmomi.

import (
	"fmt"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func (s *sim) destroy(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.Destroy_Task)
	if r.This.Type != "VirtualMachine" {
		return nil, passThrough
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vm := s.vmsByRef[r.This]
	if vm == nil {
		return nil, notFound(r.This)
	}
	task := s.newTask(vm.obj, vm.spec.Name, "Destroy", "VirtualMachine.destroy", false)
	entry := s.record("Destroy_Task", vmTarget(vm), map[string]interface{}{"host": vm.host.spec.Name}, task)
	s.jobs[task.Self.Value] = doneJob{}
	entry.running()
	taskRunning(task)
	var fault *soapFault
	switch {
	case vm.busy != nil:
		fault = newFault(fmt.Sprintf("Another task is already in progress on %s.", vm.spec.Name),
			&types.TaskInProgress{Task: vm.busy.task.Self})
	case vm.poweredOn:
		fault = newFault("The attempted operation cannot be performed in the current state (Powered on).",
			&types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOff,
				ExistingState: types.VirtualMachinePowerStatePoweredOn})
	}
	if fault == nil {
		s.removeVM(vm)
	}
	entry.finish(fault)
	if fault != nil {
		taskError(task, fault)
	} else {
		taskSuccess(task, nil)
	}
	return &types.Destroy_TaskResponse{Returnval: task.Self}, nil
}

// removeVM takes a VM out of everything that refers to it (caller holds s.mu).
func (s *sim) removeVM(vm *vmRec) {
	ref := vm.ref()
	s.postEvent(&types.VmRemovedEvent{VmEvent: s.vmEvent(vm)})
	h := vm.host
	delete(h.vms, ref)
	h.setVMList(removeRef(h.obj.Vm, ref))
	h.publishUsage()
	if vm.obj.ResourcePool != nil {
		if p, ok := simulator.Map.Get(*vm.obj.ResourcePool).(*simulator.ResourcePool); ok {
			setProps(p, prop("vm", removeRef(p.Vm, ref)))
		}
	}
	for _, d := range vm.datastores {
		setProps(d.obj, prop("vm", removeRef(d.obj.Vm, ref)))
	}
	if vm.obj.Parent != nil {
		if f, ok := simulator.Map.Get(*vm.obj.Parent).(*simulator.Folder); ok {
			setProps(f, prop("childEntity", removeRef(f.ChildEntity, ref)))
		}
	}
	for _, c := range s.clusters {
		dropFromRules(c, ref)
	}
	delete(s.vmsByRef, ref)
	s.gone[ref] = true
	vm.gone = true
	simulator.Map.Remove(ref)
}

// dropFromRules removes a VM from a cluster's DRS rules and VM groups.
func dropFromRules(c *clusterRec, ref types.ManagedObjectReference) {
	simulator.Map.WithLock(c.obj, func() {
		cfg := c.obj.ConfigurationEx.(*types.ClusterConfigInfoEx)
		for _, r := range cfg.Rule {
			switch rule := r.(type) {
			case *types.ClusterAffinityRuleSpec:
				rule.Vm = removeRef(rule.Vm, ref)
			case *types.ClusterAntiAffinityRuleSpec:
				rule.Vm = removeRef(rule.Vm, ref)
			}
		}
		for _, g := range cfg.Group {
			if vg, ok := g.(*types.ClusterVmGroup); ok {
				vg.Vm = removeRef(vg.Vm, ref)
			}
		}
		simulator.Map.Update(c.obj, []types.PropertyChange{prop("configurationEx", cfg)})
	})
}

func (s *sim) rename(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.Rename_Task)
	switch r.This.Type {
	case "VirtualMachine", "HostSystem", "ClusterComputeResource":
	default:
		return nil, passThrough
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	obj, ok := simulator.Map.Get(r.This).(mo.Entity)
	if !ok {
		return nil, notFound(r.This)
	}
	old := obj.Entity().Name
	task := s.newTask(obj, old, "Rename", r.This.Type+".rename", false)
	entry := s.record("Rename_Task", auditTarget{Type: r.This.Type, Moid: r.This.Value, Name: old},
		map[string]interface{}{"newName": r.NewName}, task)
	s.jobs[task.Self.Value] = doneJob{}
	entry.running()
	taskRunning(task)
	fault := s.checkRename(obj, r.This, r.NewName)
	if fault == nil {
		s.applyRename(obj, r.This, r.NewName)
	}
	entry.finish(fault)
	if fault != nil {
		taskError(task, fault)
	} else {
		taskSuccess(task, nil)
	}
	return &types.Rename_TaskResponse{Returnval: task.Self}, nil
}

func (s *sim) checkRename(obj mo.Entity, ref types.ManagedObjectReference, name string) *soapFault {
	if name == "" || len(name) > 80 {
		return invalidArg("newName")
	}
	var siblings []types.ManagedObjectReference
	switch ref.Type {
	case "HostSystem": // host names are unique vCenter-wide
		if h := s.hosts[name]; h != nil && h.ref() != ref {
			return duplicateName(name, h.ref())
		}
		return nil
	default:
		if p := obj.Entity().Parent; p != nil {
			if f, ok := simulator.Map.Get(*p).(*simulator.Folder); ok {
				siblings = f.ChildEntity
			}
		}
	}
	for _, sib := range siblings {
		if e, ok := simulator.Map.Get(sib).(mo.Entity); ok && sib != ref && e.Entity().Name == name {
			return duplicateName(name, sib)
		}
	}
	return nil
}

func duplicateName(name string, obj types.ManagedObjectReference) *soapFault {
	return newFault(fmt.Sprintf("The name '%s' already exists.", name), &types.DuplicateName{Name: name, Object: obj})
}

func (s *sim) applyRename(obj mo.Entity, ref types.ManagedObjectReference, name string) {
	switch ref.Type {
	case "VirtualMachine":
		setProps(obj, prop("name", name), prop("config.name", name), prop("summary.config.name", name))
		if vm := s.vmsByRef[ref]; vm != nil {
			vm.spec.Name = name
		}
	case "HostSystem":
		setProps(obj, prop("name", name))
		if h := s.hostsByRef[ref]; h != nil {
			delete(s.hosts, h.spec.Name)
			h.spec.Name = name
			s.hosts[name] = h
		}
	case "ClusterComputeResource":
		setProps(obj, prop("name", name))
		for _, c := range s.clusters {
			if c.obj.Self == ref {
				c.name = name
			}
		}
	}
}
