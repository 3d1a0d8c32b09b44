"""What a person watching a multi-VM run sees: one row per VM, kept to the end.

``MoveBoard`` holds the state (fed by ``host_progress.EvacuationProgress``
from the executor's events) and renders it two ways:

- ``render()``: a rich table for a terminal, redrawn live: per VM its bar,
  percentage, elapsed time and ETA (from the rate so far: elapsed * (100 - p)
  / p), queued VMs with why they wait, finished VMs with their destination,
  duration and the time they ended;
- ``stamp()``: the ISO timestamp that starts every plain (non-terminal) line.

The clocks are parameters, so tests render with a fake one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from vmcctl.executor.journal import MoveRecord

BAR_WIDTH = 12
FINAL_STYLE = {"done": "green", "failed": "red", "skipped": "yellow", "cancelled": "magenta"}


def clock_text(seconds: float) -> str:
    """``0:07``, ``1:02:03``: minutes and seconds, hours when there are any."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def iso_now(wall: Callable[[], datetime] | None = None) -> str:
    """Now as ISO 8601 with its UTC offset, to the second."""
    return (wall or (lambda: datetime.now(UTC)))().isoformat(timespec="seconds")


@dataclass
class Row:
    """One VM of the run."""

    vm: str
    target: str
    state: str = "waiting"  # waiting (for a slot), queued (in vCenter), running, or final
    percent: int = 0
    why: str | None = None  # why it waits, or why it ended as it did
    submitted: float | None = None
    running_since: float | None = None
    ended: float | None = None
    ended_at: str | None = None  # wall-clock time it ended, HH:MM:SS

    @property
    def final(self) -> bool:
        return self.state in FINAL_STYLE

    def elapsed(self, now: float) -> float | None:
        if self.submitted is None:
            return None
        return (self.ended if self.ended is not None else now) - self.submitted

    def eta(self, now: float) -> float | None:
        """Seconds left from the rate so far (since vCenter started it), or None."""
        if self.state != "running" or self.running_since is None or not 0 < self.percent < 100:
            return None
        spent = now - self.running_since
        return spent * (100 - self.percent) / self.percent if spent > 0 else None


