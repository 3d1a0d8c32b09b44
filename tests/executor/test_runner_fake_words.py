"""What the move runner tells its listener while moves wait and when it stops: the
``move_queued`` reasons (once per change, not once per loop) and ``stopping``'s why,
running moves and count of moves not started. Over the fake vCenter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fake_bed import Recorder, bed
from pyVmomi import vim

from vmcctl.executor.events import StopWhy
from vmcctl.executor.journal import MoveRecord
from vmcctl.executor.runner import MoveRunner, RunOptions, move_plan
from vmcctl.executor.schedule import Limits
from vmcctl.testing.fakevc import Relocation


class Words(Recorder):
    runner: Any = None
    stop_at_progress: bool = False

    def move_queued(self, rec: MoveRecord, why: str) -> None:
        self.seen.append(("move_queued", rec.vm, why))

    def move_progress(self, rec: MoveRecord, state: Any) -> None:
        super().move_progress(rec, state)
        if self.stop_at_progress:
            self.runner.request_stop()

    def stopping(self, in_flight: int, cancelling: bool, *, why: StopWhy = "interrupt",
                 running: Sequence[MoveRecord] = (), not_started: int = 0) -> None:
        self.seen.append(("stopping", in_flight, cancelling, why,
                          tuple(r.vm for r in running), not_started))


def test_each_waiting_move_is_announced_once_with_the_limit_it_waits_for() -> None:
    b = bed(vms=3, targets=1)
    for vm in b.vms:
        b.vc.script(vm, Relocation(ticks=3))
    events = Words()
    _, outcome = b.run(b.journal(), events, limits=Limits(max_parallel=1, max_per_host=8))
    assert not outcome.interrupted
    queued = events.names("move_queued")
    assert sorted(queued) == [("move_queued", "app-00", "vMotions 1/1 in flight (--max-parallel)"),
                              ("move_queued", "app-01", "vMotions 1/1 in flight (--max-parallel)")]
    assert all(e[1] != "app-02" for e in queued)  # the biggest went first: it never waited


def test_a_full_host_is_named_in_the_waiting_reason() -> None:
    b = bed(vms=2, targets=1)
    for vm in b.vms:
        b.vc.script(vm, Relocation(ticks=3))
    events = Words()
    b.run(b.journal(), events, limits=Limits(max_parallel=8, max_per_host=1))
    assert events.names("move_queued") == [
        ("move_queued", "app-00", "host slots 1/1 busy on 10.0.0.1 (--max-per-host)")]


def test_ctrl_c_is_announced_once_with_the_running_move_and_those_not_started() -> None:
    b = bed(vms=3)
    b.vc.script(b.vms[2], Relocation(ticks=300))
    events = Words()
    events.stop_at_progress = True
    runner = MoveRunner(b.client, b.journal(), RunOptions(wait_slice=0.05, limits=Limits(1, 1)),
                        events)
    events.runner = runner
    assert runner.run().interrupted
    assert events.names("stopping") == [("stopping", 1, False, "interrupt", ("app-02",), 2)]


def test_the_run_timeout_is_announced_as_a_timeout() -> None:
    b = bed(vms=3)
    for vm in b.vms:
        b.vc.script(vm, Relocation(hang=True))
    events = Words()
    clock = iter(range(0, 10_000))
    runner = MoveRunner(b.client, b.journal(), RunOptions(timeout=5, wait_slice=0.01,
                                                          limits=Limits(1, 1)),
                        events, clock=lambda: float(next(clock)))
    assert runner.run().timed_out
    assert events.names("stopping") == [("stopping", 1, False, "timeout", ("app-02",), 2)]


def test_a_move_into_a_vapp_is_sent_with_a_virtualapp_reference() -> None:
    b = bed(vms=2)
    vapp, pool = b.record(b.vms[0], pool_kind="VirtualApp"), b.record(b.vms[1])
    assert move_plan(vapp, {}).pool_kind == "VirtualApp"
    assert move_plan(pool, {}).pool_kind == "ResourcePool"
    assert move_plan(b.record(b.vms[1], pool_kind="odd"), {}).pool_kind == "ResourcePool"
    b.run(b.journal([vapp, pool]))
    sent = {c.moid: c.args[0].pool for c in b.vc.calls("RelocateVM_Task")}
    assert type(sent[b.vms[0]]) is vim.VirtualApp
    assert type(sent[b.vms[1]]) is vim.ResourcePool


def test_the_journal_says_running_on_disk_while_moves_run(tmp_path: Path) -> None:
    b = bed(vms=1)
    path = tmp_path / "j.json"
    seen: list[str] = []

    class Peek(Words):
        def move_started(self, rec: MoveRecord) -> None:
            seen.append(json.loads(path.read_text())["status"])

    b.run(b.journal(path=path), Peek())
    assert seen == ["running"]
    assert json.loads(path.read_text())["status"] == "done"
