"""Look up one vCenter task by its managed object id, follow it, or cancel it.

    info = read_task(client, "task-123")       # TaskInfo; NotFoundError (exit 2) if none
    info = cancel_task(client, "task-123")     # CancelTask when vCenter says it may
    final = follow_task(client, "task-123", on_update=bar.update)   # TaskWaiter to the end

Any task works (a vMotion someone else started, a maintenance task); the
entity is named by moid and, when it can be read, by name. vCenter forgets
finished tasks after a while: then the id is "not found", like a typo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyVmomi import vim, vmodl

from vmcctl.errors import InvalidStateError, NotFoundError
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.tasks import TaskState, TaskWaiter, UpdateCallback, fault_type_and_message


@dataclass(frozen=True)
class TaskInfo:
    """What vCenter says about one task (``info`` of a ``vim.Task``)."""

    task: str  # moid, e.g. task-123
    name: str | None  # the method, e.g. RelocateVM_Task
    description_id: str | None  # e.g. VirtualMachine.relocate
    state: str  # queued, running, success, error
    progress: int | None
    entity: str | None  # moid of the object the task works on
    entity_type: str | None
    entity_name: str | None
    cancelable: bool
    cancelled: bool
    fault_type: str | None
    fault_message: str | None
    queued_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None

    @property
    def done(self) -> bool:
        return self.state in ("success", "error")

    @property
    def describe(self) -> str:
        """``RelocateVM_Task of ML-cpu-vm-04 (vm-76)``."""
        what = self.name or self.description_id or "task"
        if self.entity is None:
            return what
        return f"{what} of {self.entity_name or '?'} ({self.entity})"

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "name": self.name, "description_id": self.description_id,
                "state": self.state, "progress": self.progress, "entity": self.entity,
                "entity_type": self.entity_type, "entity_name": self.entity_name,
                "cancelable": self.cancelable, "cancelled": self.cancelled,
                "fault": self.fault_type, "message": self.fault_message,
                "queued_at": self.queued_at, "started_at": self.started_at,
                "completed_at": self.completed_at}


def _task_ref(client: Client, moid: str) -> Any:
    return vim.Task(moid, client.si._stub)


def task_info_from(info: Any, entity_name: str | None = None) -> TaskInfo:
    """A ``TaskInfo`` from pyVmomi's ``vim.TaskInfo``."""
    entity = getattr(info, "entity", None)
    fault_type = fault_message = None
    if getattr(info, "error", None) is not None:
        fault_type, fault_message = fault_type_and_message(info.error)
    state = str(info.state)
    progress = getattr(info, "progress", None)
    return TaskInfo(
        task=str(info.task._moId) if getattr(info, "task", None) is not None else str(info.key),
        name=_method_name(getattr(info, "name", None)),
        description_id=getattr(info, "descriptionId", None),
        state=state, progress=100 if state == "success" else progress,
        entity=str(entity._moId) if entity is not None else None,
        entity_type=type(entity).__name__.rsplit(".", 1)[-1] if entity is not None else None,
        entity_name=entity_name or getattr(info, "entityName", None),
        cancelable=bool(getattr(info, "cancelable", False)),
        cancelled=bool(getattr(info, "cancelled", False)),
        fault_type=fault_type, fault_message=fault_message,
        queued_at=getattr(info, "queueTime", None), started_at=getattr(info, "startTime", None),
        completed_at=getattr(info, "completeTime", None))


def _method_name(value: Any) -> str | None:
    """``RelocateVM_Task``: pyVmomi gives ``info.name`` as a method object (its ``info``
    holds the wire name), as an unknown method (its ``name`` is what vCenter sent,
    e.g. ``VirtualMachine.relocate``) or as a string."""
    if value is None or isinstance(value, str):
        return value
    info = getattr(value, "info", None)
    name = getattr(info, "wsdlName", None) or getattr(value, "name", None)
    return str(name) if name else None


def read_task(client: Client, moid: str) -> TaskInfo:
    """The task's state now (one collector call); ``NotFoundError`` if vCenter has no such
    task (a wrong id, or a finished task vCenter has forgotten)."""
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(objectSet=[pc.ObjectSpec(obj=_task_ref(client, moid), skip=False)],
                         propSet=[pc.PropertySpec(type=vim.Task, pathSet=["info"])])

    def read(content: Any) -> Any:
        result = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        return next((p.val for o in (result.objects if result else [])
                     for p in o.propSet or () if p.name == "info"), None)

    try:
        info = client.read(read)
    except vmodl.fault.ManagedObjectNotFound:
        info = None
    if info is None:
        raise NotFoundError("task", moid)
    return task_info_from(info, _entity_name(client, info))


def _entity_name(client: Client, info: Any) -> str | None:
    """The entity's current name (vCenter's ``entityName`` is the name when the task began)."""
    entity = getattr(info, "entity", None)
    if entity is None:
        return None
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(objectSet=[pc.ObjectSpec(obj=entity, skip=False)],
                         propSet=[pc.PropertySpec(type=type(entity), pathSet=["name"])])

    def read(content: Any) -> str | None:
        result = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        return next((str(p.val) for o in (result.objects if result else [])
                     for p in o.propSet or () if p.name == "name"), None)

    try:
        return client.read(read)
    except vmodl.MethodFault:  # deleted since, or not readable: keep the name of the time
        return getattr(info, "entityName", None)


def cancel_task(client: Client, moid: str) -> TaskInfo:
    """Ask vCenter to cancel the task; refused (``InvalidStateError``) when it has ended or
    vCenter says it cannot be cancelled. Returns the task as read right after."""
    info = read_task(client, moid)
    if info.done:
        raise InvalidStateError(f"task {moid} ({info.describe}) already ended: {info.state}",
                                fault_type="InvalidState")
    if not info.cancelable:
        raise InvalidStateError(f"vCenter says task {moid} ({info.describe}) cannot be "
                                "cancelled", fault_type="InvalidState")
    try:
        client.call(_task_ref(client, moid).CancelTask)
    except vim.fault.InvalidState:  # it ended between the read and the call
        pass
    except vmodl.fault.ManagedObjectNotFound:
        raise NotFoundError("task", moid) from None
    return read_task(client, moid)


def follow_task(client: Client, moid: str, *, timeout: float | None = None,
                on_update: UpdateCallback | None = None) -> TaskState:
    """Wait for the task to end (``TaskWaiter``: no polling), its progress to ``on_update``.

    Returns the final state, errors included (never raised): the caller reads
    the task again for the whole story. ``TaskTimeoutError`` after ``timeout``.
    """
    read_task(client, moid)  # NotFoundError before any filter is made
    with TaskWaiter(client, on_update=on_update) as waiter:
        waiter.add(_task_ref(client, moid))
        return waiter.wait([moid], timeout=timeout, raise_on_error=False)[moid]
