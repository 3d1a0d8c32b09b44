"""The simulator refuses what vCenter refuses: VMs that cannot be vMotioned
(devices, Fault Tolerance, not connected) and standby targets, with vCenter's
faults; it reports the facts that decide it where vCenter does."""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim
from small_inventory import host as _host
from small_inventory import vm as _vm
from vcsim_helpers import find, relocate, wait_task

pytestmark = pytest.mark.sim


INVENTORY = {
    "clusters": [{"name": "C1", "hosts": [_host("h1"), _host("h2"),
                                          _host("h3", power="standby"),
                                          _host("h4", quarantine=True)],
                  "rules": [{"name": "apart", "type": "vm-anti-affinity",
                             "vms": ["plain", "cd"]},
                            {"name": "off", "type": "vm-affinity", "vms": ["plain", "gpu"],
                             "enabled": False}]}],
    "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
    "vms": [_vm("plain", memory_active_gb=0.5, memory_consumed_gb=1.5),
            _vm("gpu", devices=["passthrough"]), _vm("vgpu", devices=["vgpu"]),
            _vm("cd", devices=["cdrom-host"]), _vm("ft", ft="primary"),
            _vm("lost", connection="disconnected"), _vm("tmpl", template=True, power="off"),
            _vm("gpu-off", devices=["passthrough"], power="off")],
}

REFUSED = [("gpu", "DisallowedMigrationDeviceAttached"),
           ("vgpu", "DisallowedMigrationDeviceAttached"),
           ("cd", "CannotAccessVmDevice"), ("ft", "CannotMoveFaultToleranceVm"),
           ("lost", "InvalidState")]


def test_relocating_an_unmovable_vm_anyway_fails_like_vcenter(vcsim_factory: Any) -> None:
    sim = vcsim_factory(INVENTORY, time_scale=50)
    si = sim.connect()
    h2 = find(si, vim.HostSystem, "h2")
    for name, fault in REFUSED:
        vm = find(si, vim.VirtualMachine, name)
        info = wait_task(si, relocate(vm, h2))
        assert info.state == "error", name
        assert type(info.error).__name__.rsplit(".", 1)[-1] == fault, (name, info.error)
        assert vm.runtime.host.name == "h1"
    # cold migrations carry no device state; a template is migrated cold
    for name in ("gpu-off", "tmpl", "plain"):
        info = wait_task(si, relocate(find(si, vim.VirtualMachine, name), h2))
        assert info.state == "success", (name, info.error)


def test_a_standby_host_refuses_vms(vcsim_factory: Any) -> None:
    sim = vcsim_factory(INVENTORY, time_scale=50)
    si = sim.connect()
    info = wait_task(si, relocate(find(si, vim.VirtualMachine, "plain"),
                                  find(si, vim.HostSystem, "h3")))
    assert info.state == "error" and isinstance(info.error, vim.fault.InvalidHostState)
    assert "standby" in info.error.msg


def test_the_facts_are_where_vcenter_reports_them(vcsim_factory: Any) -> None:
    sim = vcsim_factory(INVENTORY, time_scale=50)
    si = sim.connect()
    h3, h4 = find(si, vim.HostSystem, "h3"), find(si, vim.HostSystem, "h4")
    assert (h3.runtime.powerState, h3.runtime.standbyMode) == ("standBy", "in")
    assert h3.runtime.connectionState == "connected"
    assert h4.runtime.inQuarantineMode is True
    plain = find(si, vim.VirtualMachine, "plain")
    stats = plain.summary.quickStats
    assert (stats.guestMemoryUsage, stats.hostMemoryUsage) == (512, 1536)
    assert find(si, vim.HostSystem, "h1").summary.quickStats.overallMemoryUsage == (
        1536 + 5 * 1024)  # consumed: plain 1.5 GB + five running 1 GB VMs
    devices = find(si, vim.VirtualMachine, "gpu").config.hardware.device
    assert any(isinstance(d, vim.vm.device.VirtualPCIPassthrough) for d in devices)
    vgpu = find(si, vim.VirtualMachine, "vgpu").config.hardware.device
    assert isinstance(vgpu[0].backing, vim.vm.device.VirtualPCIPassthrough.VmiopBackingInfo)
    cd = find(si, vim.VirtualMachine, "cd").config.hardware.device[0]
    assert isinstance(cd.backing, vim.vm.device.VirtualCdrom.AtapiBackingInfo)
    assert cd.connectable.connected
    assert find(si, vim.VirtualMachine, "ft").runtime.faultToleranceState == "running"
    assert find(si, vim.VirtualMachine, "lost").runtime.connectionState == "disconnected"
    assert find(si, vim.VirtualMachine, "tmpl").config.template is True
    cluster = find(si, vim.ClusterComputeResource, "C1")
    rules = {r.name: r for r in cluster.configurationEx.rule}
    assert rules["apart"].mandatory is False  # as vCenter reports VM-VM rules
    assert rules["off"].enabled is False
