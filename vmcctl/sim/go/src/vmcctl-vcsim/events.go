package main

// Events posted to govmomi's EventManager, so QueryEvents and event
// collectors see them as they would on vCenter.

import (
	"context"
	"text/template"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func (s *sim) postEvent(ev types.BaseEvent) {
	em := simulator.Map.EventManager()
	ctx := &simulator.Context{
		Context: context.Background(),
		Map:     simulator.Map,
		Session: &simulator.Session{UserSession: types.UserSession{UserName: s.user}, Registry: simulator.NewRegistry()},
	}
	simulator.Map.WithLock(em, func() {
		em.PostEvent(ctx, &types.PostEvent{EventToPost: ev})
	})
}

func dcArg(dc *dcRec) *types.DatacenterEventArgument {
	return &types.DatacenterEventArgument{
		EntityEventArgument: types.EntityEventArgument{Name: dc.name}, Datacenter: dc.obj.Self}
}

func hostArg(h *hostRec) *types.HostEventArgument {
	return &types.HostEventArgument{EntityEventArgument: types.EntityEventArgument{Name: h.spec.Name}, Host: h.ref()}
}

func clusterArg(h *hostRec) *types.ComputeResourceEventArgument {
	return &types.ComputeResourceEventArgument{
		EntityEventArgument: types.EntityEventArgument{Name: h.cluster.name}, ComputeResource: h.cluster.obj.Self}
}

func (s *sim) vmEvent(v *vmRec) types.VmEvent {
	return types.VmEvent{Event: types.Event{
		Datacenter:      dcArg(v.dc),
		ComputeResource: clusterArg(v.host),
		Host:            hostArg(v.host),
		Vm:              &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: v.spec.Name}, Vm: v.ref()},
	}}
}

func (s *sim) hostEvent(h *hostRec) types.HostEvent {
	return types.HostEvent{Event: types.Event{
		Datacenter: dcArg(h.cluster.dc), ComputeResource: clusterArg(h), Host: hostArg(h),
	}}
}

// fixEventTemplates repairs event message templates govmomi 0.24 ships
// broken (VmMigratedEvent's does not parse and would panic when posted).
func fixEventTemplates() {
	em := simulator.Map.EventManager()
	for i := range em.Description.EventInfo {
		info := &em.Description.EventInfo[i]
		if info.Key == "VmMigratedEvent" {
			info.FullFormat = "Migration of virtual machine {{.Vm.Name}} from {{.SourceHost.Name}} to {{.Host.Name}} completed"
		}
		if _, err := template.New(info.Key).Parse(info.FullFormat); err != nil {
			info.FullFormat = info.Description
		}
	}
}
