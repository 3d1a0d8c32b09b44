package main

// RelocateVM_Task as vCenter runs it: the task is returned at once, waits
// (queued) for a vMotion slot on both hosts, then runs for the modelled
// duration with progress in 5 % steps, and finally moves the VM (host, VM
// lists, load) or fails leaving it on the source. Preconditions are checked
// when the task is submitted and again when it starts; a failed check is a
// task error, not a SOAP fault, as on vCenter.

import (
	"fmt"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const progressSteps = 20 // 5 % each

type relocJob struct {
	s        *sim
	vm       *vmRec
	src, dst *hostRec
	pool     *types.ManagedObjectReference
	ds       *dsRec // target datastore (storage vMotion); nil for compute-only
	task     *simulator.Task
	audit    *auditEntry
	state    string   // queued, running, done
	landOn   *hostRec // an injected land-on effect: where the VM really ends
	stop     chan struct{}
	stopOnce sync.Once
}

func (s *sim) relocateVM(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.RelocateVM_Task)
	s.mu.Lock()
	defer s.mu.Unlock()
	vm := s.vmsByRef[r.This]
	if vm == nil {
		return nil, notFound(r.This)
	}
	spec := r.Spec
	priority := string(r.Priority)
	if priority == "" {
		priority = string(types.VirtualMachineMovePriorityDefaultPriority)
	}
	var fields []string
	args := map[string]interface{}{"priority": priority, "host": nil, "source": vm.host.spec.Name,
		"pool": refOrNil(spec.Pool), "datastore": refOrNil(spec.Datastore)}
	job := &relocJob{s: s, vm: vm, src: vm.host, dst: vm.host, pool: spec.Pool, stop: make(chan struct{}), state: "queued"}
	var early *soapFault
	if spec.Host != nil {
		fields = append(fields, "host")
		if h := s.hostsByRef[*spec.Host]; h != nil {
			job.dst = h
			args["host"] = h.spec.Name
		} else {
			early = invalidArg("spec.host")
		}
	}
	if spec.Pool != nil {
		fields = append(fields, "pool")
		args["pool_type"] = spec.Pool.Type // ResourcePool, or VirtualApp for a vApp
	}
	if spec.Datastore != nil {
		fields = append(fields, "datastore")
		if ds := s.dsByRef(*spec.Datastore); ds != nil {
			job.ds = ds
		} else {
			early = invalidArg("spec.datastore")
		}
	}
	if len(spec.Disk) > 0 {
		fields = append(fields, "disk")
	}
	if fields == nil {
		fields = []string{}
	}
	args["spec_fields"] = fields
	job.task = s.newTask(vm.obj, vm.spec.Name, "RelocateVM", "VirtualMachine.relocate", true)
	job.audit = s.record("RelocateVM_Task", vmTarget(vm), args, job.task)
	s.jobs[job.task.Self.Value] = job
	if early == nil && vm.busy != nil {
		early = newFault(fmt.Sprintf("Another task is already in progress on %s.", vm.spec.Name),
			&types.TaskInProgress{Task: vm.busy.task.Self})
	}
	if early == nil {
		early = s.checkRelocate(job)
	}
	if early != nil {
		job.state = "running"
		job.audit.running()
		taskRunning(job.task)
		s.finishLocked(job, early)
		return &types.RelocateVM_TaskResponse{Returnval: job.task.Self}, nil
	}
	vm.busy = job
	s.queue = append(s.queue, job)
	s.schedule()
	return &types.RelocateVM_TaskResponse{Returnval: job.task.Self}, nil
}

func (s *sim) dsByRef(ref types.ManagedObjectReference) *dsRec {
	for _, d := range s.datastores {
		if d.obj.Self == ref {
			return d
		}
	}
	return nil
}

func notFound(ref types.ManagedObjectReference) *soapFault {
	return newFault("The object has already been deleted or has not been completely created",
		&types.ManagedObjectNotFound{Obj: ref})
}

func invalidArg(property string) *soapFault {
	return newFault("A specified parameter was not correct: "+property,
		&types.InvalidArgument{InvalidProperty: property})
}

