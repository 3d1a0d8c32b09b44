"""What the snapshot keeps of a VM's devices and memory (pure: pyVmomi objects in)."""

from __future__ import annotations

from pyVmomi import vim

from vmcctl.model import VmDevice
from vmcctl.vsphere.devices import move_devices, vm_memory_load

dev = vim.vm.device


def _info(label: str) -> vim.Description:
    return vim.Description(label=label, summary=label)


def test_only_devices_that_decide_a_move_are_kept() -> None:
    devices = [
        dev.VirtualPCIPassthrough(key=1, deviceInfo=_info("PCI device 0"),
                                  backing=dev.VirtualPCIPassthrough.DeviceBackingInfo(
                                      id="0000:3b:00.0", deviceId="1eb8", systemId="s",
                                      vendorId=0x10de, deviceName="gpu")),
        dev.VirtualPCIPassthrough(key=2, deviceInfo=_info("PCI device 1"),
                                  backing=dev.VirtualPCIPassthrough.VmiopBackingInfo(
                                      vgpu="grid_t4-4q")),
        dev.VirtualCdrom(key=3, deviceInfo=_info("CD/DVD drive 1"),
                         backing=dev.VirtualCdrom.AtapiBackingInfo(deviceName="/dev/cdrom"),
                         connectable=dev.VirtualDevice.ConnectInfo(connected=True)),
        dev.VirtualCdrom(key=4, deviceInfo=_info("CD/DVD drive 2"),  # an ISO: no host device
                         backing=dev.VirtualCdrom.IsoBackingInfo(fileName="[ds] a.iso"),
                         connectable=dev.VirtualDevice.ConnectInfo(connected=True)),
        dev.VirtualFloppy(key=5, deviceInfo=_info("Floppy drive 1"),
                          backing=dev.VirtualFloppy.DeviceBackingInfo(deviceName="/dev/fd0"),
                          connectable=dev.VirtualDevice.ConnectInfo(connected=False)),
        dev.VirtualSerialPort(key=6, deviceInfo=_info("Serial port 1"),
                              backing=dev.VirtualSerialPort.DeviceBackingInfo(
                                  deviceName="/dev/ttyS0"),
                              connectable=dev.VirtualDevice.ConnectInfo(connected=True)),
        dev.VirtualE1000(key=7, deviceInfo=_info("Network adapter 1")),
    ]
    assert move_devices(devices) == (
        VmDevice("passthrough", "PCI device 0"), VmDevice("vgpu", "PCI device 1"),
        VmDevice("cdrom-host", "CD/DVD drive 1"),
        VmDevice("floppy-host", "Floppy drive 1", connected=False),
        VmDevice("serial-host", "Serial port 1"))
    assert move_devices(None) == ()


def test_memory_load_is_consumed_memory_or_configured_memory_when_not_reported() -> None:
    on = {"runtime.powerState": "poweredOn", "config.hardware.memoryMB": 65536}
    assert vm_memory_load({**on, "summary.quickStats.hostMemoryUsage": 63000,
                           "summary.quickStats.guestMemoryUsage": 4096}) == 63000
    assert vm_memory_load({**on, "summary.quickStats.hostMemoryUsage": None}) == 65536
    assert vm_memory_load({**on, "runtime.powerState": "poweredOff",
                           "summary.quickStats.hostMemoryUsage": 63000}) == 0
