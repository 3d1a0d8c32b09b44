"""Which faults are worth another try, and how long to wait before it (tenacity).

Only faults that say "not now" are retried: the VM or host was busy, the
vMotion network hiccuped, vCenter timed out. A fault that says "never" (a
MigrationFault, missing resources, an incompatible host) is reported at once.
The executor retries a move only after the live re-read has shown that the
VM is still on its source, so a retry can never move a VM twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenacity import RetryCallState, stop_after_attempt, wait_random_exponential

# Fault type names as ``fault_type_and_message`` reports them.
TRANSIENT_FAULTS: frozenset[str] = frozenset({
    "TaskInProgress",          # the VM is busy with another task
    "Timedout",                # vCenter or the host did not answer in time
    "VMotionInterfaceIssue",   # the vMotion network had a problem
    "MigrationNotReady",       # the VM is not ready to migrate yet
    "HostCommunication",       # vCenter lost the host for a moment
    "HostNotReachable",
    "VCenterConnectionError",  # our side: the connection broke (task looked up first)
})


def is_transient(fault_type: str | None) -> bool:
    return fault_type in TRANSIENT_FAULTS


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with random exponential back-off (full jitter).

    ``attempts`` counts every submission of a move, the first included.
    """

    attempts: int = 3
    initial: float = 1.0
    maximum: float = 30.0

    def should_retry(self, fault_type: str | None, attempts_made: int) -> bool:
        if not is_transient(fault_type):
            return False
        return not stop_after_attempt(self.attempts)(self._state(attempts_made))

    def delay(self, attempts_made: int) -> float:
        """Seconds to wait before the next attempt (random, growing with attempts)."""
        wait = wait_random_exponential(multiplier=self.initial, max=self.maximum)
        return float(wait(self._state(attempts_made)))

    @staticmethod
    def _state(attempts_made: int) -> RetryCallState:
        state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
        state.attempt_number = max(1, attempts_made)
        return state
