"""Compute-only vMotion of one VM: prechecks, submit, wait, verify.

    inv = take_snapshot(client)
    plan = plan_move(inv, "ML-cpu-vm-04", "10.94.24.85", "high")   # selectors; prechecks, no SOAP
    plan.spec()                                                     # what --dry-run shows
    result = relocate(client, plan, on_update=bar.update)           # MoveResult

``plan_move`` refuses a move with one-line ``NotFoundError``/``PrecheckError``
before anything reaches vCenter. ``relocate`` submits ``RelocateVM_Task`` with
only ``spec.host`` and ``spec.pool`` set (storage stays), once: after a broken
connection or an expired session it looks for the relocate task in the VM's
``recentTask`` before anything is re-submitted. After the task it re-reads
``runtime.host``/``powerState``/``bootTime`` in one collector call. A task fault
raises ``MigrationFailedError`` naming the host the VM is on now.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pyVmomi import vim, vmodl

from vmcctl.errors import (
    ConfigError,
    MigrationFailedError,
    PrecheckError,
    TaskFailedError,
    TaskTimeoutError,
    VCenterConnectionError,
    WaitInterrupted,
)
from vmcctl.log import get_logger
from vmcctl.model import Host, Inventory, PoolKind, PowerState, Vm
from vmcctl.placement.movable import check_movable
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.faults import map_fault
from vmcctl.vsphere.pools import choose_pool
from vmcctl.vsphere.tasks import TaskState, TaskWaiter, UpdateCallback, fault_type_and_message

log = get_logger(__name__)

Priority = Literal["high", "default", "low"]
PRIORITIES: Mapping[str, str] = {
    "high": "highPriority", "default": "defaultPriority", "low": "lowPriority"}


@dataclass(frozen=True)
class MovePlan:
    """One checked move, ready to submit (and what ``--dry-run`` prints)."""

    vm: str
    vm_moid: str
    source: str
    source_moid: str
    target: str
    target_moid: str
    source_fault_domain: str | None
    target_fault_domain: str | None
    priority: Priority
    pool_moid: str  # "" leaves spec.pool unset: the VM keeps its pool
    power_state: PowerState
    boot_time: datetime | None
    host_names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    pool_kind: PoolKind = "ResourcePool"  # the pool's managed object type (VirtualApp for a vApp)
    pool_label: str = ""  # for people: "Compute-ResourcePool", "root pool", "unchanged"

    @property
    def cold(self) -> bool:
        return self.power_state != "poweredOn"

    @property
    def vim_priority(self) -> str:
        return PRIORITIES[self.priority]

    def spec(self) -> dict[str, Any]:
        """The submission, as plain data: RelocateVM_Task(spec={host, pool}, priority)."""
        spec: dict[str, Any] = {"host": self.target_moid, "pool": self.pool_moid or None}
        if self.pool_moid:
            spec["pool_kind"] = self.pool_kind
        return {"method": "RelocateVM_Task", "spec": spec, "priority": self.vim_priority}

    def pool_ref(self, stub: Any) -> Any:
        """``spec.pool`` as a reference of the pool's own type (None: unset)."""
        return pool_reference(self.pool_moid, self.pool_kind, stub)


def pool_reference(moid: str | None, kind: str, stub: Any) -> Any:
    """``spec.pool`` for ``moid`` as a reference of the pool's own type (None: unset)."""
    if not moid:
        return None
    if kind == "VirtualApp":
        return vim.VirtualApp(moid, stub)
    return vim.ResourcePool(moid, stub)


@dataclass(frozen=True)
class MoveResult:
    vm: str
    source: str
    target: str
    source_fault_domain: str | None
    target_fault_domain: str | None
    priority: Priority
    task: str
    state: str
    seconds: float
    verified: bool
    cold: bool
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"vm": self.vm, "source": self.source, "target": self.target,
                "source_fault_domain": self.source_fault_domain,
                "target_fault_domain": self.target_fault_domain,
                "priority": self.priority, "task": self.task, "state": self.state,
                "seconds": round(self.seconds, 3), "verified": self.verified,
                "cold": self.cold}