class MoveBoard:
    """Rows by VM moid, in the order they appeared; thread-safe (rendered by rich's thread)."""

    def __init__(self, title: str, *, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] | None = None) -> None:
        self.title = title
        self.clock = clock
        self.wall = wall or (lambda: datetime.now(UTC))
        self.total = 0
        self.done_before = 0
        self.started = clock()
        self.rows: dict[str, Row] = {}
        self._lock = threading.Lock()

    def stamp(self) -> str:
        return iso_now(self.wall)

    # --- changes ------------------------------------------------------------------------

    def begin(self, total: int, done: int) -> None:
        """A run starts (a playbook runs several: the rows of the last one are dropped)."""
        with self._lock:
            self.total, self.done_before, self.started = total, done, self.clock()
            self.rows.clear()

    def _row(self, rec: MoveRecord) -> Row:
        row = self.rows.get(rec.vm_moid)
        if row is None:
            row = self.rows[rec.vm_moid] = Row(rec.vm, rec.target)
        return row

    def waiting(self, rec: MoveRecord, why: str) -> None:
        with self._lock:
            row = self._row(rec)
            row.state, row.why = "waiting", why

    def submitted(self, rec: MoveRecord) -> None:
        with self._lock:
            row = self._row(rec)
            row.state, row.why, row.percent = "queued", None, 0
            row.submitted, row.running_since, row.ended = self.clock(), None, None

    def progress(self, rec: MoveRecord, state: str, percent: int | None) -> None:
        with self._lock:
            row = self._row(rec)
            if row.final:
                return
            if row.submitted is None:
                row.submitted = self.clock()
            if state == "running" and row.running_since is None:
                row.running_since = self.clock()
            if state in ("queued", "running"):
                row.state = state
            if percent is not None:
                row.percent = max(row.percent, min(100, percent))

    def ended(self, rec: MoveRecord) -> Row:
        with self._lock:
            row = self._row(rec)
            row.state, row.why = rec.state, rec.reason
            row.target = rec.target or row.target
            row.ended = self.clock()
            row.ended_at = self.wall().astimezone().strftime("%H:%M:%S")
            if rec.state == "done":
                row.percent = 100
            return row

    def retrying(self, rec: MoveRecord, why: str) -> None:
        with self._lock:
            row = self._row(rec)
            row.state, row.why, row.percent = "waiting", why, 0
            row.running_since = None

    # --- reading ------------------------------------------------------------------------

    def counts(self) -> tuple[int, int, int, int]:
        """(finished, running, queued in vCenter, waiting for a slot)."""
        rows = list(self.rows.values())
        return (self.done_before + sum(r.final for r in rows),
                sum(r.state == "running" for r in rows), sum(r.state == "queued" for r in rows),
                sum(r.state == "waiting" for r in rows))

    def status(self, row: Row, now: float, *, target: bool = True) -> str:
        """The row's words: what it does, or how it ended (also the plain lines' text);
        ``target=False`` leaves out where a done VM went (the board has a column for it)."""
        elapsed = row.elapsed(now)
        if row.state == "waiting":
            return f"queued: {row.why}" if row.why else "queued"
        if row.state == "queued":
            return "queued in vCenter" + (f", {clock_text(elapsed)}" if elapsed else "")
        if row.state == "running":
            eta = row.eta(now)
            left = f", ETA {clock_text(eta)}" if eta is not None else ""
            return f"running {row.percent}%, {clock_text(elapsed or 0)}{left}"
        took = f" in {clock_text(elapsed)}" if elapsed is not None else ""
        at = f" at {row.ended_at}" if row.ended_at else ""
        if row.state == "done":
            return f"done → {row.target}{took}{at}" if target else f"done{took}{at}"
        return f"{row.state}{took}{at}" + (f": {row.why}" if row.why else "")

    def _shown(self, max_rows: int | None) -> tuple[list[Row], int]:
        """The rows to draw (in flight, then waiting, then finished) and how many are left out."""
        rows = list(self.rows.values())
        if max_rows is None or len(rows) <= max_rows:
            return rows, 0
        rank = {"running": 0, "queued": 1, "waiting": 2}
        ordered = sorted(rows, key=lambda r: rank.get(r.state, 3))
        return ordered[:max_rows], len(rows) - max_rows

    def render(self, max_rows: int | None = None) -> RenderableType:
        """The board; at most ``max_rows`` VM rows (a terminal's height), the rest counted."""
        with self._lock:
            now = self.clock()
            finished, running, queued, waiting = self.counts()
            head = Text(f"{self.title}: {finished}/{self.total} finished", style="bold")
            parts = [f"{running} running"] if running else []
            if queued or waiting:
                parts.append(f"{queued + waiting} queued")
            tail = ", ".join(parts)
            head.append(("; " + tail if tail else "") + f"  {clock_text(now - self.started)}")
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True)  # the VM: never cut
            grid.add_column(no_wrap=True)
            grid.add_column(width=BAR_WIDTH, no_wrap=True)
            grid.add_column(overflow="fold")
            rows, hidden = self._shown(max_rows)
            for row in rows:
                bar = ProgressBar(total=100, completed=row.percent, width=BAR_WIDTH,
                                  complete_style=FINAL_STYLE.get(row.state, "bar.complete"))
                words = Text(self.status(row, now, target=False),
                             style=FINAL_STYLE.get(row.state, ""))
                grid.add_row(f"  {row.vm}", f"→ {row.target}", bar, words)
            if hidden:
                grid.add_row(f"  … {hidden} more", "", "", "")
            return Group(head, grid)


SUMMARY_COLUMNS = ("VM", "from", "to", "duration", "result")


def _seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except ValueError:
        return None


def summary_rows(moves: list[MoveRecord]) -> list[tuple[str, str, str, str, str]]:
    """One row per VM of a run, from its journal: where it went, how long, how it ended."""
    rows = []
    for m in moves:
        took = _seconds_between(m.submitted_at, m.ended_at)
        result = m.state + (f": {m.reason}" if m.reason and m.state != "done" else "")
        rows.append((m.vm, m.origin, m.target or "-",
                     "" if took is None else f"{took:.1f} s", result))
    return rows
