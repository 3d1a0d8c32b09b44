package main

// Task objects for the methods answered here. Tasks are govmomi simulator
// Task objects (so the TaskManager, property collectors and
// WaitForUpdatesEx see them); their state is driven by the goroutines in
// relocate.go and maintenance.go rather than run synchronously.

import (
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// job is work a CancelTask can stop.
type job interface {
	cancel() *soapFault
}

const recentTasks = 10

// newTask creates a queued task on entity; kind is e.g. "RelocateVM" (the
// task name becomes "RelocateVM_Task").
func (s *sim) newTask(entity mo.Entity, entityName, kind, descID string, cancelable bool) *simulator.Task {
	t := simulator.CreateTask(entity, kind+"Task", nil)
	simulator.Map.WithLock(t, func() {
		t.Info.DescriptionId = descID
		t.Info.EntityName = entityName
		t.Info.Cancelable = cancelable
		t.Info.Reason = &types.TaskReasonUser{UserName: s.user}
	})
	var recent []types.ManagedObjectReference
	simulator.Map.WithLock(entity, func() {
		recent = append(recent, entity.Entity().RecentTask...)
	})
	recent = append(recent, t.Self)
	if len(recent) > recentTasks {
		recent = recent[len(recent)-recentTasks:]
	}
	setProps(entity, prop("recentTask", recent))
	return t
}

func taskRunning(t *simulator.Task) {
	setProps(t, prop("info.startTime", time.Now()), prop("info.state", types.TaskInfoStateRunning))
}

func taskProgress(t *simulator.Task, p int32) {
	setProps(t, prop("info.progress", p))
}

func taskSuccess(t *simulator.Task, result types.AnyType) {
	changes := []types.PropertyChange{
		prop("info.progress", int32(100)),
		prop("info.completeTime", time.Now()),
		prop("info.state", types.TaskInfoStateSuccess),
	}
	if result != nil {
		changes = append(changes, prop("info.result", result))
	}
	setProps(t, changes...)
}

func taskError(t *simulator.Task, f *soapFault) {
	changes := []types.PropertyChange{
		prop("info.completeTime", time.Now()),
		prop("info.state", types.TaskInfoStateError),
		prop("info.error", types.LocalizedMethodFault{Fault: f.fault, LocalizedMessage: f.msg}),
	}
	if _, ok := f.fault.(*types.RequestCanceled); ok {
		changes = append(changes, prop("info.cancelled", true))
	}
	setProps(t, changes...)
}

func taskState(t *simulator.Task) types.TaskInfoState {
	var st types.TaskInfoState
	simulator.Map.WithLock(t, func() { st = t.Info.State })
	return st
}

// cancelTask answers CancelTask for relocation and maintenance tasks.
func (s *sim) cancelTask(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.CancelTask)
	s.mu.Lock()
	j, ok := s.jobs[r.This.Value]
	name := r.This.Value
	s.mu.Unlock()
	entry := s.recordSimple("CancelTask", auditTarget{Type: "Task", Moid: r.This.Value, Name: name}, nil)
	var fault *soapFault
	if !ok {
		if simulator.Map.Get(r.This) == nil {
			fault = newFault("The object has already been deleted or has not been completely created",
				&types.ManagedObjectNotFound{Obj: r.This})
		} else {
			fault = newFault("The task cannot be cancelled.", &types.NotSupported{})
		}
	} else {
		fault = j.cancel()
	}
	s.finishSimple(entry, fault)
	if fault != nil {
		return nil, fault
	}
	return &types.CancelTaskResponse{}, nil
}

func canceled() *soapFault {
	return newFault("The task was canceled by a user.", &types.RequestCanceled{})
}
