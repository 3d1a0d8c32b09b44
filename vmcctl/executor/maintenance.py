"""Enter and exit maintenance mode on one host.

``enter_maintenance`` leaves powered-off VMs where they are (they need no
vMotion) and fails with ``Timedout`` after ``timeout`` seconds if powered-on
VMs remain (vCenter's own behaviour without fully automated DRS); the error
then names those VMs, read again at that moment. A ``KeyboardInterrupt``
while it waits cancels the vCenter task (``CancelTask``) before it goes on
up: the host is never left "entering maintenance" behind our back.
``exit_maintenance`` retries faults known to be transient (a host that just
reconnected can refuse once), with tenacity's jittered back-off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pyVmomi import vim, vmodl
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from vmcctl.errors import TaskFailedError, TaskTimeoutError, VCenterConnectionError
from vmcctl.executor.retry import is_transient
from vmcctl.executor.vsan import object_action
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.tasks import UpdateCallback, fault_type_and_message, wait_for_task

# The task's own timeout plus this much before we stop waiting for its answer.
WAIT_MARGIN_S = 30.0
# After CancelTask, how long to wait for vCenter to end the task.
CANCEL_WAIT_S = 15.0
# How exit_maintenance sleeps between attempts (tests record the delays instead).
retry_sleep: Callable[[float], None] = time.sleep


def _host(client: Client, moid: str) -> Any:
    return vim.HostSystem(moid, client.si._stub)


def _call(client: Client, fn: Any) -> Any:
    try:
        return client.call(fn)
    except vmodl.MethodFault as fault:
        fault_type, message = fault_type_and_message(fault)
        raise TaskFailedError(fault_type, message) from None


def maintenance_spec(vsan_mode: str | None) -> Any:
    """The ``maintenanceSpec`` argument: None (vCenter's default) unless a vSAN mode is given."""
    action = object_action(vsan_mode)
    if action is None:
        return None
    return vim.host.MaintenanceSpec(vsanMode=vim.vsan.host.DecommissionMode(objectAction=action))


def enter_maintenance(client: Client, host_moid: str, *, timeout: float | None = None,
                      on_update: UpdateCallback | None = None, host_name: str = "HOST",
                      on_task: Callable[[str], None] | None = None,
                      task_moid: str | None = None, vsan_mode: str | None = None,
                      evacuate_powered_off: bool = False) -> None:
    """Put the host into maintenance mode; ``TaskFailedError`` (e.g. Timedout) otherwise.

    ``on_task(task_id)`` is called once the task exists (the executor records
    it in the journal); ``task_moid`` follows a task started earlier (a resume)
    instead of starting one. Ctrl-C (``KeyboardInterrupt``) while waiting
    cancels the task, then re-raises. ``vsan_mode`` (a ``VSAN_MODES`` key or
    value) sends ``maintenanceSpec.vsanMode.objectAction``; None sends no spec
    (vCenter's default). ``evacuate_powered_off`` is the task's
    ``evacuatePoweredOffVms`` (vCenter moves powered-off VMs off in a DRS cluster).
    """
    host = _host(client, host_moid)
    seconds = int(timeout) if timeout else 0
    spec = maintenance_spec(vsan_mode)
    task = vim.Task(task_moid, client.si._stub) if task_moid else None
    if task is None:
        task = _call(client, lambda: host.EnterMaintenanceMode_Task(
            seconds, evacuate_powered_off, spec))
        if on_task is not None:
            on_task(str(task._moId))
    try:
        wait_for_task(client, task, on_update=on_update,
                      timeout=(seconds + WAIT_MARGIN_S) if seconds else None)
    except KeyboardInterrupt:
        cancel_task(client, task)
        raise
    except TaskFailedError as exc:
        if exc.fault_type != "Timedout":
            raise
        remaining = powered_on_vms(client, host_moid)
        if not remaining:
            raise
        error = TaskFailedError(
            exc.fault_type, f"{exc.fault_message} Powered-on VMs still on the host: "
            f"{', '.join(remaining)}", task=exc.task)
        error.hint = (f"move them off first: `vmcctl host maintenance enter {host_name} "
                      "--evacuate` does that")
        raise error from None


def cancel_task(client: Client, task: Any) -> str:
    """CancelTask, then wait (bounded) for the task to end; its final state, or "unknown"."""
    try:
        client.call(task.CancelTask)
    except vmodl.MethodFault:
        pass  # already ended (InvalidState): its state says how
    except VCenterConnectionError:
        return "unknown"
    try:
        state = wait_for_task(client, task, timeout=CANCEL_WAIT_S)
        return state.state
    except TaskFailedError as exc:
        return "cancelled" if exc.fault_type == "RequestCanceled" else "error"
    except (TaskTimeoutError, VCenterConnectionError, vmodl.MethodFault):
        return "unknown"


def powered_on_vms(client: Client, host_moid: str) -> list[str]:
    """Names of the powered-on VMs on the host now (two collector reads), sorted."""
    return sorted(name for _, name in powered_on_vm_refs(client, host_moid))


def powered_on_vm_refs(client: Client, host_moid: str) -> list[tuple[str, str]]:
    """``(moid, name)`` of the powered-on VMs on the host now (two collector reads).

    A VM whose power state may not be read counts as powered on: entering
    maintenance with it would be a guess.
    """
    pc = vmodl.query.PropertyCollector

    def read(content: Any) -> list[tuple[str, str]]:
        collector = content.propertyCollector
        spec = pc.FilterSpec(objectSet=[pc.ObjectSpec(obj=_host(client, host_moid), skip=False)],
                             propSet=[pc.PropertySpec(type=vim.HostSystem, pathSet=["vm"])])
        result = collector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        vms = [vm for obj in (result.objects if result is not None else ())
               for prop in obj.propSet or () for vm in prop.val or ()]
        if not vms:
            return []
        spec = pc.FilterSpec(
            objectSet=[pc.ObjectSpec(obj=vm, skip=False) for vm in vms],
            propSet=[pc.PropertySpec(type=vim.VirtualMachine,
                                     pathSet=["name", "runtime.powerState"])],
            reportMissingObjectsInResults=True)
        result = collector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        out = []
        for obj in result.objects if result is not None else ():
            props = {p.name: p.val for p in obj.propSet or ()}
            # pyVmomi hands a nested fault over wrapped in a LocalizedMethodFault
            gone = any(isinstance(getattr(m.fault, "fault", None) or m.fault,
                                  vmodl.fault.ManagedObjectNotFound)
                       for m in obj.missingSet or ())
            if gone and not props:
                continue
            if props.get("runtime.powerState", "poweredOn") == "poweredOn":
                moid = str(obj.obj._moId)
                out.append((moid, str(props.get("name", moid))))
        return out

    return client.read(read)


def exit_maintenance(client: Client, host_moid: str, *, timeout: float | None = None,
                     attempts: int = 3, on_update: UpdateCallback | None = None) -> None:
    """Take the host out of maintenance mode, retrying transient faults."""
    host = _host(client, host_moid)
    seconds = int(timeout) if timeout else 0

    def once() -> None:
        task = _call(client, lambda: host.ExitMaintenanceMode_Task(seconds))
        wait_for_task(client, task, on_update=on_update,
                      timeout=(seconds + WAIT_MARGIN_S) if seconds else None)

    retrying = Retrying(
        stop=stop_after_attempt(attempts), wait=wait_random_exponential(multiplier=1, max=20),
        retry=retry_if_exception(lambda e: isinstance(e, TaskFailedError)
                                 and is_transient(e.fault_type)),
        sleep=retry_sleep, reraise=True)
    retrying(once)


def in_maintenance(client: Client, host_moid: str) -> bool:
    """The host's ``runtime.inMaintenanceMode`` (one collector call)."""
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(objectSet=[pc.ObjectSpec(obj=_host(client, host_moid), skip=False)],
                         propSet=[pc.PropertySpec(type=vim.HostSystem,
                                                  pathSet=["runtime.inMaintenanceMode"])])

    def read(content: Any) -> bool:
        result = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        for obj in result.objects if result is not None else ():
            for prop in obj.propSet or ():
                return bool(prop.val)
        return False

    return client.read(read)
