"""The report of a window (``--report DIR``): report.json and a Gantt chart, timeline.png.

    recorder = WindowRecorder("host evacuate")
    ops.evacuate_host(client, host, options, Fanout(progress, recorder))
    recorder.write(directory, gate=gate)        # -> ReportFiles(json_path, png_path)

The recorder is an ``ExecutorEvents``: it notes when each relocation was
submitted, started running (the rest was queue time), and ended, with its
outcome; when the hosts entered and left maintenance; and the continuity
gate's closed periods. With H2O gate checks their samples become progress
curves under the Gantt chart, with each job's verdict.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmcctl.errors import ConfigError
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.gate import Gate
from vmcctl.executor.journal import GatePeriod, Journal, MoveRecord
from vmcctl.h2o.report import REPORT_JSON, TIMELINE_PNG, ReportFiles
from vmcctl.vsphere.tasks import TaskState

SCHEMA = "vmcctl.window/1"


@dataclass
class Bar:
    vm: str
    vm_moid: str
    source: str
    target: str
    task: str | None
    submitted: float
    running: float | None = None
    ended: float | None = None
    state: str = "running"
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in vars(self).items()}


@dataclass
class Span:
    label: str
    start: float
    end: float | None = None
    state: str = ""
    why: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in vars(self).items()}


@dataclass
class WindowRecorder(ExecutorEvents):
    command: str
    clock: Callable[[], float] = time.monotonic
    bars: list[Bar] = field(default_factory=list)
    maintenance_spans: list[Span] = field(default_factory=list)
    gate_spans: list[Span] = field(default_factory=list)
    planned_moves: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._t0 = self.clock()
        self._open: dict[str, Bar] = {}

    def now(self) -> float:
        return self.clock() - self._t0

    def planned(self, journal: Journal) -> None:
        self.planned_moves = max(self.planned_moves, len(journal.moves))

    def move_started(self, rec: MoveRecord) -> None:
        bar = Bar(rec.vm, rec.vm_moid, rec.origin, rec.target, rec.task, self.now())
        self.bars.append(bar)
        self._open[rec.vm_moid] = bar

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        bar = self._open.get(rec.vm_moid)
        if bar is not None and bar.running is None and state.state in ("running", "success"):
            bar.running = self.now()

    def _close(self, rec: MoveRecord, state: str) -> None:
        bar = self._open.pop(rec.vm_moid, None)
        if bar is None:
            self.skipped.append({"vm": rec.vm, "state": rec.state, "reason": rec.reason})
            return
        bar.ended, bar.state, bar.reason = self.now(), state, rec.reason

    def move_ended(self, rec: MoveRecord) -> None:
        self._close(rec, rec.state)

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        self._close(rec, "retried")

    def maintenance(self, host: str, state: str, message: str | None = None) -> None:
        """A span per stay in maintenance: from "entering" to "exited" (or to the
        state that ended the attempt: not-entered, cancelled)."""
        open_span = next((s for s in reversed(self.maintenance_spans)
                          if s.label == host and s.end is None), None)
        if state == "entering" and open_span is None:
            self.maintenance_spans.append(Span(host, self.now(), state=state))
        elif open_span is not None:
            open_span.state = state
            if state in ("exited", "not-entered", "cancelled"):
                open_span.end, open_span.why = self.now(), message
        elif state == "exiting":  # entered in an earlier run: in maintenance since the start
            self.maintenance_spans.append(Span(host, 0.0, state=state))

    def gate(self, change: str, period: GatePeriod) -> None:
        if change == "closed":
            self.gate_spans.append(Span("gate", self.now(), why=period.why))
        elif self.gate_spans and self.gate_spans[-1].end is None:
            self.gate_spans[-1].end, self.gate_spans[-1].state = self.now(), change

    # --- output -------------------------------------------------------------------------

    def h2o_jobs(self, gate: Gate | None) -> list[dict[str, Any]]:
        """Each H2O gate check's samples (on this recorder's clock) and verdict."""
        out: list[dict[str, Any]] = []
        for check in gate.checks if gate is not None else []:
            watcher = getattr(check, "watcher", None)
            if watcher is None:
                continue
            offset = self.now() - watcher.now()
            verdict = watcher.verdict(threshold=getattr(check, "threshold", 0.8))
            samples = [{"t": round(s.t + offset, 3), "job": s.job, "status": s.status,
                        "progress": s.progress} for s in watcher.samples]
            out.append({"label": check.name, "verdict": verdict.to_dict(),
                        "outcome": verdict.outcome, "reason": verdict.reason,
                        "samples": samples})
        return out

    def to_dict(self, gate: Gate | None = None) -> dict[str, Any]:
        end = self.now()
        return {"schema": SCHEMA, "command": self.command, "seconds": round(end, 3),
                "planned_moves": self.planned_moves,
                "moves": [b.to_dict() for b in self.bars], "not_moved": self.skipped,
                "maintenance": [s.to_dict() for s in self.maintenance_spans],
                "gate_closed": [s.to_dict() for s in self.gate_spans],
                "h2o": self.h2o_jobs(gate)}

    def write(self, directory: Path, *, gate: Gate | None = None) -> ReportFiles:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create report folder {directory}: {exc.strerror}"
                              ) from None
        data = self.to_dict(gate)
        json_path, png_path = directory / REPORT_JSON, directory / TIMELINE_PNG
        json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        from vmcctl.ops.window_plot import plot_window

        plot_window(png_path, data)
        return ReportFiles(json=json_path, png=png_path)
