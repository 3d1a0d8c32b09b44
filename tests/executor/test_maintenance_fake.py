"""Entering and leaving maintenance mode (executor.maintenance) against the fake vCenter."""

from __future__ import annotations

from typing import Any

import pytest
from fake_bed import bed
from pyVmomi import vim

from vmcctl.errors import TaskFailedError
from vmcctl.executor import maintenance
from vmcctl.executor.maintenance import (
    cancel_task,
    enter_maintenance,
    exit_maintenance,
    in_maintenance,
    powered_on_vm_refs,
    powered_on_vms,
)


def test_an_empty_host_enters_and_the_task_is_reported_first() -> None:
    b = bed(vms=0)
    tasks: list[str] = []
    states: list[str] = []
    enter_maintenance(b.client, b.source, timeout=30, on_task=tasks.append,
                      on_update=lambda s: states.append(s.state))
    assert in_maintenance(b.client, b.source)
    assert not in_maintenance(b.client, b.targets[0])
    (call,) = b.vc.calls("EnterMaintenanceMode_Task")
    assert call.moid == b.source and call.args[:2] == (30, False)
    assert tasks == ["task-1"] and states[-1] == "success"


def test_without_a_timeout_vcenter_gets_zero_and_the_wait_has_no_bound() -> None:
    b = bed(vms=1)
    b.vc.vms[b.vms[0]].power_state = "poweredOff"  # powered-off VMs stay where they are
    enter_maintenance(b.client, b.source)
    assert b.vc.calls("EnterMaintenanceMode_Task")[0].args[0] == 0
    assert b.vc.hosts[b.source].in_maintenance


def test_a_timeout_with_powered_on_vms_left_names_them_and_the_way_out() -> None:
    b = bed(vms=3)
    b.vc.vms[b.vms[1]].power_state = "poweredOff"
    with pytest.raises(TaskFailedError) as err:
        enter_maintenance(b.client, b.source, timeout=3, host_name="esx-7")
    exc = err.value
    assert exc.fault_type == "Timedout" and exc.task == "task-1"
    assert exc.fault_message == ("Operation timed out. Powered-on VMs still on the host: "
                                 "app-00, app-02")
    assert exc.hint == ("move them off first: `vmcctl host maintenance enter esx-7 "
                        "--evacuate` does that")
    with pytest.raises(TaskFailedError) as err:
        enter_maintenance(b.client, b.source, timeout=3)  # no name given: a placeholder
    assert err.value.hint is not None and "maintenance enter HOST --evacuate" in err.value.hint
    assert not b.vc.hosts[b.source].in_maintenance


def test_a_timeout_with_no_vm_left_is_raised_as_vcenter_said() -> None:
    b = bed(vms=0)
    b.vc.host_task_fault(b.source, "Timedout")
    with pytest.raises(TaskFailedError) as err:
        enter_maintenance(b.client, b.source, timeout=3)
    assert err.value.fault_type == "Timedout" and err.value.hint is None
    assert "Powered-on" not in str(err.value.fault_message)


def test_another_task_fault_is_raised_unchanged() -> None:
    b = bed(vms=1)
    b.vc.host_task_fault(b.source, "HostCommunication")
    with pytest.raises(TaskFailedError) as err:
        enter_maintenance(b.client, b.source, timeout=3)
    assert err.value.fault_type == "HostCommunication" and err.value.hint is None


def test_a_refused_call_is_a_task_failure_with_vcenters_words() -> None:
    b = bed(vms=0)
    b.vc.break_call("EnterMaintenanceMode_Task", vim.fault.InvalidState(msg="host busy"))
    tasks: list[str] = []
    with pytest.raises(TaskFailedError) as err:
        enter_maintenance(b.client, b.source, on_task=tasks.append)
    assert (err.value.fault_type, err.value.fault_message) == ("InvalidState", "host busy")
    assert tasks == []


def test_a_recorded_task_is_followed_instead_of_starting_another() -> None:
    b = bed(vms=0)
    task = b.vc.enter_maintenance(b.source, 0)
    tasks: list[str] = []
    enter_maintenance(b.client, b.source, task_moid=task, on_task=tasks.append)
    assert not b.vc.calls("EnterMaintenanceMode_Task") and tasks == []
    assert b.vc.hosts[b.source].in_maintenance


