"""Executor events that also keep ``vmcctl.origin`` in step with the journal.

Wraps the front-end's ``ExecutorEvents``: every event is passed on; a move
that left its origin in an evacuation (``done``, or moved but failing a later
check) tags the VM with its origin, a VM brought home by a restore (or found
already home) has the tag cleared. Warnings are said once.
"""

from __future__ import annotations

from collections.abc import Sequence

from vmcctl.executor.events import ExecutorEvents, StopWhy
from vmcctl.executor.journal import GatePeriod, Journal, MoveRecord
from vmcctl.ops.attribute import OriginTags
from vmcctl.vsphere.tasks import TaskState


class TaggingEvents(ExecutorEvents):
    def __init__(self, inner: ExecutorEvents, tags: OriginTags | None, journal: Journal) -> None:
        self.inner = inner
        self.tags = tags
        self.journal = journal
        self._said: set[str] = set()
        if tags is not None:
            tags.events = self  # its warnings come through here, once

    def run_started(self, total: int, done: int) -> None:
        self.inner.run_started(total, done)

    def move_queued(self, rec: MoveRecord, why: str) -> None:
        self.inner.move_queued(rec, why)

    def move_started(self, rec: MoveRecord) -> None:
        self.inner.move_started(rec)

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        self.inner.move_progress(rec, state)

    def move_ended(self, rec: MoveRecord) -> None:
        if self.tags is not None:
            if self.journal.kind == "evacuate" and (rec.state == "done" or rec.left_origin):
                self.tags.mark(rec, self.journal.run_id)
            elif self.journal.kind == "restore" and (
                    rec.state == "done"
                    or (rec.state == "skipped" and (rec.reason or "").startswith("already on"))):
                self.tags.clear(rec.vm_moid)
        self.inner.move_ended(rec)

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        self.inner.move_retry(rec, delay)

    def stopping(self, in_flight: int, cancelling: bool, *, why: StopWhy = "interrupt",
                 running: Sequence[MoveRecord] = (), not_started: int = 0) -> None:
        self.inner.stopping(in_flight, cancelling, why=why, running=running,
                            not_started=not_started)

    def maintenance(self, host: str, state: str, message: str | None = None) -> None:
        self.inner.maintenance(host, state, message)

    def warning(self, message: str) -> None:
        if message not in self._said:
            self._said.add(message)
            self.inner.warning(message)

    def planned(self, journal: Journal) -> None:
        self.inner.planned(journal)

    def gate(self, change: str, period: GatePeriod) -> None:
        self.inner.gate(change, period)
