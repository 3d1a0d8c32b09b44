"""The move runner's Ctrl-C, --timeout, resume and continuity-gate paths over the fake vCenter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_bed import Bed, Recorder, bed
from pyVmomi import vmodl

from vmcctl.executor.gate import Gate, GateOptions
from vmcctl.executor.journal import MoveRecord, load_journal
from vmcctl.executor.retry import RetryPolicy
from vmcctl.executor.runner import MoveRunner, RunOptions, move_plan
from vmcctl.executor.schedule import Limits
from vmcctl.testing.fakevc import Relocation
from vmcctl.testing.fakevc_world import RunawayError
from vmcctl.vsphere.relocate import submit


class StopAfterFirst(Recorder):
    """Ctrl-C at the first news from a running move (while the runner waits)."""

    runner: Any = None

    def move_progress(self, rec: MoveRecord, state: Any) -> None:
        super().move_progress(rec, state)
        self.runner.request_stop()


def _stopping_run(b: Bed, journal: Any, events: StopAfterFirst, **options: Any) -> Any:
    runner = MoveRunner(b.client, journal, RunOptions(wait_slice=0.05, **options), events)
    events.runner = runner
    return runner.run()


def test_ctrl_c_lets_the_running_move_finish_and_submits_nothing_new(tmp_path: Path) -> None:
    b = bed(vms=3)
    b.vc.script(b.vms[2], Relocation(ticks=300))  # still running when the wait slice ends
    events = StopAfterFirst()
    journal = b.journal(path=tmp_path / "j.json")
    outcome = _stopping_run(b, journal, events, limits=Limits(1, 1))
    assert outcome.interrupted and not outcome.timed_out
    assert [m.state for m in journal.moves] == ["pending", "pending", "done"]
    assert journal.status == "interrupted"
    assert load_journal(tmp_path / "j.json").status == "interrupted"
    assert len(b.vc.calls("RelocateVM_Task")) == 1
    assert events.names("stopping") == [("stopping", 1, False)]


def test_ctrl_c_with_cancel_in_flight_cancels_the_running_tasks() -> None:
    b = bed(vms=2)
    for vm in b.vms:
        b.vc.script(vm, Relocation(hang=True))
    events = StopAfterFirst()
    journal = b.journal()
    outcome = _stopping_run(b, journal, events, cancel_in_flight=True)
    assert outcome.interrupted
    assert events.names("stopping") == [("stopping", 2, True)]
    assert len(b.vc.calls("CancelTask")) == 2
    for rec in journal.moves:
        assert (rec.state, rec.fault) == ("cancelled", "RequestCanceled")
        assert rec.reason == "cancelled on request (Ctrl-C with --cancel-in-flight)"
    assert [b.host_of(v) for v in b.vms] == [b.source, b.source]


def test_a_stop_requested_before_the_run_submits_nothing() -> None:
    b = bed(vms=2)
    journal = b.journal()
    runner = MoveRunner(b.client, journal, RunOptions())
    runner.request_stop()
    assert runner.stopping
    outcome = runner.run()
    assert outcome.interrupted and journal.status == "interrupted"
    assert not b.vc.calls("RelocateVM_Task")
    assert [m.state for m in journal.moves] == ["pending", "pending"]


def test_the_run_timeout_stops_submitting_and_leaves_running_moves_in_the_journal() -> None:
    b = bed(vms=3)
    for vm in b.vms:
        b.vc.script(vm, Relocation(hang=True))
    journal = b.journal()
    clock = iter(range(0, 10_000))
    runner = MoveRunner(b.client, journal, RunOptions(timeout=5, wait_slice=0.01,
                                                      limits=Limits(1, 1)),
                        clock=lambda: float(next(clock)))
    outcome = runner.run()
    assert outcome.timed_out and not outcome.interrupted
    assert journal.status == "interrupted"
    assert [m.state for m in journal.moves] == ["pending", "pending", "running"]
    assert len(b.vc.calls("RelocateVM_Task")) == 1


class Interrupt(Recorder):
    """Raise KeyboardInterrupt from inside the run, ``times`` times (a real Ctrl-C)."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times

    def move_progress(self, rec: MoveRecord, state: Any) -> None:
        super().move_progress(rec, state)
        if self.times:
            self.times -= 1
            raise KeyboardInterrupt


