"""``vmcctl task`` reads any vCenter's tasks: the one a migrate made, and none that is not."""

from __future__ import annotations

from typing import Any

import pytest

from vmcctl.sim.plugin import SimHandle

pytestmark = [pytest.mark.sim, pytest.mark.contract]


def test_task_shows_the_relocation_a_migrate_made(server: SimHandle, look: Any,
                                                  run_cli: Any) -> None:
    vm = look().movable_vm()
    moved = run_cli("migrate", vm.moid, "--auto", "-o", "json", env=server.env())
    assert moved.code == 0, moved.err
    task = moved.json()["task"]
    shown = run_cli("task", task, "-o", "json", env=server.env())
    assert shown.code == 0, shown.err
    info = shown.json()
    assert info["task"] == task and info["state"] == "success" and info["progress"] == 100
    assert info["entity"] == vm.moid and info["entity_name"] == vm.name
    # vCenter names the method RelocateVM_Task; govmomi's stock simulator says RelocateVm
    assert "relocate" in f"{info['name']} {info['description_id']}".lower()
    assert info["fault"] is None
    watched = run_cli("task", task, "--watch", env=server.env())
    assert watched.code == 0, watched.err  # already ended: shown, exit 0


def test_a_task_the_server_does_not_know_is_exit_2(server: SimHandle, run_cli: Any) -> None:
    result = run_cli("task", "task-987654", env=server.env())
    assert result.code == 2
    assert "no task named 'task-987654'" in result.err
