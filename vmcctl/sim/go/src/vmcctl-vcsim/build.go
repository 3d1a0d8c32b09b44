package main

// Builds the govmomi inventory from the JSON spec. Datacenter, clusters and
// hosts go through the simulator's own API (few objects, and it wires the
// host's managers); datastores and VMs are built directly and Put into the
// registry, which is what makes a 10,000-VM inventory start in seconds.

import (
	"context"
	"crypto/sha1"
	"fmt"
	"strings"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/vpx"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

const gb = 1024 * 1024 * 1024

func newModel() *simulator.Model {
	return &simulator.Model{
		ServiceContent: vpx.ServiceContent,
		RootFolder:     vpx.RootFolder,
	}
}

func (s *sim) build(ctx context.Context, m *simulator.Model) error {
	c, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return err
	}
	fixEventTemplates()
	root := object.NewRootFolder(c)
	s.root = root.Reference()
	hostFolders := map[string]*object.Folder{}
	for _, name := range s.inv.Datacenters {
		dcObj, err := root.CreateDatacenter(ctx, name)
		if err != nil {
			return fmt.Errorf("datacenter %s: %w", name, err)
		}
		folders, err := dcObj.Folders(ctx)
		if err != nil {
			return err
		}
		s.dcs[name] = &dcRec{
			name:      name,
			obj:       simulator.Map.Get(dcObj.Reference()).(*simulator.Datacenter),
			dsFolder:  simulator.Map.Get(folders.DatastoreFolder.Reference()).(*simulator.Folder),
			vmFolders: map[string]*simulator.Folder{"": simulator.Map.Get(folders.VmFolder.Reference()).(*simulator.Folder)},
		}
		hostFolders[name] = folders.HostFolder
	}
	for _, cs := range s.inv.Clusters {
		if err := s.buildCluster(ctx, hostFolders[cs.Datacenter], s.dcs[cs.Datacenter], cs); err != nil {
			return err
		}
	}
	for _, ds := range s.inv.Datastores {
		s.buildDatastore(s.dcs[ds.Datacenter], ds)
	}
	boot := time.Now().Add(-24 * time.Hour)
	byPath := make(map[string]*vmRec, len(s.inv.VMs))
	for _, vs := range s.inv.VMs {
		dc := s.dcs[vs.Datacenter]
		folder, err := s.vmFolder(ctx, c, dc, vs.Folder)
		if err != nil {
			return fmt.Errorf("folder %s: %w", vs.Folder, err)
		}
		byPath[vs.Path] = s.buildVM(dc, folder, vs, boot)
	}
	for i, cs := range s.inv.Clusters {
		s.buildRules(s.clusters[i], cs, byPath)
		s.summariseCluster(s.clusters[i])
	}
	for _, h := range s.hosts {
		cpu, mem := h.usage()
		h.obj.Summary.QuickStats.OverallCpuUsage = cpu
		h.obj.Summary.QuickStats.OverallMemoryUsage = mem
	}
	for _, f := range s.inv.Faults {
		if err := s.addFault(f); err != nil {
			return err
		}
	}
	return nil
}

// vmFolder is the VM folder at path (e.g. "team/ml") in dc, made as needed.
func (s *sim) vmFolder(ctx context.Context, c *vim25.Client, dc *dcRec, path string) (*simulator.Folder, error) {
	if f := dc.vmFolders[path]; f != nil {
		return f, nil
	}
	parentPath, name := "", path
	if i := strings.LastIndex(path, "/"); i >= 0 {
		parentPath, name = path[:i], path[i+1:]
	}
	parent, err := s.vmFolder(ctx, c, dc, parentPath)
	if err != nil {
		return nil, err
	}
	made, err := object.NewFolder(c, parent.Self).CreateFolder(ctx, name)
	if err != nil {
		return nil, err
	}
	f := simulator.Map.Get(made.Reference()).(*simulator.Folder)
	dc.vmFolders[path] = f
	return f, nil
}

