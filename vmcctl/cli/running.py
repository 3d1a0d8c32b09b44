"""What every multi-VM command does around a run: its options, Ctrl-C and progress.

``host`` and ``cluster`` commands share these, so a run is stopped and shown
the same way whichever command started it.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vmcctl import interrupts
from vmcctl.cli.host_progress import EvacuationProgress
from vmcctl.cli.runflags import current_gate, with_events
from vmcctl.executor.control import RunControl
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.runner import RunOptions
from vmcctl.executor.schedule import Limits


def run_options(max_parallel: int, max_per_host: int, timeout: float | None,
                cancel_in_flight: bool) -> RunOptions:
    """The executor's options from the limit flags (and the command's continuity gate)."""
    return RunOptions(limits=Limits(max_parallel, max_per_host), timeout=timeout,
                      cancel_in_flight=cancel_in_flight, gate=current_gate())


@contextmanager
def _ctrl_c(control: RunControl) -> Iterator[None]:
    """First Ctrl-C: stop submitting moves, or interrupt a maintenance wait (the task is
    cancelled); the next one raises KeyboardInterrupt."""
    previous = signal.getsignal(signal.SIGINT)
    interrupts.forget()  # a press before the run was dealt with already

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, interrupts.handler)  # the next press interrupts
        if not control.request_stop():
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        interrupts.forget()  # the run dealt with its presses


@contextmanager
def running(title: str) -> Iterator[tuple[RunControl, ExecutorEvents]]:
    """A run's control (Ctrl-C goes to it) and its progress display (plus --events)."""
    control = RunControl()
    with _ctrl_c(control), EvacuationProgress(title) as progress:
        yield control, with_events(progress)
