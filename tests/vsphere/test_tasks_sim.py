"""The task waiter: several relocations at once with progress, a fault, a timeout."""

from __future__ import annotations

from typing import Any

import pytest

from vmcctl.errors import MigrationFailedError, TaskFailedError, TaskTimeoutError
from vmcctl.vsphere.connection import connect
from vmcctl.vsphere.relocate import plan_move, submit
from vmcctl.vsphere.snapshot import take_snapshot
from vmcctl.vsphere.tasks import TaskState, TaskWaiter

pytestmark = pytest.mark.sim

MOVES = [("web-01", "10.94.24.85"), ("cache-01", "10.94.24.86"), ("etl-01", "10.94.24.84")]


def test_waiter_follows_several_tasks_with_progress(vcsim_factory: Any, settings_for: Any) -> None:
    sim = vcsim_factory(time_scale=2.0)
    assert sim.inventory.vms  # needs the seed names: skips on an external simulator
    updates: list[TaskState] = []
    with connect(settings_for(sim)) as client:
        inv = take_snapshot(client)
        with TaskWaiter(client, on_update=updates.append) as waiter:
            ids = [waiter.add(submit(client, plan_move(inv, vm, host))) for vm, host in MOVES]
            states = waiter.wait(timeout=120)
        assert set(states) == set(ids)
        assert all(s.state == "success" for s in states.values())
        for moid in ids:
            seen = [u for u in updates if u.task == moid]
            assert seen[-1].state == "success"
            partial = [u.progress for u in seen if u.progress is not None and u.progress < 100]
            assert partial, f"no intermediate progress reported for {moid}"
            assert partial == sorted(partial)
        after = take_snapshot(client)
        assert [after.find_vm(vm).host_name for vm, _ in MOVES] == [host for _, host in MOVES]


def test_task_fault_raises_with_type_and_message(vcsim_factory: Any, settings_for: Any) -> None:
    sim = vcsim_factory(time_scale=4.0)
    sim.control.add_fault({"vm": "web-01", "method": "RelocateVM_Task",
                           "fault": "MigrationFault", "message": "vMotion network down",
                           "at_progress": 30})
    with connect(settings_for(sim)) as client:
        plan = plan_move(take_snapshot(client), "web-01", "10.94.24.85")
        with TaskWaiter(client) as waiter:
            waiter.add(submit(client, plan))
            with pytest.raises(TaskFailedError) as err:
                waiter.wait(timeout=60)
        assert err.value.fault_type == "MigrationFault"
        assert "vMotion network down" in err.value.fault_message
        assert not isinstance(err.value, MigrationFailedError)


def test_timeout_raises_and_names_the_task(vcsim_factory: Any, settings_for: Any) -> None:
    sim = vcsim_factory(time_scale=0.05)  # a 64 GB move takes minutes
    assert sim.inventory.vms
    with connect(settings_for(sim)) as client:
        plan = plan_move(take_snapshot(client), "ML-cpu-vm-04", "10.94.24.85")
        with TaskWaiter(client) as waiter:
            moid = waiter.add(submit(client, plan))
            with pytest.raises(TaskTimeoutError, match=moid):
                waiter.wait(timeout=1.5)