func (s *sim) buildCluster(ctx context.Context, hostFolder *object.Folder, dc *dcRec, cs clusterSpec) error {
	cl, err := hostFolder.CreateCluster(ctx, cs.Name, types.ClusterConfigSpecEx{})
	if err != nil {
		return fmt.Errorf("cluster %s: %w", cs.Name, err)
	}
	obj := simulator.Map.Get(cl.Reference()).(*simulator.ClusterComputeResource)
	rec := &clusterRec{dc: dc, name: cs.Name, obj: obj, pool: *obj.ResourcePool,
		pools: map[string]types.ManagedObjectReference{"": *obj.ResourcePool}}
	obj.ConfigurationEx.(*types.ClusterConfigInfoEx).DrsConfig.Enabled = types.NewBool(cs.DRSEnabled)
	s.poolCluster[rec.pool] = rec
	s.clusters = append(s.clusters, rec)
	if err := buildPools(ctx, hostFolder.Client(), rec, cs); err != nil {
		return fmt.Errorf("cluster %s: %w", cs.Name, err)
	}
	for _, hs := range cs.Hosts {
		task, err := cl.AddHost(ctx, types.HostConnectSpec{HostName: hs.Name}, true, nil, nil)
		if err != nil {
			return fmt.Errorf("host %s: %w", hs.Name, err)
		}
		info, err := task.WaitForResult(ctx, nil)
		if err != nil {
			return fmt.Errorf("host %s: %w", hs.Name, err)
		}
		ref := info.Result.(types.ManagedObjectReference)
		h := &hostRec{
			spec:        hs,
			obj:         simulator.Map.Get(ref).(*simulator.HostSystem),
			cluster:     rec,
			vms:         map[types.ManagedObjectReference]*vmRec{},
			datastores:  map[string]*dsRec{},
			maintenance: hs.Maintenance,
			connected:   hs.Connected,
			standby:     hs.Power == "standby",
		}
		configureHost(h)
		rec.hosts = append(rec.hosts, h)
		s.hosts[hs.Name] = h
		s.hostsByRef[ref] = h
	}
	return nil
}

func configureHost(h *hostRec) {
	o, hs := h.obj, h.spec
	mem := int64(hs.MemoryGB * gb)
	hw := o.Summary.Hardware
	hw.CpuMhz = int32(hs.CPUMhzPerCore)
	hw.NumCpuCores = int16(hs.CPUCores)
	hw.NumCpuThreads = int16(hs.CPUCores * 2)
	hw.NumCpuPkgs = 2
	hw.MemorySize = mem
	if o.Hardware != nil {
		o.Hardware.CpuInfo.NumCpuCores = int16(hs.CPUCores)
		o.Hardware.CpuInfo.NumCpuThreads = int16(hs.CPUCores * 2)
		o.Hardware.CpuInfo.Hz = int64(hs.CPUMhzPerCore) * 1000 * 1000
		o.Hardware.MemorySize = mem
	}
	o.Runtime.InMaintenanceMode = hs.Maintenance
	if hs.Connected {
		o.Runtime.ConnectionState = types.HostSystemConnectionStateConnected
	} else {
		o.Runtime.ConnectionState = types.HostSystemConnectionStateDisconnected
	}
	if o.Config != nil {
		if o.Config.VsanHostConfig == nil {
			o.Config.VsanHostConfig = &types.VsanHostConfigInfo{}
		}
		o.Config.VsanHostConfig.FaultDomainInfo = &types.VsanHostFaultDomainInfo{Name: hs.FaultDomain}
	}
	o.Summary.QuickStats.Uptime = 86400
	// DPM standby: vCenter keeps the host "connected" but powered down.
	o.Runtime.PowerState = types.HostSystemPowerStatePoweredOn
	if hs.Power == "standby" {
		o.Runtime.PowerState = types.HostSystemPowerStateStandBy
		o.Runtime.StandbyMode = "in"
		o.Summary.QuickStats.Uptime = 0
	}
	o.Runtime.InQuarantineMode = types.NewBool(hs.Quarantine)
	o.Summary.Runtime = &o.Runtime
}

func (s *sim) buildDatastore(dc *dcRec, spec datastoreSpec) {
	folder := dc.dsFolder
	url := "ds:///vmfs/volumes/" + spec.Name + "/"
	ds := &simulator.Datastore{}
	ds.Name = spec.Name
	ds.Summary = types.DatastoreSummary{
		Name:               spec.Name,
		Url:                url,
		Capacity:           int64(spec.CapacityGB * gb),
		FreeSpace:          int64(spec.FreeGB * gb),
		Accessible:         true,
		MultipleHostAccess: types.NewBool(len(spec.Hosts) > 1),
		Type:               "vsan",
		MaintenanceMode:    string(types.DatastoreSummaryMaintenanceModeStateNormal),
	}
	ds.Info = &types.DatastoreInfo{
		Name:        spec.Name,
		Url:         url,
		FreeSpace:   ds.Summary.FreeSpace,
		MaxFileSize: ds.Summary.Capacity,
		Timestamp:   types.NewTime(time.Now()),
	}
	ds.Capability = types.DatastoreCapability{DirectoryHierarchySupported: true, PerFileThinProvisioningSupported: true}
	simulator.Map.PutEntity(folder, simulator.Map.NewEntity(ds))
	folder.ChildEntity = append(folder.ChildEntity, ds.Self)
	dc.obj.Datastore = append(dc.obj.Datastore, ds.Self)
	rec := &dsRec{dc: dc, name: spec.Name, obj: ds}
	s.datastores[dc.name+"/"+spec.Name] = rec
	for _, name := range spec.Hosts {
		h := s.hosts[name]
		h.datastores[spec.Name] = rec
		h.obj.Datastore = append(h.obj.Datastore, ds.Self)
		ds.Host = append(ds.Host, types.DatastoreHostMount{
			Key: h.ref(),
			MountInfo: types.HostMountInfo{
				Path: "/vmfs/volumes/" + spec.Name, AccessMode: string(types.HostMountModeReadWrite),
				Mounted: types.NewBool(true), Accessible: types.NewBool(true),
			},
		})
	}
}

