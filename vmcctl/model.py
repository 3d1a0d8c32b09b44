"""The inventory model: frozen, typed snapshots of vCenter objects.

These dataclasses are the data contract between the layers: ``vsphere.snapshot``
fills them from one PropertyCollector read, ``placement`` reasons over them
(and never imports pyVmomi), the CLI renders them. Objects refer to each other
by *name* (host names are IPs in VMware Cloud on AWS); ``moid`` keeps the
managed object id for when the client layer needs to act.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Literal, TypeVar

from vmcctl.errors import NotFoundError

PowerState = Literal["poweredOn", "poweredOff", "suspended"]
ConnectionState = Literal["connected", "disconnected", "notResponding"]
RuleKind = Literal["vm-affinity", "vm-anti-affinity", "vm-host", "vm-not-host"]


@dataclass(frozen=True)
class Host:
    name: str
    moid: str
    cluster: str | None
    fault_domain: str | None
    connection_state: ConnectionState
    in_maintenance: bool
    cpu_capacity_mhz: int
    memory_capacity_mb: int
    cpu_usage_mhz: int
    memory_usage_mb: int
    datastores: tuple[str, ...] = ()
    vms: tuple[str, ...] = ()

    @property
    def connected(self) -> bool:
        return self.connection_state == "connected"

    @property
    def cpu_pct(self) -> float:
        return 100.0 * self.cpu_usage_mhz / self.cpu_capacity_mhz if self.cpu_capacity_mhz else 0.0

    @property
    def memory_pct(self) -> float:
        if not self.memory_capacity_mb:
            return 0.0
        return 100.0 * self.memory_usage_mb / self.memory_capacity_mb


@dataclass(frozen=True)
class Vm:
    name: str
    moid: str
    host: str | None
    power_state: PowerState
    num_cpu: int
    memory_mb: int
    cpu_usage_mhz: int
    memory_usage_mb: int
    datastores: tuple[str, ...] = ()
    ip_address: str | None = None
    boot_time: datetime | None = None
    resource_pool: str | None = None  # moid of the VM's resource pool

    @property
    def powered_on(self) -> bool:
        return self.power_state == "poweredOn"


@dataclass(frozen=True)
class Datastore:
    name: str
    moid: str
    capacity_bytes: int
    free_bytes: int


@dataclass(frozen=True)
class Rule:
    """A DRS rule, normalised.

    ``vm-affinity``/``vm-anti-affinity``: keep ``vms`` together / apart.
    ``vm-host``/``vm-not-host``: ``vms`` should (``mandatory=False``) or must
    (``mandatory=True``) run / not run on ``hosts`` (groups already expanded).
    """

    name: str
    kind: RuleKind
    vms: tuple[str, ...]
    hosts: tuple[str, ...] = ()
    mandatory: bool = True
    enabled: bool = True


@dataclass(frozen=True)
class Cluster:
    name: str
    moid: str
    hosts: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    drs_enabled: bool = False
    root_pool: str | None = None  # moid of the cluster's root resource pool


T = TypeVar("T")


def _lookup(kind: str, table: Mapping[str, T], name: str) -> T:
    try:
        return table[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(table), n=3, cutoff=0.6)
        raise NotFoundError(kind, name, close) from None


@dataclass(frozen=True)
class Inventory:
    hosts: tuple[Host, ...] = ()
    vms: tuple[Vm, ...] = ()
    datastores: tuple[Datastore, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    taken_at: datetime | None = field(default=None, compare=False)

    @cached_property
    def hosts_by_name(self) -> dict[str, Host]:
        return {h.name: h for h in self.hosts}

    @cached_property
    def vms_by_name(self) -> dict[str, Vm]:
        return {v.name: v for v in self.vms}

    @cached_property
    def hosts_by_moid(self) -> dict[str, Host]:
        return {h.moid: h for h in self.hosts}

    @cached_property
    def vms_by_moid(self) -> dict[str, Vm]:
        return {v.moid: v for v in self.vms}

    @cached_property
    def datastores_by_name(self) -> dict[str, Datastore]:
        return {d.name: d for d in self.datastores}

    @cached_property
    def clusters_by_name(self) -> dict[str, Cluster]:
        return {c.name: c for c in self.clusters}

    def host(self, name: str) -> Host:
        """The host called ``name``; ``NotFoundError`` with close names otherwise."""
        return _lookup("host", self.hosts_by_name, name)

    def vm(self, name: str) -> Vm:
        """The VM called ``name``; ``NotFoundError`` with close names otherwise."""
        return _lookup("VM", self.vms_by_name, name)

    def cluster(self, name: str) -> Cluster:
        return _lookup("cluster", self.clusters_by_name, name)

    def vms_on(self, host: str) -> tuple[Vm, ...]:
        return tuple(v for v in self.vms if v.host == host)

    def fault_domains(self) -> tuple[str, ...]:
        """Every fault domain named by a host, sorted."""
        return tuple(sorted({h.fault_domain for h in self.hosts if h.fault_domain}))

    def cluster_of(self, host: str) -> Cluster | None:
        cluster = self.host(host).cluster
        return self.clusters_by_name.get(cluster) if cluster else None
