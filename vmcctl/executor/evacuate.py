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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyVmomi import vmodl

from vmcctl.errors import EvacuationError, TaskFailedError, TaskTimeoutError
from vmcctl.executor.control import RunControl
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal, MoveRecord
from vmcctl.executor.maintenance import enter_maintenance, powered_on_vm_refs
from vmcctl.executor.runner import MoveRunner, RunOptions, RunOutcome
from vmcctl.vsphere.connection import Client

FAILED_COLUMNS = ("VM", "state", "from", "to", "fault", "why")
MOVING_COLUMNS = ("VM", "from", "to", "task")


@dataclass
class Report:
    journal: Journal
    outcome: RunOutcome

    @property
    def interrupted(self) -> bool:
        return self.outcome.interrupted

    @property
    def problems(self) -> list[MoveRecord]:
        """Moves that did not end done (skipped ones included), except those still moving."""
        return [m for m in self.journal.moves
                if m.state != "done" and not _still_moving(m)]

    @property
    def still_moving(self) -> list[MoveRecord]:
        """vMotions left running in vCenter (second Ctrl-C, --timeout): they will arrive
        unless they fail; a resumed run follows their tasks."""
        return [m for m in self.journal.moves if _still_moving(m)]

    def still_moving_rows(self) -> list[tuple[str, ...]]:
        return [(m.vm, m.origin, m.target, m.task or "") for m in self.still_moving]

    def left(self) -> str:
        """What the run leaves undone, for people: ``2 move(s) not started, 1 vMotion(s)
        still running in vCenter (task-5)``; empty when nothing."""
        j = self.journal
        parts = []
        pending = sum(m.state in ("pending", "submitting") for m in j.moves)
        if pending:
            parts.append(f"{pending} move(s) not started")
        cancelled = sum(m.state == "cancelled" for m in j.moves)
        if cancelled:
            parts.append(f"{cancelled} vMotion(s) cancelled")
        moving = self.still_moving
        if moving:
            parts.append(f"{len(moving)} vMotion(s) still running in vCenter "
                         f"({', '.join(m.task or '?' for m in moving)})")
        if j.kind == "evacuate" and j.maintenance in ("pending", "cancelled"):
            parts.append(f"{j.host} not yet in maintenance mode")
        return ", ".join(parts)

    @property
    def failed(self) -> list[MoveRecord]:
        return [m for m in self.journal.moves if m.state in ("failed", "cancelled")]

    @property
    def ok(self) -> bool:
        """Evacuation: every VM moved (and maintenance entered if asked).
        Restore: nothing failed (VMs skipped for a reason are only reported)."""
        if self.interrupted or self.outcome.timed_out or self.outcome.gate_timed_out:
            return False
        if self.journal.kind == "restore":
            return not self.failed and not any(m.state in ("pending", "running", "submitting")
                                               for m in self.journal.moves)
        return self.journal.complete and self.journal.maintenance in ("not-requested",
                                                                      "entered")

    def problem_rows(self) -> list[tuple[str, ...]]:
        return [(m.vm, m.state, m.origin, m.target or "-", m.fault or "",
                 m.reason or _UNSAID.get(m.state, "")) for m in self.problems]

    def error(self) -> EvacuationError | None:
        if self.ok:
            return None
        j = self.journal
        where = f"journal: {j.path}" if j.path else None
        if self.outcome.gate_timed_out and j.gate_periods:
            last = j.gate_periods[-1]
            return EvacuationError(f"the continuity gate stayed closed for {last.seconds:.0f} s "
                                   f"({last.why}); no new moves were submitted",
                                   hint=f"resume with --resume once the workload is healthy "
                                        f"({where})")
        if self.outcome.timed_out:
            left = self.left() or "nothing"
            return EvacuationError(f"--timeout reached: {left} ({j.kind} {j.host})",
                                   hint=f"resume with --resume, which follows the running "
                                        f"vMotions ({where})")
        moved = sum(m.state == "done" or m.left_origin for m in j.moves)
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
                "gate_timed_out": self.outcome.gate_timed_out,
                "gate_periods": [p.to_dict() for p in j.gate_periods],
                "moves": [m.to_dict() for m in j.moves]}


Replan = Callable[[Journal, list[tuple[str, str]]], list[MoveRecord]]
"""``replan(journal, [(vm_moid, name), ...])``: new move records for VMs that appeared."""


