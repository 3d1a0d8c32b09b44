"""VMs that cannot move, whatever host is offered: the checks before any host is looked at.

``blockers(vm)`` returns a ``Reason`` for each thing about the VM itself that
makes vCenter refuse to vMotion it (or makes moving it vmcctl's business no
more), in this order:

- ``vm-not-connected``: ``runtime.connectionState`` is not ``connected``
  (disconnected, orphaned, inaccessible, invalid): vCenter cannot act on it.
- ``template``: ``config.template``: a template is not a running VM.
- ``fault-tolerance``: ``runtime.faultToleranceState`` is set (a Fault
  Tolerance primary or secondary): vSphere HA/FT place the pair themselves.
- ``passthrough-device``, ``vgpu-device``: a ``VirtualPCIPassthrough`` device
  (DirectPath I/O or a vGPU profile) while the VM runs.
- ``host-device``: a CD-ROM, floppy or serial port connected to the host's
  own device while the VM runs.
- ``vmc-managed``: one of VMware's management VMs in VMware Cloud on AWS
  (``Inventory.vmc_managed``: in a VMC cluster's ``Mgmt-ResourcePool``); the
  caller says so with ``vmc_managed``.

No option relaxes these: the fix is in vCenter (disconnect the device, turn
FT off, …), so ``relax`` stays empty and ``hint`` says what to do.
"""

from __future__ import annotations

from vmcctl.errors import NotMovableError
from vmcctl.model import Vm
from vmcctl.placement.filters import Reason

DEVICE_CODES = {"passthrough": "passthrough-device", "vgpu": "vgpu-device",
                "cdrom-host": "host-device", "floppy-host": "host-device",
                "serial-host": "host-device"}
# What to do about each code (shown as the error's hint).
HINTS = {
    "vm-not-connected": "reconnect the VM (or its host) in vCenter first",
    "template": "a template is not moved by vmcctl: convert it to a VM or leave it",
    "fault-tolerance": "turn Fault Tolerance off for the VM, or let vCenter's own maintenance "
                       "mode move the FT pair",
    "passthrough-device": "power the VM off or remove the PCI passthrough device",
    "vgpu-device": "power the VM off, or move it with vGPU vMotion from the vSphere Client",
    "host-device": "disconnect the device (CD/DVD, floppy, serial port) in the VM's settings",
    "vmc-managed": "VMware runs its management VMs in VMware Cloud on AWS: leave it where it is",
}


def blockers(vm: Vm, *, vmc_managed: bool = False) -> tuple[Reason, ...]:
    """Why ``vm`` cannot be moved to any host (empty: it can); ``vmc_managed``:
    ``Inventory.vmc_managed(vm)``."""
    found: list[Reason] = []
    if vmc_managed:
        found.append(Reason("vmc-managed", "VMware-managed",
                            f"{vm.name} is a VMware Cloud on AWS management VM (in "
                            "Mgmt-ResourcePool): VMware places it"))
    if vm.connection_state != "connected":
        found.append(Reason("vm-not-connected", "VM not connected",
                            f"VM {vm.name} is {vm.connection_state} in vCenter"))
    if vm.template:
        found.append(Reason("template", "template", f"{vm.name} is a template"))
    if vm.ft_state is not None:
        found.append(Reason("fault-tolerance", "Fault Tolerance",
                            f"{vm.name} is protected by Fault Tolerance ({vm.ft_state})"))
    if vm.powered_on:
        for device in vm.devices:
            code = DEVICE_CODES[device.kind]
            if code == "host-device" and not device.connected:
                continue
            what = {"passthrough-device": "a PCI passthrough device",
                    "vgpu-device": "a vGPU device",
                    "host-device": "a device connected to the host's own hardware"}[code]
            found.append(Reason(code, what.removeprefix("a "),
                                f"{vm.name} runs with {what} ({device.label})"))
    return tuple(found)


def hint_for(reasons: tuple[Reason, ...]) -> str | None:
    return HINTS.get(reasons[0].code) if reasons else None


def describe(vm: Vm, reasons: tuple[Reason, ...]) -> str:
    return f"{vm.name} ({'; '.join(f'{r.code}: {r.detail}' for r in reasons)})"


def check_movable(vm: Vm, *, vmc_managed: bool = False) -> None:
    """``NotMovableError`` (exit 2) naming every reason ``vm`` cannot be moved."""
    found = blockers(vm, vmc_managed=vmc_managed)
    if found:
        raise NotMovableError(
            f"VM {vm.name} ({vm.moid}) cannot be moved: "
            + "; ".join(f"{r.code}: {r.detail}" for r in found),
            codes=tuple(r.code for r in found), hint=hint_for(found))
