"""Read the live state of a wave of VMs and hosts in one collector call."""

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


def read_live(client: Client, vm_moids: Iterable[str], host_moids: Iterable[str],
              host_names: dict[str, str] | None = None) -> LiveState:
    """One ``RetrievePropertiesEx`` (plus continuations) for all VMs and hosts given.

    A VM or host missing from the answer no longer exists (or is not visible).
    """
    vm_ids = sorted(set(vm_moids))
    host_ids = sorted(set(host_moids))
    if not vm_ids and not host_ids:
        return LiveState()
    stub = client.si._stub
    pc = vmodl.query.PropertyCollector
    objects = ([pc.ObjectSpec(obj=vim.VirtualMachine(m, stub), skip=False) for m in vm_ids]
               + [pc.ObjectSpec(obj=vim.HostSystem(m, stub), skip=False) for m in host_ids])
    prop_set = []
    if vm_ids:
        prop_set.append(pc.PropertySpec(type=vim.VirtualMachine, pathSet=VM_PATHS))
    if host_ids:
        prop_set.append(pc.PropertySpec(type=vim.HostSystem, pathSet=HOST_PATHS))
    spec = pc.FilterSpec(objectSet=objects, propSet=prop_set, reportMissingObjectsInResults=False)

    def read(content: Any) -> list[Any]:
        collector = content.propertyCollector
        try:
            result = collector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        except vmodl.fault.ManagedObjectNotFound:
            return []
        out = list(result.objects) if result is not None else []
        token = result.token if result is not None else None
        while token:
            more = collector.ContinueRetrievePropertiesEx(token)
            out.extend(more.objects or ())
            token = more.token
        return out

    names = dict(host_names or {})
    state = LiveState()
    raw_hosts: list[tuple[str, dict[str, Any]]] = []
    raw_vms: list[tuple[str, dict[str, Any]]] = []
    for obj in client.read(read):
        props = {p.name: p.val for p in obj.propSet or ()}
        moid = str(obj.obj._moId)
        (raw_vms if isinstance(obj.obj, vim.VirtualMachine) else raw_hosts).append((moid, props))
    for moid, props in raw_hosts:
        name = str(props.get("name", names.get(moid, moid)))
        names[moid] = name
        state.hosts[moid] = HostLive(
            moid=moid, name=name,
            connection_state=str(props.get("runtime.connectionState", "connected")),
            in_maintenance=bool(props.get("runtime.inMaintenanceMode", False)))
    for moid, props in raw_vms:
        host_moid = _moid(props.get("runtime.host"))
        state.vms[moid] = VmLive(
            moid=moid, host_moid=host_moid, host=names.get(host_moid or ""),
            power_state=str(props.get("runtime.powerState", "")),
            boot_time=iso(props.get("runtime.bootTime")))
    return state
