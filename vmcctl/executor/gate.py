"""The continuity gate: no new relocation while the workload is unhealthy.

    gate = Gate([CommandCheck("curl -fs http://app/health")], GateOptions(interval=5))
    runner = MoveRunner(client, journal, options, events, gate=gate)

The move runner asks ``gate.allows(now)`` before each wave's submissions.
Every check must say healthy (``check()`` returns ``None``) for the gate to
be open; otherwise it is *closed* with the first check's reason. While it is
closed no relocation is submitted (moves in flight go on), the checks run
again every ``interval`` seconds, and once it has been closed for
``timeout`` seconds the runner stops submitting for good (``timed_out``)
and the journal says ``interrupted``: ``--resume`` continues. Every closed
period (from, to, why) is kept in ``periods`` and in the journal.

A check is any object with a ``name`` and ``check() -> str | None``:
``CommandCheck`` (any shell command, exit 0 = healthy) here, an H2O job in
``vmcctl.h2o.gate``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from vmcctl.executor.journal import GatePeriod, now_iso

DEFAULT_INTERVAL = 5.0
DEFAULT_TIMEOUT = 600.0
MIN_INTERVAL = 0.1  # seconds: a closed gate's command is not run in a tight loop
COMMAND_TIMEOUT = 60.0  # one health command may take this long; then it counts as failed


class HealthCheck(Protocol):
    name: str

    def check(self) -> str | None:
        """``None``: healthy; else why not (one line, no secret)."""


@dataclass(frozen=True)
class GateOptions:
    interval: float = DEFAULT_INTERVAL  # seconds between checks while closed
    timeout: float = DEFAULT_TIMEOUT  # closed this long: stop the run (resumable)


class CommandCheck:
    """A shell command as a health check: exit 0 is healthy."""

    def __init__(self, command: str, *, timeout: float = COMMAND_TIMEOUT) -> None:
        self.command = command
        self.name = f"command {command!r}"
        self.timeout = timeout

    def check(self) -> str | None:
        try:
            done = subprocess.run(self.command, shell=True, capture_output=True, text=True,
                                  timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            return f"{self.name} did not answer within {self.timeout:g} s"
        except OSError as exc:
            return f"{self.name} could not run: {exc.strerror}"
        if done.returncode == 0:
            return None
        said = (done.stderr or done.stdout).strip().splitlines()
        tail = f": {said[-1][:200]}" if said else ""
        return f"{self.name} exited {done.returncode}{tail}"


class Gate:
    """Health checks consulted before every new submission; see the module docstring."""

    def __init__(self, checks: Sequence[HealthCheck], options: GateOptions | None = None,
                 *, clock: Callable[[], float] = time.monotonic) -> None:
        self.checks = list(checks)
        self.options = options or GateOptions()
        self._clock = clock
        self.periods: list[GatePeriod] = []
        self._closed_at: float | None = None  # monotonic start of the current closed period
        self._next_check = 0.0
        self.timed_out = False

    @property
    def closed(self) -> bool:
        return self._closed_at is not None

    @property
    def current(self) -> GatePeriod | None:
        return self.periods[-1] if self.closed else None

    def next_check_in(self) -> float:
        """Seconds until a closed gate is checked again (0 if open)."""
        if not self.closed:
            return 0.0
        return max(0.0, self._next_check - self._clock())

    def wake_in(self) -> float:
        """Seconds until a closed gate must be looked at again: next check or timeout."""
        if self._closed_at is None:
            return 0.0
        timeout_at = self._closed_at + self.options.timeout
        return max(0.0, min(self._next_check, timeout_at) - self._clock())

    def evaluate(self) -> str | None:
        """Run every check; the reasons of those that failed, or None."""
        whys = [why for c in self.checks if (why := c.check()) is not None]
        return "; ".join(whys) if whys else None

    def allows(self) -> tuple[bool, str | None]:
        """May the runner submit now? ``(allowed, change)`` where change is "closed",
        "opened", "timeout" or None (no change since the last call)."""
        now = self._clock()
        if self.timed_out:
            return False, None
        if self.closed and now < self._next_check:
            return self._maybe_timeout(now)
        why = self.evaluate()
        now = self._clock()
        if why is None:
            if not self.closed:
                return True, None
            self._finish(now, "opened")
            return True, "opened"
        self._next_check = now + self.options.interval
        if not self.closed:
            self._closed_at = now
            self.periods.append(GatePeriod(start=now_iso(), why=why))
            return False, "closed"
        return self._maybe_timeout(now)

    def _maybe_timeout(self, now: float) -> tuple[bool, str | None]:
        assert self._closed_at is not None
        if now - self._closed_at >= self.options.timeout:
            self.timed_out = True
            self._finish(now, "timeout")
            return False, "timeout"
        return False, None

    def _finish(self, now: float, outcome: str) -> None:
        period = self.periods[-1]
        period.end, period.outcome = now_iso(), outcome
        period.seconds = now - (self._closed_at or now)
        self._closed_at = None

    def stop(self) -> None:
        """The run ends while the gate is closed (Ctrl-C, --timeout): close the period."""
        if self.closed:
            self._finish(self._clock(), "stopped")
