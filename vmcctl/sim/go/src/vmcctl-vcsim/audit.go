package main

// The audit log behind GET /_sim/audit: every mutating call, in order,
// with its arguments, task and outcome. Entries are updated in place as
// their task moves on; all access is under sim.mu.

import (
	"encoding/json"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type auditTarget struct {
	Type string `json:"type"`
	Moid string `json:"moid"`
	Name string `json:"name"`
}

type auditEntry struct {
	ID       int                    `json:"id"`
	Method   string                 `json:"method"`
	Target   auditTarget            `json:"target"`
	Args     map[string]interface{} `json:"args"`
	Task     *string                `json:"task"`
	QueuedAt float64                `json:"queued_at"`
	Start    *float64               `json:"start"`
	End      *float64               `json:"end"`
	Result   string                 `json:"result"`
	Fault    *string                `json:"fault"`
}

func unixNow() *float64 {
	t := float64(time.Now().UnixNano()) / 1e9
	return &t
}

func vmTarget(v *vmRec) auditTarget {
	return auditTarget{Type: "VirtualMachine", Moid: v.ref().Value, Name: v.spec.Name}
}

func hostTarget(h *hostRec) auditTarget {
	return auditTarget{Type: "HostSystem", Moid: h.ref().Value, Name: h.spec.Name}
}

// record adds a queued entry (caller holds s.mu).
func (s *sim) record(method string, target auditTarget, args map[string]interface{}, task *simulator.Task) *auditEntry {
	if args == nil {
		args = map[string]interface{}{}
	}
	e := &auditEntry{ID: len(s.audit) + 1, Method: method, Target: target, Args: args,
		QueuedAt: *unixNow(), Result: "queued"}
	if task != nil {
		id := task.Self.Value
		e.Task = &id
	}
	s.audit = append(s.audit, e)
	return e
}

func (e *auditEntry) running() {
	e.Start = unixNow()
	e.Result = "running"
}

// finish closes the entry (caller holds s.mu).
func (e *auditEntry) finish(f *soapFault) {
	e.End = unixNow()
	if f == nil {
		e.Result = "success"
		return
	}
	e.Result = "error"
	name := faultName(f.fault)
	e.Fault = &name
}

// recordSimple / finishSimple wrap an immediate (non-task) call.
func (s *sim) recordSimple(method string, target auditTarget, args map[string]interface{}) *auditEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.record(method, target, args, nil)
	e.running()
	return e
}

func (s *sim) finishSimple(e *auditEntry, f *soapFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.finish(f)
}

func (s *sim) auditJSON() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.audit) == 0 {
		return []byte("[]"), nil
	}
	return json.Marshal(s.audit)
}

func refOrNil(r *types.ManagedObjectReference) interface{} {
	if r == nil {
		return nil
	}
	return r.Value
}
