"""Progress callbacks: the executor reports here and never prints.

Subclass ``ExecutorEvents`` and override what you need; every method is a
no-op by default. The callbacks run on the executor's thread, between SOAP
calls: keep them quick.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from vmcctl.executor.journal import GatePeriod, Journal, MoveRecord
from vmcctl.vsphere.tasks import TaskState

StopWhy = Literal["interrupt", "gate", "timeout"]


class ExecutorEvents:
    def run_started(self, total: int, done: int) -> None:
        """``total`` moves in the journal, ``done`` of them already done (a resume)."""

    def move_queued(self, rec: MoveRecord, why: str) -> None:
        """A pending move waits before submission; ``why`` says for what (host slots
        busy, vMotions in flight overall, a retry's back-off). Said when ``why`` changes."""

    def move_started(self, rec: MoveRecord) -> None:
        """A relocation was submitted (or adopted on resume); ``rec.task`` is set."""

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        """The move's task changed (queued, running, progress %)."""

    def move_ended(self, rec: MoveRecord) -> None:
        """The move reached done, failed, skipped or cancelled; ``rec.reason`` says why."""

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        """A transient fault; the move is tried again in ``delay`` seconds."""

    def stopping(self, in_flight: int, cancelling: bool, *, why: StopWhy = "interrupt",
                 running: Sequence[MoveRecord] = (), not_started: int = 0) -> None:
        """Asked to stop: no new moves; ``not_started`` moves stay pending.

        ``why``: ``interrupt`` (Ctrl-C: the ``in_flight`` vMotions are waited for, or
        cancelled when ``cancelling``), ``gate`` (the continuity gate timed out: they
        are waited for) or ``timeout`` (--timeout: the run ends now and they go on in
        vCenter). ``running``: those moves, with their task ids.
        """

    def maintenance(self, host: str, state: str, message: str | None = None) -> None:
        """Maintenance mode of ``host``: entering, entered, exiting, exited, not-entered,
        cancelled, re-planning."""

    def warning(self, message: str) -> None:
        """Something the user should know that does not stop the run (said once)."""

    def planned(self, journal: Journal) -> None:
        """The moves about to run (before the first submission; again after a re-plan)."""

    def gate(self, change: str, period: GatePeriod) -> None:
        """The continuity gate ``closed``, ``opened``, ``timeout`` (the run stops) or
        ``stopped`` (the run ended while it was closed); ``period.why`` says why."""
