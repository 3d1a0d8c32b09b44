"""A Ctrl-C that a library swallows (pyVmomi has bare ``except:`` blocks on the path that
reads vCenter's answers) still stops a wait: vmcctl.interrupts remembers the press and the
task waiter raises it between two answers. Real SIGINTs to this process; the fake vCenter."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
from pyVmomi import vim

from vmcctl import interrupts
from vmcctl.testing.fakevc import FakeVCenter
from vmcctl.vsphere.tasks import TaskWaiter


@pytest.fixture
def latched() -> Iterator[None]:
    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    interrupts.install()
    try:
        yield
    finally:
        interrupts.forget()
        signal.signal(signal.SIGINT, before)


def _press_and_swallow() -> None:
    """SIGINT to this process while code with a bare ``except:`` runs, as pyVmomi's do."""
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)  # the handler runs here and raises
    except:  # noqa: E722 - this is the library code that loses the Ctrl-C
        pass


def _endless_task(vc: FakeVCenter) -> str:
    host = vc.add_host("10.0.0.1")
    vc.add_vm("app-01", host)  # a powered-on VM: entering maintenance never ends
    return vc.enter_maintenance(host, 0)


def test_a_swallowed_ctrl_c_stops_the_next_wait(latched: None) -> None:
    vc = FakeVCenter()
    task = _endless_task(vc)
    _press_and_swallow()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), TaskWaiter(vc.client()) as waiter:
        waiter.add(vim.Task(task, vc.stub))
        waiter.wait([task], timeout=20)
    assert time.monotonic() - started < 5  # at once, not at the 20 s timeout


def test_a_press_is_raised_once_and_a_forgotten_one_not_at_all(latched: None) -> None:
    _press_and_swallow()
    with pytest.raises(KeyboardInterrupt):
        interrupts.check()
    interrupts.check()  # seen: not again
    _press_and_swallow()
    interrupts.forget()  # a command that caught it already
    interrupts.check()


def test_a_handler_of_the_callers_own_is_left_alone() -> None:
    before = signal.getsignal(signal.SIGINT)

    def own(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, own)
    try:
        interrupts.install()
        assert signal.getsignal(signal.SIGINT) is own
    finally:
        signal.signal(signal.SIGINT, before)
