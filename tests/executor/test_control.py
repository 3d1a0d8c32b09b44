"""Where a Ctrl-C goes (executor.control): to the runner while VMs move, else to the caller."""

from __future__ import annotations

from vmcctl.executor.control import RunControl


class Runner:
    def __init__(self) -> None:
        self.stops = 0

    def request_stop(self) -> None:
        self.stops += 1


def test_while_moving_the_runner_stops_softly() -> None:
    control, runner = RunControl(), Runner()
    assert (control.phase, control.stop_requested) == ("idle", False)
    control.moves(runner)
    assert control.phase == "moves"
    assert control.request_stop() is True
    assert runner.stops == 1 and control.stop_requested


def test_outside_the_moves_the_caller_must_interrupt() -> None:
    control, runner = RunControl(), Runner()
    assert control.request_stop() is False  # idle: nothing to stop softly
    control.moves(runner)
    assert runner.stops == 1  # asked before the runner existed: it stops at once
    control.enter_phase("maintenance")
    assert control.phase == "maintenance"
    assert control.request_stop() is False and runner.stops == 1


def test_the_runner_is_forgotten_once_the_moves_end() -> None:
    control, runner = RunControl(), Runner()
    control.moves(runner)
    control.enter_phase("moves")
    assert control.request_stop() is True and runner.stops == 1
    control.enter_phase("idle")
    control.enter_phase("moves")  # a phase without a runner again
    assert control.request_stop() is False and runner.stops == 1


def test_a_moves_phase_without_a_runner_has_nothing_to_stop() -> None:
    control = RunControl()
    control.enter_phase("moves")
    assert control.request_stop() is False