func nameUUID(kind, name string) string {
	b := sha1.Sum([]byte(kind + "/" + name))
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *sim) buildVM(dc *dcRec, folder *simulator.Folder, spec vmSpec, boot time.Time) *vmRec {
	h := s.hosts[spec.Host]
	ds := s.datastores[dc.name+"/"+spec.Datastore]
	on := spec.Power == "on"
	vm := &simulator.VirtualMachine{}
	vm.Name = spec.Name
	memMB := int32(spec.MemoryGB * 1024)
	hostRef := h.ref()
	pool := h.cluster.pools[spec.Pool]
	vmx := fmt.Sprintf("[%s] %s/%s.vmx", ds.name, spec.Name, spec.Name)
	vm.Config = &types.VirtualMachineConfigInfo{
		Name:          spec.Name,
		GuestId:       string(types.VirtualMachineGuestOsIdentifierOtherLinux64Guest),
		GuestFullName: "Other Linux (64-bit)",
		Version:       "vmx-14",
		Uuid:          nameUUID("bios", spec.Path),
		InstanceUuid:  nameUUID("instance", spec.Path),
		Hardware: types.VirtualHardware{
			NumCPU: int32(spec.CPUs), NumCoresPerSocket: 1, MemoryMB: memMB,
		},
		Files:    types.VirtualMachineFileInfo{VmPathName: vmx},
		Template: spec.Template,
	}
	vm.Config.Hardware.Device = vmDevices(spec.Devices)
	if spec.FT != "" {
		role := int32(1)
		if spec.FT == "secondary" {
			role = 2
		}
		vm.Config.FtInfo = &types.FaultToleranceConfigInfo{Role: role,
			InstanceUuids: []string{nameUUID("instance", spec.Path), nameUUID("ft", spec.Path)}}
	}
	vm.Runtime = types.VirtualMachineRuntimeInfo{
		Host:                &hostRef,
		ConnectionState:     types.VirtualMachineConnectionState(spec.Connection),
		PowerState:          types.VirtualMachinePowerStatePoweredOff,
		FaultToleranceState: types.VirtualMachineFaultToleranceStateNotConfigured,
		MaxMemoryUsage:      memMB,
		MaxCpuUsage:         int32(spec.CPUs * h.spec.CPUMhzPerCore),
	}
	if spec.FT != "" {
		vm.Runtime.FaultToleranceState = types.VirtualMachineFaultToleranceStateRunning
	}
	guestState := "notRunning"
	if on {
		bt := boot
		vm.Runtime.PowerState = types.VirtualMachinePowerStatePoweredOn
		vm.Runtime.BootTime = &bt
		guestState = "running"
	}
	vm.Guest = &types.GuestInfo{GuestState: guestState, HostName: spec.Name,
		GuestId: vm.Config.GuestId, GuestFullName: vm.Config.GuestFullName}
	if spec.IP != nil && on {
		vm.Guest.IpAddress = *spec.IP
	}
	vm.ResourcePool = &pool
	vm.Storage = &types.VirtualMachineStorageInfo{Timestamp: time.Now()}
	vm.LayoutEx = &types.VirtualMachineFileLayoutEx{Timestamp: time.Now()}
	vm.Datastore = []types.ManagedObjectReference{ds.obj.Self}
	simulator.Map.PutEntity(folder, simulator.Map.NewEntity(vm))
	folder.ChildEntity = append(folder.ChildEntity, vm.Self)
	rec := &vmRec{spec: spec, obj: vm, host: h, poweredOn: on, datastores: []*dsRec{ds}, dc: dc}
	cpu, mem, consumed := rec.quickStats()
	vm.Summary = types.VirtualMachineSummary{
		Vm:      &vm.Self,
		Runtime: vm.Runtime,
		Guest: &types.VirtualMachineGuestSummary{GuestId: vm.Config.GuestId,
			GuestFullName: vm.Config.GuestFullName, IpAddress: vm.Guest.IpAddress, HostName: spec.Name},
		Config: types.VirtualMachineConfigSummary{
			Name: spec.Name, VmPathName: vmx, MemorySizeMB: memMB, NumCpu: int32(spec.CPUs),
			Uuid: vm.Config.Uuid, InstanceUuid: vm.Config.InstanceUuid,
			GuestId: vm.Config.GuestId, GuestFullName: vm.Config.GuestFullName,
			Template: spec.Template,
		},
		QuickStats: types.VirtualMachineQuickStats{OverallCpuUsage: cpu, GuestMemoryUsage: mem, HostMemoryUsage: consumed,
			GuestHeartbeatStatus: heartbeat(on)},
		Storage:       &types.VirtualMachineStorageSummary{Committed: int64(spec.MemoryGB * gb), Timestamp: time.Now()},
		OverallStatus: types.ManagedEntityStatusGreen,
	}
	h.vms[vm.Self] = rec
	h.obj.Vm = append(h.obj.Vm, vm.Self)
	if p := poolMO(pool); p != nil {
		p.Vm = append(p.Vm, vm.Self)
	}
	ds.obj.Vm = append(ds.obj.Vm, vm.Self)
	s.vmsByRef[vm.Self] = rec
	return rec
}

