"""Every blocker of a VM that cannot move, word for word: its code, label, detail
and the hint the error carries (what `advise` and `host evacuate` print)."""

from __future__ import annotations

import pytest

from vmcctl.errors import NotMovableError
from vmcctl.model import Vm, VmDevice
from vmcctl.placement.filters import Reason
from vmcctl.placement.movable import HINTS, blockers, check_movable, describe, hint_for


def _vm(**extra: object) -> Vm:
    base: dict[str, object] = {"name": "app", "moid": "vm-7", "host_moid": "host-1",
                               "power_state": "poweredOn", "num_cpu": 2, "memory_mb": 4096,
                               "cpu_usage_mhz": 100, "memory_usage_mb": 1024}
    return Vm(**{**base, **extra})  # type: ignore[arg-type]


def test_a_movable_vm_has_no_blocker_and_no_hint() -> None:
    app = _vm(devices=(VmDevice("cdrom-host", "CD/DVD drive 1", connected=False),))
    assert blockers(app) == ()
    assert hint_for(()) is None
    check_movable(app)  # no error


def test_every_blocker_in_order_with_its_words() -> None:
    app = _vm(connection_state="orphaned", template=True, ft_state="running",
              devices=(VmDevice("passthrough", "PCI device 0"), VmDevice("vgpu", "PCI device 1"),
                       VmDevice("cdrom-host", "CD/DVD drive 1"),
                       VmDevice("floppy-host", "Floppy drive 1"),
                       VmDevice("serial-host", "Serial port 1", connected=False)))
    assert blockers(app, vmc_managed=True) == (
        Reason("vmc-managed", "VMware-managed",
               "app is a VMware Cloud on AWS management VM (in Mgmt-ResourcePool): "
               "VMware places it"),
        Reason("vm-not-connected", "VM not connected", "VM app is orphaned in vCenter"),
        Reason("template", "template", "app is a template"),
        Reason("fault-tolerance", "Fault Tolerance",
               "app is protected by Fault Tolerance (running)"),
        Reason("passthrough-device", "PCI passthrough device",
               "app runs with a PCI passthrough device (PCI device 0)"),
        Reason("vgpu-device", "vGPU device", "app runs with a vGPU device (PCI device 1)"),
        Reason("host-device", "device connected to the host's own hardware",
               "app runs with a device connected to the host's own hardware (CD/DVD drive 1)"),
        Reason("host-device", "device connected to the host's own hardware",
               "app runs with a device connected to the host's own hardware (Floppy drive 1)"),
    )
    assert all(r.relax is None for r in blockers(app, vmc_managed=True))


def test_a_powered_off_vm_keeps_its_other_blockers_but_not_its_devices() -> None:
    app = _vm(power_state="poweredOff", ft_state="notConfigured",
              devices=(VmDevice("passthrough", "PCI device 0"),))
    assert [r.code for r in blockers(app)] == ["fault-tolerance"]
    assert [r.code for r in blockers(app, vmc_managed=False)] == ["fault-tolerance"]


@pytest.mark.parametrize("code", sorted(HINTS))
def test_the_hint_is_the_first_reasons(code: str) -> None:
    first = Reason(code, "x", "y")
    other = Reason("template" if code != "template" else "vmc-managed", "x", "y")
    assert hint_for((first, other)) == HINTS[code]


def test_the_error_and_the_description_name_every_reason() -> None:
    app = _vm(template=True, ft_state="running")
    found = blockers(app)
    assert describe(app, found) == (
        "app (template: app is a template; "
        "fault-tolerance: app is protected by Fault Tolerance (running))")
    with pytest.raises(NotMovableError) as err:
        check_movable(app)
    assert err.value.message == (
        "VM app (vm-7) cannot be moved: template: app is a template; "
        "fault-tolerance: app is protected by Fault Tolerance (running)")
    assert err.value.codes == ("template", "fault-tolerance")
    assert err.value.hint == HINTS["template"]


def test_check_movable_passes_vmc_managed_on() -> None:
    with pytest.raises(NotMovableError) as err:
        check_movable(_vm(), vmc_managed=True)
    assert err.value.codes == ("vmc-managed",)
    assert err.value.hint == HINTS["vmc-managed"]
