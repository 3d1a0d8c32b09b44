"""What ``vmcctl host`` shows: the plan, the outcome of a run, maintenance mode, a restore
dry run."""

from __future__ import annotations

import click

from vmcctl import ops
from vmcctl.cli.errors import EXIT_INTERRUPTED
from vmcctl.cli.move_board import SUMMARY_COLUMNS, summary_rows
from vmcctl.cli.render import emit_json, say, show, table
from vmcctl.executor.evacuate import FAILED_COLUMNS, MOVING_COLUMNS
from vmcctl.placement.plan import (
    BLOCKED_COLUMNS,
    MOVE_COLUMNS,
    STAYS_COLUMNS,
    UNPLACEABLE_COLUMNS,
    EvacuationPlan,
)

# What a maintenance call did to the host, as people read it (HostReport.maintenance).
_SAID = {
    "entered": "in maintenance mode", "cancelled": "not in maintenance mode (cancelled)",
    "exited": "out of maintenance mode",
    "would-enter": "dry run: would enter maintenance mode (nothing changed)",
    "would-exit": "dry run: would exit maintenance mode (nothing changed)"}


def maintenance_said(report: ops.HostReport) -> str:
    """``HOST: what happened to its maintenance mode``."""
    if report.maintenance == "unchanged":
        said = ("already in maintenance mode" if report.action == "maintenance-enter"
                else "not in maintenance mode")
    else:
        said = _SAID.get(report.maintenance, report.maintenance)
    return f"{report.host}: {said}"


def show_homecoming(report: ops.HostReport) -> None:
    """A restore dry run: which VM would come home from where, and which would stay."""
    assert report.journal is not None
    moves = report.journal.moves
    if not moves:
        say(f"Dry run: no VM to bring home to {report.host}.")
        return
    show(table(f"Dry run: bring home to {report.host}", ["VM", "from", "to", "state", "why"],
               ([m.vm, m.origin or "-", m.target, "would move" if m.state == "pending"
                 else m.state, m.reason or ""] for m in moves), drop=["to"]))


def render_report(report: ops.HostReport, output: str) -> None:
    """Print the outcome; exit 130 if interrupted; raise the report's error."""
    if output == "json":
        emit_json(report.to_dict())
    else:
        for part in (report, report.restore):
            if part is None:
                continue
            if part.run is not None:
                j = part.run.journal
                counts = ", ".join(f"{n} {s}" for s, n in sorted(j.counts().items()))
                mode = (f"; maintenance mode: {part.maintenance}"
                        if part.action != "restore" else "")
                say(f"{j.kind} {j.host}: {counts or 'nothing to do'} in "
                    f"{part.run.outcome.seconds:.1f} s{mode}")
                if j.moves:
                    show(table("Moves", SUMMARY_COLUMNS, summary_rows(j.moves),
                               right=["duration"]))
                for period in j.gate_periods:
                    say(f"gate closed {period.seconds:.1f} s ({period.outcome}): {period.why}")
                if part.run.problems:
                    show(table("Not moved", FAILED_COLUMNS, part.run.problem_rows(),
                               drop=["fault", "from"]))
                if part.run.still_moving:
                    show(table("Still moving in vCenter", MOVING_COLUMNS,
                               part.run.still_moving_rows()))
                show_stays(part)
            elif part.action in ("maintenance-enter", "maintenance-exit"):
                say(maintenance_said(part))
            elif part.dry_run and part.journal is not None:
                show_homecoming(part)
    if report.interrupted:
        journal = report.journal or (report.restore.journal if report.restore else None)
        if report.maintenance == "cancelled":
            click.echo(f"interrupted: the EnterMaintenanceMode task on {report.host} was "
                       "cancelled; the host is not in maintenance mode", err=True)
        run = report.run or (report.restore.run if report.restore else None)
        left = run.left() if run is not None else ""
        if journal is not None and journal.path is not None:
            click.echo(f"interrupted{': ' + left if left else ''}; the journal is at "
                       f"{journal.path}; finish with --resume", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED)
    error = report.error()
    if error is not None:
        raise error


def show_stays(report: ops.HostReport) -> None:
    stays = report.stays if report.action != "restore" else []
    if stays:
        show(table(f"Stays on {report.host}", STAYS_COLUMNS,
                   [(s["vm"], s["power_state"], s["message"]) for s in stays]))


def show_plan(plan: EvacuationPlan, *, dry_run: bool = False) -> None:
    if plan.moves:
        title = f"Plan: evacuate {plan.host}"
        if dry_run:
            title = f"Dry run: plan to evacuate {plan.host}"
        show(table(title, MOVE_COLUMNS, plan.move_rows(), drop=["priority", "from"]))
    else:
        say(f"Plan: no VM to move off {plan.host}.")
    if plan.blocked:
        show(table("Cannot be moved", BLOCKED_COLUMNS, plan.blocked_rows()))
    if plan.unplaceable:
        show(table("Cannot be placed", UNPLACEABLE_COLUMNS, plan.unplaceable_rows()))
    if plan.stays:
        show(table(f"Stays on {plan.host}", STAYS_COLUMNS, plan.stays_rows()))
