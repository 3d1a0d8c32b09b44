package main

// vCenter's own questions before acting: the provisioning checker's
// CheckRelocate_Task (may this VM go to that host?) and the authorization
// manager's HasPrivilegeOnEntities / FetchUserPrivilegeOnEntities (may this
// user do that?). CheckRelocate answers with the rules RelocateVM_Task
// enforces (checkRelocate), as CheckResult errors carrying vCenter's faults;
// a target in Proactive-HA quarantine is a warning (vCenter lets a manual
// vMotion in). Privileges come from the inventory's users (auth.go); the
// inventory's credentials hold every privilege.

import (
	"fmt"
	"sort"

	"github.com/vmware/govmomi/vim25/types"
)

// checkHandlers are the methods answered here (soap.go adds them to its table).
func (s *sim) checkHandlers() map[string]handler {
	return map[string]handler{
		"CheckRelocate_Task":           s.checkRelocateTask,
		"HasPrivilegeOnEntities":       s.hasPrivilegeOnEntities,
		"FetchUserPrivilegeOnEntities": s.fetchUserPrivilegeOnEntities,
	}
}

// incompatible: the VM key incompatible_hosts names dst (caller holds s.mu).
func incompatible(v *vmRec, dst *hostRec) *soapFault {
	for _, name := range v.spec.IncompatibleHosts {
		if name == dst.spec.Name {
			vm, host := v.ref(), dst.ref()
			return newFault("The target host does not support the virtual machine's current hardware requirements.",
				&types.FeatureRequirementsNotMet{Vm: &vm, Host: &host})
		}
	}
	return nil
}

func localized(f *soapFault) types.LocalizedMethodFault {
	return types.LocalizedMethodFault{Fault: f.fault, LocalizedMessage: f.msg}
}

func (s *sim) checkRelocateTask(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.CheckRelocate_Task)
	s.mu.Lock()
	defer s.mu.Unlock()
	vm := s.vmsByRef[r.Vm]
	if vm == nil {
		return nil, notFound(r.Vm)
	}
	dst := vm.host
	if r.Spec.Host != nil {
		if dst = s.hostsByRef[*r.Spec.Host]; dst == nil {
			return nil, invalidArg("spec.host")
		}
	}
	vmRef, hostRef := vm.ref(), dst.ref()
	result := types.CheckResult{Vm: &vmRef, Host: &hostRef}
	job := &relocJob{s: s, vm: vm, src: vm.host, dst: dst, pool: r.Spec.Pool}
	if r.Spec.Datastore != nil {
		if job.ds = s.dsByRef(*r.Spec.Datastore); job.ds == nil {
			return nil, invalidArg("spec.datastore")
		}
	}
	if f := s.checkRelocate(job); f != nil {
		result.Error = append(result.Error, localized(f))
	}
	if dst != vm.host && dst.spec.Quarantine {
		result.Warning = append(result.Warning, localized(newFault(
			fmt.Sprintf("Host '%s' is in quarantine mode: Proactive HA expects it to degrade.", dst.spec.Name),
			&types.InvalidHostState{Host: &hostRef})))
	}
	task := s.newTask(vm.obj, vm.spec.Name, "CheckRelocate", "VirtualMachineProvisioningChecker.checkRelocate", false)
	s.jobs[task.Self.Value] = doneJob{}
	taskRunning(task)
	taskSuccess(task, types.ArrayOfCheckResult{CheckResult: []types.CheckResult{result}})
	return &types.CheckRelocate_TaskResponse{Returnval: task.Self}, nil
}

// adminPrivileges is what the inventory's credentials hold: every privilege
// the simulator models (auth.go's required) and System.*.
var adminPrivileges = []string{
	"Global.ManageCustomFields", "Global.SetCustomField", "Host.Config.Maintenance",
	"Host.Inventory.RenameCluster", "Resource.AssignVMToPool", "Resource.ColdMigrate",
	"Resource.HotMigrate", "System.Anonymous", "System.Read", "System.View",
	"VirtualMachine.Config.Rename", "VirtualMachine.Interact.PowerOff",
	"VirtualMachine.Interact.PowerOn", "VirtualMachine.Inventory.Delete",
}

// privilegesOf lists what user name holds on every object; ok false for an
// unknown user.
func (s *sim) privilegesOf(name string) ([]string, bool) {
	if name == s.inv.Credentials.Username {
		return adminPrivileges, true
	}
	u := s.users[name]
	if u == nil {
		return nil, false
	}
	out := make([]string, 0, len(u.privs))
	for p := range u.privs {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, true
}

func (s *sim) hasPrivilegeOnEntities(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.HasPrivilegeOnEntities)
	name := s.sess.owner(r.SessionId)
	if name == "" {
		name = s.inv.Credentials.Username // a session govmomi made itself
	}
	privs, ok := s.privilegesOf(name)
	if !ok {
		return nil, newFault("A specified parameter was not correct: sessionId", &types.InvalidArgument{InvalidProperty: "sessionId"})
	}
	held := map[string]bool{}
	for _, p := range privs {
		held[p] = true
	}
	out := &types.HasPrivilegeOnEntitiesResponse{}
	for _, e := range r.Entity {
		ep := types.EntityPrivilege{Entity: e}
		for _, id := range r.PrivId {
			ep.PrivAvailability = append(ep.PrivAvailability, types.PrivilegeAvailability{PrivId: id, IsGranted: held[id]})
		}
		out.Returnval = append(out.Returnval, ep)
	}
	return out, nil
}

func (s *sim) fetchUserPrivilegeOnEntities(req interface{}) (interface{}, *soapFault) {
	r := req.(*types.FetchUserPrivilegeOnEntities)
	privs, ok := s.privilegesOf(r.UserName)
	if !ok {
		return nil, newFault(fmt.Sprintf("The user '%s' was not found.", r.UserName), &types.UserNotFound{Principal: r.UserName})
	}
	out := &types.FetchUserPrivilegeOnEntitiesResponse{}
	for _, e := range r.Entities {
		out.Returnval = append(out.Returnval, types.UserPrivilegeResult{Entity: e, Privileges: privs})
	}
	return out, nil
}
