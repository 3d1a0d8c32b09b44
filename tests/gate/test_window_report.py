"""The window recorder: what report.json says about moves, queue time, maintenance, gate."""

from __future__ import annotations

import json
from pathlib import Path

from vmcctl.executor.journal import GatePeriod, MoveRecord
from vmcctl.ops.window import WindowRecorder
from vmcctl.vsphere.tasks import TaskState


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def rec(vm: str, task: str) -> MoveRecord:
    return MoveRecord(vm=vm, vm_moid=f"vm-{vm}", origin="h1", origin_moid="host-1",
                      target="h2", target_moid="host-2", pool_moid="resgroup-1", task=task)


def test_report_records_queue_time_outcomes_maintenance_and_gate(tmp_path: Path) -> None:
    clock = Clock()
    w = WindowRecorder("host evacuate", clock=clock)
    a, b = rec("a", "task-1"), rec("b", "task-2")
    w.move_started(a)
    clock.t = 2
    w.move_progress(a, TaskState("task-1", "queued", 0))
    clock.t = 3
    w.move_progress(a, TaskState("task-1", "running", 5))
    clock.t = 9
    a.state = "done"
    w.move_ended(a)
    period = GatePeriod(start="2026-01-01T00:00:00+00:00", why="db down")
    w.gate("closed", period)
    clock.t = 19
    w.gate("opened", period)
    w.move_started(b)
    clock.t = 25
    b.state, b.reason = "failed", "MigrationFault"
    w.move_ended(b)
    w.maintenance("h1", "entering")
    clock.t = 30
    w.maintenance("h1", "not-entered", "1 VM(s) are still on h1")
    files = w.write(tmp_path / "r")
    data = json.loads(files.json.read_text())
    moves = {m["vm"]: m for m in data["moves"]}
    assert (moves["a"]["submitted"], moves["a"]["running"], moves["a"]["ended"]) == (0, 3, 9)
    assert moves["a"]["state"] == "done" and moves["b"]["state"] == "failed"
    assert data["gate_closed"] == [{"label": "gate", "start": 9, "end": 19, "state": "opened",
                                    "why": "db down"}]
    assert data["maintenance"][0]["state"] == "not-entered"
    assert data["maintenance"][0]["end"] == 30
    assert files.png.stat().st_size > 10_000
