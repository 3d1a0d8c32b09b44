"""Where a Ctrl-C goes: to the move runner while VMs move, to the waiting call otherwise.

    control = RunControl()
    # in a SIGINT handler:
    if not control.request_stop():
        raise KeyboardInterrupt    # nothing to stop softly: interrupt the blocking call

While moves run, the first Ctrl-C asks the runner to stop submitting (running
vMotions finish and are verified). In any other phase (entering maintenance
mode, reading the inventory) there is nothing to stop softly: the caller
raises ``KeyboardInterrupt``, which interrupts the blocking wait; the
maintenance step then cancels its vCenter task (``CancelTask``).
"""

from __future__ import annotations

import threading
from typing import Literal, Protocol

Phase = Literal["idle", "moves", "maintenance"]


class Stoppable(Protocol):
    def request_stop(self) -> None: ...


class RunControl:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runner: Stoppable | None = None
        self.phase: Phase = "idle"
        self.stop_requested = False

    def moves(self, runner: Stoppable) -> None:
        """The runner now moving VMs (the executor calls this)."""
        with self._lock:
            self._runner, self.phase = runner, "moves"
            if self.stop_requested:
                runner.request_stop()

    def enter_phase(self, phase: Phase) -> None:
        with self._lock:
            self.phase = phase
            if phase != "moves":
                self._runner = None

    def request_stop(self) -> bool:
        """Ask to stop; True if a runner will stop softly, False if the caller should raise."""
        with self._lock:
            self.stop_requested = True
            if self.phase == "moves" and self._runner is not None:
                self._runner.request_stop()
                return True
            return False
