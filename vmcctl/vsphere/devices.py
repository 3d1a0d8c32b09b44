"""What the snapshot keeps of a VM's hardware and load for placement decisions.

``move_devices`` picks, from ``config.hardware.device``, the devices that stop
a vMotion: PCI passthrough (DirectPath I/O, incl. dynamic DirectPath) and vGPU
(``VirtualPCIPassthrough`` with a ``VmiopBackingInfo`` backing), and removable
devices backed by the host's own hardware while connected (a CD-ROM on the
host's drive, a floppy or serial port on a host device). vCenter refuses to
move a running VM with any of them (``DisallowedMigrationDeviceAttached``,
``CannotAccessVmDevice``).

``vm_memory_load`` is the VM's memory load in the host's unit: consumed host
memory (``summary.quickStats.hostMemoryUsage``), the figure the host's
``overallMemoryUsage`` adds up. A powered-on VM that reports none (statistics
not collected yet, or not readable) counts with its configured memory, the
most it can consume (overhead memory is not reported per VM by the collector's
quickStats we read, so it is left out). A VM that is not powered on adds no load.
"""

from __future__ import annotations

from typing import Any

from pyVmomi import vim

from vmcctl.model import DeviceKind, VmDevice


def _label(device: Any) -> str:
    info = getattr(device, "deviceInfo", None)
    return str(getattr(info, "label", None) or f"device {getattr(device, 'key', '?')}")


def _connected(device: Any) -> bool:
    connectable = getattr(device, "connectable", None)
    return bool(getattr(connectable, "connected", False))


_HOST_BACKED: tuple[tuple[type, tuple[type, ...], DeviceKind], ...] = (
    (vim.vm.device.VirtualCdrom,
     (vim.vm.device.VirtualCdrom.AtapiBackingInfo,
      vim.vm.device.VirtualCdrom.PassthroughBackingInfo), "cdrom-host"),
    (vim.vm.device.VirtualFloppy, (vim.vm.device.VirtualFloppy.DeviceBackingInfo,),
     "floppy-host"),
    (vim.vm.device.VirtualSerialPort, (vim.vm.device.VirtualSerialPort.DeviceBackingInfo,),
     "serial-host"),
)


def move_devices(devices: Any) -> tuple[VmDevice, ...]:
    """The devices of ``config.hardware.device`` that decide whether the VM can move."""
    found: list[VmDevice] = []
    for device in devices or ():
        if isinstance(device, vim.vm.device.VirtualPCIPassthrough):
            backing = getattr(device, "backing", None)
            vgpu = isinstance(backing, vim.vm.device.VirtualPCIPassthrough.VmiopBackingInfo)
            found.append(VmDevice("vgpu" if vgpu else "passthrough", _label(device)))
            continue
        for cls, backings, kind in _HOST_BACKED:
            if isinstance(device, cls) and isinstance(getattr(device, "backing", None), backings):
                found.append(VmDevice(kind, _label(device), connected=_connected(device)))
    return tuple(found)


def vm_memory_load(props: dict[str, Any]) -> int:
    """Consumed host memory (MB) of a powered-on VM; its configured memory if not reported."""
    if props.get("runtime.powerState") != "poweredOn":
        return 0
    consumed = props.get("summary.quickStats.hostMemoryUsage")
    if consumed:
        return int(consumed)
    return int(props.get("config.hardware.memoryMB") or 0)
