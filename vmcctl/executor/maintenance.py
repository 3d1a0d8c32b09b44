"""Enter and exit maintenance mode on one host.

``enter_maintenance`` leaves powered-off VMs where they are (they need no
vMotion) and fails with ``Timedout`` after ``timeout`` seconds if powered-on
VMs remain (vCenter's own behaviour without fully automated DRS); the error
then names those VMs, read again at that moment.
``exit_maintenance`` retries faults known to be transient (a host that just
reconnected can refuse once), with tenacity's jittered back-off.
"""

from __future__ import annotations

from typing import Any

from pyVmomi import vim, vmodl
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from vmcctl.errors import TaskFailedError
from vmcctl.executor.retry import is_transient
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.tasks import UpdateCallback, fault_type_and_message, wait_for_task

# The task's own timeout plus this much before we stop waiting for its answer.
WAIT_MARGIN_S = 30.0


def _host(client: Client, moid: str) -> Any:
    return vim.HostSystem(moid, client.si._stub)


def _call(client: Client, fn: Any) -> Any:
    try:
        return client.call(fn)
    except vmodl.MethodFault as fault:
        fault_type, message = fault_type_and_message(fault)
        raise TaskFailedError(fault_type, message) from None


def enter_maintenance(client: Client, host_moid: str, *, timeout: float | None = None,
                      on_update: UpdateCallback | None = None, host_name: str = "HOST") -> None:
    """Put the host into maintenance mode; ``TaskFailedError`` (e.g. Timedout) otherwise."""
    host = _host(client, host_moid)
    seconds = int(timeout) if timeout else 0
    task = _call(client, lambda: host.EnterMaintenanceMode_Task(seconds, False))
    try:
        wait_for_task(client, task, on_update=on_update,
                      timeout=(seconds + WAIT_MARGIN_S) if seconds else None)
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


def powered_on_vms(client: Client, host_moid: str) -> list[str]:
    """Names of the powered-on VMs on the host now (two collector reads), sorted."""
    pc = vmodl.query.PropertyCollector

    def read(content: Any) -> list[str]:
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
                                     pathSet=["name", "runtime.powerState"])])
        result = collector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        names = []
        for obj in result.objects if result is not None else ():
            props = {p.name: p.val for p in obj.propSet or ()}
            if props.get("runtime.powerState") == "poweredOn":
                names.append(str(props.get("name")))
        return sorted(names)

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
        reraise=True)
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
