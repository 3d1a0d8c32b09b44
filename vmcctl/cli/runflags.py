"""``--events``, ``--gate-*`` and ``--report``: options any acting command can take.

Each decorator adds its options, takes them out of the command's arguments
and leaves what the command needs in the click context, where the command's
body finds it without new parameters:

    current_gate()          # the continuity gate for RunOptions(gate=...), or None
    with_events(progress)   # progress + the event stream + the window recorder

``--events FILE|-`` writes ``run.start`` first and ``run.end`` (status, exit
code) last, whatever happens in between; with ``-`` the events own stdout
and the command's human output goes to stderr.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from vmcctl.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from vmcctl.errors import VmcctlError
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.gate import (
    DEFAULT_INTERVAL,
    DEFAULT_TIMEOUT,
    MIN_INTERVAL,
    CommandCheck,
    Gate,
    GateOptions,
)
from vmcctl.ops.events import EventStream, Fanout, run_status

F = TypeVar("F", bound=Callable[..., Any])

META_EVENTS, META_GATE, META_WINDOW = "vmcctl.events", "vmcctl.gate", "vmcctl.window"


def _meta() -> dict[str, Any]:
    ctx = click.get_current_context(silent=True)
    return ctx.meta if ctx is not None else {}


def current_stream() -> EventStream | None:
    return _meta().get(META_EVENTS)


def current_gate() -> Gate | None:
    return _meta().get(META_GATE)


def with_events(progress: ExecutorEvents) -> ExecutorEvents:
    """``progress`` plus the event stream and the window recorder, when asked for."""
    extra = [e for e in (_meta().get(META_EVENTS), _meta().get(META_WINDOW)) if e is not None]
    return Fanout(progress, *extra) if extra else progress


def exit_code_for(exc: BaseException) -> int:
    if isinstance(exc, VmcctlError):
        return exc.exit_code
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, click.ClickException):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt | click.exceptions.Abort):
        return EXIT_INTERRUPTED
    return EXIT_FAILED


@contextlib.contextmanager
def _events_target(spec: str) -> Iterator[TextIO]:
    if spec == "-":
        out = sys.stdout
        with contextlib.redirect_stdout(sys.stderr):
            yield out
        return
    try:
        fh = Path(spec).open("w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise click.BadParameter(f"cannot write {spec}: {exc.strerror}",
                                 param_hint="--events") from None
    with fh:
        yield fh


def _verdicts(stream: EventStream) -> None:
    """The H2O gate checks' verdicts over the run, one ``verdict`` event each."""
    gate = current_gate()
    for check in gate.checks if gate is not None else []:
        watcher = getattr(check, "watcher", None)
        if watcher is None:
            continue
        verdict = watcher.verdict(threshold=getattr(check, "threshold", 0.8))
        stream.verdict(verdict.to_dict(), outcome=verdict.outcome, reason=verdict.reason,
                       check=check.name)


def events_option(func: F) -> F:
    """``--events FILE|-``: the run's events as JSON lines (docs/events.md)."""

    @functools.wraps(func)
    def wrapper(*args: Any, events_file: str | None = None, **kwargs: Any) -> Any:
        if events_file is None:
            return func(*args, **kwargs)
        ctx = click.get_current_context()
        with _events_target(events_file) as out:
            stream = EventStream(out)
            ctx.meta[META_EVENTS] = stream
            stream.run_start(ctx.command_path.split(" ", 1)[-1])
            code = EXIT_OK
            try:
                return func(*args, **kwargs)
            except BaseException as exc:
                code = exit_code_for(exc)
                raise
            finally:
                _verdicts(stream)
                stream.run_end(run_status(code), code)

    return click.option(
        "--events", "events_file", metavar="FILE|-",
        help="Write the run's events as JSON lines to FILE (- for stdout; the human "
             "output then goes to stderr). See docs/events.md.")(wrapper)  # type: ignore[return-value]


def gate_options(func: F) -> F:
    """``--gate-cmd``, ``--gate-h2o``, ``--gate-interval``, ``--gate-timeout``,
    ``--gate-threshold``: the continuity gate (docs/events.md)."""

    @functools.wraps(func)
    def wrapper(*args: Any, gate_cmd: tuple[str, ...] = (), gate_h2o: tuple[str, ...] = (),
                gate_interval: float = DEFAULT_INTERVAL, gate_timeout: float = DEFAULT_TIMEOUT,
                gate_threshold: float = 0.8, **kwargs: Any) -> Any:
        if not gate_cmd and not gate_h2o:
            return func(*args, **kwargs)
        with contextlib.ExitStack() as stack:
            checks: list[Any] = [CommandCheck(cmd) for cmd in gate_cmd]
            if gate_h2o:
                from vmcctl.h2o.gate import open_h2o_checks

                checks += stack.enter_context(open_h2o_checks(
                    gate_h2o, threshold=gate_threshold, window=gate_interval))
            gate = Gate(checks, GateOptions(interval=gate_interval, timeout=gate_timeout))
            click.get_current_context().meta[META_GATE] = gate
            return func(*args, **kwargs)

    for decorator in reversed([
        click.option("--gate-cmd", multiple=True, metavar="CMD",
                     help="Continuity gate: a shell command that exits 0 while the workload is "
                          "healthy; checked before each batch of moves (repeatable)."),
        click.option("--gate-h2o", multiple=True, metavar="URL[#JOB]",
                     help="Continuity gate: H2O jobs that must keep running at "
                          "--gate-threshold of their rate before the run (repeatable)."),
        click.option("--gate-interval", type=click.FloatRange(min=MIN_INTERVAL), metavar="S",
                     default=DEFAULT_INTERVAL, show_default=True,
                     help="Seconds between gate checks while it is closed (and the H2O rate "
                          "window)."),
        click.option("--gate-timeout", type=click.FloatRange(min=0), metavar="S",
                     default=DEFAULT_TIMEOUT, show_default=True,
                     help="Stop (exit 1, resumable) once the gate was closed this long."),
        click.option("--gate-threshold", type=click.FloatRange(0, 1), default=0.8,
                     show_default=True, metavar="R",
                     help="An H2O job's rate must stay at least R times its rate before."),
    ]):
        wrapper = decorator(wrapper)
    return wrapper  # type: ignore[return-value]


def report_option(func: F) -> F:
    """``--report DIR``: report.json + timeline.png of the window (docs/events.md)."""

    @functools.wraps(func)
    def wrapper(*args: Any, report_dir: Path | None = None, **kwargs: Any) -> Any:
        if report_dir is None:
            return func(*args, **kwargs)
        from vmcctl.ops.window import WindowRecorder

        ctx = click.get_current_context()
        recorder = WindowRecorder(ctx.command_path.split(" ", 1)[-1])
        ctx.meta[META_WINDOW] = recorder
        try:
            return func(*args, **kwargs)
        finally:
            files = recorder.write(report_dir, gate=current_gate())
            click.echo(f"report: {files.json}, {files.png}", err=True)

    return click.option(
        "--report", "report_dir", metavar="DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help="Write report.json and timeline.png (a Gantt chart of the moves, maintenance, "
             "closed-gate periods, H2O curves) to DIR.")(wrapper)  # type: ignore[return-value]