// checkRelocate applies vCenter's preconditions (caller holds s.mu).
func (s *sim) checkRelocate(j *relocJob) *soapFault {
	dst := j.dst
	if dst != j.src {
		if f := s.unmovable(j.vm); f != nil {
			return f
		}
		if dst.standby {
			ref := dst.ref()
			return newFault(fmt.Sprintf("The operation is not allowed in the current state of the host: host '%s' is in standby mode.", dst.spec.Name),
				&types.InvalidHostState{Host: &ref})
		}
		if dst.maintenance {
			return newFault(fmt.Sprintf("The operation is not allowed in the current state of the host: host '%s' is in maintenance mode.", dst.spec.Name),
				&types.InvalidState{})
		}
		if dst.entering {
			return newFault(fmt.Sprintf("The operation is not allowed in the current state of the host: host '%s' is entering maintenance mode.", dst.spec.Name),
				&types.InvalidState{})
		}
		if !dst.connected {
			ref := dst.ref()
			return newFault(fmt.Sprintf("The operation is not allowed in the current state of the host: host '%s' is not connected.", dst.spec.Name),
				&types.InvalidHostState{Host: &ref})
		}
		if f := incompatible(j.vm, dst); f != nil {
			return f
		}
	}
	if j.pool != nil && !s.poolInCluster(*j.pool, dst.cluster) {
		return invalidArg("spec.pool")
	}
	if j.pool == nil && dst.cluster != j.src.cluster {
		return invalidArg("spec.pool") // vCenter needs the target cluster's pool named
	}
	if j.ds != nil {
		if dst.datastores[j.ds.name] == nil {
			return noDatastore(j.ds, dst)
		}
		return nil
	}
	for _, ds := range j.vm.datastores {
		if dst.datastores[ds.name] == nil {
			return noDatastore(ds, dst)
		}
	}
	return nil
}

func noDatastore(ds *dsRec, h *hostRec) *soapFault {
	ref := ds.obj.Self
	return newFault(fmt.Sprintf("The datastore '%s' is not accessible from host '%s'.", ds.name, h.spec.Name),
		&types.InvalidDatastore{Datastore: &ref, Name: ds.name})
}

// poolInCluster: is pool the cluster's root pool or one beneath it?
func (s *sim) poolInCluster(pool types.ManagedObjectReference, c *clusterRec) bool {
	for i := 0; i < 64; i++ {
		if pool == c.pool {
			return true
		}
		obj := poolMO(pool)
		if obj == nil || obj.Parent == nil || (obj.Parent.Type != "ResourcePool" && obj.Parent.Type != "VirtualApp") {
			return false
		}
		pool = *obj.Parent
	}
	return false
}

func (h *hostRec) hasSlot() bool { return h.active < h.spec.MaxVMotions }

// schedule starts queued relocations, in submission order, whose source and
// target both have a free vMotion slot (caller holds s.mu).
func (s *sim) schedule() {
	waiting := s.queue[:0]
	for _, j := range s.queue {
		if j.src.hasSlot() && (j.dst == j.src || j.dst.hasSlot()) {
			j.src.active++
			if j.dst != j.src {
				j.dst.active++
			}
			j.state = "running"
			go j.run()
			continue
		}
		waiting = append(waiting, j)
	}
	s.queue = waiting
}

func (j *relocJob) duration() time.Duration {
	m := j.s.inv.Migration
	secs := m.BaseSeconds
	if j.vm.poweredOn {
		secs += m.SecondsPerGB * j.vm.spec.MemoryGB // memory copy; a cold migration has none
	}
	return time.Duration(secs / j.s.timeScale * float64(time.Second))
}

