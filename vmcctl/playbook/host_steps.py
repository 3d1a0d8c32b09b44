"""The ``evacuate``, ``maintenance`` and ``restore`` steps, over ``vmcctl.executor``.

- ``evacuate``: the advisor's evacuation plan turned into a journal
  (``executor.prepare``) and run by ``executor.evacuate.run_journal``; the step
  fails if any VM stays on the host. It does not enter maintenance: that is
  the next step's job, and it only runs if this one succeeded.
- ``maintenance``: enter refuses while powered-on VMs are still on the host
  (nothing is left to vCenter's own evacuation); both directions are no-ops
  when the host is already in the asked state.
- ``restore``: reads the evacuation's journal and brings home the VMs it
  moved that are still where it put them (``executor.prepare.restore_journal``).

In a dry run the plans are made and projected, nothing is submitted and no
journal is written; a later ``restore`` in the same dry run uses the
evacuation journal the earlier step would have written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from vmcctl.errors import EvacuationError, PrecheckError
from vmcctl.executor.evacuate import run_journal
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal, MoveRecord, load_journal
from vmcctl.executor.prepare import evacuation_journal, restore_journal
from vmcctl.executor.runner import RunOptions
from vmcctl.executor.schedule import Limits
from vmcctl.placement.evacuation import plan_evacuation
from vmcctl.placement.request import PlacementOptions
from vmcctl.playbook.context import RunContext
from vmcctl.playbook.outcome import StepOutput
from vmcctl.playbook.schema import EvacuateAction, MaintenanceAction, RestoreAction
from vmcctl.vsphere.tasks import TaskState

UNFINISHED = frozenset({"planned", "running", "interrupted"})


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


def _move_rows(moves: Sequence[MoveRecord]) -> list[dict[str, Any]]:
    return [{"vm": m.vm, "from": m.origin, "to": m.target, "state": m.state,
             "reason": m.reason} for m in moves]


def _run(ctx: RunContext, journal: Journal, max_parallel: int, timeout: float | None,
         resume_with: str) -> dict[str, Any]:
    """Run a journal's moves (``executor.evacuate.run_journal``); raise its error if not ok.

    Ctrl-C: the runner stops submitting and lets running vMotions finish; the
    step then re-raises ``KeyboardInterrupt`` after saying how to resume.
    """
    journal.save()
    report = run_journal(ctx.client(), journal,
                         RunOptions(limits=Limits(max_parallel=max_parallel), timeout=timeout),
                         _Notes(ctx))
    if report.interrupted:
        ctx.note(f"interrupted; journal {journal.path}; finish with: {resume_with}")
        raise KeyboardInterrupt
    error = report.error()
    if error is not None:
        raise error
    return report.to_dict()


def run_evacuate(ctx: RunContext, action: EvacuateAction) -> StepOutput:
    inv = ctx.inventory()
    options = PlacementOptions(fault_domain=action.fault_domain, max_cpu_pct=action.max_cpu,
                               max_mem_pct=action.max_mem)
    plan = plan_evacuation(inv, action.host, options,
                           include_powered_off=action.include_powered_off,
                           priority=action.priority)
    path = ctx.journal_path(action.journal, plan.host)
    journal = evacuation_journal(inv, plan, path=path, options={
        "fault_domain": action.fault_domain, "max_parallel": action.max_parallel,
        "include_powered_off": action.include_powered_off, "priority": action.priority})
    if ctx.dry_run:
        for rec in journal.moves:
            if rec.state == "pending":
                ctx.project_move(rec.vm_moid, rec.target_moid)
        ctx.planned_journals[path] = Journal(
            kind="evacuate", host=journal.host, host_moid=journal.host_moid, path=path,
            moves=[replace(m, state="done") if m.state == "pending" else m
                   for m in journal.moves])
        would = sum(m.state == "pending" for m in journal.moves)
        summary = f"would move {would} VM(s) off {plan.host}"
        cannot = [m.vm for m in journal.moves if m.state == "skipped"]
        if cannot:
            first = next(m for m in journal.moves if m.state == "skipped")
            raise EvacuationError(f"{len(cannot)} VM(s) could not be moved off {plan.host}: "
                                  f"{', '.join(cannot)} ({first.vm}: {first.reason})")
        return StepOutput(summary, {"plan": plan.to_dict(), "journal": str(path),
                                    "moves": _move_rows(journal.moves)})
    if path.exists():
        previous = load_journal(path)
        if previous.status in UNFINISHED:
            raise PrecheckError(
                f"journal {path} holds an unfinished {previous.kind} of {previous.host}",
                hint=f"finish it (vmcctl host evacuate {previous.host} --resume --journal "
                     f"{path}) or remove the file")
    if not journal.moves:
        return StepOutput(f"{plan.host} has no VMs to move", {"journal": None, "moves": []})
    details = _run(ctx, journal, action.max_parallel, action.timeout,
                   f"vmcctl host evacuate {plan.host} --resume --journal {path}")
    return StepOutput(f"moved {len(journal.moves)} VM(s) off {plan.host} in "
                      f"{details['seconds']:.1f} s (journal {path})", details)


def run_maintenance(ctx: RunContext, action: MaintenanceAction) -> StepOutput:
    from vmcctl.executor.maintenance import enter_maintenance, exit_maintenance

    inv = ctx.inventory()
    host = inv.find_host(action.host)
    enter = action.action == "enter"
    details: dict[str, Any] = {"host": host.name, "action": action.action}
    if host.in_maintenance == enter:
        state = "in" if enter else "out of"
        return StepOutput(f"{host.name} is already {state} maintenance mode",
                          {**details, "changed": False})
    if enter:
        running = [v.name for v in inv.vms_on(host.moid) if v.powered_on]
        if running:
            raise PrecheckError(
                f"{host.name} still runs {len(running)} powered-on VM(s): "
                + ", ".join(running), hint="evacuate it first (an evacuate step)")
    verb = "enter" if enter else "exit"
    if ctx.dry_run:
        ctx.project_maintenance(host.moid, enter)
        return StepOutput(f"would {verb} maintenance mode on {host.name}",
                          {**details, "changed": True})
    ctx.note(f"{host.name}: {verb}ing maintenance mode")
    if enter:
        enter_maintenance(ctx.client(), host.moid, timeout=action.timeout)
    else:
        exit_maintenance(ctx.client(), host.moid, timeout=action.timeout)
    state = "entered" if enter else "exited"
    return StepOutput(f"{host.name} {state} maintenance mode", {**details, "changed": True})


def _evacuation(ctx: RunContext, path: Path, host: str) -> Journal:
    journal = ctx.planned_journals.get(path) if ctx.dry_run else None
    journal = journal or load_journal(path)
    if journal.host != host:
        raise PrecheckError(f"journal {path} is the evacuation of {journal.host}, not {host}",
                            hint="pass the journal of that host's evacuation")
    return journal


def run_restore(ctx: RunContext, action: RestoreAction) -> StepOutput:
    path = ctx.journal_path(action.journal, action.host)
    evacuation = _evacuation(ctx, path, action.host)
    restore_path = path.with_name(path.stem + ".restore.json")
    if not ctx.dry_run and restore_path.exists():
        previous = load_journal(restore_path)
        if previous.status in UNFINISHED:
            raise PrecheckError(f"journal {restore_path} holds an unfinished restore of "
                                f"{previous.host}",
                                hint=f"finish it: vmcctl host restore {previous.host} "
                                     f"--journal {path}")
    journal = restore_journal(ctx.inventory(), evacuation, path=restore_path,
                              options={"max_parallel": action.max_parallel})
    pending = [m for m in journal.moves if m.state == "pending"]
    skipped = [m for m in journal.moves if m.state == "skipped"]
    home = journal.host
    if ctx.dry_run:
        for rec in pending:
            ctx.project_move(rec.vm_moid, rec.target_moid)
        return StepOutput(f"would bring {len(pending)} VM(s) back to {home}"
                          + (f"; {len(skipped)} stay where they are" if skipped else ""),
                          {"journal": str(path), "moves": _move_rows(journal.moves)})
    if not pending:
        return StepOutput(f"no VM to bring back to {home}"
                          + (f"; {len(skipped)} stay where they are" if skipped else ""),
                          {"journal": str(path), "moves": _move_rows(journal.moves)})
    details = _run(ctx, journal, action.max_parallel, action.timeout,
                   f"vmcctl host restore {home} --journal {path}")
    stayed = f"; {len(skipped)} stay where they are (see details)" if skipped else ""
    return StepOutput(f"brought {len(pending)} VM(s) back to {home} in "
                      f"{details['seconds']:.1f} s{stayed}", details)
