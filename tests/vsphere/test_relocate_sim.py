"""The library side of `vmcctl migrate` against the seed simulator."""

from __future__ import annotations

from typing import Any

import pytest

from vmcctl.errors import MigrationFailedError
from vmcctl.vsphere.connection import connect
from vmcctl.vsphere.relocate import plan_move, relocate
from vmcctl.vsphere.snapshot import take_snapshot
from vmcctl.vsphere.tasks import TaskState

pytestmark = pytest.mark.sim


def test_seed_story_move_is_verified_and_audited(vcsim_factory: Any, settings_for: Any) -> None:
    sim = vcsim_factory(time_scale=4.0)
    assert sim.inventory.vms
    progress: list[TaskState] = []
    with connect(settings_for(sim)) as client:
        before = take_snapshot(client)
        plan = plan_move(before, "ML-cpu-vm-04", "10.94.24.85", "high")
        result = relocate(client, plan, timeout=120, on_update=progress.append)
        after = take_snapshot(client)
    assert result.to_dict() == {
        "vm": "ML-cpu-vm-04", "source": "10.94.24.70", "target": "10.94.24.85",
        "source_fault_domain": "us-west-2b", "target_fault_domain": "us-west-2a",
        "priority": "high", "task": result.task, "state": "success",
        "seconds": round(result.seconds, 3), "verified": True, "cold": False}
    assert progress and progress[-1].state == "success"
    assert after.find_vm("ML-cpu-vm-04").host_name == "10.94.24.85"
    assert after.find_vm("ML-cpu-vm-04").boot_time == before.find_vm("ML-cpu-vm-04").boot_time
    audit = sim.control.relocations("ML-cpu-vm-04")
    assert len(audit) == 1
    assert audit[0]["args"]["priority"] == "highPriority"
    assert set(audit[0]["args"]["spec_fields"]) == {"host", "pool"}


def test_cold_move(vcsim: Any, settings_for: Any) -> None:
    assert vcsim.inventory.vms
    with connect(settings_for(vcsim)) as client:
        plan = plan_move(take_snapshot(client), "jump-01", "10.94.24.85", "low")
        result = relocate(client, plan, timeout=120)
    assert result.cold and result.verified and result.state == "success"


def test_task_fault_says_where_the_vm_is(vcsim_factory: Any, settings_for: Any) -> None:
    sim = vcsim_factory(time_scale=4.0)
    sim.control.add_fault({"vm": "ML-cpu-vm-04", "method": "RelocateVM_Task",
                           "fault": "MigrationFault", "message": "injected at 40 %",
                           "at_progress": 40})
    with connect(settings_for(sim)) as client:
        plan = plan_move(take_snapshot(client), "ML-cpu-vm-04", "10.94.24.85", "high")
        with pytest.raises(MigrationFailedError) as err:
            relocate(client, plan, timeout=120)
        assert err.value.fault_type == "MigrationFault"
        assert "injected at 40 %" in err.value.fault_message
        assert err.value.current_host == "10.94.24.70"
        assert take_snapshot(client).find_vm("ML-cpu-vm-04").host_name == "10.94.24.70"
    assert len(sim.control.relocations("ML-cpu-vm-04")) == 1


def test_expired_session_during_the_move_relocates_once(
        vcsim_factory: Any, settings_for: Any) -> None:
    sim = vcsim_factory(time_scale=2.0)
    assert sim.inventory.vms  # needs the seed names: skips on an external simulator
    expired: list[bool] = []

    def expire_once(state: TaskState) -> None:
        if not expired and state.state == "running":
            expired.append(True)
            sim.control.expire_sessions()

    with connect(settings_for(sim)) as client:
        plan = plan_move(take_snapshot(client), "web-01", "10.94.24.85")
        result = relocate(client, plan, timeout=120, on_update=expire_once)
        assert result.verified and client.renewals >= 1
    assert expired and len(sim.control.relocations("web-01")) == 1
