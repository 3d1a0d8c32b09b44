"""Maintenance mode waits for powered-on VMs to leave, as vCenter does without DRS."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pyVmomi import vim, vmodl
from vcsim_helpers import TaskWatch, find, host_entry, relocate, seed_dict, wait_task

pytestmark = [pytest.mark.sim,
              pytest.mark.vmcctl_sim("maintenance that waits for VMs, modelled by our simulator")]

SCALE = 20.0


def test_enter_waits_for_vms_then_succeeds(vcsim_factory: Any) -> None:
    sim = vcsim_factory(time_scale=SCALE)
    si = sim.connect()
    host = find(si, vim.HostSystem, "10.94.24.88")  # web-03 and build-01, both on
    enter = host.EnterMaintenanceMode_Task(timeout=0)
    time.sleep(0.5)
    assert enter.info.state == "running"
    assert host.runtime.inMaintenanceMode is False
    # nothing can move onto a host entering maintenance
    blocked = wait_task(si, relocate(find(si, vim.VirtualMachine, "web-01"), host))
    assert isinstance(blocked.error, vim.fault.InvalidState)
    dst = find(si, vim.HostSystem, "10.94.24.85")
    moves = [relocate(find(si, vim.VirtualMachine, n), dst) for n in ("web-03", "build-01")]
    TaskWatch(si, [*moves, enter]).wait()
    assert enter.info.state == "success"
    assert host.runtime.inMaintenanceMode is True
    assert next(e["end"] for e in sim.control.audit()
            if e["method"] == "EnterMaintenanceMode_Task") >= max(
        e["end"] for e in sim.control.relocations())


def test_enter_times_out_while_vms_remain(vcsim: Any) -> None:
    si = vcsim.connect()
    host = find(si, vim.HostSystem, "10.94.24.88")
    started = time.monotonic()
    info = wait_task(si, host.EnterMaintenanceMode_Task(timeout=1))
    assert isinstance(info.error, vim.fault.Timedout)
    assert time.monotonic() - started >= 1.0
    assert host.runtime.inMaintenanceMode is False


def test_enter_can_be_cancelled(vcsim: Any) -> None:
    si = vcsim.connect()
    host = find(si, vim.HostSystem, "10.94.24.88")
    enter = host.EnterMaintenanceMode_Task(timeout=0)
    time.sleep(0.2)
    enter.CancelTask()
    assert isinstance(wait_task(si, enter).error, vmodl.fault.RequestCanceled)
    assert host.runtime.inMaintenanceMode is False
    # cancelled: the host takes VMs again
    assert wait_task(si, relocate(find(si, vim.VirtualMachine, "web-01"), host)).state == "success"


def test_empty_host_enters_at_once_and_exits(vcsim: Any) -> None:
    si = vcsim.connect()
    host = find(si, vim.HostSystem, "10.94.24.85")
    assert wait_task(si, host.EnterMaintenanceMode_Task(timeout=0)).state == "success"
    assert host.runtime.inMaintenanceMode is True
    assert host.summary.runtime.inMaintenanceMode is True
    assert wait_task(si, host.ExitMaintenanceMode_Task(timeout=0)).state == "success"
    assert host.runtime.inMaintenanceMode is False
    methods = [e["method"] for e in vcsim.control.calls()]
    assert methods == ["EnterMaintenanceMode_Task", "ExitMaintenanceMode_Task"]


def test_no_power_on_or_move_onto_host_in_maintenance(vcsim_factory: Any) -> None:
    inv = seed_dict()
    host_entry(inv, "10.94.24.70")["maintenance"] = True  # jump-01 (off) lives here
    si = vcsim_factory(inv, time_scale=SCALE).connect()
    host = find(si, vim.HostSystem, "10.94.24.70")
    assert host.runtime.inMaintenanceMode is True
    jump = find(si, vim.VirtualMachine, "jump-01")
    info = wait_task(si, jump.PowerOnVM_Task())
    assert isinstance(info.error, vim.fault.InvalidState)
    assert jump.runtime.powerState == "poweredOff"
    moved = wait_task(si, relocate(find(si, vim.VirtualMachine, "web-02"), host))
    assert isinstance(moved.error, vim.fault.InvalidState)
    assert wait_task(si, host.ExitMaintenanceMode_Task(timeout=0)).state == "success"
    assert wait_task(si, jump.PowerOnVM_Task()).state == "success"


def test_power_changes_host_load_and_boot_time(vcsim: Any) -> None:
    si = vcsim.connect()
    vm = find(si, vim.VirtualMachine, "web-01")
    host = vm.runtime.host
    before = host.summary.quickStats.overallCpuUsage
    assert wait_task(si, vm.PowerOffVM_Task()).state == "success"
    assert vm.runtime.bootTime is None
    assert host.summary.quickStats.overallCpuUsage == before - 1200
    assert wait_task(si, vm.PowerOnVM_Task()).state == "success"
    assert vm.runtime.bootTime is not None
    assert host.summary.quickStats.overallCpuUsage == before
    again = wait_task(si, vm.PowerOnVM_Task())
    assert isinstance(again.error, vim.fault.InvalidPowerState)
    assert [e["method"] for e in vcsim.control.calls()] == [
        "PowerOffVM_Task", "PowerOnVM_Task", "PowerOnVM_Task"]