func (j *relocJob) run() {
	s := j.s
	s.mu.Lock()
	fault := s.checkRelocate(j)
	var injected *faultRec
	if fault == nil {
		injected = s.takeFault("RelocateVM_Task", j.vm.ref())
	}
	j.audit.running()
	s.mu.Unlock()
	taskRunning(j.task)
	if fault != nil {
		s.finish(j, fault)
		return
	}
	step := j.duration() / progressSteps
	for i := 0; i <= progressSteps; i++ {
		p := i * 100 / progressSteps
		if i > 0 && i < progressSteps {
			taskProgress(j.task, int32(p))
		}
		if injected != nil && p >= injected.spec.AtProgress {
			if injected.spec.Effect == nil {
				s.finish(j, injected.build())
				return
			}
			s.applyEffect(j, injected)
			injected = nil
		}
		if i == progressSteps {
			break
		}
		select {
		case <-j.stop:
			s.finish(j, canceled())
			return
		case <-time.After(step):
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-j.stop: // cancelled during the last step
		s.finishLocked(j, canceled())
		return
	default:
	}
	if f := s.checkRelocate(j); f != nil {
		s.finishLocked(j, f)
		return
	}
	s.moveVM(j)
	s.finishLocked(j, nil)
}

func (s *sim) finish(j *relocJob, f *soapFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finishLocked(j, f)
}

// finishLocked ends the job, frees its slots and starts waiting work.
func (s *sim) finishLocked(j *relocJob, f *soapFault) {
	if j.state == "done" {
		return
	}
	if j.state == "running" && j.vm.busy == j {
		j.src.active--
		if j.dst != j.src {
			j.dst.active--
		}
	}
	j.state = "done"
	if j.vm.busy == j {
		j.vm.busy = nil
	}
	j.audit.finish(f)
	if f != nil {
		taskError(j.task, f)
	} else {
		taskSuccess(j.task, nil)
	}
	s.schedule()
}

// cancel implements CancelTask for a relocation.
func (j *relocJob) cancel() *soapFault {
	s := j.s
	s.mu.Lock()
	defer s.mu.Unlock()
	switch j.state {
	case "queued":
		for i, q := range s.queue {
			if q == j {
				s.queue = append(s.queue[:i:i], s.queue[i+1:]...)
				break
			}
		}
		s.finishLocked(j, canceled())
	case "running":
		j.stopOnce.Do(func() { close(j.stop) })
	default:
		return newFault("The task has already completed and cannot be cancelled.", &types.InvalidState{})
	}
	return nil
}

// applyEffect makes an injected side effect of a relocation happen now: the
// task will still succeed (takes s.mu).
func (s *sim) applyEffect(j *relocJob, f *faultRec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vm := j.vm
	effect := *f.spec.Effect
	j.audit.Args["effect"] = effect
	switch effect {
	case "reboot":
		if vm.poweredOn {
			now := time.Now()
			setProps(vm.obj, prop("runtime.bootTime", now), prop("summary.runtime.bootTime", now))
		}
	case "power-off":
		if vm.poweredOn {
			s.setPower(vm, false)
		}
	case "land-on":
		j.landOn = f.landOn
		j.audit.Args["landed_on"] = f.landOn.spec.Name
	}
}

// moveVM applies a successful relocation (caller holds s.mu).
func (s *sim) moveVM(j *relocJob) {
	vm, src, dst := j.vm, j.src, j.dst
	newPool := j.pool
	if j.landOn != nil {
		if j.landOn.cluster != dst.cluster {
			newPool = nil
		}
		dst = j.landOn
	}
	ref := vm.ref()
	dstRef := dst.ref()
	changes := []types.PropertyChange{prop("runtime.host", dstRef), prop("summary.runtime.host", dstRef)}
	if newPool == nil && src.cluster != dst.cluster {
		newPool = &dst.cluster.pool
	}
	if newPool != nil && vm.obj.ResourcePool != nil && *newPool != *vm.obj.ResourcePool {
		old := *vm.obj.ResourcePool
		if p := poolMO(old); p != nil {
			setProps(poolObject(old), prop("vm", removeRef(p.Vm, ref)))
		}
		if p := poolMO(*newPool); p != nil {
			setProps(poolObject(*newPool), prop("vm", appendRef(p.Vm, ref)))
		}
		changes = append(changes, prop("resourcePool", *newPool))
	}
	var oldDS *dsRec
	if j.ds != nil && (len(vm.datastores) != 1 || vm.datastores[0] != j.ds) {
		for _, d := range vm.datastores {
			setProps(d.obj, prop("vm", removeRef(d.obj.Vm, ref)))
		}
		oldDS = vm.datastores[0]
		vm.datastores = []*dsRec{j.ds}
		setProps(j.ds.obj, prop("vm", appendRef(j.ds.obj.Vm, ref)))
		changes = append(changes, prop("datastore", []types.ManagedObjectReference{j.ds.obj.Self}))
	}
	setProps(vm.obj, changes...)
	if src != dst {
		delete(src.vms, ref)
		dst.vms[ref] = vm
		vm.host = dst
		src.setVMList(removeRef(src.obj.Vm, ref))
		dst.setVMList(appendRef(dst.obj.Vm, ref))
		src.publishUsage()
		dst.publishUsage()
	}
	ev := &types.VmMigratedEvent{VmEvent: s.vmEvent(vm), SourceHost: *hostArg(src), SourceDatacenter: dcArg(src.cluster.dc)}
	if oldDS != nil {
		ev.SourceDatastore = &types.DatastoreEventArgument{
			EntityEventArgument: types.EntityEventArgument{Name: oldDS.name}, Datastore: oldDS.obj.Self}
	}
	s.postEvent(ev)
}
