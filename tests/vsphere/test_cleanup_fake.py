"""Leaving vCenter is bounded: a Ctrl-C or a finished command never waits on a vCenter
that does not answer the clean-up calls (over the in-process fake vCenter)."""

from __future__ import annotations

import threading
import time

import pytest
from pyVmomi import vim

from vmcctl.errors import TaskTimeoutError
from vmcctl.testing.fakevc import FakeVCenter
from vmcctl.vsphere import connection
from vmcctl.vsphere.tasks import TaskWaiter


def _running_task(vc: FakeVCenter) -> str:
    """A maintenance task that does not end: a powered-on VM stays on the host."""
    host = vc.add_host("10.0.0.1")
    vc.add_vm("app-01", host)
    return vc.enter_maintenance(host, 0)


def test_a_logout_vcenter_does_not_answer_is_given_up_after_its_wait(
        monkeypatch: pytest.MonkeyPatch) -> None:
    vc = FakeVCenter()
    client = vc.client()
    release = threading.Event()
    vc.once("Logout", lambda: release.wait(10))  # vCenter holds the call
    monkeypatch.setattr(connection, "LOGOUT_WAIT_S", 0.2)
    started = time.monotonic()
    client.close()
    assert time.monotonic() - started < 2
    release.set()
    client.close()  # safe twice


def test_a_logout_that_is_answered_is_waited_for() -> None:
    vc = FakeVCenter()
    client = vc.client()
    client.close()
    assert len(vc.calls("Logout")) == 1


def test_ctrl_c_while_waiting_leaves_the_collector_to_the_session() -> None:
    vc = FakeVCenter()
    task = _running_task(vc)
    client = vc.client()

    def interrupt(state: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), TaskWaiter(client, on_update=interrupt) as waiter:
        waiter.add(vim.Task(task, vc.stub))
        waiter.wait([task])
    assert vc.calls("DestroyPropertyCollector") == []  # no call after the Ctrl-C

    with pytest.raises(TaskTimeoutError), TaskWaiter(client) as waiter:
        waiter.add(vim.Task(task, vc.stub))  # any other end cleans up after itself
        waiter.wait([task], timeout=0.01)
    assert len(vc.calls("DestroyPropertyCollector")) == 1
