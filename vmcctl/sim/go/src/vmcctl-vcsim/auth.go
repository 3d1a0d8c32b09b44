package main

// Users and privileges. The inventory's credentials log in with every
// privilege; each entry of its users list logs in with only the privileges
// listed (on every object). For such a user a method without its privilege
// is refused with NoPermission (privilegeId and object named) before
// anything happens, and a property read of an inventory object without
// System.Read, or of a path listed in hidden_properties, comes back in
// missingSet with NoPermission (a Fetch of it fails with NoPermission).
// Login attempts are audited with the user name, never the password.

import (
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

type hiddenProp struct {
	typ  string // "" = any type
	path string
}

type userRec struct {
	spec   userSpec
	privs  map[string]bool
	hidden []hiddenProp
}

func newUsers(specs []userSpec) map[string]*userRec {
	out := map[string]*userRec{}
	for _, u := range specs {
		rec := &userRec{spec: u, privs: map[string]bool{}}
		for _, p := range u.Privileges {
			rec.privs[p] = true
		}
		for _, h := range u.HiddenProperties {
			hp := hiddenProp{path: h}
			if i := strings.Index(h, ":"); i >= 0 {
				hp.typ, hp.path = h[:i], h[i+1:]
			}
			rec.hidden = append(rec.hidden, hp)
		}
		out[u.Username] = rec
	}
	return out
}

// has: may u use priv? A nil user is the inventory's administrator.
func (u *userRec) has(priv string) bool { return u == nil || u.privs[priv] }

// entityTypes are the inventory objects System.Read governs (views, tasks,
// collectors and managers stay readable).
var entityTypes = map[string]bool{
	"VirtualMachine": true, "HostSystem": true, "ClusterComputeResource": true, "ComputeResource": true,
	"ResourcePool": true, "Datastore": true, "Folder": true, "Datacenter": true, "Network": true,
	"DistributedVirtualPortgroup": true, "VmwareDistributedVirtualSwitch": true, "VirtualApp": true,
	"StoragePod": true, "OpaqueNetwork": true,
}

// canRead: may u read path of an object of type typ?
func (u *userRec) canRead(typ, path string) bool {
	if u == nil || !entityTypes[typ] {
		return true
	}
	if !u.privs["System.Read"] {
		return false
	}
	for _, h := range u.hidden {
		if h.typ != "" && h.typ != typ {
			continue
		}
		if path == h.path || strings.HasPrefix(path, h.path+".") || strings.HasPrefix(h.path, path+".") {
			return false
		}
	}
	return true
}

func noPermission(obj types.ManagedObjectReference, priv string) *soapFault {
	return newFault("Permission to perform this operation was denied.",
		&types.NoPermission{Object: obj, PrivilegeId: priv})
}

// checkLogin: are these the administrator's or a known user's credentials?
func (s *sim) checkLogin(user, password string) bool {
	if user == s.inv.Credentials.Username {
		return password == s.inv.Credentials.Password
	}
	u := s.users[user]
	return u != nil && password == u.spec.Password
}

// need is one privilege a method needs on one object.
type need struct {
	obj  types.ManagedObjectReference
	priv string
}

// required lists the privileges a method call needs (what we model).
func (s *sim) required(method string, req interface{}) []need {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r := req.(type) {
	case *types.RelocateVM_Task:
		vm := s.vmsByRef[r.This]
		if vm == nil {
			return nil
		}
		migrate := "Resource.ColdMigrate"
		if vm.poweredOn {
			migrate = "Resource.HotMigrate"
		}
		pool := r.Spec.Pool
		if pool == nil && r.Spec.Host != nil {
			if h := s.hostsByRef[*r.Spec.Host]; h != nil && h.cluster != vm.host.cluster {
				pool = &h.cluster.pool
			}
		}
		if pool == nil {
			pool = vm.obj.ResourcePool
		}
		return []need{{r.This, migrate}, {*pool, "Resource.AssignVMToPool"}}
	case *types.PowerOnVM_Task:
		return []need{{r.This, "VirtualMachine.Interact.PowerOn"}}
	case *types.PowerOffVM_Task:
		return []need{{r.This, "VirtualMachine.Interact.PowerOff"}}
	case *types.EnterMaintenanceMode_Task:
		return []need{{r.This, "Host.Config.Maintenance"}}
	case *types.ExitMaintenanceMode_Task:
		return []need{{r.This, "Host.Config.Maintenance"}}
	case *types.Destroy_Task:
		if r.This.Type == "VirtualMachine" {
			return []need{{r.This, "VirtualMachine.Inventory.Delete"}}
		}
	case *types.Rename_Task:
		switch r.This.Type {
		case "VirtualMachine":
			return []need{{r.This, "VirtualMachine.Config.Rename"}}
		case "ClusterComputeResource":
			return []need{{r.This, "Host.Inventory.RenameCluster"}}
		}
	case *types.SetField:
		return []need{{r.Entity, "Global.SetCustomField"}}
	case *types.SetCustomValue:
		return []need{{r.This, "Global.SetCustomField"}}
	case *types.AddCustomFieldDef:
		return []need{{s.root, "Global.ManageCustomFields"}}
	}
	return nil
}

// authorize refuses a call u may not make (nil: allowed).
func (s *sim) authorize(u *userRec, method string, req interface{}) *soapFault {
	if u == nil {
		return nil
	}
	for _, n := range s.required(method, req) {
		if !u.has(n.priv) {
			return noPermission(n.obj, n.priv)
		}
	}
	return nil
}

// restrict moves what u may not read from propSet to missingSet. wanted are
// the requested paths per object type (so a hidden path whose value is
// empty is reported too).
func restrict(u *userRec, objs []types.ObjectContent, wanted map[string][]string) {
	for i := range objs {
		o := &objs[i]
		typ := o.Obj.Type
		keep := o.PropSet[:0]
		present := map[string]bool{}
		for _, p := range o.PropSet {
			present[p.Name] = true
			if u.canRead(typ, p.Name) {
				keep = append(keep, p)
				continue
			}
			o.MissingSet = append(o.MissingSet, missingNoPermission(o.Obj, p.Name))
		}
		o.PropSet = keep
		for _, path := range append(wanted[typ], wanted["ManagedEntity"]...) {
			if !present[path] && !u.canRead(typ, path) {
				present[path] = true
				o.MissingSet = append(o.MissingSet, missingNoPermission(o.Obj, path))
			}
		}
	}
}

func missingNoPermission(obj types.ManagedObjectReference, path string) types.MissingProperty {
	return types.MissingProperty{Path: path, Fault: types.LocalizedMethodFault{
		Fault:            &types.NoPermission{Object: obj, PrivilegeId: "System.Read"},
		LocalizedMessage: "Permission to perform this operation was denied.",
	}}
}

// wantedPaths: the requested property paths per type name.
func wantedPaths(specs []types.PropertyFilterSpec) map[string][]string {
	out := map[string][]string{}
	for _, spec := range specs {
		for _, p := range spec.PropSet {
			out[p.Type] = append(out[p.Type], p.PathSet...)
		}
	}
	return out
}
