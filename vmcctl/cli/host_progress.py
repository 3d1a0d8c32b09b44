"""Progress of an evacuation or restore on stderr.

On a terminal: one overall bar and one line per VM in flight (rich). Not on
a terminal: one plain line per state change, never per percent.
"""

from __future__ import annotations

import sys
from types import TracebackType

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from vmcctl.cli.render import progress_line, stderr_console
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import GatePeriod, MoveRecord
from vmcctl.vsphere.tasks import TaskState


class EvacuationProgress(ExecutorEvents):
    def __init__(self, title: str, *, enabled: bool = True) -> None:
        self.title = title
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._progress: Progress | None = None
        self._overall: TaskID | None = None
        self._lines: dict[str, TaskID] = {}
        self._states: dict[str, str] = {}
        self._total = 0
        self._finished = 0

    def __enter__(self) -> EvacuationProgress:
        if self.enabled and self.tty:
            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(),
                TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                console=stderr_console(), transient=False)
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _say(self, text: str) -> None:
        if not self.enabled:
            return
        if self._progress is not None:
            self._progress.console.print(text)
        else:
            progress_line(text)

    # --- events -----------------------------------------------------------------------

    def run_started(self, total: int, done: int) -> None:
        self._total, self._finished = total, done
        if self._progress is not None:
            self._overall = self._progress.add_task(self.title, total=max(total, 1),
                                                    completed=done, status=f"{done}/{total}")
        elif total:
            self._say(f"{self.title}: {total} move(s), {done} already done")

    def move_started(self, rec: MoveRecord) -> None:
        if self._progress is not None:
            self._lines[rec.vm] = self._progress.add_task(
                f"  {rec.vm} → {rec.target}", total=100, status="queued")
        else:
            self._say(f"{rec.vm}: submitted {rec.origin} -> {rec.target} ({rec.task})")

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        line = self._lines.get(rec.vm)
        if self._progress is not None and line is not None:
            done = 100 if state.state == "success" else state.progress or 0
            self._progress.update(line, completed=done, status=state.state)
        elif self._progress is None and self._states.get(rec.vm) != state.state:
            self._states[rec.vm] = state.state
            if not state.done:
                self._say(f"{rec.vm}: {state.state}")

    def move_ended(self, rec: MoveRecord) -> None:
        self._finished += 1
        line = self._lines.pop(rec.vm, None)
        if self._progress is not None:
            if line is not None:
                self._progress.remove_task(line)
            if self._overall is not None:
                self._progress.update(self._overall, completed=self._finished,
                                      status=f"{self._finished}/{self._total}")
        why = f": {rec.reason}" if rec.reason else ""
        if rec.state != "done" or self._progress is None:
            self._say(f"{rec.vm}: {rec.state}{why} [{self._finished}/{self._total}]")

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        line = self._lines.pop(rec.vm, None)
        if self._progress is not None and line is not None:
            self._progress.remove_task(line)
        self._say(f"{rec.vm}: {rec.reason}; trying again in {delay:.1f} s")

    def stopping(self, in_flight: int, cancelling: bool) -> None:
        what = "cancelling" if cancelling else "waiting for"
        self._say(f"interrupted: no new moves; {what} {in_flight} vMotion(s) in flight "
                  "(Ctrl-C again to leave them running and exit now)")

    def maintenance(self, host: str, state: str, message: str | None = None) -> None:
        self._say(f"{host}: maintenance mode {state}" + (f" ({message})" if message else ""))

    def warning(self, message: str) -> None:
        self._say(f"warning: {message}")

    def gate(self, change: str, period: GatePeriod) -> None:
        if change == "closed":
            self._say(f"gate closed: {period.why} (no new moves; moves in flight go on)")
        elif change == "opened":
            self._say(f"gate open again after {period.seconds:.1f} s: moving on")
        elif change == "timeout":
            self._say(f"gate closed for {period.seconds:.1f} s: no new moves; stopping "
                      "after the moves in flight")
