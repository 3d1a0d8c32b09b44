"""Resource pools: how the snapshot reads them and which one a move names.

``build_pools`` turns the collector's ResourcePool/VirtualApp objects (``name``,
``parent``, ``owner``, read in the snapshot's one call) into ``Pool`` entries
that keep their real type: a reference to a vApp must say ``VirtualApp``.

``choose_pool`` is the one rule for ``spec.pool`` of a compute-only move
(``vsphere.relocate.plan_checked_move`` calls it, so migrate, evacuations,
restores, windows and playbooks all get it):

- ``--pool`` given: that pool of the target host's cluster (name, moid, path
  under the root pool ``a/b`` or inventory path), whatever else holds;
- within a cluster: the VM's own pool; if vCenter did not let us read which
  pool or what type it is, ``spec.pool`` stays unset, and vCenter keeps the
  VM's current pool (RelocateSpec: "if the argument is not supplied, the
  current resource pool of virtual machine is used");
- across clusters: the pool at the same path under the target cluster's
  root pool (``Compute-ResourcePool`` → ``Compute-ResourcePool``; the root
  pool → the root pool). Never the root pool silently: when there is no such
  pool the move is refused (``PrecheckError``), naming the pools there are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vmcctl.errors import PrecheckError
from vmcctl.model import Cluster, Host, Inventory, Pool, PoolKind, Vm
from vmcctl.vsphere import fastparse

TYPE = "<type>"  # props key of a pool: its managed object type (ResourcePool or VirtualApp)
MISSING = fastparse.MISSING  # props key: the object's missingSet


def _moid(ref: Any) -> str | None:
    if ref is None or isinstance(ref, str):
        return ref
    return str(ref._moId)


def build_pools(pools_raw: Mapping[str, Mapping[str, Any]],
                clusters_raw: Mapping[str, Any], *,
                path: Callable[[str], str | None],
                datacenter: Callable[[str], str | None]) -> tuple[Pool, ...]:
    """Pools with their type, owner cluster and place under the cluster's root pool.

    A pool whose name or parent (or an ancestor's) vCenter did not let us read
    is left out: its place is unknown, and an unknown place must never look
    like the root pool's ``""``.
    """
    parents = {moid: _moid(p.get("parent")) for moid, p in pools_raw.items()}

    def readable(moid: str) -> bool:
        props = pools_raw[moid]
        hidden = {u.path for u in props.get(MISSING) or ()}
        return (parents[moid] is not None and "name" in props
                and not hidden & {"name", "parent"})

    def relative(moid: str) -> str | None:
        names: list[str] = []
        seen: set[str] = set()
        current = moid
        while True:
            if current in seen or not readable(current):
                return None
            seen.add(current)
            parent = parents[current]
            if parent is None or parent not in pools_raw:
                return "/".join(reversed(names))  # current is the root pool
            names.append(str(pools_raw[current]["name"]))
            current = parent

    out: list[Pool] = []
    for moid, p in pools_raw.items():
        rel = relative(moid)
        if rel is None:
            continue  # unreadable, or a parent cycle: not a pool to reason about
        parent, owner = parents[moid], _moid(p.get("owner"))
        kind: PoolKind = "VirtualApp" if p.get(TYPE) == "VirtualApp" else "ResourcePool"
        out.append(Pool(name=str(p.get("name", moid)), moid=moid, kind=kind,
                        parent_moid=parent if parent in pools_raw else None,
                        cluster_moid=owner if owner in clusters_raw else None,
                        relative_path=rel, datacenter=datacenter(moid), path=path(moid)))
    return tuple(sorted(out, key=lambda p: (p.cluster_moid or "", p.relative_path, p.moid)))


@dataclass(frozen=True)
class PoolChoice:
    """``spec.pool`` of a move: ``moid`` None leaves it unset (the VM keeps its pool)."""

    moid: str | None
    kind: PoolKind = "ResourcePool"
    label: str = ""  # for people: "Compute-ResourcePool", "root pool", "unchanged"


def _choice(pool: Pool) -> PoolChoice:
    return PoolChoice(pool.moid, pool.kind, pool.relative_path or "root pool")


def _listing(pools: tuple[Pool, ...]) -> str:
    return ", ".join(p.describe() for p in pools) or "none readable"


def choose_pool(inv: Inventory, vm: Vm, source: Host, target: Host, target_cluster: Cluster,
                selector: str | None = None) -> PoolChoice:
    """The pool a compute-only move of ``vm`` from ``source`` to ``target`` names."""
    if selector is not None:
        return _choice(inv.find_pool(selector, target_cluster.moid))
    own = inv.pools_by_moid.get(vm.resource_pool or "")
    if source.cluster_moid == target.cluster_moid:
        if own is None:
            return PoolChoice(None, label="unchanged")
        return _choice(own)
    if own is None:
        raise PrecheckError(
            f"cannot tell which resource pool VM {vm.name} is in (vCenter did not let us "
            f"read {'its pool' if vm.resource_pool else 'resourcePool'}), so not which pool "
            f"it belongs in on cluster {target_cluster.name}",
            hint="name the pool with --pool NAME|moid|path")
    there = inv.pools_of(target_cluster.moid)
    same = [p for p in there if p.relative_path == own.relative_path]
    if len(same) == 1:
        return _choice(same[0])
    where = own.relative_path or "the root pool"
    raise PrecheckError(
        f"VM {vm.name} is in {where} of cluster {source.cluster_name or source.cluster_moid}; "
        f"cluster {target_cluster.name} has no pool at that path (its pools: "
        f"{_listing(there)})", hint="choose one with --pool NAME|moid|path")