# --- prechecks (pure) ---------------------------------------------------------------------

def check_priority(priority: str) -> Priority:
    if priority not in PRIORITIES:
        raise ConfigError(f"unknown priority {priority!r}", hint="use high, default or low")
    return priority  # type: ignore[return-value]


def plan_move(inv: Inventory, vm_selector: str, host_selector: str,
              priority: str = "default", pool: str | None = None) -> MovePlan:
    """Check a compute-only move against a snapshot; one-line errors if it cannot work.

    ``vm_selector``/``host_selector``: a name, a managed object id or an
    inventory path; a name that matches several objects is an ``AmbiguousError``.
    ``pool``: the target cluster's pool to name (``vsphere.pools.choose_pool``).
    """
    prio = check_priority(priority)
    vm = inv.find_vm(vm_selector)
    target = inv.find_host(host_selector)
    return plan_checked_move(inv, vm, target, prio, pool=pool)


def plan_checked_move(inv: Inventory, vm: Vm, target: Host,
                      priority: Priority = "default", *, pool: str | None = None) -> MovePlan:
    """``plan_move`` for objects already resolved (by moid).

    ``spec.pool`` follows ``vsphere.pools.choose_pool``: the VM's own pool within
    a cluster, the same-named pool across clusters, ``pool`` (a selector) when
    given; a cross-cluster move without such a pool is a ``PrecheckError``.
    """
    if not vm.readable:
        raise PrecheckError(f"VM {vm.name} ({vm.moid}) cannot be moved safely: vCenter did not "
                            "let us read " + "; ".join(str(u) for u in vm.blind_spots),
                            hint="ask for System.Read on the VM")
    check_movable(vm, vmc_managed=inv.vmc_managed(vm))
    if vm.host_moid is None or vm.host_moid not in inv.hosts_by_moid:
        raise PrecheckError(f"VM {vm.name} has no host (it is orphaned or inaccessible)")
    source = inv.host(vm.host_moid)
    if source.moid == target.moid:
        raise PrecheckError(f"VM {vm.name} is already on host {target.name}")
    if vm.datacenter and target.datacenter and vm.datacenter != target.datacenter:
        raise PrecheckError(f"host {target.name} is in datacenter {target.datacenter}, VM "
                            f"{vm.name} ({vm.path or vm.moid}) in {vm.datacenter}",
                            hint="a compute-only move stays within its datacenter")
    if not target.readable:
        raise PrecheckError(f"host {target.name} cannot be checked: vCenter did not let us read "
                            + "; ".join(str(u) for u in target.blind_spots),
                            hint="ask for System.Read on the host, or choose another host")
    if not target.connected:
        raise PrecheckError(f"host {target.name} is {target.connection_state}",
                            hint="choose a connected host")
    if target.power_state != "poweredOn" or target.standby_mode in ("in", "entering"):
        raise PrecheckError(f"host {target.name} is in standby or powered off (power state "
                            f"{target.power_state})", hint="choose a powered-on host, or take "
                            "it out of standby first")
    if target.in_maintenance:
        raise PrecheckError(f"host {target.name} is in maintenance mode",
                            hint="choose another host or exit maintenance first")
    missing = [d for d in vm.datastore_moids if d not in target.datastore_moids]
    if missing:
        raise PrecheckError(f"host {target.name} does not mount datastore "
                            f"{', '.join(inv.datastore_names(missing))} of VM {vm.name}",
                            hint="a compute-only move keeps the VM's storage")
    free_mb = target.memory_capacity_mb - target.memory_usage_mb
    if vm.powered_on and vm.memory_mb > free_mb:
        raise PrecheckError(f"host {target.name} has {free_mb} MB of memory free, "
                            f"VM {vm.name} needs {vm.memory_mb} MB")
    target_cluster = inv.cluster_of(target.moid)
    if target_cluster is None or target_cluster.root_pool is None:
        raise PrecheckError(f"host {target.name} is not in a cluster with a resource pool")
    chosen = choose_pool(inv, vm, source, target, target_cluster, pool)
    return MovePlan(
        vm=vm.name, vm_moid=vm.moid, source=source.name, source_moid=source.moid,
        target=target.name, target_moid=target.moid,
        source_fault_domain=source.fault_domain, target_fault_domain=target.fault_domain,
        priority=priority, pool_moid=chosen.moid or "", pool_kind=chosen.kind,
        pool_label=chosen.label, power_state=vm.power_state, boot_time=vm.boot_time,
        host_names={h.moid: h.name for h in inv.hosts})


