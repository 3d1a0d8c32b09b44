"""The bulk inventory read: one ContainerView, one PropertyCollector query.

``take_snapshot(client)`` costs ``pages + 2`` SOAP calls: ``CreateContainerView``
over the root folder for hosts, VMs, datastores and clusters, one
``RetrievePropertiesEx`` naming only the properties below (continued with
``ContinueRetrievePropertiesEx`` while a token comes back), ``DestroyView``.
References between objects (a VM's host, datastores, a host's cluster, rule
members) are resolved against the same result: no object is ever read lazily.

The collector's answers are parsed by ``vmcctl.vsphere.fastparse`` (a
10,000-VM snapshot took 2.1-2.2 s instead of 6.3 s through pyVmomi's
deserializer); ``fast=False`` reads them through pyVmomi instead, and both
give the same ``Inventory``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from pyVmomi import VmomiSupport, vim, vmodl

from vmcctl.log import get_logger
from vmcctl.model import (
    Cluster,
    ConnectionState,
    Datastore,
    Host,
    HostPowerState,
    Inventory,
    PowerState,
    Rule,
    RuleKind,
    Unreadable,
    Vm,
    VmConnectionState,
)
from vmcctl.vsphere import fastparse
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.devices import move_devices, vm_memory_load
from vmcctl.vsphere.pools import TYPE, build_pools

log = get_logger(__name__)

FAULT_DOMAIN = "config.vsanHostConfig.faultDomainInfo.name"

HOST_PROPERTIES = (
    "name", "parent", "datastore", "runtime.connectionState", "runtime.inMaintenanceMode",
    "summary.hardware.cpuMhz", "summary.hardware.numCpuCores", "summary.hardware.memorySize",
    "summary.quickStats.overallCpuUsage", "summary.quickStats.overallMemoryUsage",
    "runtime.powerState", "runtime.standbyMode", "runtime.inQuarantineMode",
    FAULT_DOMAIN,
)
VM_PROPERTIES = (
    "name", "parent", "runtime.host", "runtime.powerState", "runtime.bootTime",
    "config.hardware.numCPU", "config.hardware.memoryMB",
    "summary.quickStats.overallCpuUsage", "summary.quickStats.guestMemoryUsage",
    "summary.quickStats.hostMemoryUsage", "config.template", "runtime.faultToleranceState",
    "runtime.connectionState", "config.hardware.device",
    "datastore", "resourcePool", "guest.ipAddress",
)
DATASTORE_PROPERTIES = ("name", "parent", "summary.capacity", "summary.freeSpace")
CLUSTER_PROPERTIES = ("name", "parent", "host", "resourcePool", "configurationEx")
# Resource pools and vApps (a VirtualApp is a ResourcePool): the pool a VM keeps, the
# same-named pool in another cluster, VMware Cloud on AWS's Compute-/Mgmt-ResourcePool.
POOL_PROPERTIES = ("name", "parent", "owner")
# Folders and datacenters: only to build inventory paths (/DC/vm/folder/name).
CONTAINER_PROPERTIES = ("name", "parent")

PROPERTIES: Mapping[type, Sequence[str]] = {
    vim.HostSystem: HOST_PROPERTIES,
    vim.VirtualMachine: VM_PROPERTIES,
    vim.Datastore: DATASTORE_PROPERTIES,
    vim.ClusterComputeResource: CLUSTER_PROPERTIES,
    vim.ResourcePool: POOL_PROPERTIES,
    vim.Folder: CONTAINER_PROPERTIES,
    vim.Datacenter: CONTAINER_PROPERTIES,
}

Props = dict[str, Any]
MISSING = fastparse.MISSING  # props key: the object's missingSet, as ``Unreadable`` entries


@dataclass
class CollectStats:
    """What one bulk read cost: result pages and objects returned."""

    pages: int = 0
    objects: int = 0


def filter_spec(view: Any, properties: Mapping[type, Sequence[str]]) -> Any:
    """A PropertyFilterSpec over everything in ``view``, naming only ``properties``."""
    pc = vmodl.query.PropertyCollector
    traverse = pc.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)
    return pc.FilterSpec(
        objectSet=[pc.ObjectSpec(obj=view, skip=True, selectSet=[traverse])],
        propSet=[pc.PropertySpec(type=t, pathSet=list(paths), all=False)
                 for t, paths in properties.items()],
    )


def iter_pages(collector: Any, spec: Any, page_size: int | None,
               stats: CollectStats | None = None) -> Iterator[Any]:
    """``RetrievePropertiesEx`` then ``ContinueRetrievePropertiesEx`` while a token comes back.

    If the caller stops early, the rest of the result is released with
    ``CancelRetrievePropertiesEx``.
    """
    options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=page_size)
    result = collector.RetrievePropertiesEx([spec], options)
    while result is not None:
        if stats is not None:
            stats.pages += 1
            stats.objects += len(result.objects or ())
        token = result.token
        try:
            yield from result.objects or ()
        except GeneratorExit:
            if token:
                collector.CancelRetrievePropertiesEx(token)
            raise
        result = collector.ContinueRetrievePropertiesEx(token) if token else None


def iter_fast_pages(collector: Any, spec: Any, page_size: int | None,
                    stats: CollectStats | None = None, *,
                    on_request: Callable[[], None] | None = None
                    ) -> Iterator[tuple[str, str, Props]]:
    """``iter_pages`` parsed by ``fastparse``: ``(type name, moid, {path: value})``.

    References come back as moids (``str``); ``on_request`` is called before
    each request is sent (these requests bypass the stub's ``InvokeMethod``).
    """
    options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=page_size)
    page = fastparse.retrieve(collector, [spec], options, on_request=on_request)
    while True:
        if stats is not None:
            stats.pages += 1
            stats.objects += len(page.objects)
        token = page.token
        try:
            yield from page.objects
        except GeneratorExit:
            if token:
                collector.CancelRetrievePropertiesEx(token)
            raise
        if not token:
            return
        page = fastparse.continue_retrieve(collector, token, on_request=on_request)


def collect(content: Any, types: Mapping[type, Sequence[str]], *,
            page_size: int | None = None, stats: CollectStats | None = None,
            root: Any = None, fast: bool = False,
            on_request: Callable[[], None] | None = None) -> dict[type, dict[str, Props]]:
    """Read ``types``' properties for every object under ``root``: {type: {moid: props}}.

    ``fast``: parse the collector's answers with ``fastparse`` (references are
    then moids, not pyVmomi objects); ``on_request`` counts its requests.
    """
    view = content.viewManager.CreateContainerView(
        root if root is not None else content.rootFolder, list(types), True)
    try:
        found: dict[type, dict[str, Props]] = {t: {} for t in types}
        spec = filter_spec(view, types)
        collector = content.propertyCollector
        if fast:
            kinds: dict[str, type | None] = {}
            for name, moid, props in iter_fast_pages(collector, spec, page_size, stats,
                                                     on_request=on_request):
                if name not in kinds:
                    kinds[name] = _kind_of_name(name, types)
                kind = kinds[name]
                if kind is not None:
                    if kind is vim.ResourcePool:
                        props[TYPE] = name
                    found[kind][moid] = props
            return found
        for oc in iter_pages(collector, spec, page_size, stats):
            kind = _kind_of(type(oc.obj), types)
            if kind is None:
                continue
            props = {p.name: p.val for p in oc.propSet or ()}
            if oc.missingSet:
                props[MISSING] = [_unreadable(m) for m in oc.missingSet]
            if kind is vim.ResourcePool:
                props[TYPE] = type(oc.obj)._wsdlName
            found[kind][oc.obj._moId] = props
        return found
    finally:
        view.DestroyView()


def _unreadable(missing: Any) -> Unreadable:
    fault = getattr(missing.fault, "fault", None)
    return Unreadable(path=str(missing.path), fault=type(fault).__name__ if fault else "unknown",
                      privilege=getattr(fault, "privilegeId", None))


def _kind_of(cls: type, types: Mapping[type, Sequence[str]]) -> type | None:
    for t in types:
        if issubclass(cls, t):
            return t
    return None


def _kind_of_name(name: str, types: Mapping[type, Sequence[str]]) -> type | None:
    try:
        cls = VmomiSupport.GetWsdlType("urn:vim25", name)
    except KeyError:
        return None
    return _kind_of(cls, types)


def take_snapshot(client: Client, *, page_size: int | None = None,
                  stats: CollectStats | None = None,
                  clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                  fast: bool = True) -> Inventory:
    """The whole inventory in one bulk read; renewed and retried once if the session expired.

    ``fast=False`` parses the collector's answers with pyVmomi (slower, same result).
    """

    def read(content: Any) -> Inventory:
        if stats is not None:
            stats.pages = stats.objects = 0
        started = time.monotonic()
        raw = collect(content, PROPERTIES, page_size=page_size, stats=stats, fast=fast,
                      on_request=client.count_call)
        inv = build_inventory(raw, taken_at=clock())
        log.info("inventory read", hosts=len(inv.hosts), vms=len(inv.vms),
                 seconds=round(time.monotonic() - started, 3), soap_calls=client.soap_calls)
        return inv

    return client.read(read)


# --- turning property sets into the model ----------------------------------------------

def _moid(ref: Any) -> str | None:
    """A reference's moid: a pyVmomi managed object, or already a moid (fast path)."""
    if ref is None or isinstance(ref, str):
        return ref
    return str(ref._moId)


