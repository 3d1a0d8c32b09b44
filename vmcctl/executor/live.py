"""Read the live state of a wave of VMs and hosts in one collector call.

A VM or host deleted since the plan affects only itself: the filter asks
vCenter to report missing objects in the result (``reportMissingObjectsInResults``)
instead of failing the whole read with ``ManagedObjectNotFound``; a server
that fails anyway is asked again object by object. An object absent from the
answer, or reported missing, no longer exists. A property we may not read
(``missingSet`` with e.g. ``NoPermission``) makes the object *unreadable*,
never a default value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pyVmomi import vim, vmodl

from vmcctl.executor.decide import HostLive, VmLive
from vmcctl.vsphere.connection import Client

VM_PATHS = ["runtime.host", "runtime.powerState", "runtime.bootTime"]
HOST_PATHS = ["name", "runtime.connectionState", "runtime.inMaintenanceMode"]
# Needed for a decision: without them the object is "unreadable", not defaulted.
VM_NEEDED = ("runtime.host", "runtime.powerState")
HOST_NEEDED = ("runtime.connectionState", "runtime.inMaintenanceMode")


@dataclass
class LiveState:
    vms: dict[str, VmLive] = field(default_factory=dict)  # by VM moid
    hosts: dict[str, HostLive] = field(default_factory=dict)  # by host moid


def iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _moid(ref: Any) -> str | None:
    return str(ref._moId) if ref is not None else None


@dataclass
class _Raw:
    moid: str
    is_vm: bool
    props: dict[str, Any]
    missing: dict[str, str]  # property path -> fault type


def _fault_name(fault: Any) -> str:
    inner = getattr(fault, "fault", None) or fault
    privilege = getattr(inner, "privilegeId", None)
    name = type(inner).__name__.rsplit(".", 1)[-1]
    return f"{name} ({privilege})" if privilege else name


def _collect(client: Client, vm_ids: list[str], host_ids: list[str]) -> list[_Raw]:
    stub = client.si._stub
    pc = vmodl.query.PropertyCollector

    def spec_for(vms: list[str], hosts: list[str]) -> Any:
        objects = ([pc.ObjectSpec(obj=vim.VirtualMachine(m, stub), skip=False) for m in vms]
                   + [pc.ObjectSpec(obj=vim.HostSystem(m, stub), skip=False) for m in hosts])
        prop_set = []
        if vms:
            prop_set.append(pc.PropertySpec(type=vim.VirtualMachine, pathSet=VM_PATHS))
        if hosts:
            prop_set.append(pc.PropertySpec(type=vim.HostSystem, pathSet=HOST_PATHS))
        return pc.FilterSpec(objectSet=objects, propSet=prop_set,
                             reportMissingObjectsInResults=True)

    def retrieve(collector: Any, spec: Any) -> list[Any]:
        result = collector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        out = list(result.objects or ()) if result is not None else []
        token = result.token if result is not None else None
        while token:
            more = collector.ContinueRetrievePropertiesEx(token)
            out.extend(more.objects or ())
            token = more.token
        return out

    def read(content: Any) -> list[Any]:
        collector = content.propertyCollector
        try:
            return retrieve(collector, spec_for(vm_ids, host_ids))
        except vmodl.fault.ManagedObjectNotFound:
            pass  # a server that ignores reportMissingObjectsInResults: one object at a time
        out: list[Any] = []
        for vms, hosts in ([([m], []) for m in vm_ids] + [([], [m]) for m in host_ids]):
            try:
                out.extend(retrieve(collector, spec_for(vms, hosts)))
            except vmodl.fault.ManagedObjectNotFound:
                continue  # this one is gone; the others are not
        return out

    raws = []
    for obj in client.read(read):
        missing = {str(m.path): _fault_name(m.fault) for m in obj.missingSet or ()}
        if any("ManagedObjectNotFound" in f for f in missing.values()) and not obj.propSet:
            continue  # reported missing: deleted
        raws.append(_Raw(moid=str(obj.obj._moId), is_vm=isinstance(obj.obj, vim.VirtualMachine),
                         props={p.name: p.val for p in obj.propSet or ()}, missing=missing))
    return raws


def _unreadable(raw: _Raw, needed: tuple[str, ...]) -> str | None:
    lost = [f"{path}: {raw.missing.get(path, 'not returned')}" for path in needed
            if path not in raw.props and path in raw.missing]
    return "; ".join(lost) or None


def read_live(client: Client, vm_moids: Iterable[str], host_moids: Iterable[str],
              host_names: dict[str, str] | None = None) -> LiveState:
    """One ``RetrievePropertiesEx`` (plus continuations) for all VMs and hosts given.

    A VM or host missing from the answer no longer exists; one the role may
    not read is returned with ``unreadable`` set.
    """
    vm_ids = sorted(set(vm_moids))
    host_ids = sorted(set(host_moids))
    if not vm_ids and not host_ids:
        return LiveState()
    names = dict(host_names or {})
    state = LiveState()
    raws = _collect(client, vm_ids, host_ids)
    for raw in raws:
        if raw.is_vm:
            continue
        props = raw.props
        name = str(props.get("name", names.get(raw.moid, raw.moid)))
        names[raw.moid] = name
        state.hosts[raw.moid] = HostLive(
            moid=raw.moid, name=name,
            connection_state=str(props.get("runtime.connectionState", "unknown")),
            in_maintenance=bool(props.get("runtime.inMaintenanceMode", False)),
            unreadable=_unreadable(raw, HOST_NEEDED))
    for raw in raws:
        if not raw.is_vm:
            continue
        props = raw.props
        host_moid = _moid(props.get("runtime.host"))
        state.vms[raw.moid] = VmLive(
            moid=raw.moid, host_moid=host_moid, host=names.get(host_moid or ""),
            power_state=str(props.get("runtime.powerState", "unknown")),
            boot_time=iso(props.get("runtime.bootTime")),
            unreadable=_unreadable(raw, VM_NEEDED))
    return state