# --- reading one VM in one call ------------------------------------------------------------

@dataclass(frozen=True)
class VmLocation:
    host_moid: str | None
    host: str | None  # name, when the plan knows the host
    power_state: str
    boot_time: datetime | None


def _read(client: Client, obj: Any, paths: list[str], kind: type) -> dict[str, Any]:
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(objectSet=[pc.ObjectSpec(obj=obj, skip=False)],
                         propSet=[pc.PropertySpec(type=kind, pathSet=paths)])

    def read(content: Any) -> dict[str, Any]:
        result = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        objects = result.objects if result is not None else []
        return {p.name: p.val for o in objects for p in o.propSet or ()}

    return client.read(read)


def locate(client: Client, plan: MovePlan) -> VmLocation:
    """Where the VM is now (one collector call)."""
    vm = vim.VirtualMachine(plan.vm_moid, client.si._stub)
    props = _read(client, vm, ["runtime.host", "runtime.powerState", "runtime.bootTime"],
                  vim.VirtualMachine)
    ref = props.get("runtime.host")
    moid = str(ref._moId) if ref is not None else None
    return VmLocation(host_moid=moid, host=plan.host_names.get(moid or ""),
                      power_state=str(props.get("runtime.powerState", "")),
                      boot_time=props.get("runtime.bootTime"))


def find_relocate_task(client: Client, plan: MovePlan) -> Any:
    """A relocate task for the VM in its ``recentTask`` (newest first), or None."""
    info = find_relocate_info(client, plan)
    return info.task if info is not None else None


def find_relocate_info(client: Client, plan: MovePlan) -> Any:
    """The ``vim.TaskInfo`` of the VM's newest relocation queued or running, or None."""
    vm = vim.VirtualMachine(plan.vm_moid, client.si._stub)
    recent = _read(client, vm, ["recentTask"], vim.VirtualMachine).get("recentTask") or []
    if not recent:
        return None
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(objectSet=[pc.ObjectSpec(obj=t, skip=False) for t in recent],
                         propSet=[pc.PropertySpec(type=vim.Task, pathSet=["info"])])

    def read(content: Any) -> list[Any]:
        result = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        return [p.val for o in (result.objects if result else []) for p in o.propSet or ()]

    infos = [i for i in client.read(read)
             if ".relocate" in str(i.descriptionId).lower()
             and i.entity is not None and str(i.entity._moId) == plan.vm_moid
             and i.state in ("queued", "running")]
    infos.sort(key=lambda i: i.queueTime, reverse=True)
    return infos[0] if infos else None


# --- submit, wait, verify ------------------------------------------------------------------

