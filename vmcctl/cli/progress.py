"""Progress of vCenter tasks on stderr: a rich bar on a terminal (percentage, elapsed, ETA),
plain lines starting with an ISO 8601 timestamp otherwise."""

from __future__ import annotations

import sys
from types import TracebackType

import click
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from vmcctl.cli.move_board import iso_now
from vmcctl.cli.render import stderr_console
from vmcctl.vsphere.tasks import TaskState

PLAIN_STEP = 25  # percent between plain progress lines when stderr is not a terminal


class TaskProgress:
    """Follows one task; pass ``update`` as the waiter's callback."""

    def __init__(self, description: str, *, enabled: bool = True) -> None:
        self.description = description
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._progress: Progress | None = None
        self._bar: TaskID | None = None
        self._last: tuple[str, int | None] | None = None
        self._printed: tuple[str, int] | None = None

    def __enter__(self) -> TaskProgress:
        if self.enabled and self.tty:
            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"), TextColumn("{task.fields[state]}"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=stderr_console(), transient=False)
            self._progress.start()
            self._bar = self._progress.add_task(self.description, total=100, state="queued")
        return self

    def update(self, state: TaskState) -> None:
        if not self.enabled:
            return
        key = (state.state, state.progress)
        if key == self._last:
            return
        self._last = key
        done = 100 if state.state == "success" else state.progress or 0
        if self._progress is not None and self._bar is not None:
            self._progress.update(self._bar, completed=done, state=state.state)
        elif self._worth_a_line(state):
            pct = "" if state.progress is None else f" {state.progress}%"
            click.echo(f"{iso_now()} {self.description}: {state.state}{pct}", err=True)

    def _worth_a_line(self, state: TaskState) -> bool:
        """Plain output: a line per state change and per quarter of progress, no more."""
        quarter = (state.progress or 0) // PLAIN_STEP
        key = (state.state, quarter)
        if key == self._printed:
            return False
        self._printed = key
        return True

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
