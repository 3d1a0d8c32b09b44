"""The Inventory the simulator would report for a spec, without running it.

``inventory_from_spec(spec)`` applies the simulator's load model directly: a
host's CPU usage is its background plus the ``cpu_usage_mhz`` of its powered-on
VMs, its memory usage (MB) is ``background_memory_gb * 1024`` plus the powered-on
VMs' consumed memory (``memory_consumed_gb``, else ``memory_usage_gb``) * 1024;
capacity is ``cpu_cores * cpu_mhz_per_core`` and ``memory_gb * 1024`` MB. A
powered-off VM reports no usage, as vCenter does.
Managed object ids are synthetic (``host-1``, ``vm-1`` ...). The advisor's tests
and benchmarks use it; it also cross-checks what the simulator reports.
"""

from __future__ import annotations

from collections.abc import Callable

from vmcctl.model import (
    Cluster,
    Datastore,
    DeviceKind,
    Host,
    Inventory,
    Pool,
    PoolKind,
    Rule,
    RuleKind,
    Vm,
    VmDevice,
)
from vmcctl.sim.inventory import ClusterSpec, InventorySpec, RuleSpec

_RULE_KINDS: dict[str, tuple[RuleKind, bool]] = {
    "vm-affinity": ("vm-affinity", True),
    "vm-anti-affinity": ("vm-anti-affinity", True),
    "vm-host-must": ("vm-host", True),
    "vm-host-should": ("vm-host", False),
    "vm-not-host-must": ("vm-not-host", True),
    "vm-not-host-should": ("vm-not-host", False),
}


def _devices(names: list[DeviceKind]) -> tuple[VmDevice, ...]:
    """The devices the snapshot reads for the simulator's device names (its labels)."""
    return tuple(VmDevice(kind, "CD/DVD drive 1" if kind == "cdrom-host" else f"PCI device {i}")
                 for i, kind in enumerate(names))


def _mb(gb: float) -> int:
    return round(gb * 1024)


def rule_from_spec(rule: RuleSpec, vm_moids: dict[str, str], host_moids: dict[str, str],
                   resolve: Callable[[str], str]) -> Rule:
    """``resolve`` turns a rule's VM reference (name, folder/name or path) into a VM path."""
    kind, mandatory = _RULE_KINDS[rule.type]
    return Rule(name=rule.name, kind=kind,
                vm_moids=tuple(vm_moids[resolve(v)] for v in rule.vms),
                host_moids=tuple(host_moids[h] for h in rule.hosts), mandatory=mandatory,
                enabled=rule.enabled)