def _moids(refs: Any) -> tuple[str, ...]:
    return tuple(r if isinstance(r, str) else str(r._moId) for r in refs or ())


def _int(value: Any) -> int:
    return int(value) if value is not None else 0


def _unknown(props: Props) -> tuple[Unreadable, ...]:
    return tuple(props.get(MISSING) or ())


def _has(props: Props, path: str) -> bool:
    """False when ``path`` (or a parent path of it) came back in the object's missingSet."""
    return not any(u.path == path or path.startswith(u.path + ".") for u in _unknown(props))


class _Paths:
    """Inventory paths and datacenters from every object's ``name`` and ``parent``."""

    def __init__(self, raw: Mapping[type, Mapping[str, Props]]) -> None:
        self.parent: dict[str, str | None] = {}
        self.name: dict[str, str] = {}
        self.datacenters: set[str] = set(raw.get(vim.Datacenter, {}))
        for table in raw.values():
            for moid, p in table.items():
                self.name[moid] = str(p.get("name", moid))
                self.parent[moid] = _moid(p.get("parent"))

    def _chain(self, moid: str) -> list[str] | None:
        """moid, its parent, … up to its datacenter; None if the chain breaks first."""
        chain, seen = [moid], {moid}
        current: str | None = moid
        while current is not None and current not in self.datacenters:
            current = self.parent.get(current)
            if current is None or current in seen:
                return None
            chain.append(current)
            seen.add(current)
        return chain

    def path(self, moid: str) -> str | None:
        chain = self._chain(moid)
        if chain is None:
            return None
        return "/" + "/".join(self.name[m] for m in reversed(chain))

    def datacenter(self, moid: str) -> str | None:
        chain = self._chain(moid)
        return self.name[chain[-1]] if chain else None


