"""What a stopped run leaves for --resume: ``decide.work_left`` and the report's
``problems`` / ``still_moving`` / ``left``, for every move and maintenance state."""

from __future__ import annotations

import pytest
from executor_fixtures import record

from vmcctl.executor.decide import work_left
from vmcctl.executor.evacuate import Report
from vmcctl.executor.journal import Journal
from vmcctl.executor.runner import RunOutcome


def _journal(*states: str, maintenance: str = "not-requested",
             kind: str = "evacuate") -> Journal:
    moves = [record(f"v{i}", state=s, task=f"task-{i}" if s == "running" else None)
             for i, s in enumerate(states)]
    return Journal(kind=kind, host="h0", host_moid="host-h0", moves=moves,  # type: ignore[arg-type]
                   maintenance=maintenance)  # type: ignore[arg-type]


@pytest.mark.parametrize(("state", "left"), [
    ("pending", True), ("submitting", True), ("running", True), ("cancelled", True),
    ("done", False), ("failed", False), ("skipped", False)])
def test_a_move_is_work_left_unless_it_ended_for_good(state: str, left: bool) -> None:
    assert work_left(_journal("done", state)) is left


@pytest.mark.parametrize(("maintenance", "left"), [
    ("pending", True), ("entering", True), ("cancelled", True), ("not-requested", False),
    ("entered", False), ("not-entered", False), ("exited", False)])
def test_a_maintenance_step_not_taken_is_work_left(maintenance: str, left: bool) -> None:
    assert work_left(_journal("done", "failed", maintenance=maintenance)) is left


def test_the_report_splits_problems_from_moves_still_moving() -> None:
    journal = _journal("done", "running", "pending", "submitting", "cancelled", "failed",
                       maintenance="pending")
    journal.moves.append(record("lost", state="running"))  # running without a task id
    report = Report(journal, RunOutcome(interrupted=True))
    assert report.interrupted
    assert [m.vm for m in report.still_moving] == ["v1"]
    assert report.still_moving_rows() == [("v1", "h0", "h1", "task-1")]
    assert [m.vm for m in report.problems] == ["v2", "v3", "v4", "v5", "lost"]
    assert report.left() == ("2 move(s) not started, 1 vMotion(s) cancelled, "
                             "1 vMotion(s) still running in vCenter (task-1), "
                             "h0 not yet in maintenance mode")


def test_nothing_left_is_an_empty_sentence() -> None:
    assert Report(_journal("done", "failed"), RunOutcome()).left() == ""
    restore = _journal("done", maintenance="cancelled", kind="restore")
    assert Report(restore, RunOutcome()).left() == ""


def test_problem_rows_say_why_even_when_no_reason_was_recorded() -> None:
    journal = _journal("pending", "submitting", "failed", "cancelled")
    journal.moves[2].reason, journal.moves[2].fault = "host gone", "HostNotConnected"
    assert Report(journal, RunOutcome()).problem_rows() == [
        ("v0", "pending", "h0", "h1", "", "not started (the run stopped first)"),
        ("v1", "submitting", "h0", "h1", "",
         "stopped while submitting: --resume looks for its task in vCenter"),
        ("v2", "failed", "h0", "h1", "HostNotConnected", "host gone"),
        ("v3", "cancelled", "h0", "h1", "", ""),
    ]
