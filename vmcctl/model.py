"""The inventory model: frozen, typed snapshots of vCenter objects.

These dataclasses are the data contract between the layers: ``vsphere.snapshot``
fills them from one PropertyCollector read, ``placement`` reasons over them
(and never imports pyVmomi), the CLI renders them.

**Identity is the managed object id.** Objects refer to each other by moid
(``Vm.host_moid``, ``Host.cluster_moid``, ``Rule.vm_moids`` …): vCenter names
are unique only per folder (VMs) or per datacenter (clusters, datastores).
Names and inventory paths are for people; a user's selector (name, moid or
path) is resolved once with ``Inventory.find_vm`` / ``find_host`` /
``find_cluster``, which refuse a name that matches more than one object.

A property vCenter would not give us (``missingSet``: ``NoPermission``, …) is
recorded in ``unknown``; an object missing a property that decisions need is
not ``readable`` and is never a candidate or silently "powered off".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Literal, Protocol, TypeVar

from vmcctl.errors import AmbiguousError, NotFoundError

PowerState = Literal["poweredOn", "poweredOff", "suspended", "unknown"]
ConnectionState = Literal["connected", "disconnected", "notResponding", "unknown"]
# HostSystem.runtime.powerState ("standBy": DPM powered the host down, it stays "connected")
HostPowerState = Literal["poweredOn", "poweredOff", "standBy", "unknown"]
# VirtualMachine.runtime.connectionState
VmConnectionState = Literal["connected", "disconnected", "orphaned", "inaccessible", "invalid",
                            "unknown"]
# What a device does to a move: a PCI passthrough (DirectPath I/O) or vGPU device, or a
# removable device connected to a host's own device (CD-ROM, floppy, serial port).
DeviceKind = Literal["passthrough", "vgpu", "cdrom-host", "floppy-host", "serial-host"]
RuleKind = Literal["vm-affinity", "vm-anti-affinity", "vm-host", "vm-not-host"]
# VMware Cloud on AWS: a cluster whose root pool holds both is an SDDC cluster; the second
# holds VMware's management VMs (vCenter, NSX), which its customers may not move.
VMC_COMPUTE_POOL = "Compute-ResourcePool"
VMC_MGMT_POOL = "Mgmt-ResourcePool"
# A resource pool's managed object type: a vApp is a resource pool too, but a reference
# to it must say VirtualApp.
PoolKind = Literal["ResourcePool", "VirtualApp"]


@dataclass(frozen=True)
class Unreadable:
    """A property vCenter did not return (``missingSet``), with the fault it gave."""

    path: str
    fault: str  # e.g. "NoPermission", "ManagedObjectNotFound"
    privilege: str | None = None  # for NoPermission: the privilege that is lacking

    def __str__(self) -> str:
        why = f"{self.fault} ({self.privilege})" if self.privilege else self.fault
        return f"{self.path}: {why}"


# Properties without which no placement decision may be made about an object.
HOST_DECISION_PATHS = ("runtime.connectionState", "runtime.inMaintenanceMode",
                       "runtime.powerState", "summary.hardware", "summary.quickStats")
VM_DECISION_PATHS = ("runtime.host", "runtime.powerState", "summary.quickStats",
                     "config.hardware", "config.template", "runtime.faultToleranceState",
                     "runtime.connectionState")


def _blocking(unknown: tuple[Unreadable, ...], needed: tuple[str, ...]) -> tuple[Unreadable, ...]:
    return tuple(u for u in unknown
                 if any(u.path == p or u.path.startswith(p + ".") or p.startswith(u.path + ".")
                        for p in needed))


@dataclass(frozen=True)
class Host:
    name: str
    moid: str
    cluster_moid: str | None
    fault_domain: str | None
    connection_state: ConnectionState
    in_maintenance: bool
    cpu_capacity_mhz: int
    memory_capacity_mb: int
    cpu_usage_mhz: int
    memory_usage_mb: int
    datastore_moids: tuple[str, ...] = ()
    vm_moids: tuple[str, ...] = ()
    power_state: HostPowerState = "poweredOn"
    standby_mode: str | None = None  # runtime.standbyMode: entering, exiting, in, none
    in_quarantine: bool = False  # runtime.inQuarantineMode (Proactive HA)
    cluster_name: str | None = None  # for people
    datacenter: str | None = None  # the datacenter's name
    path: str | None = None  # inventory path, e.g. /DC/host/Cluster-1/10.0.0.1
    unknown: tuple[Unreadable, ...] = ()

    @property
    def connected(self) -> bool:
        return self.connection_state == "connected"

    @property
    def blind_spots(self) -> tuple[Unreadable, ...]:
        """Unreadable properties that placement decisions need."""
        return _blocking(self.unknown, HOST_DECISION_PATHS)

    @property
    def readable(self) -> bool:
        return not self.blind_spots

    @property
    def cpu_pct(self) -> float:
        return 100.0 * self.cpu_usage_mhz / self.cpu_capacity_mhz if self.cpu_capacity_mhz else 0.0

    @property
    def memory_pct(self) -> float:
        if not self.memory_capacity_mb:
            return 0.0
        return 100.0 * self.memory_usage_mb / self.memory_capacity_mb


@dataclass(frozen=True)
class VmDevice:
    """A device that decides whether the VM can move (others are not kept)."""

    kind: DeviceKind
    label: str  # e.g. "PCI device 0", "CD/DVD drive 1"
    connected: bool = True


@dataclass(frozen=True)
class Vm:
    """A VM. ``memory_usage_mb`` is its load on the host in *consumed* host memory
    (``summary.quickStats.hostMemoryUsage``), the unit of the host's
    ``overallMemoryUsage``; ``memory_active_mb`` is the guest's active memory
    (``guestMemoryUsage``), for people only."""

    name: str
    moid: str
    host_moid: str | None
    power_state: PowerState
    num_cpu: int
    memory_mb: int
    cpu_usage_mhz: int
    memory_usage_mb: int
    datastore_moids: tuple[str, ...] = ()
    ip_address: str | None = None
    boot_time: datetime | None = None
    resource_pool: str | None = None  # moid of the VM's resource pool
    memory_active_mb: int = 0
    template: bool = False  # config.template
    ft_state: str | None = None  # runtime.faultToleranceState when FT is configured
    devices: tuple[VmDevice, ...] = ()  # only the devices that matter for a move
    connection_state: VmConnectionState = "connected"
    host_name: str | None = None  # for people
    datacenter: str | None = None
    path: str | None = None  # inventory path, e.g. /DC/vm/team/app
    unknown: tuple[Unreadable, ...] = ()

    @property
    def powered_on(self) -> bool:
        return self.power_state == "poweredOn"

    @property
    def blind_spots(self) -> tuple[Unreadable, ...]:
        return _blocking(self.unknown, VM_DECISION_PATHS)

    @property
    def readable(self) -> bool:
        return not self.blind_spots


@dataclass(frozen=True)
class Datastore:
    name: str
    moid: str
    capacity_bytes: int
    free_bytes: int
    datacenter: str | None = None


@dataclass(frozen=True)
class Rule:
    """A DRS rule, normalised.

    ``vm-affinity``/``vm-anti-affinity``: keep ``vm_moids`` together / apart.
    ``vm-host``/``vm-not-host``: ``vm_moids`` should (``mandatory=False``) or must
    (``mandatory=True``) run / not run on ``host_moids`` (groups already expanded).
    """

    name: str
    kind: RuleKind
    vm_moids: tuple[str, ...]
    host_moids: tuple[str, ...] = ()
    mandatory: bool = True
    enabled: bool = True


@dataclass(frozen=True)
class Cluster:
    name: str
    moid: str
    host_moids: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    drs_enabled: bool = False
    root_pool: str | None = None  # moid of the cluster's root resource pool
    datacenter: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Pool:
    """A resource pool or vApp. ``relative_path`` is its place under its cluster's root
    pool (``""`` for the root pool itself, ``Compute-ResourcePool``, ``team/ml``): the
    same relative path in another cluster is "the same pool" there."""

    name: str
    moid: str
    kind: PoolKind = "ResourcePool"
    parent_moid: str | None = None  # the parent pool; None for a root pool
    cluster_moid: str | None = None  # the cluster that owns it (``owner``)
    relative_path: str = ""
    datacenter: str | None = None
    path: str | None = None  # inventory path, e.g. /DC/host/C1/Resources/Compute-ResourcePool

    @property
    def is_root(self) -> bool:
        return self.parent_moid is None

    def describe(self) -> str:
        """How people see it: ``Compute-ResourcePool (resgroup-12)``, ``root pool (resgroup-8)``."""
        where = self.relative_path or "root pool"
        return f"{where} ({self.moid})"


class _Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def moid(self) -> str: ...

    @property
    def path(self) -> str | None: ...


N = TypeVar("N", bound=_Named)


def describe(obj: _Named) -> str:
    """``/DC/vm/f1/app (vm-12)``: how a match is listed when a name is ambiguous."""
    return f"{obj.path or obj.name} ({obj.moid})"


def resolve(kind: str, objects: Iterable[N], by_moid: Mapping[str, N], selector: str,
            *, flag: str | None = None) -> N:
    """The one object ``selector`` names: a moid, an inventory path (``/…``) or a name.

    ``AmbiguousError`` (exit 2) listing every match with its path and moid when
    a name matches several; ``NotFoundError`` with close names when none.
    """
    pool = list(objects)
    if selector.startswith("/"):
        matches = [o for o in pool if o.path == selector]
    else:
        matches = [o for o in pool if o.name == selector]
        by_id = by_moid.get(selector)
        if by_id is not None and by_id not in matches:
            matches.append(by_id)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousError(kind, selector, [describe(o) for o in matches], flag=flag)
    names = [o.path or o.name for o in pool] if selector.startswith("/") else \
        [o.name for o in pool]
    close = difflib.get_close_matches(selector, names, n=3, cutoff=0.6)
    raise NotFoundError(kind, selector, close)


@dataclass(frozen=True)
class Inventory:
    hosts: tuple[Host, ...] = ()
    vms: tuple[Vm, ...] = ()
    datastores: tuple[Datastore, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    taken_at: datetime | None = field(default=None, compare=False)
    pools: tuple[Pool, ...] = ()  # resource pools and vApps (empty: not read)

    # --- by identity ---------------------------------------------------------------

    @cached_property
    def hosts_by_moid(self) -> dict[str, Host]:
        return {h.moid: h for h in self.hosts}

    @cached_property
    def vms_by_moid(self) -> dict[str, Vm]:
        return {v.moid: v for v in self.vms}

    @cached_property
    def datastores_by_moid(self) -> dict[str, Datastore]:
        return {d.moid: d for d in self.datastores}

    @cached_property
    def clusters_by_moid(self) -> dict[str, Cluster]:
        return {c.moid: c for c in self.clusters}

    @cached_property
    def pools_by_moid(self) -> dict[str, Pool]:
        return {p.moid: p for p in self.pools}

    def pools_of(self, cluster_moid: str) -> tuple[Pool, ...]:
        """The resource pools and vApps of a cluster, root pool first."""
        return tuple(sorted((p for p in self.pools if p.cluster_moid == cluster_moid),
                            key=lambda p: (not p.is_root, p.relative_path, p.moid)))

    def host(self, moid: str) -> Host:
        """The host with managed object id ``moid``; ``NotFoundError`` otherwise."""
        try:
            return self.hosts_by_moid[moid]
        except KeyError:
            raise NotFoundError("host", moid) from None

    def vm(self, moid: str) -> Vm:
        """The VM with managed object id ``moid``; ``NotFoundError`` otherwise."""
        try:
            return self.vms_by_moid[moid]
        except KeyError:
            raise NotFoundError("VM", moid) from None

    def cluster(self, moid: str) -> Cluster:
        try:
            return self.clusters_by_moid[moid]
        except KeyError:
            raise NotFoundError("cluster", moid) from None

    # --- what a user typed -----------------------------------------------------------

    def find_vm(self, selector: str) -> Vm:
        """The VM ``selector`` names: a name, a moid (``vm-123``) or a path (``/DC/vm/f/app``)."""
        return resolve("VM", self.vms, self.vms_by_moid, selector)

    def find_host(self, selector: str) -> Host:
        """The host named by ``selector``: a name, a moid (``host-45``) or an inventory path."""
        return resolve("host", self.hosts, self.hosts_by_moid, selector)

    def find_cluster(self, selector: str, datacenter: str | None = None) -> Cluster:
        """A cluster by name (scoped to ``datacenter`` when given), moid or path."""
        pool = [c for c in self.clusters if datacenter is None or c.datacenter == datacenter]
        return resolve("cluster", pool, self.clusters_by_moid, selector)

    def find_pool(self, selector: str, cluster_moid: str) -> Pool:
        """A pool of one cluster by moid, name, path under the root pool (``a/b``) or
        inventory path (``/DC/host/C/Resources/a``); a name used twice is ambiguous."""
        pools = self.pools_of(cluster_moid)
        by_relative = [p for p in pools if p.relative_path == selector and "/" in selector]
        if len(by_relative) == 1:
            return by_relative[0]
        return resolve("resource pool", pools, {p.moid: p for p in pools}, selector,
                       flag="--pool")

    def is_vmc_cluster(self, cluster_moid: str | None) -> bool:
        """VMware Cloud on AWS: the cluster's root pool holds Compute- and Mgmt-ResourcePool."""
        cluster = self.clusters_by_moid.get(cluster_moid or "")
        if cluster is None or cluster.root_pool is None:
            return False
        children = {p.name for p in self.pools if p.parent_moid == cluster.root_pool}
        return {VMC_COMPUTE_POOL, VMC_MGMT_POOL} <= children

    def vmc_managed(self, vm: Vm) -> bool:
        """Is ``vm`` one of VMware's management VMs (in a VMC cluster's Mgmt-ResourcePool)?"""
        pool = self.pools_by_moid.get(vm.resource_pool or "")
        if pool is None or pool.relative_path.split("/")[0] != VMC_MGMT_POOL:
            return False
        return self.is_vmc_cluster(pool.cluster_moid)

    # --- relations -------------------------------------------------------------------

    def vms_on(self, host_moid: str) -> tuple[Vm, ...]:
        return tuple(v for v in self.vms if v.host_moid == host_moid)

    def fault_domains(self) -> tuple[str, ...]:
        """Every fault domain named by a host, sorted."""
        return tuple(sorted({h.fault_domain for h in self.hosts if h.fault_domain}))

    def cluster_of(self, host_moid: str) -> Cluster | None:
        cluster = self.host(host_moid).cluster_moid
        return self.clusters_by_moid.get(cluster) if cluster else None

    def host_name(self, moid: str | None) -> str:
        """A host's name for people (its moid when it is not in this inventory)."""
        if moid is None:
            return "-"
        host = self.hosts_by_moid.get(moid)
        return host.name if host is not None else moid

    def vm_name(self, moid: str) -> str:
        vm = self.vms_by_moid.get(moid)
        return vm.name if vm is not None else moid

    def datastore_names(self, moids: Iterable[str]) -> tuple[str, ...]:
        table = self.datastores_by_moid
        return tuple(table[m].name if m in table else m for m in moids)