def build_inventory(raw: Mapping[type, Mapping[str, Props]], *,
                    taken_at: datetime | None = None) -> Inventory:
    """Turn ``collect``'s result into an ``Inventory`` (pure: no SOAP calls).

    A property that came back in ``missingSet`` is recorded in the object's
    ``unknown``; it is never replaced by a default a decision could trust
    (an unreadable power state is ``unknown``, not ``poweredOff``).
    """
    hosts_raw = raw.get(vim.HostSystem, {})
    vms_raw = raw.get(vim.VirtualMachine, {})
    ds_raw = raw.get(vim.Datastore, {})
    clusters_raw = raw.get(vim.ClusterComputeResource, {})
    paths = _Paths(raw)

    host_names = {moid: str(p.get("name", moid)) for moid, p in hosts_raw.items()}
    cluster_names = {moid: str(p.get("name", moid)) for moid, p in clusters_raw.items()}

    def known(refs: Any, table: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(m for m in _moids(refs) if m in table)

    vms: list[Vm] = []
    vms_by_host: dict[str, list[str]] = defaultdict(list)
    for moid, p in vms_raw.items():
        host_moid = _moid(p.get("runtime.host"))
        if host_moid is not None:
            vms_by_host[host_moid].append(moid)
        power = str(p.get("runtime.powerState")) if _has(p, "runtime.powerState") else "unknown"
        vm_state = (str(p.get("runtime.connectionState") or "connected")
                    if _has(p, "runtime.connectionState") else "unknown")
        ft = p.get("runtime.faultToleranceState")
        vms.append(Vm(
            name=str(p.get("name", moid)), moid=moid, host_moid=host_moid,
            power_state=cast(PowerState, power),
            num_cpu=_int(p.get("config.hardware.numCPU")),
            memory_mb=_int(p.get("config.hardware.memoryMB")),
            cpu_usage_mhz=_int(p.get("summary.quickStats.overallCpuUsage")),
            memory_usage_mb=vm_memory_load(p),
            memory_active_mb=_int(p.get("summary.quickStats.guestMemoryUsage")),
            template=bool(p.get("config.template", False)),
            ft_state=str(ft) if ft and str(ft) != "notConfigured" else None,
            devices=move_devices(p.get("config.hardware.device")),
            connection_state=cast(VmConnectionState, vm_state),
            datastore_moids=known(p.get("datastore"), ds_raw),
            ip_address=p.get("guest.ipAddress") or None,
            boot_time=p.get("runtime.bootTime"),
            resource_pool=_moid(p.get("resourcePool")),
            host_name=host_names.get(host_moid) if host_moid else None,
            datacenter=paths.datacenter(moid), path=paths.path(moid),
            unknown=_unknown(p),
        ))

    hosts: list[Host] = []
    for moid, p in hosts_raw.items():
        cores = _int(p.get("summary.hardware.numCpuCores"))
        cluster = _moid(p.get("parent"))
        state = (str(p.get("runtime.connectionState"))
                 if _has(p, "runtime.connectionState") else "unknown")
        host_power = (str(p.get("runtime.powerState") or "poweredOn")
                      if _has(p, "runtime.powerState") else "unknown")
        hosts.append(Host(
            name=host_names[moid], moid=moid,
            power_state=cast(HostPowerState, host_power),
            standby_mode=p.get("runtime.standbyMode") or None,
            in_quarantine=bool(p.get("runtime.inQuarantineMode", False)),
            cluster_moid=cluster if cluster in clusters_raw else None,
            cluster_name=cluster_names.get(cluster or ""),
            fault_domain=p.get(FAULT_DOMAIN) or None,
            connection_state=cast(ConnectionState, state),
            in_maintenance=bool(p.get("runtime.inMaintenanceMode", False)),
            cpu_capacity_mhz=_int(p.get("summary.hardware.cpuMhz")) * cores,
            memory_capacity_mb=_int(p.get("summary.hardware.memorySize")) // (1024 * 1024),
            cpu_usage_mhz=_int(p.get("summary.quickStats.overallCpuUsage")),
            memory_usage_mb=_int(p.get("summary.quickStats.overallMemoryUsage")),
            datastore_moids=known(p.get("datastore"), ds_raw),
            vm_moids=tuple(sorted(vms_by_host.get(moid, ()))),
            datacenter=paths.datacenter(moid), path=paths.path(moid),
            unknown=_unknown(p),
        ))

    datastores = [
        Datastore(name=str(p.get("name", moid)), moid=moid,
                  capacity_bytes=_int(p.get("summary.capacity")),
                  free_bytes=_int(p.get("summary.freeSpace")),
                  datacenter=paths.datacenter(moid))
        for moid, p in ds_raw.items()]

    clusters: list[Cluster] = []
    for moid, p in clusters_raw.items():
        config = p.get("configurationEx")
        drs = getattr(config, "drsConfig", None)
        clusters.append(Cluster(
            name=cluster_names[moid], moid=moid,
            host_moids=known(p.get("host"), hosts_raw),
            rules=_rules(config, hosts_raw, vms_raw),
            drs_enabled=bool(getattr(drs, "enabled", False)),
            root_pool=_moid(p.get("resourcePool")),
            datacenter=paths.datacenter(moid), path=paths.path(moid),
        ))

    return Inventory(
        pools=build_pools(raw.get(vim.ResourcePool, {}), clusters_raw,
                          path=paths.path, datacenter=paths.datacenter),
        hosts=tuple(sorted(hosts, key=lambda h: (h.name, h.moid))),
        vms=tuple(sorted(vms, key=lambda v: (v.name, v.path or "", v.moid))),
        datastores=tuple(sorted(datastores, key=lambda d: (d.name, d.moid))),
        clusters=tuple(sorted(clusters, key=lambda c: (c.name, c.moid))),
        taken_at=taken_at,
    )


def _rules(config: Any, hosts: Mapping[str, Any], vms: Mapping[str, Any]) -> tuple[Rule, ...]:
    """DRS rules of a cluster, VM/host groups expanded to moids."""
    if config is None:
        return ()

    def known(table: Mapping[str, Any], refs: Any) -> tuple[str, ...]:
        return tuple(m for m in _moids(refs) if m in table)  # vCenter's order

    vm_groups: dict[str, tuple[str, ...]] = {}
    host_groups: dict[str, tuple[str, ...]] = {}
    for group in config.group or ():
        if isinstance(group, vim.cluster.VmGroup):
            vm_groups[group.name] = known(vms, group.vm)
        elif isinstance(group, vim.cluster.HostGroup):
            host_groups[group.name] = known(hosts, group.host)

    rules: list[Rule] = []
    for rule in config.rule or ():
        enabled = rule.enabled is not False
        kind: RuleKind
        if isinstance(rule, vim.cluster.AffinityRuleSpec | vim.cluster.AntiAffinityRuleSpec):
            kind = ("vm-affinity" if isinstance(rule, vim.cluster.AffinityRuleSpec)
                    else "vm-anti-affinity")
            # DRS never breaks an enabled VM-VM rule, whatever ``mandatory`` says (vCenter
            # reports it unset or false: the vSphere Client has no must/should for them).
            rules.append(Rule(name=str(rule.name or ""), kind=kind, vm_moids=known(vms, rule.vm),
                              mandatory=True, enabled=enabled))
        elif isinstance(rule, vim.cluster.VmHostRuleInfo):
            if rule.affineHostGroupName:
                kind, group = "vm-host", rule.affineHostGroupName
            else:
                kind, group = "vm-not-host", rule.antiAffineHostGroupName
            rules.append(Rule(name=str(rule.name or ""), kind=kind,
                              vm_moids=vm_groups.get(rule.vmGroupName or "", ()),
                              host_moids=host_groups.get(group or "", ()),
                              mandatory=bool(rule.mandatory), enabled=enabled))
    return tuple(sorted(rules, key=lambda r: r.name))