def run_journal(client: Client, journal: Journal, options: RunOptions | None = None,
                events: ExecutorEvents | None = None, *,
                runner_ready: Any = None, maintenance_timeout: float | None = None,
                control: RunControl | None = None, replan: Replan | None = None,
                replan_rounds: int = 2) -> Report:
    """Run (or resume) the journal's moves; then enter maintenance if it asks and all moved.

    Right before ``EnterMaintenanceMode_Task`` the host is read again: powered-on
    VMs that appeared since the plan (powered on, moved there by DRS or
    another admin) are handed to ``replan`` and moved too (at most
    ``replan_rounds`` times); without ``replan``, or when they keep coming,
    maintenance is not entered and the reason names them. The journal records
    the maintenance step (``entering`` with its task), so a resume continues
    from it. ``runner_ready(runner)`` is called before the moves start;
    ``control`` routes Ctrl-C (see ``executor.control``).
    """
    events = events or ExecutorEvents()
    total = RunOutcome()
    rounds = 0
    while True:
        runner = MoveRunner(client, journal, options, events)
        events.planned(journal)
        if runner_ready is not None:
            runner_ready(runner)
        if control is not None:
            control.moves(runner)
        _add(total, runner.run())
        if control is not None:
            control.enter_phase("idle")
        report = Report(journal, total)
        if journal.kind != "evacuate" or journal.maintenance in ("not-requested", "entered",
                                                                  "exited"):
            return report
        appeared = _maintenance_step(client, report, events, maintenance_timeout, control,
                                     may_replan=replan is not None and rounds < replan_rounds)
        if not appeared or replan is None:
            return report
        rounds += 1
        names = ", ".join(name for _, name in appeared)
        events.maintenance(journal.host, "re-planning", f"powered-on VMs appeared: {names}")
        added = replan(journal, appeared)
        journal.moves.extend(added)
        _save(journal)
        if not any(rec.state == "pending" for rec in added):
            _blocked(journal, events, appeared)
            return report


# why, for a move the run left without a reason of its own
_UNSAID = {"pending": "not started (the run stopped first)",
           "submitting": "stopped while submitting: --resume looks for its task in vCenter"}


def _still_moving(rec: MoveRecord) -> bool:
    return rec.state == "running" and rec.task is not None


def _add(total: RunOutcome, one: RunOutcome) -> None:
    total.interrupted, total.timed_out = one.interrupted, one.timed_out
    total.gate_timed_out = one.gate_timed_out
    total.soap_calls += one.soap_calls
    total.seconds += one.seconds
    total.relocations_submitted += one.relocations_submitted


def _blocked(journal: Journal, events: ExecutorEvents, vms: list[tuple[str, str]]) -> None:
    names = ", ".join(sorted(name for _, name in vms))
    journal.maintenance = "not-entered"
    journal.maintenance_reason = (f"{len(vms)} powered-on VM(s) appeared on {journal.host} "
                                  f"since the plan: {names}")
    journal.status = "failed"
    _save(journal)
    events.maintenance(journal.host, "not-entered", journal.maintenance_reason)


def _maintenance_step(client: Client, report: Report, events: ExecutorEvents,
                      timeout: float | None, control: RunControl | None, *,
                      may_replan: bool) -> list[tuple[str, str]]:
    """Enter maintenance, or record why not; the VMs to re-plan, if that is the way on."""
    journal = report.journal
    if report.interrupted or report.outcome.timed_out or report.outcome.gate_timed_out:
        return []  # still "pending": a resume finishes the moves, then enters
    if not journal.complete or journal.host_moid is None:
        journal.maintenance = "not-entered"
        journal.maintenance_reason = (f"{len(report.problems)} VM(s) are still on "
                                      f"{journal.host}")
        _save(journal)
        events.maintenance(journal.host, "not-entered", journal.maintenance_reason)
        return []
    adopt = journal.maintenance_task if journal.maintenance == "entering" else None
    if adopt is None:
        appeared = powered_on_vm_refs(client, journal.host_moid)
        if appeared:
            if may_replan:
                return appeared
            _blocked(journal, events, appeared)
            return []
    return _enter(client, report, events, timeout, control, adopt, may_replan=may_replan)


def _enter(client: Client, report: Report, events: ExecutorEvents, timeout: float | None,
           control: RunControl | None, adopt: str | None, *,
           may_replan: bool) -> list[tuple[str, str]]:
    """Record "entering" (and the task), wait; Ctrl-C cancels the task and says so."""
    journal = report.journal
    host_moid = journal.host_moid or ""
    journal.maintenance, journal.maintenance_reason = "entering", None
    _save(journal)
    events.maintenance(journal.host, "entering")

    def record(task: str) -> None:
        journal.maintenance_task = task
        _save(journal)

    if control is not None:
        control.enter_phase("maintenance")
    try:
        enter_maintenance(client, host_moid, timeout=timeout, host_name=journal.host,
                          on_task=record, task_moid=adopt)
    except KeyboardInterrupt:
        journal.maintenance = "cancelled"
        journal.maintenance_reason = ("interrupted: the EnterMaintenanceMode task was "
                                      "cancelled (CancelTask)")
        journal.status = "interrupted"
        report.outcome.interrupted = True
        _save(journal)
        events.maintenance(journal.host, "cancelled", journal.maintenance_reason)
        return []
    except (TaskFailedError, TaskTimeoutError) as exc:
        journal.maintenance, journal.maintenance_reason = "not-entered", str(exc)
        journal.status = "failed"
        _save(journal)
        events.maintenance(journal.host, "not-entered", str(exc))
        return []
    except vmodl.fault.ManagedObjectNotFound:
        if adopt is None:
            raise
        journal.maintenance_task = None  # vCenter forgot the recorded task: start again
        journal.maintenance = "pending"
        return _maintenance_step(client, report, events, timeout, control,
                                 may_replan=may_replan)
    finally:
        if control is not None:
            control.enter_phase("idle")
    journal.maintenance, journal.maintenance_reason = "entered", None
    journal.maintenance_task = None
    journal.status = "done"
    _save(journal)
    events.maintenance(journal.host, "entered")
    return []


def _save(journal: Journal) -> None:
    if journal.path is not None:
        journal.save()