def test_ctrl_c_while_waiting_cancels_the_task_then_goes_on_up() -> None:
    b = bed(vms=1)

    def interrupt(_state: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        enter_maintenance(b.client, b.source, on_update=interrupt)
    (cancel,) = b.vc.calls("CancelTask")
    assert cancel.moid == "task-1" and b.vc.tasks["task-1"].state == "error"


def test_cancel_task_reports_how_the_task_ended() -> None:
    b = bed(vms=1)
    running = b.vc.enter_maintenance(b.source, 0)
    assert cancel_task(b.client, vim.Task(running, b.vc.stub)) == "cancelled"
    b.vc.vms[b.vms[0]].power_state = "poweredOff"
    ended = b.vc.enter_maintenance(b.source, 0)
    b.vc.advance()
    b.vc.advance()
    assert b.vc.tasks[ended].state == "success"
    assert cancel_task(b.client, vim.Task(ended, b.vc.stub)) == "success"
    failed = b.vc.exit_maintenance(b.targets[0])
    b.vc.tasks[failed].finish = lambda t: b.vc.end(t, "HostCommunication")
    b.vc.break_call("CancelTask", vim.fault.InvalidState(msg="ending"))
    assert cancel_task(b.client, vim.Task(failed, b.vc.stub)) == "error"
    b.vc.break_call("CancelTask", ConnectionResetError("reset"))
    assert cancel_task(b.client, vim.Task(running, b.vc.stub)) == "unknown"
    b.vc.forget(running)
    assert cancel_task(b.client, vim.Task(running, b.vc.stub)) == "unknown"


def test_powered_on_vms_counts_unreadable_power_and_leaves_out_deleted_ones() -> None:
    b = bed(vms=4)
    vc = b.vc
    vc.vms[b.vms[0]].power_state = "poweredOff"
    vc.deny(b.vms[1], "runtime.powerState")
    vc.deny(b.vms[3], "name")
    assert powered_on_vm_refs(b.client, b.source) == [
        (b.vms[1], "app-01"), (b.vms[2], "app-02"), (b.vms[3], b.vms[3])]
    assert powered_on_vms(b.client, b.source) == ["app-01", "app-02", "vm-4"]
    assert powered_on_vms(b.client, b.targets[0]) == []


def test_a_vm_deleted_between_the_two_reads_is_not_counted() -> None:
    b = bed(vms=2)
    b.vc.once("RetrievePropertiesEx", lambda: b.vc.vms.pop(b.vms[0]), after=True)
    assert powered_on_vms(b.client, b.source) == ["app-01"]


def test_exit_retries_a_transient_fault_and_gives_up_on_others(
        monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(maintenance, "retry_sleep", slept.append)
    b = bed(vms=0)
    vc = b.vc
    vc.hosts[b.source].in_maintenance = True
    vc.host_task_fault(b.source, "HostCommunication", "")
    states: list[str] = []
    exit_maintenance(b.client, b.source, timeout=10, on_update=lambda s: states.append(s.state))
    assert not vc.hosts[b.source].in_maintenance and states[-1] == "success"
    calls = vc.calls("ExitMaintenanceMode_Task")
    assert len(calls) == 2 and calls[0].args == (10,)
    vc.hosts[b.source].in_maintenance = True
    vc.host_task_fault(b.source, "InvalidState")
    with pytest.raises(TaskFailedError) as err:
        exit_maintenance(b.client, b.source)
    assert err.value.fault_type == "InvalidState"
    assert len(vc.calls("ExitMaintenanceMode_Task")) == 3
    vc.host_task_fault(b.source, "HostCommunication", "HostCommunication")
    with pytest.raises(TaskFailedError):
        exit_maintenance(b.client, b.source, attempts=2)
    calls = vc.calls("ExitMaintenanceMode_Task")
    assert len(calls) == 5 and calls[-1].args == (0,)  # no timeout: vCenter gets 0
    assert len(slept) == 2 and all(0 <= s <= 20 for s in slept)  # jittered, bounded back-off


def test_in_maintenance_of_a_host_that_is_gone_is_false() -> None:
    b = bed(vms=0)
    b.vc.hosts[b.targets[0]].in_maintenance = True
    assert in_maintenance(b.client, b.targets[0])
    b.vc.missing = "absent"
    del b.vc.hosts[b.targets[0]]
    assert not in_maintenance(b.client, b.targets[0])


def test_a_task_that_ignores_cancel_is_waited_for_only_a_bounded_time(
        monkeypatch: pytest.MonkeyPatch) -> None:


    monkeypatch.setattr(maintenance, "CANCEL_WAIT_S", 0.05)
    b = bed(vms=1)
    b.vc.ignore_cancel = True
    task = b.vc.enter_maintenance(b.source, 0)
    assert cancel_task(b.client, vim.Task(task, b.vc.stub)) == "unknown"
    assert b.vc.tasks[task].state == "running"


def test_powered_on_vms_of_a_host_or_vms_that_are_gone() -> None:
    b = bed(vms=2)
    vc = b.vc
    vc.missing = "absent"
    vc.once("RetrievePropertiesEx", lambda: [vc.vms.pop(v) for v in b.vms], after=True)
    assert powered_on_vms(b.client, b.source) == []  # both deleted between the two reads
    del vc.hosts[b.source]
    assert powered_on_vms(b.client, b.source) == []


def test_a_vm_of_which_nothing_may_be_read_counts_as_powered_on() -> None:
    b = bed(vms=1)
    b.vc.deny(b.vms[0], "name")
    b.vc.deny(b.vms[0], "runtime.powerState")
    assert powered_on_vm_refs(b.client, b.source) == [(b.vms[0], b.vms[0])]
