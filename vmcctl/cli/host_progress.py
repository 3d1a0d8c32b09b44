"""Progress of an evacuation or restore on stderr.

On a terminal: a live board (``move_board.MoveBoard``): one row per VM with
its bar, percentage, elapsed time and ETA, queued VMs with why they wait,
finished ones with where they went and when. Not on a terminal: one plain
line per state change (and per quarter of progress), each starting with an
ISO 8601 timestamp.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType

import click
from rich.console import RenderableType
from rich.live import Live

from vmcctl.cli.move_board import MoveBoard
from vmcctl.cli.render import stderr_console
from vmcctl.executor.events import ExecutorEvents, StopWhy
from vmcctl.executor.journal import GatePeriod, Journal, MoveRecord
from vmcctl.vsphere.tasks import TaskState

PLAIN_STEP = 25  # percent between plain progress lines


class EvacuationProgress(ExecutorEvents):
    def __init__(self, title: str, *, enabled: bool = True, tty: bool | None = None,
                 clock: Callable[[], float] | None = None,
                 wall: Callable[[], datetime] | None = None, messages: bool = True) -> None:
        self.title = title
        self.messages = messages  # False: the board only (a playbook's notes say the rest)
        self.enabled = enabled
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.board = (MoveBoard(title, wall=wall) if clock is None
                      else MoveBoard(title, clock=clock, wall=wall))
        self._live: Live | None = None
        self._full = False
        self._said: dict[str, tuple[str, int]] = {}  # plain lines: last (state, quarter) per VM
        self._enters_after: str | None = None  # the host entering maintenance after the moves

    def __enter__(self) -> EvacuationProgress:
        return self  # the live board starts with the first run (after the plan is printed)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop_live()

    def _start_live(self) -> None:
        if self.enabled and self.tty and self._live is None:
            console = stderr_console()
            self._live = Live(console=console, refresh_per_second=4, redirect_stdout=False,
                              get_renderable=self._picture)
            self._full = False
            self._live.start()

    def finish(self) -> None:
        """Leave the board's last picture (every row) on the terminal; a later run starts
        a new one."""
        self._stop_live()

    def _stop_live(self) -> None:
        if self._live is not None:
            live, self._live = self._live, None
            self._full = True  # the last picture: every row
            live.vertical_overflow = "visible"
            live.stop()

    def _picture(self) -> RenderableType:
        if self._full:
            return self.board.render()
        return self.board.render(max(3, shutil.get_terminal_size((80, 24)).lines - 4))

    def _say(self, text: str) -> None:
        if not self.enabled or not self.messages:
            return
        if self._live is not None:
            self._live.console.print(text)
        elif self.tty:  # a terminal before (or between) the boards: the words alone
            click.echo(text, err=True)
        else:
            click.echo(f"{self.board.stamp()} {text}", err=True)

    def _plain(self, rec: MoveRecord, text: str) -> None:
        if self._live is None:
            self._say(f"{rec.vm}: {text}")

    # --- events -----------------------------------------------------------------------

    def planned(self, journal: Journal) -> None:
        self._enters_after = (journal.host if journal.kind == "evacuate"
                              and journal.maintenance == "pending" else None)

    def run_started(self, total: int, done: int) -> None:
        self.board.begin(total, done)
        self._said.clear()
        if total and self.tty:
            self._start_live()
        elif total:
            self._say(f"{self.title}: {total} move(s), {done} already done")

    def move_queued(self, rec: MoveRecord, why: str) -> None:
        self.board.waiting(rec, why)
        self._plain(rec, f"queued: {why}")

    def move_started(self, rec: MoveRecord) -> None:
        self.board.submitted(rec)
        self._said[rec.vm_moid] = ("queued", 0)
        self._plain(rec, f"submitted {rec.origin} -> {rec.target} ({rec.task})")

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        self.board.progress(rec, state.state, state.progress)
        if state.done:
            return
        key = (state.state, (state.progress or 0) // PLAIN_STEP)
        if self._said.get(rec.vm_moid) == key:
            return
        self._said[rec.vm_moid] = key
        row = self.board.rows.get(rec.vm_moid)
        if row is not None:
            self._plain(rec, self.board.status(row, self.board.clock()))

    def move_ended(self, rec: MoveRecord) -> None:
        row = self.board.ended(rec)
        finished = self.board.counts()[0]
        if self._live is None or rec.state != "done":
            self._say(f"{rec.vm}: {self.board.status(row, self.board.clock())} "
                      f"[{finished}/{self.board.total}]")

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        self.board.retrying(rec, f"retry in {delay:.1f} s after {rec.fault or 'a fault'}")
        self._say(f"{rec.vm}: {rec.reason}; trying again in {delay:.1f} s")

    def stopping(self, in_flight: int, cancelling: bool, *, why: StopWhy = "interrupt",
                 running: Sequence[MoveRecord] = (), not_started: int = 0) -> None:
        self._say(stopping_message(in_flight, cancelling, why=why, running=running,
                                   not_started=not_started, enters_after=self._enters_after))

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


def stopping_message(in_flight: int, cancelling: bool, *, why: StopWhy,
                     running: Sequence[MoveRecord], not_started: int,
                     enters_after: str | None = None) -> str:
    """What a stop means, exactly: what will not start, what goes on, and what comes next.

    ``enters_after``: the host that was to enter maintenance mode after the moves (it
    will not: a stopped run never starts a new step)."""
    count = len(running) or in_flight
    which = (": " + ", ".join(f"{r.vm} ({r.task})" for r in running)) if running else ""
    skipped = (f"{not_started} move(s) will not start" if not_started
               else "every move was already submitted")
    if enters_after:
        skipped += f", {enters_after} will not enter maintenance mode"
    head = {"interrupt": "interrupted" if not_started or enters_after else "Ctrl-C",
            "gate": "continuity gate timed out", "timeout": "--timeout reached"}[why]
    if not count:
        return f"{head}: {skipped}"
    if why == "timeout":
        return (f"{head}: {skipped}; leaving {count} vMotion(s) running in vCenter{which} "
                "(the journal records them; --resume follows them)")
    if cancelling:
        return f"{head}: {skipped}; cancelling {count} vMotion(s) in flight{which}"
    again = (" (Ctrl-C again to leave them running in vCenter and exit now)"
             if why == "interrupt" else "")
    return f"{head}: {skipped}; waiting for {count} vMotion(s) in flight to finish{which}{again}"
