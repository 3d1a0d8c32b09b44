"""Follow vCenter tasks through one private PropertyCollector, without polling.

    with TaskWaiter(client, on_update=print) as waiter:
        waiter.add(task_a)
        waiter.add(task_b)
        states = waiter.wait(timeout=600)          # TaskFailedError / TaskTimeoutError

A ``TaskWaiter`` owns a private collector (``CreatePropertyCollector``), one
filter per task on ``info.state``/``info.progress``/``info.error``, and loops
``WaitForUpdatesEx(version, maxWaitSeconds)``. Tasks can be added (also from a
callback, or from another thread: the running wait is cancelled and resumes
with the new task) and removed while waiting. A finished task's filter is
destroyed at once; the collector is destroyed on close.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any

from pyVmomi import vim, vmodl

from vmcctl import interrupts
from vmcctl.errors import TaskFailedError, TaskTimeoutError
from vmcctl.log import get_logger
from vmcctl.vsphere.connection import CONNECTION_ERRORS, Client, connection_error

log = get_logger(__name__)

TASK_PATHS = ("info.state", "info.progress", "info.error")
DONE_STATES = frozenset({"success", "error"})

TaskRef = Any  # a pyVmomi vim.Task
UpdateCallback = Callable[["TaskState"], None]


@dataclass(frozen=True)
class TaskState:
    """What is known about one task; ``state`` is queued, running, success or error."""

    task: str  # managed object id, e.g. "task-123"
    state: str = "queued"
    progress: int | None = None
    fault_type: str | None = None
    fault_message: str | None = None

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES

    @property
    def failed(self) -> bool:
        return self.state == "error"

    def error(self) -> TaskFailedError:
        return TaskFailedError(self.fault_type or "TaskFailed",
                               self.fault_message or "the task failed", task=self.task)


def fault_type_and_message(fault: Any) -> tuple[str, str]:
    """``("MigrationFault", "vCenter's message")`` for a pyVmomi fault (LocalizedMethodFault)."""
    inner = getattr(fault, "fault", None)
    if inner is not None and isinstance(fault, vmodl.LocalizedMethodFault):
        message = getattr(fault, "localizedMessage", None) or getattr(inner, "msg", None)
        fault = inner
    else:
        message = getattr(fault, "msg", None)
    name = type(fault).__name__.rsplit(".", 1)[-1]
    if not message:
        messages = [m.message for m in getattr(fault, "faultMessage", None) or () if m.message]
        message = "; ".join(messages) or name
    return name, str(message)


@dataclass
class _Filter:
    """One property filter, shared by the tasks added together; destroyed with the last."""

    ref: Any
    users: int


@dataclass
class _Watch:
    task: TaskRef
    state: TaskState
    filter: _Filter | None = None
    callback: UpdateCallback | None = None


class TaskWaiter:
    """Waits for many tasks at once; see the module docstring."""

    def __init__(self, client: Client, *, on_update: UpdateCallback | None = None,
                 max_wait_seconds: int = 10, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._on_update = on_update
        # WaitForUpdatesEx must return before the socket read timeout fires.
        self._max_wait = max(1, min(max_wait_seconds, int(client.settings.read_timeout) - 5))
        self._clock = clock
        self._collector: Any = None
        self._watches: dict[str, _Watch] = {}
        self._version = ""
        self._lock = threading.RLock()
        self._waiting_thread: int | None = None

    # --- life cycle -------------------------------------------------------------------

    def open(self) -> TaskWaiter:
        if self._collector is None:
            self._collector = self._client.read(
                lambda content: content.propertyCollector.CreatePropertyCollector())
            self._version = ""
        return self

    def close(self) -> None:
        collector, self._collector = self._collector, None
        if collector is not None:
            with contextlib.suppress(Exception):  # best effort: the session may be gone
                collector.DestroyPropertyCollector()

    def __enter__(self) -> TaskWaiter:
        return self.open()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None and not issubclass(exc_type, Exception):
            # Ctrl-C: out at once, no call to a vCenter that may be slow to answer; the
            # collector belongs to the session and goes with it at logout
            self._collector = None
            return
        self.close()

    # --- tasks ------------------------------------------------------------------------

    def add(self, task: TaskRef, on_update: UpdateCallback | None = None) -> str:
        """Start following ``task``; returns its id. Safe during a wait."""
        return self.add_many([task], on_update)[0]

    def add_many(self, tasks: Iterable[TaskRef],
                 on_update: UpdateCallback | None = None) -> list[str]:
        """Start following several tasks with one filter (one SOAP call); returns their ids."""
        self.open()
        tasks = list(tasks)
        moids = [str(t._moId) for t in tasks]
        with self._lock:
            new = [(m, t) for m, t in zip(moids, tasks, strict=True) if m not in self._watches]
            if not new:
                return moids
            flt = self._create_filter([t for _, t in new])
            for moid, task in new:
                self._watches[moid] = _Watch(task=task, state=TaskState(task=moid),
                                             filter=flt, callback=on_update)
            self._version = ""  # the next wait returns the new tasks' current state
            waiting = self._waiting_thread
        if waiting is not None and waiting != threading.get_ident():
            with contextlib.suppress(Exception):
                self._collector.CancelWaitForUpdates()
        return moids

    def remove(self, task: TaskRef | str) -> TaskState | None:
        """Stop following ``task``; returns its last known state."""
        moid = task if isinstance(task, str) else str(task._moId)
        with self._lock:
            watch = self._watches.pop(moid, None)
        if watch is None:
            return None
        self._destroy_filter(watch)
        return watch.state

    def state(self, task: TaskRef | str) -> TaskState:
        moid = task if isinstance(task, str) else str(task._moId)
        return self._watches[moid].state

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(self._watches)

    def _create_filter(self, tasks: list[TaskRef]) -> _Filter:
        pc = vmodl.query.PropertyCollector
        spec = pc.FilterSpec(objectSet=[pc.ObjectSpec(obj=t, skip=False) for t in tasks],
                             propSet=[pc.PropertySpec(type=vim.Task, pathSet=list(TASK_PATHS))])
        try:
            ref = self._client.read(lambda _c: self._collector.CreateFilter(spec, True))
        except vmodl.fault.ManagedObjectNotFound:
            self._reopen()  # the session was renewed elsewhere; our collector went with it
            ref = self._client.read(lambda _c: self._collector.CreateFilter(spec, True))
        return _Filter(ref=ref, users=len(tasks))

    def _destroy_filter(self, watch: _Watch) -> None:
        flt, watch.filter = watch.filter, None
        if flt is None:
            return
        flt.users -= 1
        if flt.users <= 0:
            with contextlib.suppress(Exception):
                flt.ref.DestroyPropertyFilter()

    # --- waiting ----------------------------------------------------------------------

    def wait(self, tasks: Iterable[TaskRef | str] | None = None, *,
             timeout: float | None = None, raise_on_error: bool = True) -> dict[str, TaskState]:
        """Block until the given (default: all followed) tasks are done.

        Returns their final states. With ``raise_on_error`` the first task seen in
        error raises ``TaskFailedError`` (fault type and vCenter's message);
        ``TaskTimeoutError`` if they are not all done within ``timeout`` seconds.
        """
        wanted = _task_ids(tasks)
        deadline = None if timeout is None else self._clock() + timeout
        self._waiting_thread = threading.get_ident()
        try:
            while True:
                interrupts.check()  # a Ctrl-C a library swallowed while reading the last answer
                pending = self._pending(wanted)
                if raise_on_error:
                    for moid in wanted if wanted is not None else list(self._watches):
                        watch = self._watches.get(moid)
                        if watch is not None and watch.state.failed:
                            raise watch.state.error()
                if not pending:
                    break
                wait_s = self._max_wait
                if deadline is not None:
                    remaining = deadline - self._clock()
                    if remaining <= 0:
                        raise TaskTimeoutError(
                            f"{len(pending)} task(s) still running after {timeout:g} s: "
                            f"{', '.join(sorted(pending))}",
                            hint="the tasks go on in vCenter; raise --timeout to wait longer")
                    wait_s = max(1, min(wait_s, math.ceil(remaining)))
                self._wait_once(wait_s)
        finally:
            self._waiting_thread = None
        ids = wanted if wanted is not None else set(self._watches)
        return {m: self._watches[m].state for m in ids if m in self._watches}

    def wait_any(self, tasks: Iterable[TaskRef | str] | None = None, *,
                 timeout: float | None = None) -> dict[str, TaskState]:
        """Block until at least one of the given (default: all followed) tasks is done.

        Returns every one of them that is done (errors included, never raised),
        or an empty dict if none ended within ``timeout`` seconds. For callers
        that refill a slot as soon as any task ends.
        """
        wanted = _task_ids(tasks)
        deadline = None if timeout is None else self._clock() + timeout
        self._waiting_thread = threading.get_ident()
        try:
            while True:
                interrupts.check()  # a Ctrl-C a library swallowed while reading the last answer
                ids = wanted if wanted is not None else set(self._watches)
                done = {m: self._watches[m].state for m in ids
                        if m in self._watches and self._watches[m].state.done}
                if done or not ids:
                    return done
                wait_s = self._max_wait
                if deadline is not None:
                    remaining = deadline - self._clock()
                    if remaining <= 0:
                        return {}
                    wait_s = max(1, min(wait_s, math.ceil(remaining)))
                self._wait_once(wait_s)
        finally:
            self._waiting_thread = None

    def _pending(self, wanted: set[str] | None) -> list[str]:
        ids = wanted if wanted is not None else set(self._watches)
        missing = [m for m in ids if m not in self._watches]
        if missing:
            raise ValueError(f"not following task(s) {', '.join(sorted(missing))}")
        return [m for m in ids if not self._watches[m].state.done]

    def _wait_once(self, wait_s: int) -> None:
        options = vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=wait_s)
        try:
            update = self._collector.WaitForUpdatesEx(self._version, options)
        except vmodl.fault.RequestCanceled:
            return  # add() from another thread: loop again with the new filter
        except vim.fault.NotAuthenticated:
            self._rebuild()
            return
        except vmodl.fault.ManagedObjectNotFound:
            self._reopen()  # the session was renewed by another call: new collector
            return
        except CONNECTION_ERRORS as exc:
            raise connection_error(exc, self._client.settings) from exc
        if update is None:
            return
        self._version = update.version
        for filter_update in update.filterSet or ():
            for obj in filter_update.objectSet or ():
                self._apply(str(obj.obj._moId), obj.changeSet or ())

    def _apply(self, moid: str, changes: Iterable[Any]) -> None:
        watch = self._watches.get(moid)
        if watch is None:
            return  # removed meanwhile
        state = watch.state
        for change in changes:
            value = None if change.op == "remove" else change.val
            if change.name == "info.state":
                state = replace(state, state=str(value))
            elif change.name == "info.progress":
                state = replace(state, progress=int(value) if value is not None else None)
            elif change.name == "info.error" and value is not None:
                fault_type, message = fault_type_and_message(value)
                state = replace(state, fault_type=fault_type, fault_message=message)
        if state == watch.state:
            return
        if state.state == "success":
            state = replace(state, progress=100)
        watch.state = state
        log.debug("task update", task=moid, state=state.state, progress=state.progress)
        if state.done:
            log.info("task ended", task=moid, state=state.state, fault=state.fault_type)
            self._destroy_filter(watch)
        for callback in (watch.callback, self._on_update):
            if callback is not None:
                callback(state)

    def _rebuild(self) -> None:
        """The session expired: log in again, recreate the collector and open filters."""
        self._client.renew()
        self._reopen()

    def _reopen(self) -> None:
        """A new collector (the old one is gone with its session) and open filters."""
        self._collector = None
        self.open()
        for watch in self._watches.values():
            watch.filter = None if watch.state.done else self._create_filter([watch.task])


def _task_ids(tasks: Iterable[TaskRef | str] | None) -> set[str] | None:
    """Task managed-object ids from tasks or ids; ``None`` stands for every followed task."""
    if tasks is None:
        return None
    return {t if isinstance(t, str) else str(t._moId) for t in tasks}


def wait_for_task(client: Client, task: TaskRef, *, timeout: float | None = None,
                  on_update: UpdateCallback | None = None) -> TaskState:
    """Follow one task to its end; ``TaskFailedError`` if it ends in error."""
    with TaskWaiter(client, on_update=on_update) as waiter:
        moid = waiter.add(task)
        return waiter.wait([moid], timeout=timeout)[moid]