def inventory_from_spec(spec: InventorySpec) -> Inventory:
    """The model the simulator's snapshot would give for ``spec`` (every datacenter).

    VMs are keyed by their inventory path (names repeat across folders and
    datacenters), datastores by datacenter and name; host names are unique.
    """
    host_moid = {hs.name: f"host-{i}" for i, hs in enumerate(spec.hosts, start=1)}
    vm_moid = {v.path: f"vm-{i}" for i, v in enumerate(spec.vms, start=1)}
    ds_moid = {(d.datacenter, d.name): f"datastore-{i}"
               for i, d in enumerate(spec.datastores, start=1)}
    dc_of_host = {hs.name: hs.datacenter for hs in spec.hosts}
    host_datastores: dict[str, list[str]] = {h: [] for h in host_moid}
    for d in spec.datastores:
        members = d.hosts if d.hosts is not None else [h for h, dc in dc_of_host.items()
                                                       if dc == d.datacenter]
        for h in members:
            host_datastores[h].append(ds_moid[(d.datacenter, d.name)])

    cpu_used: dict[str, int] = {}
    mem_used: dict[str, int] = {}
    vms_on: dict[str, list[str]] = {h: [] for h in host_moid}
    for hs in spec.hosts:
        cpu_used[hs.name] = hs.background_cpu_mhz
        mem_used[hs.name] = _mb(hs.background_memory_gb)
    for v in spec.vms:
        vms_on[v.host].append(vm_moid[v.path])
        if v.power == "on":
            cpu_used[v.host] += v.cpu_usage_mhz
            mem_used[v.host] += _mb(v.consumed_gb)

    cluster_of: dict[str, Cluster] = {}
    clusters: list[Cluster] = []
    pools: list[Pool] = []
    pool_moid: dict[tuple[str, str], str] = {}  # (cluster moid, path under the root) -> moid
    for ci, cs in enumerate(spec.clusters, start=1):
        dc = cs.datacenter
        pools.extend(_cluster_pools(cs, f"domain-c{ci}", f"resgroup-{ci}", pool_moid))

        def resolve(ref: str, dc: str = dc) -> str:
            return spec.resolve_vm(ref, dc).path

        cluster = Cluster(
            name=cs.name, moid=f"domain-c{ci}",
            host_moids=tuple(host_moid[h.name] for h in cs.hosts),
            rules=tuple(sorted((rule_from_spec(r, vm_moid, host_moid, resolve)
                                for r in cs.rules), key=lambda r: r.name)),
            drs_enabled=cs.drs_enabled, root_pool=f"resgroup-{ci}", datacenter=dc,
            path=f"/{dc}/host/{cs.name}")
        clusters.append(cluster)
        for hs in cs.hosts:
            cluster_of[hs.name] = cluster

    hosts = tuple(
        Host(name=hs.name, moid=host_moid[hs.name], cluster_moid=cluster_of[hs.name].moid,
             cluster_name=cluster_of[hs.name].name, fault_domain=hs.fault_domain or None,
             connection_state="connected" if hs.connected else "disconnected",
             in_maintenance=hs.maintenance,
             power_state="standBy" if hs.power == "standby" else "poweredOn",
             standby_mode="in" if hs.power == "standby" else None,
             in_quarantine=hs.quarantine,
             cpu_capacity_mhz=hs.cpu_cores * hs.cpu_mhz_per_core,
             memory_capacity_mb=_mb(hs.memory_gb),
             cpu_usage_mhz=cpu_used[hs.name], memory_usage_mb=mem_used[hs.name],
             datastore_moids=tuple(sorted(host_datastores[hs.name])),
             vm_moids=tuple(sorted(vms_on[hs.name])), datacenter=hs.datacenter,
             path=f"/{hs.datacenter}/host/{cluster_of[hs.name].name}/{hs.name}")
        for hs in spec.hosts)
    vms = tuple(
        Vm(name=v.name, moid=vm_moid[v.path], host_moid=host_moid[v.host], host_name=v.host,
           power_state="poweredOn" if v.power == "on" else "poweredOff",
           num_cpu=v.cpus, memory_mb=_mb(v.memory_gb),
           cpu_usage_mhz=v.cpu_usage_mhz if v.power == "on" else 0,
           memory_usage_mb=_mb(v.consumed_gb) if v.power == "on" else 0,
           memory_active_mb=_mb(v.active_gb) if v.power == "on" else 0,
           template=v.template, ft_state="running" if v.ft else None,
           devices=_devices(list(v.devices)),
           connection_state=v.connection,
           datastore_moids=(ds_moid[(v.datacenter, v.datastore)],), ip_address=v.ip,
           resource_pool=pool_moid[(cluster_of[v.host].moid, v.pool)], datacenter=v.datacenter,
           path=v.path)
        for v in spec.vms)
    datastores = tuple(
        Datastore(name=d.name, moid=ds_moid[(d.datacenter, d.name)],
                  capacity_bytes=round(d.capacity_gb * 2**30),
                  free_bytes=round(d.free_gb * 2**30), datacenter=d.datacenter)
        for d in spec.datastores)
    return Inventory(hosts=hosts, vms=vms, datastores=datastores, clusters=tuple(clusters),
                     pools=tuple(pools))


def _cluster_pools(cs: ClusterSpec, cluster: str, root: str,
                   moids: dict[tuple[str, str], str]) -> list[Pool]:
    """The root pool (``Resources``), ``resource_pools`` and ``vapps`` of one cluster."""
    base = f"/{cs.datacenter}/host/{cs.name}/Resources"
    moids[(cluster, "")] = root
    out = [Pool(name="Resources", moid=root, cluster_moid=cluster, datacenter=cs.datacenter,
                path=base)]
    kinds: list[tuple[str, PoolKind]] = [(p, "ResourcePool") for p in cs.pool_paths]
    kinds += [(p, "VirtualApp") for p in cs.vapps]
    for i, (path, kind) in enumerate(kinds, start=1):
        parent, _, name = path.rpartition("/")
        number = root.rpartition("-")[2]
        moid = f"resgroup-{number}-{i}" if kind == "ResourcePool" else f"resgroup-v{number}-{i}"
        moids[(cluster, path)] = moid
        out.append(Pool(name=name, moid=moid, kind=kind, parent_moid=moids[(cluster, parent)],
                        cluster_moid=cluster, relative_path=path, datacenter=cs.datacenter,
                        path=f"{base}/{path}"))
    return out
