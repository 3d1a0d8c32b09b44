"""``vmcctl play``: run a YAML playbook (migrate, advise, evacuate, maintenance, restore, wait)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vmcctl.cli.connect import connection_options, open_session
from vmcctl.cli.render import emit_json, output_option, progress_line, show, table
from vmcctl.cli.runflags import (
    current_gate,
    events_option,
    gate_options,
    report_option,
    with_events,
)
from vmcctl.cli.state import AppState
from vmcctl.errors import OperationError
from vmcctl.executor.events import ExecutorEvents
from vmcctl.playbook.context import PlaybookEvents, RunContext
from vmcctl.playbook.load import Playbook, Step, load_playbook
from vmcctl.playbook.runner import run_playbook
from vmcctl.playbook.variables import parse_assignments
from vmcctl.vsphere.settings import FileConnection

if TYPE_CHECKING:
    from vmcctl.playbook.outcome import PlaybookRun, StepResult
    from vmcctl.vsphere.connection import Client

RESULT_COLUMNS = ("step", "name", "action", "status", "seconds", "result")


class StderrEvents(PlaybookEvents):
    """Progress lines on stderr: one per step start and end, and the steps' notes."""

    def step_started(self, step: Step, total: int) -> None:
        name = f' "{step.name}"' if step.name else ""
        progress_line(f"step {step.index}/{total}{name}: {step.kind} ...")

    def note(self, label: str, text: str) -> None:
        progress_line(f"  {text}")

    def step_ended(self, result: Any) -> None:
        progress_line(f"  {result.status} in {result.seconds:.1f} s: {result.summary}")


def apply_connection(ctx: click.Context, playbook: Playbook) -> None:
    """Hand the playbook's ``connection`` to the session: its url comes after --url, and
    only its own username/password_env (or the command line's) go with it."""
    spec = playbook.connection
    if spec is None:
        return
    ctx.ensure_object(AppState).connection_file = FileConnection(
        origin=f"playbook {playbook.source}", url=spec.url, username=spec.username,
        password_env=spec.password_env, insecure=spec.insecure, ca_file=spec.ca_file)


def _row(r: StepResult) -> list[object]:
    return [r.index, r.name or "", r.action, r.status, f"{r.seconds:.1f}", r.summary]


def _render(run: PlaybookRun, output: str) -> None:
    if output == "json":
        emit_json([r.to_dict() for r in run.results])
        return
    title = f"Playbook {run.name!r}" + (" (dry run: nothing submitted)" if run.dry_run else "")
    show(table(title, RESULT_COLUMNS, (_row(r) for r in run.results),
               right=["step", "seconds"], drop=["seconds", "name"]))


@click.command(short_help="Run a YAML playbook, step by step.")
@click.argument("playbook", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--var", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Set a variable the playbook declares under vars: (repeatable).")
@click.option("--dry-run", is_flag=True,
              help="Plan every step (advisor plans included) and submit nothing.")
@gate_options
@report_option
@events_option
@connection_options
@output_option
def play(playbook: Path, assignments: tuple[str, ...], dry_run: bool, output: str) -> None:
    """Run the steps of a playbook FILE in order, stopping at the first that fails.

    The whole file is validated first (an error names the step and the field,
    exit 2); nothing runs unless all of it is valid. Progress goes to stderr,
    the table of step results (or -o json) to stdout. Exits 1 when a step
    fails, naming it and why; the steps after it are not run.

    \b
    Examples:
      vmcctl play playbooks/maintenance-window.yaml --dry-run
      vmcctl play playbooks/maintenance-window.yaml --var host=10.94.24.72
      vmcctl play window.yaml -o json | jq '.[] | select(.status != "ok")'
    """
    playbook_ = load_playbook(playbook, parse_assignments(assignments))
    ctx = click.get_current_context()
    apply_connection(ctx, playbook_)
    session: list[Client] = []
    with contextlib.ExitStack() as stack:

        def connect() -> Client:
            if not session:
                session.append(stack.enter_context(open_session(ctx)))
            return session[0]

        # Log in before the first step: a wrong URL or password is a usage error
        # (exit 2), not a failed step. A playbook of waits never logs in.
        if any(step.kind != "wait" for step in playbook_.steps):
            connect()
        extra = with_events(ExecutorEvents())
        run = run_playbook(playbook_, RunContext(
            connect=connect, dry_run=dry_run, events=StderrEvents(), gate=current_gate(),
            executor_events=None if type(extra) is ExecutorEvents else extra))
    _render(run, output)
    failed = run.failed
    if failed is not None:
        raise OperationError(f"{failed.label} ({failed.action}) failed: {failed.error}")
