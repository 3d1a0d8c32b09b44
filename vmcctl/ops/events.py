"""The event stream: one JSON object per line for scripts (``--events FILE|-``).

    with open("events.jsonl", "w") as fh:
        stream = EventStream(fh)
        stream.run_start("host evacuate")
        ops.evacuate_host(client, host, options, Fanout(progress, stream))
        stream.run_end("ok", 0)

Every line has ``ts`` (ISO 8601, UTC), ``run`` (one id per stream), ``seq``
(1, 2, ...) and ``type``; the types and their fields are in docs/events.md
and docs/events.schema.json. A line is written and flushed as the event
happens. Only names, managed object ids, task ids, states, reasons and
numbers are written: never a user name, password, cookie or URL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from vmcctl.executor.events import ExecutorEvents, StopWhy
from vmcctl.executor.journal import GatePeriod, Journal, MoveRecord, new_run_id
from vmcctl.vsphere.tasks import TaskState

FINAL_TYPES = {"done": "move.done", "failed": "move.failed", "skipped": "move.skipped",
               "cancelled": "move.cancelled"}
_ENTER_STATES = {"entering", "entered", "not-entered", "cancelled", "re-planning"}


def run_status(exit_code: int) -> str:
    """``run.end``'s status for an exit code: 0 ok, 1 failed, 130 interrupted, else error
    (2: bad input, refused before anything changed)."""
    return {0: "ok", 1: "failed", 130: "interrupted"}.get(exit_code, "error")


def _seconds(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        return round((datetime.fromisoformat(end) - datetime.fromisoformat(start))
                     .total_seconds(), 3)
    except ValueError:
        return None


class EventStream(ExecutorEvents):
    """Writes the events; thread-safe (the H2O gate's watcher thread may emit too)."""

    def __init__(self, out: TextIO, *, run: str | None = None) -> None:
        self.out = out
        self.run = run or new_run_id()
        self._seq = 0
        self._lock = threading.Lock()
        self._percent: dict[str, tuple[int | None, str] | None] = {}
        self.counts: dict[str, int] = {}

    def emit(self, type_: str, **fields: Any) -> dict[str, Any]:
        with self._lock:
            self._seq += 1
            line = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "run": self.run, "seq": self._seq, "type": type_, **fields}
            self.out.write(json.dumps(line, default=str) + "\n")
            self.out.flush()
        return line

    # --- run, plan, verdict -------------------------------------------------------------

    def run_start(self, command: str, **fields: Any) -> None:
        self.emit("run.start", command=command, **fields)

    def run_end(self, status: str, exit_code: int) -> None:
        self.emit("run.end", status=status, exit_code=exit_code, counts=dict(self.counts))

    def plan(self, moves: Sequence[Mapping[str, Any]], **fields: Any) -> None:
        self.emit("plan", moves=[dict(m) for m in moves], **fields)

    def verdict(self, verdict: Mapping[str, Any], **fields: Any) -> None:
        self.emit("verdict", verdict=dict(verdict), **fields)

    # --- executor callbacks ---------------------------------------------------------------

    def planned(self, journal: Journal) -> None:
        self.plan([move_fields(m) | {"state": m.state} for m in journal.moves],
                  kind=journal.kind, host=journal.host, host_moid=journal.host_moid,
                  journal_run=journal.run_id)

    def run_started(self, total: int, done: int) -> None:
        self.emit("moves.start", total=total, done=done)

    def move_queued(self, rec: MoveRecord, why: str) -> None:
        self.emit("move.queued", **move_fields(rec), reason=why)

    def move_started(self, rec: MoveRecord) -> None:
        self._percent[rec.task or ""] = None
        self.emit("move.submit", **move_fields(rec), task=rec.task)

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        task = rec.task or state.task
        if state.done or self._percent.get(task, -1) == (state.progress, state.state):
            return
        self._percent[task] = (state.progress, state.state)
        self.emit("move.progress", vm=rec.vm, vm_moid=rec.vm_moid, task=task,
                  state=state.state, percent=state.progress)

    def move_ended(self, rec: MoveRecord) -> None:
        kind = FINAL_TYPES.get(rec.state, "move.failed")
        self.counts[rec.state] = self.counts.get(rec.state, 0) + 1
        self.emit(kind, **move_fields(rec), task=rec.task,
                  seconds=_seconds(rec.submitted_at, rec.ended_at) if rec.task else None,
                  reason=rec.reason, fault=rec.fault)

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        self.emit("move.retry", **move_fields(rec), task=rec.task, delay=round(delay, 3),
                  reason=rec.reason, fault=rec.fault)

    def stopping(self, in_flight: int, cancelling: bool, *, why: StopWhy = "interrupt",
                 running: Sequence[MoveRecord] = (), not_started: int = 0) -> None:
        self.emit("run.stopping", in_flight=in_flight, cancelling=cancelling, why=why,
                  not_started=not_started,
                  running=[{"vm": r.vm, "vm_moid": r.vm_moid, "task": r.task}
                           for r in running])

    def maintenance(self, host: str, state: str, message: str | None = None) -> None:
        kind = "maintenance.enter" if state in _ENTER_STATES else "maintenance.exit"
        self.emit(kind, host=host, state=state, message=message)

    def warning(self, message: str) -> None:
        self.emit("warning", message=message)

    def gate(self, change: str, period: GatePeriod) -> None:
        kind = {"closed": "gate.closed", "opened": "gate.open", "timeout": "gate.timeout"
                }.get(change, "gate.stopped")
        self.emit(kind, change=change, why=period.why, since=period.start, until=period.end,
                  seconds=round(period.seconds, 3) if period.end else None)


def move_fields(rec: MoveRecord) -> dict[str, Any]:
    return {"vm": rec.vm, "vm_moid": rec.vm_moid, "source": rec.origin,
            "source_moid": rec.origin_moid, "target": rec.target or None,
            "target_moid": rec.target_moid or None}


class Fanout(ExecutorEvents):
    """Passes every executor event to each of ``targets`` in turn."""

    def __init__(self, *targets: ExecutorEvents) -> None:
        self.targets = targets

    def run_started(self, total: int, done: int) -> None:
        for t in self.targets:
            t.run_started(total, done)

    def move_queued(self, rec: MoveRecord, why: str) -> None:
        for t in self.targets:
            t.move_queued(rec, why)

    def move_started(self, rec: MoveRecord) -> None:
        for t in self.targets:
            t.move_started(rec)

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        for t in self.targets:
            t.move_progress(rec, state)

    def move_ended(self, rec: MoveRecord) -> None:
        for t in self.targets:
            t.move_ended(rec)

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        for t in self.targets:
            t.move_retry(rec, delay)

    def stopping(self, in_flight: int, cancelling: bool, *, why: StopWhy = "interrupt",
                 running: Sequence[MoveRecord] = (), not_started: int = 0) -> None:
        for t in self.targets:
            t.stopping(in_flight, cancelling, why=why, running=running,
                       not_started=not_started)

    def maintenance(self, host: str, state: str, message: str | None = None) -> None:
        for t in self.targets:
            t.maintenance(host, state, message)

    def warning(self, message: str) -> None:
        for t in self.targets:
            t.warning(message)

    def planned(self, journal: Journal) -> None:
        for t in self.targets:
            t.planned(journal)

    def gate(self, change: str, period: GatePeriod) -> None:
        for t in self.targets:
            t.gate(change, period)
