package main

// Maintenance mode as vCenter does it without DRS automation:
// EnterMaintenanceMode_Task keeps running while powered-on VMs remain on
// the host, succeeds as soon as they are gone, fails with Timedout when its
// timeout (real seconds, not scaled; <= 0 waits forever) expires, and can
// be cancelled. While it runs and afterwards, nothing can be powered on or
// moved onto the host.

import (
	"fmt"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const maintenancePoll = 50 * time.Millisecond

type mmJob struct {
	s        *sim
	host     *hostRec
	task     *simulator.Task
	audit    *auditEntry
	done     bool
	stop     chan struct{}
	stopOnce sync.Once
}

func (s *sim) enterMaintenance(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.EnterMaintenanceMode_Task)
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hostsByRef[r.This]
	if h == nil {
		return nil, notFound(r.This)
	}
	args := map[string]interface{}{"timeout": r.Timeout, "evacuatePoweredOffVms": r.EvacuatePoweredOffVms,
		"poweredOnVmsAtCall": h.poweredOnVMs(),            // tests check that no host is entered with running VMs
		"vsanMode":           vsanMode(r.MaintenanceSpec)} // objectAction, or nil when no spec was sent
	task := s.newTask(h.obj, h.spec.Name, "EnterMaintenanceMode", "HostSystem.enterMaintenanceMode", true)
	j := &mmJob{s: s, host: h, task: task, stop: make(chan struct{})}
	j.audit = s.record("EnterMaintenanceMode_Task", hostTarget(h), args, task)
	s.jobs[task.Self.Value] = j
	j.audit.running()
	taskRunning(task)
	var fault *soapFault
	switch {
	case !h.connected:
		ref := h.ref()
		fault = newFault(fmt.Sprintf("The operation is not allowed in the current state of the host: host '%s' is not connected.", h.spec.Name),
			&types.InvalidHostState{Host: &ref})
	case h.entering:
		fault = newFault(fmt.Sprintf("Host '%s' is already entering maintenance mode.", h.spec.Name), &types.InvalidState{})
	}
	if fault == nil {
		if f := s.takeFault("EnterMaintenanceMode_Task", h.ref()); f != nil {
			fault = f.build()
		}
	}
	if fault != nil {
		j.end(fault)
		return &types.EnterMaintenanceMode_TaskResponse{Returnval: task.Self}, nil
	}
	if h.maintenance {
		j.end(nil)
		return &types.EnterMaintenanceMode_TaskResponse{Returnval: task.Self}, nil
	}
	h.entering = true
	var deadline time.Time
	if r.Timeout > 0 {
		deadline = time.Now().Add(time.Duration(r.Timeout) * time.Second)
	}
	go j.wait(deadline)
	return &types.EnterMaintenanceMode_TaskResponse{Returnval: task.Self}, nil
}

// vsanMode is the spec's vsanMode.objectAction (nil: no spec or no vsanMode).
func vsanMode(spec *types.HostMaintenanceSpec) interface{} {
	if spec == nil || spec.VsanMode == nil {
		return nil
	}
	return spec.VsanMode.ObjectAction
}

func (h *hostRec) poweredOnVMs() int {
	n := 0
	for _, v := range h.vms {
		if v.poweredOn {
			n++
		}
	}
	return n
}

func (j *mmJob) wait(deadline time.Time) {
	s, h := j.s, j.host
	tick := time.NewTicker(maintenancePoll)
	defer tick.Stop()
	for {
		s.mu.Lock()
		if h.poweredOnVMs() == 0 {
			h.entering = false
			h.maintenance = true
			setProps(h.obj, prop("runtime.inMaintenanceMode", true), prop("summary.runtime.inMaintenanceMode", true))
			s.postEvent(&types.EnteredMaintenanceModeEvent{HostEvent: s.hostEvent(h)})
			j.end(nil)
			s.mu.Unlock()
			return
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			h.entering = false
			j.end(newFault("Operation timed out.", &types.Timedout{}))
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		select {
		case <-j.stop:
			s.mu.Lock()
			h.entering = false
			j.end(canceled())
			s.mu.Unlock()
			return
		case <-tick.C:
		}
	}
}

// end finishes the task (caller holds s.mu).
func (j *mmJob) end(f *soapFault) {
	if j.done {
		return
	}
	j.done = true
	j.audit.finish(f)
	if f != nil {
		taskError(j.task, f)
	} else {
		taskSuccess(j.task, nil)
	}
}

func (j *mmJob) cancel() *soapFault {
	j.s.mu.Lock()
	defer j.s.mu.Unlock()
	if j.done {
		return newFault("The task has already completed and cannot be cancelled.", &types.InvalidState{})
	}
	j.stopOnce.Do(func() { close(j.stop) })
	return nil
}

// doneJob is a finished task that cannot be cancelled.
type doneJob struct{}

func (doneJob) cancel() *soapFault {
	return newFault("The task has already completed and cannot be cancelled.", &types.InvalidState{})
}

func (s *sim) exitMaintenance(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.ExitMaintenanceMode_Task)
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hostsByRef[r.This]
	if h == nil {
		return nil, notFound(r.This)
	}
	task := s.newTask(h.obj, h.spec.Name, "ExitMaintenanceMode", "HostSystem.exitMaintenanceMode", false)
	entry := s.record("ExitMaintenanceMode_Task", hostTarget(h), map[string]interface{}{"timeout": r.Timeout}, task)
	s.jobs[task.Self.Value] = doneJob{}
	entry.running()
	taskRunning(task)
	var fault *soapFault
	if f := s.takeFault("ExitMaintenanceMode_Task", h.ref()); f != nil {
		fault = f.build()
	} else if !h.maintenance {
		fault = newFault(fmt.Sprintf("The operation is not allowed in the current state of the host: host '%s' is not in maintenance mode.", h.spec.Name),
			&types.InvalidState{})
	}
	if fault == nil {
		h.maintenance = false
		setProps(h.obj, prop("runtime.inMaintenanceMode", false), prop("summary.runtime.inMaintenanceMode", false))
		s.postEvent(&types.ExitMaintenanceModeEvent{HostEvent: s.hostEvent(h)})
	}
	entry.finish(fault)
	if fault != nil {
		taskError(task, fault)
	} else {
		taskSuccess(task, nil)
	}
	return &types.ExitMaintenanceMode_TaskResponse{Returnval: task.Self}, nil
}
