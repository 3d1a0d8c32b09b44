"""Cross-references of a simulator inventory: every name unique where vCenter needs it, and
every name a VM, rule, datastore or fault mentions known (``InventorySpec``'s last check).

Each problem is a ``ValueError`` whose text starts with the key path, which
``parse_inventory`` turns into its one-line ``InventoryFileError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vmcctl.sim.datacenters import VmIndex

if TYPE_CHECKING:
    from vmcctl.sim.inventory import InventorySpec


def check_references(spec: InventorySpec) -> None:
    _unique("clusters", [(c.datacenter, c.name) for c in spec.clusters])
    hosts = [h.name for h in spec.hosts]
    _unique("hosts", [("", h) for h in hosts], where=lambda i: _host_path(spec, i))
    _unique("datastores", [(d.datacenter, d.name) for d in spec.datastores])
    _unique("vms", [(v.datacenter, f"{v.folder}/{v.name}") for v in spec.vms],
            shown=[v.name for v in spec.vms])
    if not any(c.datacenter == spec.datacenter for c in spec.clusters):
        raise ValueError(f"datacenter: datacenter {spec.datacenter!r} has no cluster")
    host_dc = {h.name: h.datacenter for h in spec.hosts}
    for ci, c in enumerate(spec.clusters):
        for hi, h in enumerate(c.hosts):
            if h.datacenter != c.datacenter:
                raise ValueError(f"clusters.{ci}.hosts.{hi}.datacenter: must be the "
                                 f"cluster's datacenter {c.datacenter!r}")
    ds_hosts: dict[tuple[str, str], set[str]] = {}
    for i, d in enumerate(spec.datastores):
        dc_hosts = {name for name, dc in host_dc.items() if dc == d.datacenter}
        for name in d.hosts or []:
            _known(f"datastores.{i}.hosts", f"host in datacenter {d.datacenter!r}", name,
                   dc_hosts)
        ds_hosts[(d.datacenter, d.name)] = set(d.hosts) if d.hosts is not None else dc_hosts
    cluster_pools = {h.name: {"", *c.pool_paths, *c.vapps}
                     for c in spec.clusters for h in c.hosts}
    for i, v in enumerate(spec.vms):
        _known(f"vms.{i}.host", "host", v.host, set(host_dc))
        _known(f"vms.{i}.pool", f"pool of {v.host}'s cluster", v.pool, cluster_pools[v.host])
        for name in v.incompatible_hosts:
            _known(f"vms.{i}.incompatible_hosts", "host", name, set(host_dc))
        if host_dc[v.host] != v.datacenter:
            raise ValueError(f"vms.{i}.host: host {v.host!r} is in datacenter "
                             f"{host_dc[v.host]!r}, not {v.datacenter!r}")
        mounted = ds_hosts.get((v.datacenter, v.datastore))
        if mounted is None:
            raise ValueError(f"vms.{i}.datastore: unknown datastore {v.datastore!r}")
        if v.host not in mounted:
            raise ValueError(f"vms.{i}.datastore: datastore {v.datastore!r} is not "
                             f"mounted on host {v.host!r}")
    index = VmIndex(spec.vms)
    for ci, c in enumerate(spec.clusters):
        cluster_hosts = {h.name for h in c.hosts}
        for ri, r in enumerate(c.rules):
            for vm in r.vms:
                _resolve(index, f"clusters.{ci}.rules.{ri}.vms", vm, c.datacenter)
            for name in r.hosts:
                _known(f"clusters.{ci}.rules.{ri}.hosts", "host in this cluster", name,
                       cluster_hosts)
    for i, f in enumerate(spec.faults):
        _resolve(index, f"faults.{i}.vm", f.vm, None)
        if f.land_on is not None:
            _known(f"faults.{i}.land_on", "host", f.land_on, set(host_dc))
    users = [spec.credentials.username]
    for i, u in enumerate(spec.users):
        if u.username in users:
            raise ValueError(f"users.{i}.username: duplicate user {u.username!r}")
        users.append(u.username)


def _host_path(spec: InventorySpec, flat_index: int) -> str:
    i = 0
    for ci, c in enumerate(spec.clusters):
        for hi, _ in enumerate(c.hosts):
            if i == flat_index:
                return f"clusters.{ci}.hosts.{hi}.name"
            i += 1
    return f"hosts.{flat_index}.name"


def _unique(what: str, keys: list[tuple[str, str]], *, shown: list[str] | None = None,
            where: Any = None) -> None:
    seen: set[tuple[str, str]] = set()
    for i, key in enumerate(keys):
        if key in seen:
            path = where(i) if where else f"{what}.{i}.name"
            name = shown[i] if shown else key[1]
            raise ValueError(f"{path}: duplicate name {name!r}")
        seen.add(key)


def _known(path: str, kind: str, name: str, known: set[str]) -> None:
    if name not in known:
        raise ValueError(f"{path}: unknown {kind} {name!r}")


def _resolve(index: VmIndex, path: str, ref: str, datacenter: str | None) -> None:
    try:
        index.resolve(ref, datacenter)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
