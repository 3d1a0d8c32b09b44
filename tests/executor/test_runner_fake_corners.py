"""Corners of the move runner over the fake vCenter: a cancel that vCenter refuses, moves
held by a closed continuity gate, a Ctrl-C between the journal write and the submission."""

from __future__ import annotations

import pytest
from fake_bed import Recorder, bed
from pyVmomi import vim
from test_runner_fake_stop import Script, StopAfterFirst, _stopping_run
from test_runner_fake_words import Words

from vmcctl.executor.gate import Gate, GateOptions
from vmcctl.executor.maintenance import in_maintenance
from vmcctl.executor.runner import MoveRunner, RunOptions
from vmcctl.executor.schedule import Limits
from vmcctl.testing.fakevc import Relocation


@pytest.mark.parametrize("refusal", [vim.fault.InvalidState(msg="the task is ending"),
                                     ConnectionResetError("reset")],
                         ids=["fault", "connection"])
def test_a_cancel_vcenter_refuses_is_asked_once_and_the_run_ends_cleanly(
        refusal: BaseException) -> None:
    b = bed(vms=3)  # app-02 and app-01 run (the biggest first), app-00 waits for a slot
    b.vc.script(b.vms[2], Relocation(ticks=100))
    b.vc.script(b.vms[1], Relocation(ticks=300))
    b.vc.break_call("CancelTask", refusal)  # the first cancel fails, the second works
    events = StopAfterFirst()
    journal = b.journal()
    outcome = _stopping_run(b, journal, events, cancel_in_flight=True, limits=Limits(2, 2))
    assert outcome.interrupted
    assert len(b.vc.calls("CancelTask")) == 2  # each running task asked once, never again
    assert sorted(m.state for m in journal.moves) == ["cancelled", "done", "pending"]


def test_moves_held_by_a_closed_gate_say_that_is_why_they_wait() -> None:
    b = bed(vms=2)
    gate = Gate([Script(["unhealthy"] * 3)], GateOptions(interval=0.01, timeout=30))
    events = Words()
    journal = b.journal()
    b.run(journal, events, gate=gate)
    assert journal.status == "done"
    assert sorted(e[1:] for e in events.names("move_queued")) == [
        ("app-00", "continuity gate closed"), ("app-01", "continuity gate closed")]


def test_ctrl_c_after_the_journal_said_submitting_sends_nothing_and_keeps_the_attempt() -> None:
    b = bed(vms=1)
    journal = b.journal()
    runner = MoveRunner(b.client, journal, RunOptions(wait_slice=0.05))
    # the wave's live read is answered, then Ctrl-C: the move is already "submitting"
    b.vc.once("RetrievePropertiesEx", runner.request_stop, after=True)
    outcome = runner.run()
    assert outcome.interrupted
    assert not b.vc.calls("RelocateVM_Task")
    rec = journal.moves[0]
    assert (rec.state, rec.attempts, rec.task) == ("pending", 0, None)


def test_a_gate_that_closes_while_a_move_runs_holds_the_next_until_it_opens() -> None:
    b = bed(vms=3)  # app-02 and app-01 first (the biggest), app-00 when a slot frees
    b.vc.script(b.vms[2], Relocation(ticks=2))
    b.vc.script(b.vms[1], Relocation(ticks=400))  # still running while the gate is closed
    # healthy for the first wave, closed when app-00 could go, then open again
    gate = Gate([Script([None, "job slowed down", "job slowed down"])],
                GateOptions(interval=0.01, timeout=30))
    events = Recorder()
    journal = b.journal()
    _, outcome = b.run(journal, events, gate=gate, limits=Limits(2, 2))
    assert journal.status == "done" and not outcome.gate_timed_out
    closed_at = events.seen.index(("gate", "closed", "job slowed down"))
    started = [(i, e[1]) for i, e in enumerate(events.seen) if e[0] == "move_started"]
    assert [vm for _, vm in started] == ["app-02", "app-01", "app-00"]
    assert started[1][0] < closed_at < started[2][0]  # the third waited for the gate
    # ... and went as soon as it opened, not when app-01 ended: closed, the runner wakes
    # for the gate's next check instead of waiting on the running task
    assert started[2][0] < events.seen.index(("move_ended", "app-01", "done", None))
    assert [e[1] for e in events.names("gate")] == ["closed", "opened"]


def test_the_outcome_counts_the_runs_own_calls_and_time() -> None:
    b = bed(vms=2)
    assert not in_maintenance(b.client, b.source)  # calls before the run are not its own
    before = len(b.vc.audit)
    assert b.client.soap_calls > 0
    clock = iter(range(1_000, 100_000))
    runner = MoveRunner(b.client, b.journal(), RunOptions(wait_slice=0.01),
                        clock=lambda: float(next(clock)))
    outcome = runner.run()
    assert outcome.soap_calls == len(b.vc.audit) - before > 0
    assert 0 < outcome.seconds < 500  # this run's seconds, not the clock's reading


def test_the_run_counts_its_moves_without_the_skipped_ones() -> None:
    b = bed(vms=3)
    records = [b.record(v) for v in b.vms]
    records[0] = b.record(b.vms[0], state="skipped", reason="no host fits", target="",
                          target_moid="")  # unplaceable: no target
    records[1].state = "done"
    events = Recorder()
    b.run(b.journal(records), events)
    assert events.names("run_started") == [("run_started", 2, 1)]
