"""What an evacuation's report says (executor.evacuate.Report): when it is ok, and the words
of its error and hint: which VMs, the way back, the gate, maintenance. Over the fake bed's
records; nothing is run."""

from __future__ import annotations

from pathlib import Path

from fake_bed import Bed, bed

from vmcctl.executor.evacuate import Report
from vmcctl.executor.journal import GatePeriod
from vmcctl.executor.runner import RunOutcome


def test_a_stopped_run_is_never_ok_and_says_how_to_go_on(tmp_path: Path) -> None:
    b = bed(vms=1)
    journal = b.journal(path=tmp_path / "j.json")
    journal.moves[0].state = "done"
    assert Report(journal, RunOutcome()).ok
    timed = Report(journal, RunOutcome(timed_out=True))
    err = timed.error()
    assert not timed.ok and err is not None
    assert (err.message, err.hint) == (
        "--timeout reached: nothing (evacuate 10.0.0.1)",
        f"resume with --resume, which follows the running vMotions "
        f"(journal: {tmp_path / 'j.json'})")
    journal.gate_periods.append(GatePeriod(start="t0", why="job slow", seconds=61.4))
    gated = Report(journal, RunOutcome(gate_timed_out=True))
    err = gated.error()
    assert not gated.ok and err is not None
    assert err.message == ("the continuity gate stayed closed for 61 s (job slow); no new "
                           "moves were submitted")
    assert err.hint == ("resume with --resume once the workload is healthy "
                        f"(journal: {tmp_path / 'j.json'})")
    assert not Report(journal, RunOutcome(interrupted=True)).ok
    journal.kind = "restore"
    assert Report(journal, RunOutcome()).ok
    journal.moves[0].state = "running"
    assert not Report(journal, RunOutcome()).ok


def _report(b: Bed, states: list[str], *, kind: str = "evacuate", path: Path | None = None,
            maintenance: str = "not-entered", left: bool = False) -> Report:
    moves = []
    for i, state in enumerate(states):
        rec = b.record(b.vms[0], state=state)
        rec.vm = f"vm{i}"
        rec.left_origin = left and state != "done"
        moves.append(rec)
    journal = b.journal(moves, kind=kind, path=path,  # type: ignore[arg-type]
                        maintenance=maintenance)
    return Report(journal, RunOutcome())


def test_the_error_names_five_vms_then_counts_the_rest() -> None:
    b = bed(vms=1)
    for count, tail in ((5, ""), (6, " and 1 more"), (7, " and 2 more")):
        err = _report(b, ["failed"] * count).error()
        assert err is not None
        names = ", ".join(f"vm{i}" for i in range(5))
        assert err.message == (f"{count} VM(s) could not be evacuated from 10.0.0.1: "
                               f"{names}{tail}; 10.0.0.1 was not put into maintenance mode")


def test_the_way_back_counts_every_vm_that_left(tmp_path: Path) -> None:
    b = bed(vms=1)
    path = tmp_path / "j.json"
    err = _report(b, ["done", "failed", "failed"], path=path, left=True).error()
    assert err is not None and err.hint is not None
    assert err.hint.startswith(f"journal: {path}; 3 VM(s) were moved: bring them back")
    err = _report(b, ["done", "failed"], path=path).error()
    assert err is not None and "; 1 VM(s) were moved" in str(err.hint)
    assert _report(b, ["done", "failed"]).error().hint is None  # type: ignore[union-attr]
    err = _report(b, ["failed"], path=path).error()  # nothing left: nothing to bring back
    assert err is not None and err.hint == f"journal: {path}"


def test_a_restore_error_has_no_way_back_and_no_maintenance_words(tmp_path: Path) -> None:
    b = bed(vms=1)
    err = _report(b, ["done", "failed"], kind="restore", path=tmp_path / "r.json").error()
    assert err is not None
    assert err.message == "1 VM(s) could not be restored to 10.0.0.1: vm1"
    assert err.hint == f"journal: {tmp_path / 'r.json'}"
    err = _report(b, ["failed"], maintenance="not-requested").error()
    assert err is not None and err.message == "1 VM(s) could not be evacuated from 10.0.0.1: vm0"


def test_only_a_gate_timeout_is_blamed_on_the_gate() -> None:
    b = bed(vms=1)
    report = _report(b, ["failed"], maintenance="not-requested")
    report.journal.gate_periods.append(GatePeriod(start="t0", why="slow"))
    err = report.error()
    assert err is not None and "continuity gate" not in err.message


def test_maintenance_not_entered_after_every_move_says_why_and_where(tmp_path: Path) -> None:
    b = bed(vms=1)
    report = _report(b, ["done"], path=tmp_path / "j.json")
    report.journal.maintenance_reason = "Timedout"
    err = report.error()
    assert err is not None
    assert err.message == "host 10.0.0.1 did not enter maintenance mode: Timedout"
    assert err.hint is not None and err.hint.startswith(f"journal: {tmp_path / 'j.json'}; 1 VM")
