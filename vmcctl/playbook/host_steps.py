"""The ``evacuate``, ``maintenance`` and ``restore`` steps: arguments in, notes and output out.

Every rule (planning, journal guards, re-checks before maintenance, the way
home) lives in ``vmcctl.ops``; a step turns its action into ops options,
passes the playbook's progress notes as executor events and turns the
``HostReport`` into a ``StepOutput`` (or raises its error).

In a dry run the plans are made against the projected inventory, nothing is
submitted and no journal is written; later steps see the projected moves,
and a later ``restore`` uses the evacuation journals the earlier steps would
have written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from vmcctl import ops
from vmcctl.errors import EvacuationError, VmcctlError
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import GatePeriod, Journal, MoveRecord, load_journal
from vmcctl.executor.runner import RunOptions
from vmcctl.executor.schedule import Limits
from vmcctl.ops.events import Fanout
from vmcctl.placement.request import PlacementOptions
from vmcctl.playbook.context import RunContext
from vmcctl.playbook.outcome import StepOutput
from vmcctl.playbook.schema import EvacuateAction, MaintenanceAction, RestoreAction
from vmcctl.vsphere.tasks import TaskState


class _Notes(ExecutorEvents):
    """Executor progress as one note per move event."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx

    def move_started(self, rec: MoveRecord) -> None:
        self.ctx.note(f"{rec.vm}: {rec.origin} -> {rec.target} submitted ({rec.task})")

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        return None

    def move_ended(self, rec: MoveRecord) -> None:
        why = f": {rec.reason}" if rec.reason else ""
        self.ctx.note(f"{rec.vm}: {rec.state}{why}")

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        self.ctx.note(f"{rec.vm}: transient fault, retrying in {delay:.1f} s")

    def maintenance(self, host: str, state: str, message: str | None = None) -> None:
        self.ctx.note(f"{host}: maintenance mode {state}" + (f" ({message})" if message else ""))

    def warning(self, message: str) -> None:
        self.ctx.note(f"warning: {message}")

    def gate(self, change: str, period: GatePeriod) -> None:
        if change == "closed":
            self.ctx.note(f"gate closed: {period.why} (no new moves)")
        else:
            self.ctx.note(f"gate {change} after {period.seconds:.1f} s")


def _move_rows(moves: Sequence[MoveRecord]) -> list[dict[str, Any]]:
    return [{"vm": m.vm, "origin": m.origin, "target": m.target, "state": m.state,
             "reason": m.reason} for m in moves]


def _finish(ctx: RunContext, report: ops.HostReport, resume_with: str) -> dict[str, Any]:
    """The report's details; Ctrl-C re-raised after saying how to resume; errors raised."""
    if report.interrupted:
        where = report.journal.path if report.journal is not None else None
        ctx.note(f"interrupted; journal {where}; finish with: {resume_with}")
        raise KeyboardInterrupt
    error = report.error()
    if error is not None:
        raise error
    return report.to_dict()


def _run(ctx: RunContext, max_parallel: int, timeout: float | None) -> RunOptions:
    return RunOptions(limits=Limits(max_parallel=max_parallel), timeout=timeout, gate=ctx.gate)


def _events(ctx: RunContext) -> ExecutorEvents:
    """The step's notes, plus the run's event stream when there is one."""
    notes = _Notes(ctx)
    return notes if ctx.executor_events is None else Fanout(notes, ctx.executor_events)


def _journal(ctx: RunContext, given: str | None) -> Path | None:
    return None if given is None else ctx.journal_path(given, "")


def unfinished_journal(paths: Sequence[Path], kind: str) -> Path | None:
    """The newest of ``paths`` (journals a stopped run of this step wrote) that records an
    unfinished run of ``kind``: a resumed playbook finishes it instead of starting over."""
    for path in reversed(paths):
        try:
            journal = load_journal(path)
        except (OSError, ValueError, KeyError, VmcctlError):
            continue
        if journal.kind == kind and journal.status != "done":
            return path
    return None


def run_evacuate(ctx: RunContext, action: EvacuateAction) -> StepOutput:
    options = ops.EvacuateOptions(
        placement=PlacementOptions(fault_domain=action.fault_domain,
                                   max_cpu_pct=action.max_cpu, max_mem_pct=action.max_mem),
        priority=action.priority, include_powered_off=action.include_powered_off,
        run=_run(ctx, action.max_parallel, action.timeout), journal=_journal(ctx, action.journal),
        journal_dir=ctx.journal_dir, dry_run=ctx.dry_run, partial=action.partial)
    unfinished = unfinished_journal(ctx.resume_journals, "evacuate")
    if unfinished is not None and not ctx.dry_run:
        ctx.note(f"resuming the evacuation recorded in {unfinished}")
        options = replace(options, resume=True, journal=unfinished)
    inventory = ctx.inventory() if ctx.dry_run else None
    report = ops.evacuate_host(ctx.client(), action.host, options, _events(ctx),
                               inventory=inventory)
    journal = report.journal
    assert journal is not None and journal.path is not None
    path = journal.path
    if ctx.dry_run:
        return _dry_evacuation(ctx, report, journal, path)
    details = _finish(ctx, report,
                      f"vmcctl host evacuate {report.host} --resume --journal {path}")
    return StepOutput(f"moved {len(journal.moves)} VM(s) off {report.host} in "
                      f"{details['seconds']:.1f} s (journal {path}){_stays(report)}", details)


