"""Relocations that succeed with a side effect, other actors, custom attributes."""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim, vmodl
from vcsim_helpers import (
    MOVER,
    PC,
    READER,
    TaskWatch,
    find,
    login,
    relocate,
    seed_dict,
    two_datacenters,
    wait_task,
)

from vmcctl.errors import SimulatorError

pytestmark = [pytest.mark.sim, pytest.mark.vmcctl_sim("effects injected through /_sim/")]

SCALE = 20.0
VM, SOURCE, TARGET, ELSEWHERE = "ML-cpu-vm-04", "10.94.24.70", "10.94.24.85", "10.94.24.86"


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(time_scale=SCALE)


def _move(sim: Any) -> tuple[Any, Any, Any]:
    si = sim.connect()
    vm = find(si, vim.VirtualMachine, VM)
    boot = vm.runtime.bootTime
    info = wait_task(si, relocate(vm, find(si, vim.HostSystem, TARGET)))
    return vm, boot, info


def test_reboot_effect(sim: Any) -> None:
    sim.control.add_effect(VM, "reboot", at_progress=50)
    vm, boot, info = _move(sim)
    assert info.state == "success"
    assert vm.runtime.host.name == TARGET and vm.runtime.powerState == "poweredOn"
    assert vm.runtime.bootTime > boot
    [entry] = sim.control.relocations(VM)
    assert entry["result"] == "success" and entry["args"]["effect"] == "reboot"
    # it fired once: the next move keeps the boot time
    boot = vm.runtime.bootTime
    si = sim.connect()
    assert wait_task(si, relocate(vm, find(si, vim.HostSystem, SOURCE))).state == "success"
    assert vm.runtime.bootTime == boot


def test_power_off_effect(sim: Any) -> None:
    sim.control.add_effect(VM, "power-off", at_progress=30)
    vm, _, info = _move(sim)
    assert info.state == "success"
    assert vm.runtime.host.name == TARGET
    assert vm.runtime.powerState == "poweredOff" and vm.runtime.bootTime is None
    target = vm.runtime.host
    background = next(h.background_cpu_mhz for h in sim.inventory.hosts if h.name == TARGET)
    running = [v for v in sim.inventory.vms if v.host == TARGET and v.power == "on"]
    assert target.summary.quickStats.overallCpuUsage == background + sum(
        v.cpu_usage_mhz for v in running)


def test_land_on_effect(sim: Any) -> None:
    sim.control.add_effect(VM, "land-on", land_on=ELSEWHERE)
    vm, boot, info = _move(sim)
    assert info.state == "success"
    assert vm.runtime.host.name == ELSEWHERE
    assert vm.runtime.bootTime == boot
    assert VM in [v.name for v in vm.runtime.host.vm]
    assert VM not in [v.name for v in find(sim.connect(), vim.HostSystem, TARGET).vm]
    [entry] = sim.control.relocations(VM)
    assert entry["args"]["host"] == TARGET and entry["args"]["landed_on"] == ELSEWHERE


def test_effects_from_the_inventory_and_bad_ones_refused(vcsim_factory: Any) -> None:
    inv = seed_dict()
    inv["faults"] = [{"vm": VM, "effect": "power-off", "at_progress": 10}]
    sim = vcsim_factory(inv, time_scale=SCALE)
    vm, _, info = _move(sim)
    assert info.state == "success" and vm.runtime.powerState == "poweredOff"
    for bad in [{"vm": VM, "effect": "explode"}, {"vm": VM, "effect": "land-on"},
                {"vm": VM, "effect": "reboot", "fault": "MigrationFault"},
                {"vm": VM, "effect": "reboot", "method": "PowerOnVM_Task"},
                {"vm": VM, "effect": "land-on", "land_on": "10.0.0.1"}]:
        with pytest.raises(SimulatorError, match="400"):
            sim.control.add_fault(bad)


def test_a_second_actor_acts_while_a_move_runs(sim: Any) -> None:
    ours, theirs = sim.connect(), sim.connect()
    moving = find(ours, vim.VirtualMachine, "db-01")  # 128 GB: the longest move
    task = relocate(moving, find(ours, vim.HostSystem, TARGET))
    other = find(theirs, vim.VirtualMachine, "web-01")
    assert wait_task(theirs, other.PowerOffVM_Task()).state == "success"
    elsewhere = find(theirs, vim.HostSystem, ELSEWHERE)
    assert wait_task(theirs, relocate(other, elsewhere)).state == "success"
    assert wait_task(theirs, other.PowerOnVM_Task()).state == "success"
    history = TaskWatch(ours, [task]).wait()[task._moId]
    assert history[-1][0] == "success"
    mine = find(ours, vim.VirtualMachine, "web-01")
    assert (mine.runtime.host.name, mine.runtime.powerState) == (ELSEWHERE, "poweredOn")
    assert moving.runtime.host.name == TARGET
    assert [e["method"] for e in sim.control.calls()] == [
        "RelocateVM_Task", "PowerOffVM_Task", "RelocateVM_Task", "PowerOnVM_Task"]


def test_custom_values_are_readable_and_survive_a_move(vcsim_factory: Any) -> None:
    sim = vcsim_factory(two_datacenters(), time_scale=SCALE)
    si = sim.connect()
    cfm = si.content.customFieldsManager
    field = cfm.AddCustomFieldDef(name="vmcctl.origin", moType=vim.VirtualMachine)
    vm = find(si, vim.VirtualMachine, "web")
    a2 = find(si, vim.HostSystem, "a2")
    cfm.SetField(entity=vm, key=field.key, value="host-a1 run-1")
    vm.SetCustomValue(key="vmcctl.origin", value="host-a1 run-2")  # replaces, not adds
    assert [(v.key, v.value) for v in vm.customValue] == [(field.key, "host-a1 run-2")]
    assert "vmcctl.origin" in [f.name for f in vm.availableField]
    assert wait_task(si, relocate(vm, a2)).state == "success"
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=vm)], propSet=[
        PC.PropertySpec(type=vim.VirtualMachine, pathSet=["customValue", "runtime.host"])])
    pc = si.content.propertyCollector
    [content] = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions()).objects
    props = {p.name: p.val for p in content.propSet}
    assert props["runtime.host"].name == "a2"
    assert [(v.key, v.value) for v in props["customValue"]] == [(field.key, "host-a1 run-2")]
    vm.SetCustomValue(key="vmcctl.origin", value="")  # an empty value clears it
    assert list(vm.customValue) == []
    with pytest.raises(vmodl.fault.InvalidArgument):
        vm.SetCustomValue(key="no.such.field", value="x")
    # restricted users: the reader may not set it, nor may the mover
    for user in (READER, MOVER):
        other = login(sim, user)
        with pytest.raises(vim.fault.NoPermission) as err:
            other.content.customFieldsManager.SetField(
                entity=vim.VirtualMachine(vm._moId, other._stub), key=field.key, value="x")
        assert err.value.privilegeId == "Global.SetCustomField"
        assert err.value.object._moId == vm._moId
