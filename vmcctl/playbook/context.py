"""What a running step can use: the vCenter session, the inventory, H2O, time, progress.

The CLI builds a ``RunContext`` (it knows how to log in and where H2O is);
tests build one with fakes. The session is opened on first use, so a
playbook of ``wait`` steps never logs in to vCenter. In a dry run the
inventory is read once and then projected step by step
(``vmcctl.playbook.projection``); otherwise each step reads it afresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vmcctl.model import Inventory
from vmcctl.playbook.projection import with_maintenance, with_move

if TYPE_CHECKING:
    from vmcctl.errors import VmcctlError
    from vmcctl.executor.events import ExecutorEvents
    from vmcctl.executor.gate import Gate
    from vmcctl.executor.journal import Journal
    from vmcctl.h2o.client import H2OClient
    from vmcctl.playbook.load import Step
    from vmcctl.playbook.schema import WaitUntil
    from vmcctl.vsphere.connection import Client


class PlaybookEvents:
    """Progress callbacks; every method is a no-op by default. The runner never prints."""

    def step_started(self, step: Step, total: int) -> None:
        """A step begins (``step.label`` is ``step N "name"``)."""

    def step_ended(self, result: Any) -> None:
        """A step ended; ``result`` is its ``StepResult``."""

    def note(self, label: str, text: str) -> None:
        """Something worth a line while a step runs (a VM moved, a job's progress)."""

    def countdown(self, label: str, left: float, total: float) -> None:
        """A fixed wait: ``left`` of ``total`` seconds to go (about once a second)."""


@dataclass
class RunContext:
    """Everything a step handler needs; ``connect`` is called at most once."""

    connect: Callable[[], Client] | None = None
    h2o: Callable[[WaitUntil], H2OClient] | None = None
    dry_run: bool = False
    events: PlaybookEvents = field(default_factory=PlaybookEvents)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = time.sleep
    journal_dir: Path | None = None  # relative journal paths are taken from here
    label: str = ""  # the running step's label, for notes
    executor_events: ExecutorEvents | None = None  # the event stream / window recorder
    gate: Gate | None = None  # the continuity gate for the steps that move VMs
    # a resumed playbook: the journals the running step wrote before the run stopped
    resume_journals: list[Path] = field(default_factory=list)
    resuming: bool = False  # the running step is the one a resumed playbook stopped in
    _client: Client | None = field(default=None, init=False, repr=False)
    _projected: Inventory | None = field(default=None, init=False, repr=False)
    # dry run: the evacuation journals the plan would have written, by path
    planned_journals: dict[Path, Journal] = field(default_factory=dict, init=False)

    def client(self) -> Client:
        if self._client is None:
            if self.connect is None:
                from vmcctl.errors import ConfigError

                raise ConfigError("this step needs vCenter, and no connection was given")
            self._client = self.connect()
        return self._client

    def fault_error(self, fault: BaseException) -> VmcctlError:
        """vmcctl's named error for a vSphere fault a step met (with the session's user)."""
        from vmcctl.vsphere.faults import map_fault

        user = self._client.settings.username if self._client is not None else None
        return map_fault(fault, user=user)

    def inventory(self) -> Inventory:
        """The inventory now (a fresh bulk read), or as projected in a dry run."""
        if self.dry_run and self._projected is not None:
            return self._projected
        from vmcctl.vsphere.snapshot import take_snapshot

        inv = take_snapshot(self.client())
        if self.dry_run:
            self._projected = inv
        return inv

    def project_move(self, vm: str, target: str) -> None:
        """Dry run: later steps see ``vm`` on ``target``."""
        self._projected = with_move(self.inventory(), vm, target)

    def project_maintenance(self, host: str, on: bool) -> None:
        self._projected = with_maintenance(self.inventory(), host, on)

    def journal_path(self, given: str | None, host: str) -> Path:
        from vmcctl.executor.journal import default_journal_path

        if given is None:
            return default_journal_path(host, self.journal_dir)
        path = Path(given)
        return path if path.is_absolute() or self.journal_dir is None else self.journal_dir / path

    def note(self, text: str) -> None:
        self.events.note(self.label, text)