def _stays(report: ops.HostReport) -> str:
    """``; jump-01 stays, powered off: --include-powered-off moves it`` or nothing."""
    return "".join(f"; {s['vm']} {s['message']}" for s in report.stays)


def _dry_evacuation(ctx: RunContext, report: ops.HostReport, journal: Journal,
                    path: Path) -> StepOutput:
    for rec in journal.moves:
        if rec.state == "pending":
            ctx.project_move(rec.vm_moid, rec.target_moid)
    ctx.planned_journals[path] = replace(
        journal, path=path, moves=[replace(m, state="done") if m.state == "pending" else m
                                   for m in journal.moves])
    cannot = [m for m in journal.moves if m.state == "skipped"]
    if cannot:
        raise EvacuationError(f"{len(cannot)} VM(s) could not be moved off {report.host}: "
                              f"{', '.join(m.vm for m in cannot)} "
                              f"({cannot[0].vm}: {cannot[0].reason})")
    would = sum(m.state == "pending" for m in journal.moves)
    plan = report.plan.to_dict() if report.plan is not None else {}
    return StepOutput(f"would move {would} VM(s) off {report.host}{_stays(report)}",
                      {"plan": plan, "journal": str(path), "moves": _move_rows(journal.moves)})


def run_maintenance(ctx: RunContext, action: MaintenanceAction) -> StepOutput:
    enter = action.action == "enter"
    inventory = ctx.inventory() if ctx.dry_run else None
    if enter:
        timeout = ops.DEFAULT_ENTER_TIMEOUT if action.timeout is None else action.timeout
        report = ops.enter_maintenance(ctx.client(), action.host,
                                       ops.EnterOptions(
                                           timeout=timeout, dry_run=ctx.dry_run,
                                           vsan_mode=action.vsan_mode,
                                           evacuate_powered_off=action.evacuate_powered_off),
                                       _events(ctx), inventory=inventory)
    else:
        report = ops.exit_maintenance(ctx.client(), action.host,
                                      ops.ExitOptions(timeout=action.timeout,
                                                      dry_run=ctx.dry_run),
                                      _events(ctx), inventory=inventory)
    details: dict[str, Any] = {"host": report.host, "action": action.action}
    if report.maintenance == "unchanged":
        state = "in" if enter else "out of"
        return StepOutput(f"{report.host} is already {state} maintenance mode",
                          {**details, "changed": False})
    verb = "enter" if enter else "exit"
    if ctx.dry_run:
        ctx.project_maintenance(report.host_moid, enter)
        return StepOutput(f"would {verb} maintenance mode on {report.host}",
                          {**details, "changed": True})
    _finish(ctx, report, f"vmcctl host maintenance {verb} {report.host}")
    return StepOutput(f"{report.host} {report.maintenance} maintenance mode",
                      {**details, "changed": True})


def run_restore(ctx: RunContext, action: RestoreAction) -> StepOutput:
    options = ops.RestoreOptions(run=_run(ctx, action.max_parallel, action.timeout),
                                 journal=_journal(ctx, action.journal),
                                 journal_dir=ctx.journal_dir, dry_run=ctx.dry_run)
    report = ops.restore_host(
        ctx.client(), action.host, options, _events(ctx),
        inventory=ctx.inventory() if ctx.dry_run else None,
        planned=list(ctx.planned_journals.values()) if ctx.dry_run else ())
    journal = report.journal
    assert journal is not None
    pending = [m for m in journal.moves if m.state == "pending"]
    skipped = [m for m in journal.moves if m.state == "skipped"]
    home = report.host
    stay = f"; {len(skipped)} stay where they are" if skipped else ""
    rows = {"journal": str(journal.path), "moves": _move_rows(journal.moves)}
    if ctx.dry_run:
        for rec in pending:
            ctx.project_move(rec.vm_moid, rec.target_moid)
        return StepOutput(f"would bring {len(pending)} VM(s) back to {home}{stay}", rows)
    details = _finish(ctx, report, f"vmcctl host restore {home}")
    moved = sum(m.state == "done" for m in journal.moves)
    if not moved and not pending:
        return StepOutput(f"no VM to bring back to {home}{stay}", {**rows, **details})
    return StepOutput(f"brought {moved} VM(s) back to {home} in {details['seconds']:.1f} s"
                      + (f"{stay} (see details)" if skipped else ""), details)
