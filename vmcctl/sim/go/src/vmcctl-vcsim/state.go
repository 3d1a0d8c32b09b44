package main

// The simulator's own view of the inventory. The govmomi objects stay the
// source of truth for clients; these records carry what vmcctl needs to
// model (usage, slots, maintenance) and point at those objects. Every
// change to a govmomi object goes through setProps, so property
// collectors waiting for updates see it.

import (
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// dcRec is one datacenter and the VM folders made so far (by path; "" is
// the datacenter's vm folder).
type dcRec struct {
	name      string
	obj       *simulator.Datacenter
	dsFolder  *simulator.Folder
	vmFolders map[string]*simulator.Folder
}

type clusterRec struct {
	dc    *dcRec
	name  string
	obj   *simulator.ClusterComputeResource
	pool  types.ManagedObjectReference
	pools map[string]types.ManagedObjectReference // by path under the root pool ("" = root)
	hosts []*hostRec
}

type hostRec struct {
	spec        hostSpec
	obj         *simulator.HostSystem
	cluster     *clusterRec
	vms         map[types.ManagedObjectReference]*vmRec
	datastores  map[string]*dsRec
	maintenance bool
	entering    bool // an EnterMaintenanceMode_Task is running
	connected   bool
	standby     bool // DPM standby: powerState standBy
	active      int  // relocations running with this host as source or target
}

type dsRec struct {
	dc   *dcRec
	name string
	obj  *simulator.Datastore
}

type vmRec struct {
	spec       vmSpec
	obj        *simulator.VirtualMachine
	host       *hostRec
	poweredOn  bool
	datastores []*dsRec
	busy       *relocJob // relocation queued or running
	dc         *dcRec
	gone       bool // destroyed
}

// path is the VM's inventory path, /DC/vm/folder/name (its name as now).
func (v *vmRec) path() string {
	if v.spec.Folder == "" {
		return "/" + v.dc.name + "/vm/" + v.spec.Name
	}
	return "/" + v.dc.name + "/vm/" + v.spec.Folder + "/" + v.spec.Name
}

func (h *hostRec) ref() types.ManagedObjectReference { return h.obj.Self }
func (v *vmRec) ref() types.ManagedObjectReference   { return v.obj.Self }

// sim holds all mutable simulator state behind one mutex. Lock order:
// sim.mu first, then govmomi object locks (through setProps).
type sim struct {
	mu        sync.Mutex
	inv       *inventorySpec
	timeScale float64
	user      string

	root        types.ManagedObjectReference // the root folder
	dcs         map[string]*dcRec
	clusters    []*clusterRec
	hosts       map[string]*hostRec // host names are unique vCenter-wide
	hostsByRef  map[types.ManagedObjectReference]*hostRec
	vmsByRef    map[types.ManagedObjectReference]*vmRec
	datastores  map[string]*dsRec // by "DC/name": names repeat across datacenters
	poolCluster map[types.ManagedObjectReference]*clusterRec
	users       map[string]*userRec // restricted users by name; the inventory's credentials have every privilege
	gone        map[types.ManagedObjectReference]bool

	jobs   map[string]job // task moid -> cancellable work
	queue  []*relocJob    // relocations waiting for vMotion slots, in submission order
	audit  []*auditEntry
	faults []*faultRec
	pager  *pager
	sess   *sessions
}

func newSim(inv *inventorySpec, timeScale float64) *sim {
	return &sim{
		inv:         inv,
		timeScale:   timeScale,
		user:        inv.Credentials.Username,
		dcs:         map[string]*dcRec{},
		hosts:       map[string]*hostRec{},
		hostsByRef:  map[types.ManagedObjectReference]*hostRec{},
		vmsByRef:    map[types.ManagedObjectReference]*vmRec{},
		users:       newUsers(inv.Users),
		gone:        map[types.ManagedObjectReference]bool{},
		datastores:  map[string]*dsRec{},
		poolCluster: map[types.ManagedObjectReference]*clusterRec{},
		jobs:        map[string]job{},
		pager:       newPager(),
		sess:        newSessions(),
	}
}

// setProps applies property changes to a govmomi object under its lock and
// notifies property collectors (WaitForUpdatesEx sees them).
func setProps(obj mo.Reference, changes ...types.PropertyChange) {
	simulator.Map.WithLock(obj, func() {
		simulator.Map.Update(obj, changes)
	})
}

func prop(name string, val interface{}) types.PropertyChange {
	return types.PropertyChange{Name: name, Val: val}
}

// usage is the host's modelled load: background plus powered-on VMs.
func (h *hostRec) usage() (cpuMhz int32, memMB int32) {
	cpu := float64(h.spec.BackgroundCPUMhz)
	mem := h.spec.BackgroundMemoryGB * 1024
	for _, v := range h.vms {
		if v.poweredOn {
			cpu += float64(v.spec.CPUUsageMhz)
			mem += v.spec.MemoryConsumedGB * 1024
		}
	}
	return int32(cpu), int32(mem)
}

// publishUsage recomputes and publishes the host's quickStats.
func (h *hostRec) publishUsage() {
	cpu, mem := h.usage()
	setProps(h.obj,
		prop("summary.quickStats.overallCpuUsage", cpu),
		prop("summary.quickStats.overallMemoryUsage", mem))
}

// vmRefs is the host's VM list in a stable order (existing order kept).
func (h *hostRec) setVMList(list []types.ManagedObjectReference) {
	setProps(h.obj, prop("vm", list))
}

func removeRef(list []types.ManagedObjectReference, ref types.ManagedObjectReference) []types.ManagedObjectReference {
	out := make([]types.ManagedObjectReference, 0, len(list))
	for _, r := range list {
		if r != ref {
			out = append(out, r)
		}
	}
	return out
}

func appendRef(list []types.ManagedObjectReference, ref types.ManagedObjectReference) []types.ManagedObjectReference {
	out := make([]types.ManagedObjectReference, 0, len(list)+1)
	for _, r := range list {
		if r != ref {
			out = append(out, r)
		}
	}
	return append(out, ref)
}

// quickStats is what the VM reports: its usage while on (active guest
// memory and consumed host memory apart, as vCenter reports them), nothing
// while off.
func (v *vmRec) quickStats() (cpuMhz int32, guestMemMB int32, hostMemMB int32) {
	if !v.poweredOn {
		return 0, 0, 0
	}
	return int32(v.spec.CPUUsageMhz), int32(v.spec.MemoryActiveGB * 1024), int32(v.spec.MemoryConsumedGB * 1024)
}
