"""``vmcctl play``: run a YAML playbook (migrate, advise, evacuate, maintenance, restore, wait)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vmcctl.cli.confirm import confirm, yes_option
from vmcctl.cli.connect import connection_options, open_session
from vmcctl.cli.errors import EXIT_INTERRUPTED
from vmcctl.cli.host_progress import EvacuationProgress
from vmcctl.cli.move_board import clock_text, iso_now
from vmcctl.cli.render import emit_json, output_option, show, table
from vmcctl.cli.runflags import (
    current_gate,
    events_option,
    gate_options,
    report_option,
    with_events,
)
from vmcctl.cli.state import AppState
from vmcctl.errors import ConfigError, OperationError
from vmcctl.executor.events import ExecutorEvents
from vmcctl.playbook.context import PlaybookEvents, RunContext
from vmcctl.playbook.load import Playbook, Step, load_playbook
from vmcctl.playbook.resume import PlayState, resume_state, start_state, state_path
from vmcctl.playbook.runner import changes as playbook_changes
from vmcctl.playbook.runner import run_playbook
from vmcctl.playbook.variables import parse_assignments
from vmcctl.vsphere.settings import FileConnection

if TYPE_CHECKING:
    from vmcctl.playbook.outcome import PlaybookRun, StepResult
    from vmcctl.vsphere.connection import Client

RESULT_COLUMNS = ("step", "name", "action", "status", "seconds", "result")


COUNTDOWN_LINE = 30.0  # seconds between countdown lines when stderr is not a terminal


class StderrEvents(PlaybookEvents):
    """Progress on stderr: a line per step start and end and per note (ISO-stamped when
    stderr is not a terminal), the moves' live board and a countdown on a terminal."""

    def __init__(self, board: EvacuationProgress | None = None) -> None:
        self.board = board
        self.tty = sys.stderr.isatty()
        self._counting = False
        self._last_line: float | None = None

    def _line(self, text: str) -> None:
        if self._counting and self.tty:
            click.echo("", err=True)  # end the countdown's line
        self._counting = False
        click.echo(text if self.tty else f"{iso_now()} {text}", err=True)

    def step_started(self, step: Step, total: int) -> None:
        name = f' "{step.name}"' if step.name else ""
        if self.board is not None:
            self.board.board.title = f"step {step.index}/{total}{name}"
        self._line(f"step {step.index}/{total}{name}: {step.kind} ...")

    def note(self, label: str, text: str) -> None:
        self._line(f"  {text}")

    def countdown(self, label: str, left: float, total: float) -> None:
        if self.tty:
            self._counting = left > 0
            end = "" if left > 0 else "\n"
            click.echo(f"\r  waiting: {clock_text(left)} left of {clock_text(total)} ",
                       err=True, nl=False)
            click.echo(end, err=True, nl=False)
        elif left > 0 and (self._last_line is None or self._last_line - left >= COUNTDOWN_LINE):
            self._last_line = left
            self._line(f"  waiting: {left:.0f} s left of {total:g} s")
        elif left <= 0:
            self._last_line = None

    def step_ended(self, result: Any) -> None:
        if self.board is not None:
            self.board.finish()
        self._line(f"  {result.status} in {result.seconds:.1f} s: {result.summary}")


def interrupted(state: PlayState | None, playbook: Path, book: Playbook) -> None:
    """Say where a playbook stopped, what it leaves standing and how to go on; exit 130."""
    if state is None:
        click.echo("interrupted (dry run: nothing was changed)", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED)
    step = next((s for s in book.steps if s.index == state.step), None)
    label = f"{step.label} ({step.kind})" if step is not None else f"step {state.step}"
    click.echo(f"interrupted in {label} of {playbook}", err=True)
    for sentence in state.standing():
        click.echo(f"  {sentence}", err=True)
    click.echo(f"the run is recorded in {state.path}; go on with: vmcctl play {playbook} "
               "--resume", err=True)
    raise click.exceptions.Exit(EXIT_INTERRUPTED)


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
@click.option("--resume", is_flag=True,
              help="Go on with the interrupted run of FILE (recorded in "
                   "./vmcctl-play-NAME.json): steps done are skipped, the step it stopped "
                   "in resumes its own journal.")
@gate_options
@report_option
@events_option
@yes_option
@connection_options
@output_option
def play(playbook: Path, assignments: tuple[str, ...], dry_run: bool, resume: bool,
         output: str, yes: bool) -> None:
    """Run the steps of a playbook FILE in order, stopping at the first that fails.

    The whole file is validated first (an error names the step and the field,
    exit 2); nothing runs unless all of it is valid. Progress goes to stderr,
    the table of step results (or -o json) to stdout. Exits 1 when a step
    fails, naming it and why; the steps after it are not run.

    The run is recorded step by step in ./vmcctl-play-NAME.json (NAME: the
    file's name). Ctrl-C says which step it stopped in, which host it leaves
    in maintenance mode and which VMs away, and exits 130; --resume then goes
    on from that step.

    \b
    Examples:
      vmcctl play playbooks/maintenance-window.yaml --dry-run
      vmcctl play playbooks/maintenance-window.yaml --var host=10.94.24.72
      vmcctl play window.yaml --resume       # go on after Ctrl-C or a failure
      vmcctl play window.yaml -o json | jq '.[] | select(.status != "ok")'
    """
    overrides = parse_assignments(assignments)
    record = state_path(playbook)
    state: PlayState | None = None
    if resume:
        if dry_run:
            raise ConfigError("--resume and --dry-run cannot be used together")
        state = resume_state(playbook, record, overrides)
        overrides = state.overrides
    playbook_ = load_playbook(playbook, overrides)
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
        acting = playbook_changes(playbook_)
        if acting and not dry_run:
            where = f" (resumed from step {state.step})" if state is not None else ""
            confirm([f"run playbook {playbook_.name!r}{where}:", *acting], yes=yes)
        if state is not None:
            state.restart()
        elif not dry_run:
            state = start_state(playbook, playbook_.name, record, overrides)
        board = None
        if sys.stderr.isatty():  # the moves' board; the steps' notes say everything else
            board = stack.enter_context(EvacuationProgress(f"play {playbook_.name}",
                                                           messages=False))
        extra = with_events(board or ExecutorEvents())
        try:
            run = run_playbook(playbook_, RunContext(
                connect=connect, dry_run=dry_run, events=StderrEvents(board),
                gate=current_gate(),
                executor_events=None if type(extra) is ExecutorEvents else extra), state=state)
        except KeyboardInterrupt:
            if board is not None:
                board.finish()
            interrupted(state, playbook, playbook_)
    _render(run, output)
    failed = run.failed
    if failed is not None:
        raise OperationError(
            f"{failed.label} ({failed.action}) failed: {failed.error}",
            hint=None if state is None else f"once fixed, go on from that step with: "
                                            f"vmcctl play {playbook} --resume")
