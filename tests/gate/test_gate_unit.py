"""The gate's own logic with a fake clock: close, re-check every interval, open, time out."""

from __future__ import annotations

import sys

from vmcctl.executor.gate import CommandCheck, Gate, GateOptions
from vmcctl.executor.journal import GatePeriod


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class Scripted:
    """A check that answers from a list and counts its calls."""

    name = "scripted"

    def __init__(self, answers: list[str | None]) -> None:
        self.answers = answers
        self.calls = 0

    def check(self) -> str | None:
        self.calls += 1
        return self.answers.pop(0) if self.answers else None


def test_closed_gate_is_checked_again_only_after_the_interval_then_opens() -> None:
    clock, check = Clock(), Scripted([None, "down", "down", None])
    gate = Gate([check], GateOptions(interval=5, timeout=60), clock=clock)
    assert gate.allows() == (True, None)
    assert gate.allows() == (False, "closed")
    assert gate.periods[0].why == "down"
    clock.t += 2
    assert gate.allows() == (False, None)
    assert check.calls == 2  # not asked again before the interval
    assert abs(gate.wake_in() - 3) < 1e-9
    clock.t += 3
    assert gate.allows() == (False, None)
    clock.t += 5
    assert gate.allows() == (True, "opened")
    period = gate.periods[0]
    assert period.outcome == "opened" and period.end is not None and period.seconds == 10
    assert not gate.closed


def test_closed_for_the_timeout_stops_for_good() -> None:
    clock = Clock()
    gate = Gate([Scripted(["down"] * 10)], GateOptions(interval=5, timeout=3), clock=clock)
    assert gate.allows() == (False, "closed")
    clock.t += 2.5
    assert gate.wake_in() == 0.5  # the timeout comes before the next check
    clock.t += 0.5
    assert gate.allows() == (False, "timeout")
    assert gate.timed_out and gate.periods[0].outcome == "timeout"
    assert gate.allows() == (False, None)


def test_every_failing_check_is_named_and_a_period_round_trips() -> None:
    gate = Gate([Scripted(["a is down"]), Scripted([None]), Scripted(["c is slow"])])
    assert gate.allows() == (False, "closed")
    assert gate.periods[0].why == "a is down; c is slow"
    gate.stop()
    data = gate.periods[0].to_dict()
    assert data["outcome"] == "stopped" and data["to"] is not None
    again = GatePeriod.from_dict(data)
    assert again.seconds == round(gate.periods[0].seconds, 3)
    assert (again.start, again.end, again.why) == (data["from"], data["to"], data["why"])


def test_command_check_reports_exit_code_and_last_line() -> None:
    ok = CommandCheck(f"{sys.executable} -c 'pass'")
    assert ok.check() is None
    bad = CommandCheck(f"{sys.executable} -c \"import sys; print('db: 503', file=sys.stderr); "
                       "sys.exit(3)\"")
    why = bad.check()
    assert why is not None and "exited 3" in why and "db: 503" in why
    slow = CommandCheck(f"{sys.executable} -c 'import time; time.sleep(5)'", timeout=0.3)
    assert "did not answer within 0.3 s" in (slow.check() or "")
