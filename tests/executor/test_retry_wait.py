"""Between retries with nothing in flight, the runner sleeps until the earliest retry is due.

It never sleeps longer than ``wait_slice`` at a time (so Ctrl-C and --timeout
are noticed), never sleeps for a retry already due, and ignores records that
are not waiting. Driven through a fake clock and a stop event that records
the waits instead of sleeping.
"""

from __future__ import annotations

from typing import Any

import pytest
from executor_fixtures import record

from vmcctl.executor.journal import Journal, MoveRecord
from vmcctl.executor.runner import MoveRunner, RunOptions

NOW = 1000.0


class RecordingStop:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        return False

    def is_set(self) -> bool:
        return False


def _waits(moves: list[MoveRecord], wait_slice: float = 2.0) -> list[float]:
    journal = Journal(kind="evacuate", host="h0", moves=moves)
    client: Any = object()  # never called: only the clock and the journal are read
    runner = MoveRunner(client, journal, RunOptions(wait_slice=wait_slice), clock=lambda: NOW)
    stop = RecordingStop()
    runner._stop = stop  # type: ignore[assignment]
    runner._sleep_until_retry()
    return stop.waits


def _pending(vm: str, due_in: float, state: str = "pending") -> MoveRecord:
    rec = record(vm, state=state)
    rec.not_before = NOW + due_in
    return rec


@pytest.mark.parametrize("due_in, slice_s, expected", [
    (0.5, 2.0, [0.5]),     # the retry is due before the slice ends: wake up for it
    (30.0, 2.0, [2.0]),    # far away: one slice, then look again
    (0.0, 2.0, []),        # due now: no sleep
    (-3.0, 2.0, []),       # overdue: no sleep
])
def test_sleeps_until_the_next_retry_at_most_one_slice(due_in: float, slice_s: float,
                                                       expected: list[float]) -> None:
    assert _waits([_pending("a", due_in)], slice_s) == pytest.approx(expected)


def test_the_earliest_waiting_retry_decides_and_other_states_are_ignored() -> None:
    moves = [_pending("a", 1.5), _pending("b", 0.25),
             _pending("c", 0.01, state="running"), _pending("d", -5, state="done")]
    assert _waits(moves) == pytest.approx([0.25])


def test_nothing_waiting_means_no_sleep() -> None:
    assert _waits([_pending("a", 0.5, state="failed")]) == []