@pytest.mark.parametrize("times, final", [(1, "done"), (2, "running")])
def test_keyboard_interrupt_once_waits_twice_leaves_at_once(times: int, final: str) -> None:
    b = bed(vms=2)
    for vm in b.vms:
        b.vc.script(vm, Relocation(ticks=3))
    journal = b.journal()
    _, outcome = b.run(journal, Interrupt(times), limits=Limits(1, 1))
    assert outcome.interrupted and journal.status == "interrupted"
    assert sorted(m.state for m in journal.moves) == sorted([final, "pending"])
    assert len(b.vc.calls("RelocateVM_Task")) == 1


def test_a_resume_follows_the_recorded_task_instead_of_submitting_again() -> None:
    b = bed(vms=3)
    vc = b.vc
    b.vc.script(b.vms[1], Relocation(ticks=4))
    # an earlier run: app-01's relocation is running in vCenter, app-00 is done
    done, moving, todo = (b.record(v) for v in b.vms)
    done.state, done.task = "done", "task-0"
    task = submit(b.client, move_plan(moving, {}))
    moving.state, moving.task, moving.attempts = "running", str(task._moId), 1
    journal = b.journal([done, moving, todo])
    events = Recorder()
    _, outcome = b.run(journal, events)
    assert [m.state for m in journal.moves] == ["done", "done", "done"]
    assert moving.attempts == 1 and moving.task == str(task._moId)
    assert len(vc.calls("RelocateVM_Task")) == 2  # the earlier one and app-02's
    assert outcome.relocations_submitted == 1
    assert events.names("run_started") == [("run_started", 3, 1)]
    assert ("move_started", "app-01", str(task._moId), "running") in events.seen


def test_a_resume_of_a_move_cut_off_while_submitting() -> None:
    b = bed(vms=3, targets=1)
    arrived, gone_task, vanished = (b.record(v) for v in b.vms)
    for rec in (arrived, gone_task, vanished):
        rec.state = "submitting"
    gone_task.state, gone_task.task = "running", "task-99"  # vCenter forgot it
    b.vc.vms[b.vms[0]].host = b.targets[0]  # that submission did arrive and finish
    del b.vc.vms[b.vms[2]]
    journal = b.journal([arrived, gone_task, vanished])
    _, outcome = b.run(journal)
    assert (arrived.state, arrived.left_origin, arrived.reason) == ("done", True, None)
    assert (gone_task.state, gone_task.attempts) == ("done", 1)
    assert (vanished.state, vanished.reason) == ("skipped", "VM app-02 no longer exists")
    assert [c.moid for c in b.vc.calls("RelocateVM_Task")] == [b.vms[1]]
    assert outcome.relocations_submitted == 1


def test_a_resume_keeps_final_moves_and_never_placeable_ones() -> None:
    b = bed(vms=4)
    failed, unplaced, refused, todo = (b.record(v) for v in b.vms)
    failed.state, failed.fault, failed.attempts = "failed", "MigrationFault", 1
    unplaced.state, unplaced.target_moid, unplaced.reason = "skipped", "", "no host fits"
    # vCenter's check refused the only host this VM may go to (ops.vcheck.fail_refused)
    refused.state, refused.target_moid, refused.fault = "failed", "", "FeatureRequirementsNotMet"
    journal = b.journal([failed, unplaced, refused, todo])
    b.run(journal)
    assert (failed.state, failed.attempts, failed.fault) == ("done", 2, None)
    assert (unplaced.state, unplaced.reason) == ("skipped", "no host fits")
    assert (refused.state, refused.attempts) == ("failed", 0)
    assert todo.state == "done" and journal.status == "failed"  # unplaced is not done
    assert {c.moid for c in b.vc.calls("RelocateVM_Task")} == {failed.vm_moid, todo.vm_moid}


class Script:
    name = "scripted"

    def __init__(self, answers: list[str | None]) -> None:
        self.answers = answers

    def check(self) -> str | None:
        return self.answers.pop(0) if self.answers else None


def test_a_closed_gate_holds_submissions_and_its_period_is_journalled(tmp_path: Path) -> None:
    b = bed(vms=2)
    gate = Gate([Script(["training slowed down"])], GateOptions(interval=0.01, timeout=30))
    events = Recorder()
    journal = b.journal(path=tmp_path / "j.json")
    _, outcome = b.run(journal, events, gate=gate)
    assert journal.status == "done" and not outcome.gate_timed_out
    assert [e[1:] for e in events.names("gate")] == [("closed", "training slowed down"),
                                                     ("opened", "training slowed down")]
    assert len(journal.gate_periods) == 1
    period = load_journal(tmp_path / "j.json").gate_periods[0]
    assert (period.why, period.outcome) == ("training slowed down", "opened")