def submit(client: Client, plan: MovePlan) -> Any:
    """Submit the RelocateVM_Task once; returns the task.

    A broken connection or expired session never leads to a blind re-submit:
    the VM's recent tasks are checked first and a running relocation is adopted.
    """
    stub = client.si._stub
    vm = vim.VirtualMachine(plan.vm_moid, stub)
    spec = vim.vm.RelocateSpec(host=vim.HostSystem(plan.target_moid, stub),
                               pool=plan.pool_ref(stub))

    def send() -> Any:
        try:
            return client.call(lambda: vm.RelocateVM_Task(spec, plan.vim_priority))
        except vmodl.MethodFault as fault:
            if isinstance(fault, vim.fault.NotAuthenticated):
                raise
            if isinstance(fault, vim.fault.NoPermission):
                # not a failed vMotion: the role lacks a privilege (named, exit 2)
                raise map_fault(fault, user=client.settings.username) from None
            fault_type, message = fault_type_and_message(fault)
            raise MigrationFailedError(fault_type, message, vm=plan.vm,
                                       current_host=plan.source) from None

    log.info("submitting RelocateVM_Task", vm=plan.vm, source=plan.source,
             target=plan.target, priority=plan.vim_priority, pool=plan.pool_moid or None,
             pool_kind=plan.pool_kind)
    try:
        return send()
    except vim.fault.NotAuthenticated:
        client.renew()  # vCenter ran nothing; still, look before sending again
    except VCenterConnectionError as exc:
        try:
            existing = find_relocate_task(client, plan)
        except VCenterConnectionError:
            raise VCenterConnectionError(
                f"the connection broke while submitting the move of {plan.vm} and vCenter "
                "cannot be reached to check whether it was received",
                hint="check the VM's recent tasks in vCenter before trying again") from exc
        if existing is not None:
            return existing
    existing = find_relocate_task(client, plan)
    return existing if existing is not None else send()


def relocate(client: Client, plan: MovePlan, *, wait: bool = True,
             timeout: float | None = None, on_update: UpdateCallback | None = None,
             clock: Callable[[], float] = time.monotonic) -> MoveResult:
    """Submit the move, follow it to the end and verify where the VM is.

    With ``wait=False`` returns right after submitting (``state`` queued/running,
    ``verified`` False). Raises ``MigrationFailedError`` on a task fault,
    ``TaskTimeoutError`` (``task`` set) if the task is not done within ``timeout``
    seconds and ``WaitInterrupted`` (``task`` set) on Ctrl-C: in both cases the
    vMotion goes on in vCenter.
    """
    started = clock()
    what = f"the vMotion of {plan.vm} from {plan.source} to {plan.target}"
    moid: str | None = None  # known as soon as vCenter has answered the submission
    with TaskWaiter(client, on_update=on_update) as waiter:
        try:
            task = submit(client, plan)
            moid = str(task._moId)
            waiter.add(task)
            if not wait:
                return _result(plan, moid, "queued", clock() - started, verified=False)
            state: TaskState = waiter.wait([moid], timeout=timeout)[moid]
        except KeyboardInterrupt:
            raise WaitInterrupted(what, task=moid, vm=plan.vm) from None
        except TaskTimeoutError:
            raise TaskTimeoutError(
                f"{what} is still running in vCenter as {moid} after {timeout:g} s",
                task=moid) from None
        except TaskFailedError as exc:
            where = locate(client, plan)
            raise MigrationFailedError(exc.fault_type, exc.fault_message, vm=plan.vm,
                                       current_host=where.host or where.host_moid,
                                       task=moid) from None
    seconds = clock() - started
    problems = verify(plan, locate(client, plan))
    return _result(plan, moid, state.state, seconds, verified=not problems, problems=problems)


def verify(plan: MovePlan, now: VmLocation) -> tuple[str, ...]:
    """What differs from a clean move: wrong host, power state or boot time changed."""
    problems: list[str] = []
    if now.host_moid != plan.target_moid:
        problems.append(f"VM {plan.vm} is on {now.host or now.host_moid}, not {plan.target}")
    if now.power_state != plan.power_state:
        problems.append(f"power state changed from {plan.power_state} to {now.power_state}")
    if plan.boot_time is not None and now.boot_time != plan.boot_time:
        problems.append(f"boot time changed from {plan.boot_time} to {now.boot_time} "
                        "(the VM restarted)")
    return tuple(problems)


def _result(plan: MovePlan, task: str, state: str, seconds: float, *, verified: bool,
            problems: tuple[str, ...] = ()) -> MoveResult:
    return MoveResult(vm=plan.vm, source=plan.source, target=plan.target,
                      source_fault_domain=plan.source_fault_domain,
                      target_fault_domain=plan.target_fault_domain, priority=plan.priority,
                      task=task, state=state, seconds=seconds, verified=verified,
                      cold=plan.cold, problems=problems)
