"""An in-process fake vCenter behind pyVmomi's stub: the fast test seam of the executor.

    vc = FakeVCenter()
    a, b = vc.add_host("10.0.0.1"), vc.add_host("10.0.0.2")
    vm = vc.add_vm("app-01", a)
    vc.script(vm, Relocation(fault="Timedout"))   # its next RelocateVM_Task ends in Timedout
    client = vc.client()                          # a real vmcctl Client over this fake
    ...                                           # run MoveRunner, relocate(), maintenance
    vc.calls("RelocateVM_Task")                   # what was sent, in order

Every pyVmomi call on the client's objects ends in ``FakeStub.InvokeMethod``,
so the code under test (``executor.live``/``runner``/``maintenance``,
``vsphere.relocate``, ``vsphere.tasks``) runs unchanged, without a socket,
in milliseconds. The fake models only what those modules ask for: the
property collector (``RetrievePropertiesEx`` with paging, private
collectors, task filters, ``WaitForUpdatesEx``), ``RelocateVM_Task``,
``CancelTask``, ``Enter/ExitMaintenanceMode_Task`` and ``Login``; the world
itself lives in ``fakevc_world``. Time is counted in *ticks*: every
``WaitForUpdatesEx`` advances one. The simulator tests prove the wire
protocol; tests over this fake prove the decisions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from pyVmomi import vim, vmodl

from vmcctl.testing.fakevc_world import FakeHost, FakeTask, FakeVm, Relocation, World
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.settings import resolve_settings

__all__ = ["FakeHost", "FakeStub", "FakeTask", "FakeVCenter", "FakeVm", "Relocation"]

PC = vmodl.query.PropertyCollector
TASK_PATHS = ("info.state", "info.progress", "info.error")


class _Collector:
    def __init__(self, moid: str) -> None:
        self.moid = moid
        self.filters: dict[str, list[str]] = {}  # filter moid -> task moids
        self.seen: dict[tuple[str, str], Any] = {}  # (task, path) -> last value reported


class FakeStub:
    """pyVmomi's stub interface (``InvokeMethod``/``InvokeAccessor``) over a ``World``."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._lock = threading.RLock()
        self._collectors: dict[str, _Collector] = {}
        self._pages: dict[str, list[Any]] = {}
        self._ids = 0
        self._version = 0

    def _next(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}-{self._ids}"

    # --- pyVmomi's entry points -----------------------------------------------------

    def InvokeMethod(self, mo: Any, info: Any, args: list[Any]) -> Any:
        name = info.wsdlName
        with self._lock:
            self.world.record(name, str(mo._moId), args)
            self.world.before_call(name)
            handler: Callable[..., Any] = getattr(self, f"_m_{name}")
            result = handler(mo, *args)
            self.world.after_call(name)
            return result

    def InvokeAccessor(self, mo: Any, info: Any) -> Any:
        with self._lock:
            return self._value(str(mo._moId), info.name)

    def DropConnections(self) -> None:
        """Client.close calls this; there is no socket."""

    # --- references and values ------------------------------------------------------

    def ref(self, kind: type, moid: str) -> Any:
        return kind(moid, self)

    def _value(self, moid: str, path: str) -> Any:
        w = self.world
        if moid in w.vms:
            vm = w.vms[moid]
            values = {"name": vm.name, "runtime.powerState": vm.power_state,
                      "runtime.bootTime": vm.boot_time,
                      "runtime.host": self.ref(vim.HostSystem, vm.host) if vm.host else None,
                      "recentTask": vim.Task.Array(  # type: ignore[attr-defined]
                          [self.ref(vim.Task, t) for t in vm.recent if t in w.tasks])}
        elif moid in w.hosts:
            host = w.hosts[moid]
            values = {"name": host.name, "runtime.connectionState": host.connection_state,
                      "runtime.inMaintenanceMode": host.in_maintenance,
                      "vm": vim.VirtualMachine.Array(  # type: ignore[attr-defined]
                          [self.ref(vim.VirtualMachine, v.moid) for v in w.vms.values()
                           if v.host == moid])}
        elif moid in w.tasks:
            values = self._task_values(w.tasks[moid])
        else:
            raise vmodl.fault.ManagedObjectNotFound(msg=f"{moid} not found")
        return values.get(path)

    def _task_values(self, task: FakeTask) -> dict[str, Any]:
        entity = (self.ref(vim.VirtualMachine, task.entity) if task.entity in self.world.vms
                  or task.kind.startswith("VirtualMachine") else self.ref(vim.HostSystem,
                                                                          task.entity))
        info = vim.TaskInfo(key=task.moid, task=self.ref(vim.Task, task.moid),
                            descriptionId=task.kind, entity=entity, state=task.state,
                            progress=task.progress, error=task.error,
                            queueTime=task.queue_time, cancelable=True, cancelled=False)
        return {"info": info, "info.state": task.state, "info.progress": task.progress,
                "info.error": task.error}

    def _exists(self, moid: str) -> bool:
        w = self.world
        return moid in w.vms or moid in w.hosts or moid in w.tasks

    # --- the property collector -----------------------------------------------------

    def _content(self, obj: Any, paths: list[str]) -> Any:
        moid = str(obj._moId)
        props, missing = [], []
        for path in paths:
            denied = self.world.denied.get((moid, path))
            if denied is not None:
                fault = _fault(denied[0], f"no permission to read {path}")
                if denied[1]:
                    fault.privilegeId = denied[1]
                missing.append(PC.MissingProperty(path=path, fault=_wire(fault)))
            else:
                props.append(vmodl.DynamicProperty(name=path, val=self._value(moid, path)))
        return PC.ObjectContent(obj=obj, propSet=props, missingSet=missing)

    def _retrieve(self, specs: list[Any]) -> list[Any]:
        out = []
        for spec in specs:
            paths = {ps.type: list(ps.pathSet or ()) for ps in spec.propSet}
            for obj_spec in spec.objectSet:
                obj = obj_spec.obj
                if obj_spec.skip:
                    continue  # only a traversal's start: its own properties are not returned
                if not self._exists(str(obj._moId)):
                    if self.world.missing == "absent":
                        continue
                    if self.world.missing == "raise" or not spec.reportMissingObjectsInResults:
                        raise vmodl.fault.ManagedObjectNotFound(obj=obj, msg="not found")
                    gone = _fault("ManagedObjectNotFound", "gone")
                    out.append(PC.ObjectContent(obj=obj, propSet=[], missingSet=[
                        PC.MissingProperty(path="", fault=_wire(gone))]))
                    continue
                kind = next((k for k in paths if isinstance(obj, k)), None)
                out.append(self._content(obj, paths.get(kind, []) if kind else []))
        return out

    def _page(self, objects: list[Any]) -> Any:
        size = self.world.page_size
        if size is None or len(objects) <= size:
            return PC.RetrieveResult(objects=objects)
        token = self._next("token")
        self._pages[token] = objects[size:]
        return PC.RetrieveResult(objects=objects[:size], token=token)

    def _m_RetrievePropertiesEx(self, mo: Any, specs: list[Any], options: Any) -> Any:
        objects = self._retrieve(specs)
        return self._page(objects) if objects else None

    def _m_ContinueRetrievePropertiesEx(self, mo: Any, token: str) -> Any:
        return self._page(self._pages.pop(token))

    def _collector(self, mo: Any) -> _Collector:
        collector = self._collectors.get(str(mo._moId))
        if collector is None:
            raise vmodl.fault.ManagedObjectNotFound(obj=mo, msg="collector gone")
        return collector

    def _m_CreatePropertyCollector(self, mo: Any) -> Any:
        moid = self._next("session-pc")
        self._collectors[moid] = _Collector(moid)
        return self.ref(vmodl.query.PropertyCollector, moid)

    def _m_DestroyPropertyCollector(self, mo: Any) -> None:
        self._collectors.pop(str(mo._moId), None)

    def _m_CreateFilter(self, mo: Any, spec: Any, partial: bool) -> Any:
        collector = self._collector(mo)
        tasks = [str(o.obj._moId) for o in spec.objectSet]
        for moid in tasks:
            if moid not in self.world.tasks:
                raise vmodl.fault.ManagedObjectNotFound(msg="task gone")
        moid = self._next("filter")
        collector.filters[moid] = tasks
        return self.ref(vmodl.query.PropertyCollector.Filter, f"{collector.moid}:{moid}")

    def _m_DestroyPropertyFilter(self, mo: Any) -> None:
        collector_id, _, moid = str(mo._moId).partition(":")
        collector = self._collectors.get(collector_id)
        if collector is not None:
            collector.filters.pop(moid, None)

    def _m_CancelWaitForUpdates(self, mo: Any) -> None:
        """Nothing blocks here: every wait returns after one tick."""

    def _m_WaitForUpdatesEx(self, mo: Any, version: str, options: Any) -> Any:
        collector = self._collector(mo)
        self.world.advance()
        if version == "":
            collector.seen.clear()
        updates = []
        for filter_moid, tasks in collector.filters.items():
            objects = []
            for task_moid in tasks:
                task = self.world.tasks.get(task_moid)
                if task is None:
                    continue
                values = self._task_values(task)
                changes = [PC.Change(name=p, op="assign", val=values[p]) for p in TASK_PATHS
                           if collector.seen.get((task_moid, p), _UNSEEN) != values[p]]
                for change in changes:
                    collector.seen[(task_moid, change.name)] = change.val
                if changes:
                    objects.append(PC.ObjectUpdate(kind="modify", changeSet=changes,
                                                   obj=self.ref(vim.Task, task_moid)))
            if objects:
                updates.append(PC.FilterUpdate(filter=self.ref(
                    vmodl.query.PropertyCollector.Filter, f"{collector.moid}:{filter_moid}"),
                    objectSet=objects))
        if not updates:
            time.sleep(0.001)  # a caller that loops on "no change" does not spin hot
            return None
        self._version += 1
        return PC.UpdateSet(version=str(self._version), filterSet=updates)

    # --- the methods that act ---------------------------------------------------------

    def _m_RelocateVM_Task(self, mo: Any, spec: Any, priority: str) -> Any:
        moid = self.world.relocate(str(mo._moId), str(spec.host._moId),
                                   str(spec.pool._moId) if spec.pool else None, priority)
        return self.ref(vim.Task, moid)

    def _m_CancelTask(self, mo: Any) -> None:
        self.world.cancel(str(mo._moId))

    def _m_EnterMaintenanceMode_Task(self, mo: Any, timeout: int, evacuate: Any,
                                     spec: Any = None) -> Any:
        return self.ref(vim.Task, self.world.enter_maintenance(str(mo._moId), timeout or 0))

    def _m_ExitMaintenanceMode_Task(self, mo: Any, timeout: int) -> Any:
        return self.ref(vim.Task, self.world.exit_maintenance(str(mo._moId)))

    def _m_Login(self, mo: Any, user: str, password: str, locale: Any = None) -> Any:
        if self.world.login():
            self._collectors.clear()  # a new session: the old session's collectors are gone
        return vim.UserSession(userName=user)

    def _m_Logout(self, mo: Any) -> None:
        """The session ends with the client."""