// buildRules fills configurationEx.rule (and the VM/host groups the
// vm-host rules refer to) the way vCenter reports them.
func (s *sim) buildRules(c *clusterRec, cs clusterSpec, byPath map[string]*vmRec) {
	cfg := c.obj.ConfigurationEx.(*types.ClusterConfigInfoEx)
	vmRefs := func(paths []string) []types.ManagedObjectReference {
		out := make([]types.ManagedObjectReference, 0, len(paths))
		for _, p := range paths {
			out = append(out, byPath[p].ref())
		}
		return out
	}
	for i, r := range cs.Rules {
		info := types.ClusterRuleInfo{Key: int32(i + 1), Name: r.Name, Enabled: types.NewBool(r.Enabled),
			Status: types.ManagedEntityStatusGreen}
		// vCenter reports VM-VM rules with mandatory false (the vSphere Client
		// has no must/should for them); DRS still never breaks an enabled one.
		switch r.Type {
		case "vm-affinity":
			info.Mandatory = types.NewBool(false)
			cfg.Rule = append(cfg.Rule, &types.ClusterAffinityRuleSpec{ClusterRuleInfo: info, Vm: vmRefs(r.VMs)})
		case "vm-anti-affinity":
			info.Mandatory = types.NewBool(false)
			cfg.Rule = append(cfg.Rule, &types.ClusterAntiAffinityRuleSpec{ClusterRuleInfo: info, Vm: vmRefs(r.VMs)})
		default:
			vmGroup := r.Name + "-vms"
			hostGroup := r.Name + "-hosts"
			var hosts []types.ManagedObjectReference
			for _, n := range r.Hosts {
				hosts = append(hosts, s.hosts[n].ref())
			}
			cfg.Group = append(cfg.Group,
				&types.ClusterVmGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: vmGroup}, Vm: vmRefs(r.VMs)},
				&types.ClusterHostGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: hostGroup}, Host: hosts})
			info.Mandatory = types.NewBool(r.Type == "vm-host-must" || r.Type == "vm-not-host-must")
			rule := &types.ClusterVmHostRuleInfo{ClusterRuleInfo: info, VmGroupName: vmGroup}
			if r.Type == "vm-host-must" || r.Type == "vm-host-should" {
				rule.AffineHostGroupName = hostGroup
			} else {
				rule.AntiAffineHostGroupName = hostGroup
			}
			cfg.Rule = append(cfg.Rule, rule)
		}
	}
}

func (s *sim) summariseCluster(c *clusterRec) {
	sum := &types.ClusterComputeResourceSummary{UsageSummary: new(types.ClusterUsageSummary)}
	for _, h := range c.hosts {
		cpu := int32(h.spec.CPUCores * h.spec.CPUMhzPerCore)
		mem := int64(h.spec.MemoryGB * gb)
		sum.TotalCpu += cpu
		sum.TotalMemory += mem
		sum.NumCpuCores += int16(h.spec.CPUCores)
		sum.NumCpuThreads += int16(h.spec.CPUCores * 2)
		sum.NumHosts++
		if h.connected && !h.maintenance {
			sum.EffectiveCpu += cpu
			sum.EffectiveMemory += mem / (1024 * 1024)
			sum.NumEffectiveHosts++
		}
	}
	sum.OverallStatus = types.ManagedEntityStatusGreen
	c.obj.Summary = sum
}

func heartbeat(on bool) types.ManagedEntityStatus {
	if on {
		return types.ManagedEntityStatusGreen
	}
	return types.ManagedEntityStatusGray
}
