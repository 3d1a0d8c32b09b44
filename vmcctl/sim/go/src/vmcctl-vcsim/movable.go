package main

// What makes vCenter refuse to move a VM, and the devices that cause it.
// Inventory keys (docs/simulator.md): template, ft, devices, connection.
// The faults are the ones vCenter's RelocateVM_Task fails with.

import (
	"fmt"

	"github.com/vmware/govmomi/vim25/types"
)

const cdromHostBacking = "/vmfs/devices/cdrom/mpx.vmhba32:C0:T0:L0"

// vmDevices builds config.hardware.device for the inventory's device names.
func vmDevices(names []string) []types.BaseVirtualDevice {
	var out []types.BaseVirtualDevice
	for i, name := range names {
		key := int32(13000 + i)
		switch name {
		case "passthrough":
			out = append(out, &types.VirtualPCIPassthrough{VirtualDevice: types.VirtualDevice{
				Key:        key,
				DeviceInfo: &types.Description{Label: fmt.Sprintf("PCI device %d", i), Summary: "DirectPath I/O"},
				Backing: &types.VirtualPCIPassthroughDeviceBackingInfo{
					VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "0000:3b:00.0"},
					Id:                             "0000:3b:00.0", DeviceId: "1eb8", SystemId: "sim", VendorId: 0x10de,
				},
			}})
		case "vgpu":
			out = append(out, &types.VirtualPCIPassthrough{VirtualDevice: types.VirtualDevice{
				Key:        key,
				DeviceInfo: &types.Description{Label: fmt.Sprintf("PCI device %d", i), Summary: "NVIDIA GRID vGPU grid_t4-4q"},
				Backing:    &types.VirtualPCIPassthroughVmiopBackingInfo{Vgpu: "grid_t4-4q"},
			}})
		case "cdrom-host":
			out = append(out, &types.VirtualCdrom{VirtualDevice: types.VirtualDevice{
				Key:        key,
				DeviceInfo: &types.Description{Label: "CD/DVD drive 1", Summary: "Host device"},
				Backing: &types.VirtualCdromAtapiBackingInfo{VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{
					DeviceName: cdromHostBacking}},
				Connectable: &types.VirtualDeviceConnectInfo{StartConnected: true, Connected: true},
			}})
		}
	}
	return out
}

// unmovable is vCenter's fault for moving this VM to another host, or nil
// (caller holds s.mu). Device checks apply to a running VM only (a cold
// migration carries no device state); a template is migrated cold.
func (s *sim) unmovable(v *vmRec) *soapFault {
	name := v.spec.Name
	if c := v.spec.Connection; c != "" && c != "connected" {
		return newFault(fmt.Sprintf("The operation is not allowed in the current connection state of the virtual machine %s (%s).", name, c),
			&types.InvalidState{})
	}
	if v.spec.FT != "" {
		return newFault(fmt.Sprintf("Virtual machine %s is a Fault Tolerance %s: it cannot be moved this way.", name, v.spec.FT),
			&types.CannotMoveFaultToleranceVm{MoveType: "resourcePool", VmName: name})
	}
	if !v.poweredOn {
		return nil
	}
	for i, d := range v.spec.Devices {
		switch d {
		case "passthrough", "vgpu":
			label := fmt.Sprintf("PCI device %d", i)
			inner := &types.DeviceNotSupported{Device: label}
			return newFault(fmt.Sprintf("Virtual machine %s uses device '%s' (%s), which prevents migration.", name, label, d),
				&types.DisallowedMigrationDeviceAttached{Fault: types.LocalizedMethodFault{Fault: inner,
					LocalizedMessage: "The device is not supported for migration."}})
		case "cdrom-host":
			return newFault(fmt.Sprintf("Currently connected device 'CD/DVD drive 1' uses backing '%s', which is not accessible.", cdromHostBacking),
				&types.CannotAccessVmDevice{CannotAccessVmComponent: types.CannotAccessVmComponent{},
					Device: "CD/DVD drive 1", Backing: cdromHostBacking, Connected: true})
		}
	}
	return nil
}