_UNSEEN = object()


def _fault(name: str, message: str) -> Any:
    return World.fault(name, message)


def _wire(fault: Any) -> Any:
    """A fault nested in a result, as pyVmomi hands it over: wrapped in a LocalizedMethodFault."""
    return vmodl.LocalizedMethodFault(fault=fault, localizedMessage=fault.msg)


class FakeVCenter(World):
    """A ``World`` plus the stub and the clients that talk to it."""

    def __init__(self) -> None:
        super().__init__()
        self.stub = FakeStub(self)

    def client(self, *, read_timeout: float = 60.0) -> Client:
        """A real ``Client`` whose every SOAP call lands in this fake (soap_calls counts them)."""
        settings = resolve_settings(url="https://vcenter.example/sdk", username="fake-user",
                                    password="fake-password", insecure=True, env={},
                                    read_timeout=read_timeout)
        stub = self.stub
        content = vim.ServiceInstanceContent(
            propertyCollector=stub.ref(vmodl.query.PropertyCollector, "propertyCollector"),
            sessionManager=stub.ref(vim.SessionManager, "SessionManager"))
        client = Client(settings)
        # the seam: what Client.open would set after SmartConnect, without a socket
        client._si = SimpleNamespace(_stub=stub, content=content)
        client._content = content
        client._install_counter(stub)
        return client
