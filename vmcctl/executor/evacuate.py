"""Evacuate a host (then maybe enter maintenance), or bring its VMs home.

    journal = evacuation_journal(inv, plan_evacuation(inv, host), path=p, maintenance=True)
    report = run_journal(client, journal, RunOptions(), events)   # moves, then maintenance
    report.ok                         # False: some VM stayed; the host is NOT in maintenance

Failure semantics: if any VM could not be moved, the others stay where they
went, the host does not enter maintenance, and the report lists what failed
and why. An interrupted run (Ctrl-C, ``--timeout``) leaves a journal that
``run_journal`` resumes: moves already done are kept, recorded tasks are
followed instead of submitted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vmcctl.errors import EvacuationError, TaskFailedError, TaskTimeoutError
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal, MoveRecord
from vmcctl.executor.maintenance import enter_maintenance
from vmcctl.executor.runner import MoveRunner, RunOptions, RunOutcome
from vmcctl.vsphere.connection import Client

FAILED_COLUMNS = ("VM", "state", "from", "to", "fault", "why")


@dataclass
class Report:
    journal: Journal
    outcome: RunOutcome

    @property
    def interrupted(self) -> bool:
        return self.outcome.interrupted

    @property
    def problems(self) -> list[MoveRecord]:
        """Moves that did not end done (skipped ones included)."""
        return [m for m in self.journal.moves if m.state != "done"]

    @property
    def failed(self) -> list[MoveRecord]:
        return [m for m in self.journal.moves if m.state in ("failed", "cancelled")]

    @property
    def ok(self) -> bool:
        """Evacuation: every VM moved (and maintenance entered if asked).
        Restore: nothing failed (VMs skipped for a reason are only reported)."""
        if self.interrupted or self.outcome.timed_out:
            return False
        if self.journal.kind == "restore":
            return not self.failed and not any(m.state in ("pending", "running", "submitting")
                                               for m in self.journal.moves)
        return self.journal.complete and self.journal.maintenance in ("not-requested",
                                                                      "entered")

    def problem_rows(self) -> list[tuple[str, ...]]:
        return [(m.vm, m.state, m.origin, m.target or "-", m.fault or "", m.reason or "")
                for m in self.problems]

    def error(self) -> EvacuationError | None:
        if self.ok:
            return None
        j = self.journal
        where = f"journal: {j.path}" if j.path else None
        if self.outcome.timed_out:
            return EvacuationError(f"--timeout reached with moves left on {j.host}",
                                   hint=f"resume with --resume ({where})")
        moved = sum(m.state == "done" for m in j.moves)
        if j.kind == "evacuate" and moved and j.path:
            # the moved VMs stay where they went: say how to bring them home
            where = (f"journal: {j.path}; {moved} VM(s) were moved: bring them back with "
                     f"`vmcctl host restore {j.host} --journal {j.path}`")
        if j.maintenance == "not-entered" and j.complete:
            return EvacuationError(f"host {j.host} did not enter maintenance mode: "
                                   f"{j.maintenance_reason}", hint=where)
        names = ", ".join(m.vm for m in self.problems[:5])
        more = "" if len(self.problems) <= 5 else f" and {len(self.problems) - 5} more"
        verb = "evacuated from" if j.kind == "evacuate" else "restored to"
        tail = (f"; {j.host} was not put into maintenance mode"
                if j.kind == "evacuate" and j.maintenance == "not-entered" else "")
        return EvacuationError(f"{len(self.problems)} VM(s) could not be {verb} {j.host}: "
                               f"{names}{more}{tail}", hint=where)

    def to_dict(self) -> dict[str, Any]:
        j = self.journal
        return {"kind": j.kind, "host": j.host, "ok": self.ok, "status": j.status,
                "interrupted": self.interrupted, "timed_out": self.outcome.timed_out,
                "maintenance": j.maintenance, "maintenance_reason": j.maintenance_reason,
                "counts": j.counts(), "seconds": round(self.outcome.seconds, 3),
                "journal": str(j.path) if j.path else None,
                "moves": [m.to_dict() for m in j.moves]}


def run_journal(client: Client, journal: Journal, options: RunOptions | None = None,
                events: ExecutorEvents | None = None, *,
                runner_ready: Any = None, maintenance_timeout: float | None = None) -> Report:
    """Run (or resume) the journal's moves; then enter maintenance if it asks and all moved.

    ``runner_ready(runner)`` is called before the moves start (the CLI hooks
    Ctrl-C to ``runner.request_stop`` there).
    """
    events = events or ExecutorEvents()
    runner = MoveRunner(client, journal, options, events)
    if runner_ready is not None:
        runner_ready(runner)
    outcome = runner.run()
    report = Report(journal, outcome)
    if journal.kind == "evacuate" and journal.maintenance in ("pending", "not-entered"):
        _maintenance_step(client, report, events, maintenance_timeout)
    return report


def _maintenance_step(client: Client, report: Report, events: ExecutorEvents,
                      timeout: float | None) -> None:
    journal = report.journal
    if report.interrupted or report.outcome.timed_out:
        return  # still "pending": a resume finishes the moves, then enters
    if not journal.complete or journal.host_moid is None:
        journal.maintenance = "not-entered"
        journal.maintenance_reason = (f"{len(report.problems)} VM(s) are still on "
                                      f"{journal.host}")
        _save(journal)
        events.maintenance(journal.host, "not-entered", journal.maintenance_reason)
        return
    events.maintenance(journal.host, "entering")
    try:
        enter_maintenance(client, journal.host_moid, timeout=timeout, host_name=journal.host)
    except (TaskFailedError, TaskTimeoutError) as exc:
        journal.maintenance, journal.maintenance_reason = "not-entered", str(exc)
        journal.status = "failed"
        _save(journal)
        events.maintenance(journal.host, "not-entered", str(exc))
        return
    journal.maintenance, journal.maintenance_reason = "entered", None
    _save(journal)
    events.maintenance(journal.host, "entered")


def _save(journal: Journal) -> None:
    if journal.path is not None:
        journal.save()