def test_a_gate_closed_past_its_timeout_stops_the_run_resumably() -> None:
    b = bed(vms=2)
    gate = Gate([Script(["unhealthy"] * 1000)], GateOptions(interval=0.001, timeout=0.05))
    events = Recorder()
    journal = b.journal()
    _, outcome = b.run(journal, events, gate=gate)
    assert outcome.gate_timed_out and not outcome.interrupted and not outcome.timed_out
    assert journal.status == "interrupted"
    assert [m.state for m in journal.moves] == ["pending", "pending"]
    assert [e[1] for e in events.names("gate")] == ["closed", "timeout"]
    assert not b.vc.calls("RelocateVM_Task")


def test_a_gate_still_closed_when_the_run_stops_closes_its_period() -> None:
    b = bed(vms=1)
    gate = Gate([Script(["unhealthy"] * 1000)], GateOptions(interval=5, timeout=60))
    events = Recorder()
    journal = b.journal()
    clock = iter(range(0, 10_000))
    runner = MoveRunner(b.client, journal, RunOptions(timeout=3, gate=gate, wait_slice=0.01),
                        events, clock=lambda: float(next(clock)))
    outcome = runner.run()
    assert outcome.timed_out
    assert [e[1] for e in events.names("gate")] == ["closed", "stopped"]
    assert journal.gate_periods[0].outcome == "stopped"


def test_a_wait_that_never_ends_fails_fast_over_the_fake() -> None:
    b = bed(vms=1)
    b.vc.max_calls = 400  # the default 5,000 takes seconds: this test runs per mutant
    b.vc.script(b.vms[0], Relocation(hang=True))
    with pytest.raises(RunawayError, match="calls to the fake vCenter"):
        b.run(b.journal(), wait_slice=60)


def test_an_adopted_task_holds_its_slots_on_both_hosts() -> None:
    b = bed(vms=3, targets=2)
    b.vc.script(b.vms[0], Relocation(ticks=6))
    adopted, same_source, same_target = (b.record(b.vms[0]), b.record(b.vms[1], b.targets[1]),
                                         b.record(b.vms[2]))
    task = submit(b.client, move_plan(adopted, {}))
    adopted.state, adopted.task = "running", str(task._moId)
    b.vc.vms[b.vms[2]].host = b.targets[1]  # its own source: only the target is shared
    same_target = b.record(b.vms[2])
    events = Recorder()
    journal = b.journal([adopted, same_source, same_target])
    b.run(journal, events, limits=Limits(8, 1))
    assert [m.state for m in journal.moves] == ["done", "done", "done"]
    assert events.in_flight_max == 1
    assert events.names("move_started")[0][1] == "app-00"


def test_a_vm_gone_while_its_recent_tasks_are_read_is_submitted_again_if_back() -> None:
    b = bed(vms=1)
    rec = b.record(b.vms[0])
    rec.state = "submitting"
    # the wave's read works; the look into recentTask meets a VM that just vanished
    b.vc.once("RetrievePropertiesEx", lambda: b.vc.break_call(
        "RetrievePropertiesEx", vmodl.fault.ManagedObjectNotFound(msg="gone")), after=True)
    journal = b.journal([rec])
    b.run(journal)
    assert (rec.state, rec.attempts) == ("done", 1)
    assert len(b.vc.calls("RelocateVM_Task")) == 1


def test_a_retry_cut_short_by_ctrl_c_keeps_no_task_id() -> None:
    b = bed(vms=1)
    b.vc.script(b.vms[0], Relocation(fault="Timedout"))

    class StopOnRetry(Recorder):
        runner: Any = None

        def move_retry(self, rec: MoveRecord, delay: float) -> None:
            super().move_retry(rec, delay)
            self.runner.request_stop()

    events = StopOnRetry()
    journal = b.journal()
    runner = MoveRunner(b.client, journal, RunOptions(retry=RetryPolicy(attempts=3, initial=5),
                                                      wait_slice=0.01), events)
    events.runner = runner
    assert runner.run().interrupted
    rec = journal.moves[0]
    assert (rec.state, rec.task, rec.fault) == ("pending", None, "Timedout")
    assert rec.reason == "retrying after Timedout: the operation failed"
