"""The state behind ``fakevc``: hosts, VMs, tasks, scripted outcomes, faults and an audit.

A test builds the world, scripts what the next relocation of a VM does
(``Relocation``), denies properties, expires the session or breaks the
connection around one method, then reads ``calls`` to see what was sent.
Time is counted in ticks: ``advance()`` (one per ``WaitForUpdatesEx``) runs
the tasks and the hooks registered with ``at``/``every_tick``.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pyVmomi import vim, vmodl

BOOT = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


@dataclass
class FakeHost:
    moid: str
    name: str
    connection_state: str = "connected"
    in_maintenance: bool = False


@dataclass
class FakeVm:
    moid: str
    name: str
    host: str | None
    power_state: str = "poweredOn"
    boot_time: datetime | None = BOOT
    recent: list[str] = field(default_factory=list)  # task moids, oldest first


@dataclass
class Relocation:
    """What one ``RelocateVM_Task`` of a VM does (the default: lands on the target, 1 tick)."""

    refuse: BaseException | None = None  # raised by the call itself: no task exists
    refuse_after: BaseException | None = None  # the task exists, then this is raised
    fault: str | None = None  # the task ends in error with this fault type
    message: str = "the operation failed"
    ticks: int = 1  # the task ends this many ticks after it was queued
    hang: bool = False  # never ends unless cancelled
    lands: str | None = None  # host moid the VM is on at the end (default: target or source)
    power_state: str | None = None  # power state at the end
    reboot: bool = False  # the boot time changes
    delete: bool = False  # the VM no longer exists at the end
    then: Callable[[], None] | None = None  # runs as the call arrives (another actor, a fault)


@dataclass
class FakeTask:
    moid: str
    kind: str  # descriptionId, e.g. "VirtualMachine.relocate"
    entity: str
    queued_at: int
    ends_at: int | None  # tick; None: not by itself
    queue_time: datetime
    finish: Callable[[FakeTask], None] | None = None
    state: str = "queued"
    progress: int | None = None
    error: Any = None
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.state in ("success", "error")


@dataclass(frozen=True)
class Call:
    method: str
    moid: str
    args: tuple[Any, ...]


Missing = Literal["absent", "reported", "raise"]
# A caller still going after this many calls waits for something that never comes: a
# test over the fake fails at once instead of running into its timeout.
MAX_CALLS = 5_000


class RunawayError(RuntimeError):
    """The code under test kept calling the fake vCenter (a wait that never ends)."""


class World:
    def __init__(self) -> None:
        self.hosts: dict[str, FakeHost] = {}
        self.vms: dict[str, FakeVm] = {}
        self.tasks: dict[str, FakeTask] = {}
        self.tick = 0
        self.audit: list[Call] = []
        self.max_calls = MAX_CALLS
        self.denied: dict[tuple[str, str], tuple[str, str | None]] = {}  # -> fault, privilege
        # how a deleted object looks in a collector read: left out (like our simulator),
        # reported in missingSet (vCenter with reportMissingObjectsInResults), or a fault
        self.missing: Missing = "reported"
        self.page_size: int | None = None
        self.authenticated = True
        self.logins = 0
        self.ignore_cancel = False  # CancelTask is accepted but the task goes on
        self._scripts: dict[str, deque[Relocation]] = defaultdict(deque)
        self._host_faults: dict[str, deque[str]] = defaultdict(deque)
        self._once: dict[str, deque[tuple[Callable[[], None], bool]]] = defaultdict(deque)
        self._hooks: list[tuple[int, Callable[[], None]]] = []
        self._ids = 0

    # --- building the world -----------------------------------------------------------

    def add_host(self, name: str, **kw: Any) -> str:
        moid = f"host-{len(self.hosts) + 1}"
        self.hosts[moid] = FakeHost(moid, name, **kw)
        return moid

    def add_vm(self, name: str, host: str | None, **kw: Any) -> str:
        moid = f"vm-{len(self.vms) + 1}"
        self.vms[moid] = FakeVm(moid, name, host, **kw)
        return moid

    def script(self, vm: str, *relocations: Relocation) -> None:
        """What the VM's next relocations do, in order (then the default)."""
        self._scripts[vm].extend(relocations)

    def host_task_fault(self, host: str, *faults: str) -> None:
        """The host's next maintenance tasks end in these faults ("" = success)."""
        self._host_faults[host].extend(faults)

    def deny(self, moid: str, path: str, fault: str = "NoPermission",
             privilege: str | None = None) -> None:
        """The role may not read ``path`` of ``moid``: it comes back in ``missingSet``."""
        self.denied[(moid, path)] = (fault, privilege)

    def once(self, method: str, hook: Callable[[], None], *, after: bool = False) -> None:
        """Run ``hook`` at the next ``method`` call: before vCenter acts, or ``after`` it did
        (a hook that raises makes the call fail; one that changes the world is another actor)."""
        self._once[method].append((hook, after))

    def break_call(self, method: str, exc: BaseException, *, after: bool = False) -> None:
        """The next ``method`` raises ``exc``: before vCenter acts, or ``after`` it did."""

        def fail() -> None:
            raise exc

        self.once(method, fail, after=after)

    def expire(self) -> None:
        """The session expires: every call but Login fails with NotAuthenticated."""
        self.authenticated = False

    def at(self, tick: int, hook: Callable[[], None]) -> None:
        """Run ``hook`` when the clock reaches ``tick`` (another actor's move)."""
        self._hooks.append((tick, hook))

    # --- the audit --------------------------------------------------------------------

    def record(self, method: str, moid: str, args: list[Any]) -> None:
        if len(self.audit) >= self.max_calls:
            raise RunawayError(f"{self.max_calls} calls to the fake vCenter; the last: {method}")
        self.audit.append(Call(method, moid, tuple(args)))

    def calls(self, method: str) -> list[Call]:
        return [c for c in self.audit if c.method == method]

    def before_call(self, method: str) -> None:
        if not self.authenticated and method != "Login":
            raise vim.fault.NotAuthenticated(msg="The session is not authenticated.")
        queue = self._once.get(method)
        if queue and not queue[0][1]:
            queue.popleft()[0]()

    def after_call(self, method: str) -> None:
        queue = self._once.get(method)
        if queue and queue[0][1]:
            queue.popleft()[0]()

    def login(self) -> bool:
        """True when this login renews an expired session."""
        self.logins += 1
        renewed = not self.authenticated
        self.authenticated = True
        return renewed

    # --- faults -----------------------------------------------------------------------

    @staticmethod
    def fault(name: str, message: str) -> Any:
        kind = getattr(vim.fault, name, None) or getattr(vmodl.fault, name, None)
        if kind is None:
            kind = vim.fault.MigrationFault
        return kind(msg=message)

    # --- tasks ------------------------------------------------------------------------

    def _task(self, kind: str, entity: str, ends_at: int | None,
              finish: Callable[[FakeTask], None] | None, **args: Any) -> FakeTask:
        self._ids += 1
        task = FakeTask(moid=f"task-{self._ids}", kind=kind, entity=entity,
                        queued_at=self.tick, ends_at=ends_at,
                        queue_time=BOOT + timedelta(seconds=self._ids), finish=finish, args=args)
        self.tasks[task.moid] = task
        return task

    def end(self, task: FakeTask, fault: str | None = None, message: str = "") -> None:
        task.state = "error" if fault else "success"
        task.progress = None if fault else 100
        task.error = self.fault(fault, message or fault) if fault else None

    def advance(self) -> None:
        """One tick: hooks due now, then every task due ends (or makes progress)."""
        self.tick += 1
        for due, hook in [h for h in self._hooks if h[0] <= self.tick]:
            self._hooks.remove((due, hook))
            hook()
        for task in list(self.tasks.values()):
            if task.done:
                continue
            if task.ends_at is not None and self.tick >= task.ends_at and task.finish:
                task.finish(task)
            elif task.state == "queued":
                task.state, task.progress = "running", 0
            elif task.kind == "HostSystem.enterMaintenanceMode":
                self._maintenance_progress(task)

    def cancel(self, moid: str) -> None:
        task = self.tasks.get(moid)
        if task is None:
            raise vmodl.fault.ManagedObjectNotFound(msg="task gone")
        if task.done:
            raise vim.fault.InvalidState(msg="the task has ended")
        if not self.ignore_cancel:
            self.end(task, "RequestCanceled", "The task was canceled by a user.")

    def forget(self, task_moid: str) -> None:
        """vCenter forgets a finished task (its id is no longer valid)."""
        self.tasks.pop(task_moid, None)

    # --- relocation -------------------------------------------------------------------

    def relocate(self, vm_moid: str, target: str, pool: str | None, priority: str) -> str:
        vm = self.vms.get(vm_moid)
        if vm is None:
            raise vmodl.fault.ManagedObjectNotFound(msg=f"{vm_moid} not found")
        queue = self._scripts.get(vm_moid)
        how = queue.popleft() if queue else Relocation()
        if how.then is not None:
            how.then()
        if how.refuse is not None:
            raise how.refuse
        source = vm.host

        def finish(task: FakeTask) -> None:
            current = self.vms.get(vm_moid)
            self.end(task, how.fault, how.message)
            if current is None:
                return
            current.host = how.lands or (source if how.fault else target)
            current.power_state = how.power_state or current.power_state
            if how.reboot and current.boot_time is not None:
                current.boot_time += timedelta(minutes=5)
            if how.delete:
                del self.vms[vm_moid]

        task = self._task("VirtualMachine.relocate", vm_moid,
                          None if how.hang else self.tick + how.ticks, finish,
                          target=target, pool=pool, priority=priority)
        vm.recent.append(task.moid)
        if how.refuse_after is not None:
            raise how.refuse_after
        return task.moid

    # --- maintenance ------------------------------------------------------------------

    def _powered_on(self, host: str) -> list[FakeVm]:
        return [v for v in self.vms.values() if v.host == host and v.power_state == "poweredOn"]

    def _maintenance_progress(self, task: FakeTask) -> None:
        host = self.hosts[task.entity]
        if not self._powered_on(host.moid):
            host.in_maintenance = True
            self.end(task)
        elif task.args["timeout"] and self.tick - task.queued_at >= task.args["timeout"]:
            self.end(task, "Timedout", "Operation timed out.")

    def _scripted_host_fault(self, host: str) -> str | None:
        queue = self._host_faults.get(host)
        return (queue.popleft() or None) if queue else None

    def enter_maintenance(self, host: str, timeout: int) -> str:
        fault = self._scripted_host_fault(host)
        if fault is not None:
            return self._task("HostSystem.enterMaintenanceMode", host, self.tick + 1,
                              lambda t: self.end(t, fault), timeout=timeout).moid
        task = self._task("HostSystem.enterMaintenanceMode", host, None, None, timeout=timeout)
        return task.moid

    def exit_maintenance(self, host: str) -> str:
        fault = self._scripted_host_fault(host)

        def finish(task: FakeTask) -> None:
            self.end(task, fault)
            if fault is None:
                self.hosts[host].in_maintenance = False

        return self._task("HostSystem.exitMaintenanceMode", host, self.tick + 1, finish).moid
