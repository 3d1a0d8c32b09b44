"""The Inventory the simulator would report for a spec, without running it.

``inventory_from_spec(spec)`` applies the simulator's load model directly: a
host's CPU usage is its background plus the ``cpu_usage_mhz`` of its powered-on
VMs, its memory usage (MB) is ``background_memory_gb * 1024`` plus the powered-on
VMs' ``memory_usage_gb * 1024``; capacity is ``cpu_cores * cpu_mhz_per_core``
and ``memory_gb * 1024`` MB. A powered-off VM reports no usage, as vCenter does.
Managed object ids are synthetic (``host-1``, ``vm-1`` ...). The advisor's tests
and benchmarks use it; it also cross-checks what the simulator reports.
"""

from __future__ import annotations

from vmcctl.model import Cluster, Datastore, Host, Inventory, Rule, RuleKind, Vm
from vmcctl.sim.inventory import InventorySpec, RuleSpec

_RULE_KINDS: dict[str, tuple[RuleKind, bool]] = {
    "vm-affinity": ("vm-affinity", True),
    "vm-anti-affinity": ("vm-anti-affinity", True),
    "vm-host-must": ("vm-host", True),
    "vm-host-should": ("vm-host", False),
    "vm-not-host-must": ("vm-not-host", True),
    "vm-not-host-should": ("vm-not-host", False),
}


def _mb(gb: float) -> int:
    return round(gb * 1024)


def rule_from_spec(rule: RuleSpec) -> Rule:
    kind, mandatory = _RULE_KINDS[rule.type]
    return Rule(name=rule.name, kind=kind, vms=tuple(rule.vms), hosts=tuple(rule.hosts),
                mandatory=mandatory)


def inventory_from_spec(spec: InventorySpec) -> Inventory:
    """The model the simulator's snapshot would give for ``spec``."""
    all_hosts = [h.name for h in spec.hosts]
    ds_hosts = {d.name: d.hosts if d.hosts is not None else all_hosts for d in spec.datastores}
    host_datastores: dict[str, list[str]] = {h: [] for h in all_hosts}
    for ds_name, members in ds_hosts.items():
        for h in members:
            host_datastores[h].append(ds_name)

    cpu_used: dict[str, int] = {}
    mem_used: dict[str, int] = {}
    vms_on: dict[str, list[str]] = {h: [] for h in all_hosts}
    for hs in spec.hosts:
        cpu_used[hs.name] = hs.background_cpu_mhz
        mem_used[hs.name] = _mb(hs.background_memory_gb)
    for v in spec.vms:
        vms_on[v.host].append(v.name)
        if v.power == "on":
            cpu_used[v.host] += v.cpu_usage_mhz
            mem_used[v.host] += _mb(v.memory_usage_gb)

    cluster_of: dict[str, str] = {}
    clusters: list[Cluster] = []
    for ci, cs in enumerate(spec.clusters, start=1):
        for hs in cs.hosts:
            cluster_of[hs.name] = cs.name
        clusters.append(Cluster(
            name=cs.name, moid=f"domain-c{ci}", hosts=tuple(h.name for h in cs.hosts),
            rules=tuple(sorted((rule_from_spec(r) for r in cs.rules), key=lambda r: r.name)),
            drs_enabled=cs.drs_enabled, root_pool=f"resgroup-{ci}"))
    pool_of = {c.name: c.root_pool for c in clusters}

    hosts = tuple(
        Host(name=hs.name, moid=f"host-{i}", cluster=cluster_of[hs.name],
             fault_domain=hs.fault_domain or None,
             connection_state="connected" if hs.connected else "disconnected",
             in_maintenance=hs.maintenance,
             cpu_capacity_mhz=hs.cpu_cores * hs.cpu_mhz_per_core,
             memory_capacity_mb=_mb(hs.memory_gb),
             cpu_usage_mhz=cpu_used[hs.name], memory_usage_mb=mem_used[hs.name],
             datastores=tuple(sorted(host_datastores[hs.name])),
             vms=tuple(sorted(vms_on[hs.name])))
        for i, hs in enumerate(spec.hosts, start=1))
    vms = tuple(
        Vm(name=v.name, moid=f"vm-{i}", host=v.host,
           power_state="poweredOn" if v.power == "on" else "poweredOff",
           num_cpu=v.cpus, memory_mb=_mb(v.memory_gb),
           cpu_usage_mhz=v.cpu_usage_mhz if v.power == "on" else 0,
           memory_usage_mb=_mb(v.memory_usage_gb) if v.power == "on" else 0,
           datastores=(v.datastore,), ip_address=v.ip,
           resource_pool=pool_of[cluster_of[v.host]])
        for i, v in enumerate(spec.vms, start=1))
    datastores = tuple(
        Datastore(name=d.name, moid=f"datastore-{i}", capacity_bytes=round(d.capacity_gb * 2**30),
                  free_bytes=round(d.free_gb * 2**30))
        for i, d in enumerate(spec.datastores, start=1))
    return Inventory(hosts=hosts, vms=vms, datastores=datastores, clusters=tuple(clusters))
