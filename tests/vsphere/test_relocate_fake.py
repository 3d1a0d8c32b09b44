"""One compute-only move (vsphere.relocate) without a simulator.

Every precheck refusal word for word with its hint (pure: the message and hint
are all a user gets before anything reaches vCenter), then submit, follow and
verify against the in-process fake vCenter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pyVmomi import vim
from test_relocate_prechecks import inventory

from vmcctl.errors import (
    ConfigError,
    MigrationFailedError,
    PermissionDeniedError,
    PrecheckError,
    TaskTimeoutError,
    VCenterConnectionError,
    WaitInterrupted,
)
from vmcctl.model import Inventory, Unreadable
from vmcctl.testing.fakevc import FakeVCenter, Relocation
from vmcctl.testing.fakevc_world import BOOT
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.relocate import (
    MovePlan,
    MoveResult,
    check_priority,
    find_relocate_task,
    locate,
    plan_checked_move,
    relocate,
    submit,
    verify,
)

BLIND_VM = (Unreadable("runtime.powerState", "NoPermission", "System.Read"),
            Unreadable("summary.quickStats", "NoPermission"))
BLIND_HOST = (Unreadable("runtime.connectionState", "NoPermission", "System.Read"),
              Unreadable("summary.quickStats", "NoPermission"))


def _refusal(inv: Inventory, vm: str = "app-01", target: str = "10.0.0.2",
             **vm_changes: Any) -> PrecheckError:
    the_vm = replace(inv.find_vm(vm), **vm_changes)
    with pytest.raises(PrecheckError) as err:
        plan_checked_move(inv, the_vm, inv.find_host(target))
    return err.value


def test_an_unknown_priority_says_which_there_are() -> None:
    with pytest.raises(ConfigError) as err:
        check_priority("urgent")
    assert (err.value.message, err.value.hint) == ("unknown priority 'urgent'",
                                                   "use high, default or low")
    assert check_priority("low") == "low"


def test_a_vm_we_may_not_read_is_never_moved() -> None:
    err = _refusal(inventory(), unknown=BLIND_VM)
    assert err.message == ("VM app-01 (vm-1) cannot be moved safely: vCenter did not let us "
                           "read runtime.powerState: NoPermission (System.Read); "
                           "summary.quickStats: NoPermission")
    assert err.hint == "ask for System.Read on the VM"


@pytest.mark.parametrize("host_moid", [None, "host-404"])
def test_a_vm_without_a_known_host_is_refused(host_moid: str | None) -> None:
    err = _refusal(inventory(), host_moid=host_moid)
    assert err.message == "VM app-01 has no host (it is orphaned or inaccessible)"


@pytest.mark.parametrize("path, shown", [("/DC1/vm/team/app-01", "/DC1/vm/team/app-01"),
                                         (None, "vm-1")])
def test_a_move_to_another_datacenter_is_refused(path: str | None, shown: str) -> None:
    inv = inventory(**{"10.0.0.2": {"datacenter": "DC2"}})
    err = _refusal(inv, datacenter="DC1", path=path)
    assert err.message == f"host 10.0.0.2 is in datacenter DC2, VM app-01 ({shown}) in DC1"
    assert err.hint == "a compute-only move stays within its datacenter"


def test_a_target_we_may_not_read_is_never_chosen() -> None:
    err = _refusal(inventory(**{"10.0.0.2": {"unknown": BLIND_HOST}}))
    assert err.message == ("host 10.0.0.2 cannot be checked: vCenter did not let us read "
                           "runtime.connectionState: NoPermission (System.Read); "
                           "summary.quickStats: NoPermission")
    assert err.hint == "ask for System.Read on the host, or choose another host"


def test_a_disconnected_target_is_refused() -> None:
    err = _refusal(inventory(**{"10.0.0.2": {"connection_state": "disconnected"}}))
    assert (err.message, err.hint) == ("host 10.0.0.2 is disconnected",
                                       "choose a connected host")


@pytest.mark.parametrize("power, standby", [("standBy", None), ("poweredOff", "none"),
                                            ("poweredOn", "in"), ("poweredOn", "entering")])
def test_a_target_in_standby_or_powered_off_is_refused(power: str, standby: str | None) -> None:
    err = _refusal(inventory(**{"10.0.0.2": {"power_state": power, "standby_mode": standby}}))
    assert err.message == f"host 10.0.0.2 is in standby or powered off (power state {power})"
    assert err.hint == "choose a powered-on host, or take it out of standby first"


def test_a_target_leaving_standby_may_receive() -> None:
    inv = inventory(**{"10.0.0.2": {"standby_mode": "exiting"}})
    assert plan_checked_move(inv, inv.find_vm("app-01"), inv.find_host("10.0.0.2")).target \
        == "10.0.0.2"


def test_a_target_in_maintenance_is_refused() -> None:
    err = _refusal(inventory(**{"10.0.0.2": {"in_maintenance": True}}))
    assert (err.message, err.hint) == ("host 10.0.0.2 is in maintenance mode",
                                       "choose another host or exit maintenance first")


def test_every_datastore_the_target_lacks_is_named() -> None:
    inv = inventory()
    err = _refusal(inv, vm="local-01", datastore_moids=("datastore-3", "datastore-4",
                                                        "datastore-1"))
    assert err.message.startswith("host 10.0.0.2 does not mount datastore local-ds-1, ")
    assert err.message.endswith(" of VM local-01")
    assert err.hint == "a compute-only move keeps the VM's storage"


def test_a_host_outside_any_cluster_is_refused() -> None:
    inv = inventory(**{"10.0.0.2": {"cluster_moid": None}})
    err = _refusal(inv)
    assert err.message == "host 10.0.0.2 is not in a cluster with a resource pool"


# --- submit, follow and verify, against the fake vCenter ---------------------------

@pytest.fixture
def world() -> Iterator[tuple[FakeVCenter, Client, MovePlan]]:
    vc = FakeVCenter()
    a, b, c = vc.add_host("10.0.0.1"), vc.add_host("10.0.0.2"), vc.add_host("10.0.0.3")
    vm = vc.add_vm("app-01", a)
    plan = MovePlan(vm="app-01", vm_moid=vm, source="10.0.0.1", source_moid=a,
                    target="10.0.0.2", target_moid=b, source_fault_domain="az-1",
                    target_fault_domain="az-2", priority="low", pool_moid="resgroup-9",
                    power_state="poweredOn", boot_time=BOOT,
                    host_names={a: "10.0.0.1", b: "10.0.0.2", c: "10.0.0.3"})
    client = vc.client()
    yield vc, client, plan
    client.close()


def _clock(step: float = 1.5) -> object:
    ticks = iter(range(1000))
    return lambda: next(ticks) * step


def test_a_move_is_submitted_once_followed_and_verified(world: tuple) -> None:
    vc, client, plan = world
    updates: list[str] = []
    result = relocate(client, plan, on_update=lambda s: updates.append(s.state),
                      clock=_clock(1.23456))  # type: ignore[arg-type]
    assert result == MoveResult(vm="app-01", source="10.0.0.1", target="10.0.0.2",
                                source_fault_domain="az-1", target_fault_domain="az-2",
                                priority="low", task="task-1", state="success", seconds=1.23456,
                                verified=True, cold=False, problems=())
    (call,) = vc.calls("RelocateVM_Task")
    spec, priority = call.args
    assert (call.moid, str(spec.host._moId), str(spec.pool._moId), priority) == (
        plan.vm_moid, plan.target_moid, "resgroup-9", "lowPriority")
    assert spec.datastore is None  # compute only: storage stays
    assert updates[-1] == "success" and vc.vms[plan.vm_moid].host == plan.target_moid
    assert result.to_dict() == {
        "vm": "app-01", "source": "10.0.0.1", "target": "10.0.0.2",
        "source_fault_domain": "az-1", "target_fault_domain": "az-2", "priority": "low",
        "task": "task-1", "state": "success", "seconds": 1.235, "verified": True,
        "cold": False}


def test_without_waiting_the_result_is_queued_and_unverified(world: tuple) -> None:
    vc, client, plan = world
    result = relocate(client, replace(plan, power_state="poweredOff"), wait=False)
    assert (result.state, result.verified, result.task, result.cold) == (
        "queued", False, "task-1", True)
    assert vc.tasks["task-1"].state == "queued"


def test_a_task_fault_names_the_host_the_vm_is_on_now(world: tuple) -> None:
    vc, client, plan = world
    vc.script(plan.vm_moid, Relocation(fault="MigrationFault", message="CPU mismatch",
                                       lands="host-3"))
    with pytest.raises(MigrationFailedError) as err:
        relocate(client, plan)
    exc = err.value
    assert (exc.fault_type, exc.fault_message, exc.vm, exc.current_host, exc.task) == (
        "MigrationFault", "CPU mismatch", "app-01", "10.0.0.3", "task-1")


def test_a_task_fault_with_the_vm_on_an_unknown_host_names_its_id(world: tuple) -> None:
    vc, client, plan = world
    other = vc.add_host("10.9.9.9")
    vc.script(plan.vm_moid, Relocation(fault="Timedout", lands=other))
    with pytest.raises(MigrationFailedError) as err:
        relocate(client, plan)
    assert err.value.current_host == other


def test_a_task_that_does_not_end_in_time_raises(world: tuple) -> None:
    vc, client, plan = world
    vc.script(plan.vm_moid, Relocation(hang=True))
    with pytest.raises(TaskTimeoutError):
        relocate(client, plan, timeout=0.05)


@pytest.mark.parametrize("how, problem", [
    (Relocation(reboot=True), "boot time changed from 2026-01-01 08:00:00+00:00 to "
                              "2026-01-01 08:05:00+00:00 (the VM restarted)"),
    (Relocation(power_state="poweredOff"), "power state changed from poweredOn to poweredOff"),
    (Relocation(lands="host-3"), "VM app-01 is on 10.0.0.3, not 10.0.0.2"),
])
def test_a_successful_task_is_verified(world: tuple, how: Relocation, problem: str) -> None:
    vc, client, plan = world
    vc.script(plan.vm_moid, how)
    result = relocate(client, plan)
    assert result.state == "success" and not result.verified
    assert result.problems == (problem,)


def test_a_plan_without_a_boot_time_does_not_compare_it(world: tuple) -> None:
    vc, client, plan = world
    vc.script(plan.vm_moid, Relocation(reboot=True))
    assert relocate(client, replace(plan, boot_time=None)).verified


def test_locate_reads_host_power_and_boot_time(world: tuple) -> None:
    vc, client, plan = world
    where = locate(client, plan)
    assert (where.host_moid, where.host, where.power_state, where.boot_time) == (
        plan.source_moid, "10.0.0.1", "poweredOn", BOOT)
    vc.vms[plan.vm_moid].host = None
    assert locate(client, plan).host_moid is None


def test_a_refusal_for_lack_of_privilege_is_a_permission_error(world: tuple) -> None:
    vc, client, plan = world
    vc.script(plan.vm_moid, Relocation(refuse=vim.fault.NoPermission(
        msg="no", privilegeId="Resource.HotMigrate")))
    with pytest.raises(PermissionDeniedError) as err:
        submit(client, plan)
    assert "Resource.HotMigrate" in str(err.value)
    assert "fake-user" in str(err.value)  # whose role lacks it


def test_another_refusal_is_a_failed_migration_on_the_source(world: tuple) -> None:
    vc, client, plan = world
    vc.script(plan.vm_moid, Relocation(refuse=vim.fault.InvalidState(msg="VM busy")))
    with pytest.raises(MigrationFailedError) as err:
        submit(client, plan)
    assert (err.value.fault_type, err.value.fault_message, err.value.current_host,
            err.value.vm) == ("InvalidState", "VM busy", "10.0.0.1", "app-01")


def test_an_expired_session_is_renewed_and_the_move_sent_once(world: tuple) -> None:
    vc, client, plan = world
    vc.expire()
    task = submit(client, plan)
    assert client.renewals == 1 and len(vc.tasks) == 1
    assert str(task._moId) == "task-1"


def test_a_session_that_expires_as_vcenter_takes_the_move_adopts_that_task(
        world: tuple) -> None:
    vc, client, plan = world
    vc.break_call("RelocateVM_Task", vim.fault.NotAuthenticated(), after=True)
    task = submit(client, plan)
    assert client.renewals == 1
    assert len(vc.tasks) == 1 and str(task._moId) == "task-1"  # looked before sending again
    assert len(vc.calls("RelocateVM_Task")) == 1


def test_a_connection_lost_before_vcenter_got_the_move_sends_it_again(world: tuple) -> None:
    vc, client, plan = world
    vc.break_call("RelocateVM_Task", ConnectionResetError("reset"))
    task = submit(client, plan)
    assert len(vc.tasks) == 1 and str(task._moId) == "task-1"
    assert len(vc.calls("RelocateVM_Task")) == 2


def test_a_connection_lost_after_vcenter_got_the_move_adopts_that_task(world: tuple) -> None:
    vc, client, plan = world
    vc.break_call("RelocateVM_Task", ConnectionResetError("reset"), after=True)
    task = submit(client, plan)
    assert len(vc.tasks) == 1 and str(task._moId) == "task-1"
    assert len(vc.calls("RelocateVM_Task")) == 1


def test_a_connection_that_stays_broken_says_to_look_before_trying_again(
        world: tuple) -> None:
    vc, client, plan = world
    vc.break_call("RelocateVM_Task", ConnectionResetError("reset"), after=True)
    vc.break_call("RetrievePropertiesEx", ConnectionResetError("reset"))
    with pytest.raises(VCenterConnectionError) as err:
        submit(client, plan)
    assert err.value.message == ("the connection broke while submitting the move of app-01 "
                                 "and vCenter cannot be reached to check whether it was "
                                 "received")
    assert err.value.hint == "check the VM's recent tasks in vCenter before trying again"


def test_find_relocate_task_takes_the_newest_running_relocation_of_that_vm(
        world: tuple) -> None:
    vc, client, plan = world
    assert find_relocate_task(client, plan) is None  # no recent task at all
    vc.script(plan.vm_moid, Relocation(hang=True), Relocation(hang=True),
              Relocation(hang=True))
    first = vc.relocate(plan.vm_moid, plan.target_moid, None, "defaultPriority")
    second = vc.relocate(plan.vm_moid, plan.target_moid, None, "defaultPriority")
    third = vc.relocate(plan.vm_moid, plan.target_moid, None, "defaultPriority")
    vc.tasks[third].kind = "VirtualMachine.powerOff"  # not a relocation
    assert str(find_relocate_task(client, plan)._moId) == second
    vc.end(vc.tasks[second])
    assert str(find_relocate_task(client, plan)._moId) == first
    vc.tasks[first].entity = "vm-other"  # another VM's task
    assert find_relocate_task(client, plan) is None
    vc.tasks[first].entity = plan.vm_moid
    vc.tasks[first].state = "running"
    assert str(find_relocate_task(client, plan)._moId) == first
    vc.end(vc.tasks[first], "Timedout")
    assert find_relocate_task(client, plan) is None


def test_locate_never_invents_a_power_state_it_could_not_read(world: tuple) -> None:
    vc, client, plan = world
    vc.deny(plan.vm_moid, "runtime.powerState")
    where = locate(client, plan)
    assert where.power_state == "" and where.host == "10.0.0.1"
    assert verify(plan, where)[0].startswith("VM app-01 is on 10.0.0.1, not 10.0.0.2")


def test_find_relocate_task_when_the_recent_tasks_vanish_between_reads(world: tuple) -> None:
    vc, client, plan = world
    vc.missing = "absent"
    vc.script(plan.vm_moid, Relocation(hang=True))
    task = vc.relocate(plan.vm_moid, plan.target_moid, None, "defaultPriority")
    vc.once("RetrievePropertiesEx", lambda: vc.forget(task), after=True)
    assert find_relocate_task(client, plan) is None


def test_locate_a_vm_that_is_gone(world: tuple) -> None:
    vc, client, plan = world
    vc.missing = "absent"
    del vc.vms[plan.vm_moid]
    where = locate(client, plan)
    assert (where.host_moid, where.host, where.power_state, where.boot_time) == (
        None, None, "", None)


def _late_clock(start: float = 1000.0, step: float = 1.5) -> object:
    ticks = iter(range(1000))
    return lambda: start + next(ticks) * step


def test_seconds_are_measured_from_the_submission(world: tuple) -> None:
    _, client, plan = world
    queued = relocate(client, plan, wait=False, clock=_late_clock())  # type: ignore[arg-type]
    assert queued.seconds == 1.5
    done = relocate(client, replace(plan, target="10.0.0.3", target_moid="host-3"),
                    clock=_late_clock())  # type: ignore[arg-type]
    assert done.seconds == 1.5 and done.verified


def test_a_timeout_names_the_move_and_the_task_that_goes_on(world: tuple) -> None:
    vc, client, plan = world
    vc.script(plan.vm_moid, Relocation(hang=True))
    with pytest.raises(TaskTimeoutError) as err:
        relocate(client, plan, timeout=0.05)
    assert str(err.value) == ("the vMotion of app-01 from 10.0.0.1 to 10.0.0.2 is still "
                              "running in vCenter as task-1 after 0.05 s")
    assert err.value.task == "task-1"


def test_ctrl_c_while_waiting_says_which_task_goes_on(world: tuple) -> None:
    vc, client, plan = world
    vc.script(plan.vm_moid, Relocation(ticks=5))

    def interrupt(state: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(WaitInterrupted) as err:
        relocate(client, plan, on_update=interrupt)  # type: ignore[arg-type]
    assert (err.value.what, err.value.task, err.value.vm) == (
        "the vMotion of app-01 from 10.0.0.1 to 10.0.0.2", "task-1", "app-01")
    assert str(err.value) == "the vMotion of app-01 from 10.0.0.1 to 10.0.0.2"
