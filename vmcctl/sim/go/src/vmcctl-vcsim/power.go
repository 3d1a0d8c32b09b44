package main

// PowerOnVM_Task / PowerOffVM_Task: power state, boot time, guest state and
// the host's modelled load change together. Power-on is refused on a host
// in (or entering) maintenance mode.

import (
	"fmt"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

func (s *sim) powerOnVM(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.PowerOnVM_Task)
	return s.power(r.This, true, r.Host)
}

func (s *sim) powerOffVM(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.PowerOffVM_Task)
	return s.power(r.This, false, nil)
}

func (s *sim) power(ref types.ManagedObjectReference, on bool, host *types.ManagedObjectReference) (interface{}, *soapFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vm := s.vmsByRef[ref]
	if vm == nil {
		return nil, notFound(ref)
	}
	method, kind, desc := "PowerOffVM_Task", "PowerOffVM", "VirtualMachine.powerOff"
	if on {
		method, kind, desc = "PowerOnVM_Task", "PowerOnVM", "VirtualMachine.powerOn"
	}
	args := map[string]interface{}{"host": nil}
	if host != nil {
		if h := s.hostsByRef[*host]; h != nil {
			args["host"] = h.spec.Name
		}
	}
	task := s.newTask(vm.obj, vm.spec.Name, kind, desc, false)
	entry := s.record(method, vmTarget(vm), args, task)
	s.jobs[task.Self.Value] = doneJob{}
	entry.running()
	taskRunning(task)
	fault := s.checkPower(vm, on)
	if fault == nil && on {
		if f := s.takeFault("PowerOnVM_Task", vm.ref()); f != nil {
			fault = f.build()
		}
	}
	if fault == nil {
		s.setPower(vm, on)
	}
	entry.finish(fault)
	if fault != nil {
		taskError(task, fault)
	} else {
		taskSuccess(task, nil)
	}
	if on {
		return &types.PowerOnVM_TaskResponse{Returnval: task.Self}, nil
	}
	return &types.PowerOffVM_TaskResponse{Returnval: task.Self}, nil
}

func (s *sim) checkPower(vm *vmRec, on bool) *soapFault {
	want := types.VirtualMachinePowerStatePoweredOff
	if on {
		want = types.VirtualMachinePowerStatePoweredOn
	}
	if vm.busy != nil { // a relocation holds the VM, as on vCenter
		return newFault(fmt.Sprintf("Another task is already in progress on %s.", vm.spec.Name),
			&types.TaskInProgress{Task: vm.busy.task.Self})
	}
	if vm.poweredOn == on {
		return newFault(fmt.Sprintf("The attempted operation cannot be performed in the current state (%s).", want),
			&types.InvalidPowerState{RequestedState: want, ExistingState: want})
	}
	h := vm.host
	if on && (h.maintenance || h.entering) {
		return newFault(fmt.Sprintf("The operation is not allowed in the current state of the host: host '%s' is in maintenance mode.", h.spec.Name),
			&types.InvalidState{})
	}
	if !h.connected {
		ref := h.ref()
		return newFault(fmt.Sprintf("The operation is not allowed in the current state of the host: host '%s' is not connected.", h.spec.Name),
			&types.InvalidHostState{Host: &ref})
	}
	return nil
}

// setPower applies the new power state (caller holds s.mu).
func (s *sim) setPower(vm *vmRec, on bool) {
	vm.poweredOn = on
	state := types.VirtualMachinePowerStatePoweredOff
	var boot interface{}
	guest, ip := "notRunning", ""
	if on {
		state = types.VirtualMachinePowerStatePoweredOn
		boot = time.Now()
		guest = "running"
		if vm.spec.IP != nil {
			ip = *vm.spec.IP
		}
	}
	cpu, mem, consumed := vm.quickStats()
	setProps(vm.obj,
		prop("runtime.powerState", state), prop("summary.runtime.powerState", state),
		prop("runtime.bootTime", boot), prop("summary.runtime.bootTime", boot),
		prop("guest.guestState", guest), prop("guest.ipAddress", ip), prop("summary.guest.ipAddress", ip),
		prop("summary.quickStats.overallCpuUsage", cpu), prop("summary.quickStats.guestMemoryUsage", mem),
		prop("summary.quickStats.hostMemoryUsage", consumed),
		prop("summary.quickStats.guestHeartbeatStatus", heartbeat(on)))
	vm.host.publishUsage()
	if on {
		s.postEvent(&types.VmPoweredOnEvent{VmEvent: s.vmEvent(vm)})
	} else {
		s.postEvent(&types.VmPoweredOffEvent{VmEvent: s.vmEvent(vm)})
	}
}
