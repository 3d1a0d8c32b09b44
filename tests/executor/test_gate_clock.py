"""The continuity gate's clock arithmetic: when it is asked again, when it wakes, what it dates."""

from __future__ import annotations

from datetime import datetime

from vmcctl.executor.gate import Gate, GateOptions


class Clock:
    def __init__(self) -> None:
        self.t = 50.0

    def __call__(self) -> float:
        return self.t


class Down:
    name = "down"

    def __init__(self, times: int) -> None:
        self.times = times

    def check(self) -> str | None:
        self.times -= 1
        return "down" if self.times >= 0 else None


def test_an_open_gate_has_nothing_to_wait_for() -> None:
    gate = Gate([Down(0)], GateOptions(interval=5, timeout=60), clock=Clock())
    assert gate.next_check_in() == 0.0 and gate.wake_in() == 0.0
    assert gate.current is None and not gate.timed_out


def test_a_closed_gate_counts_down_to_its_next_check_and_dates_its_period() -> None:
    clock = Clock()
    gate = Gate([Down(5)], GateOptions(interval=5, timeout=60), clock=clock)
    assert gate.allows() == (False, "closed")
    period = gate.current
    assert period is not None and period.end is None
    assert datetime.fromisoformat(period.start).tzinfo is not None
    clock.t += 2
    assert gate.next_check_in() == 3.0 and gate.wake_in() == 3.0
    clock.t += 10
    assert gate.next_check_in() == 0.0 and gate.wake_in() == 0.0  # overdue: never negative
