"""Corners of the move runner over the fake vCenter: a cancel that vCenter refuses, moves
held by a closed continuity gate, a Ctrl-C between the journal write and the submission."""

from __future__ import annotations

import pytest
from fake_bed import bed
from pyVmomi import vim
from test_runner_fake_stop import Script, StopAfterFirst, _stopping_run
from test_runner_fake_words import Words

from vmcctl.executor.gate import Gate, GateOptions
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
