package main

// Resource pools and vApps under a cluster's root pool (inventory keys
// resource_pools and vapps, VM key pool). They are made through the
// simulator's own CreateResourcePool/CreateVApp, so owner and parent are
// what vCenter reports; a vApp's references say VirtualApp.

import (
	"context"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func splitPoolPath(path string) (parent, name string) {
	if i := strings.LastIndex(path, "/"); i >= 0 {
		return path[:i], path[i+1:]
	}
	return "", path
}

// buildPools makes the cluster's pools (parents are listed first) and vApps.
func buildPools(ctx context.Context, c *vim25.Client, rec *clusterRec, cs clusterSpec) error {
	for _, path := range cs.ResourcePools {
		parentPath, name := splitPoolPath(path)
		parent := object.NewResourcePool(c, rec.pools[parentPath])
		child, err := parent.Create(ctx, name, types.DefaultResourceConfigSpec())
		if err != nil {
			return err
		}
		rec.pools[path] = child.Reference()
	}
	for _, path := range cs.VApps {
		parentPath, name := splitPoolPath(path)
		parent := object.NewResourcePool(c, rec.pools[parentPath])
		folder := rec.dc.vmFolders[""].Self
		app, err := parent.CreateVApp(ctx, name, types.DefaultResourceConfigSpec(), types.VAppConfigSpec{}, &object.Folder{Common: object.NewCommon(c, folder)})
		if err != nil {
			return err
		}
		rec.pools[path] = app.Reference()
	}
	return nil
}

// poolMO is the resource pool part of a ResourcePool or VirtualApp (nil if neither).
func poolMO(ref types.ManagedObjectReference) *mo.ResourcePool {
	switch p := simulator.Map.Get(ref).(type) {
	case *simulator.ResourcePool:
		return &p.ResourcePool
	case *simulator.VirtualApp:
		return &p.ResourcePool
	}
	return nil
}

// poolObject is the registry object of a pool or vApp, for property updates.
func poolObject(ref types.ManagedObjectReference) mo.Reference {
	switch p := simulator.Map.Get(ref).(type) {
	case *simulator.ResourcePool:
		return p
	case *simulator.VirtualApp:
		return p
	}
	return nil
}
