"""Which hosts of a rolling window go down together, and whether the cluster can take it.

- ``plan_groups``: hosts of one fault domain only go down together (never two
  fault domains at once), at most ``max_down`` of them, never a set whose joint
  absence leaves the cluster without capacity at the headroom limit or leaves a
  must-run-on rule with none of its hosts; groups alternate between fault
  domains, so a VM can wait in its own fault domain while its host is serviced.
- ``admission``: like HA admission control, the load of the whole cluster must
  fit, at the headroom limit, on the hosts left when the largest groups are
  away at once (two groups in an overlapped window: one in maintenance, the
  next being emptied); refused with the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vmcctl.errors import PrecheckError
from vmcctl.model import Cluster, Host, Inventory
from vmcctl.placement.request import PlacementOptions


@dataclass(frozen=True)
class Admission:
    ok: bool
    absent: tuple[str, ...]  # host names away at the worst moment
    hosts_left: int
    cpu_need_mhz: int
    cpu_room_mhz: int  # capacity of the hosts left times the CPU limit
    mem_need_mb: int
    mem_room_mb: int
    max_cpu_pct: float
    max_mem_pct: float
    overlap: bool

    def message(self) -> str:
        what = []
        if self.cpu_need_mhz > self.cpu_room_mhz:
            what.append(f"CPU {self.cpu_need_mhz / 1000:.1f} GHz needed, "
                        f"{self.cpu_room_mhz / 1000:.1f} GHz available "
                        f"({self.max_cpu_pct:g}% of the {self.hosts_left} hosts left)")
        if self.mem_need_mb > self.mem_room_mb:
            what.append(f"memory {self.mem_need_mb / 1024:.1f} GB needed, "
                        f"{self.mem_room_mb / 1024:.1f} GB available "
                        f"({self.max_mem_pct:g}% of the {self.hosts_left} hosts left)")
        return (f"admission refused: with {len(self.absent)} host(s) away "
                f"({', '.join(self.absent)}) the cluster cannot hold its load: "
                + "; ".join(what))

    def hint(self) -> str:
        return "lower --max-down, or raise --max-cpu/--max-mem"

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "absent": list(self.absent), "hosts_left": self.hosts_left,
                "cpu_need_mhz": self.cpu_need_mhz, "cpu_room_mhz": self.cpu_room_mhz,
                "memory_need_mb": self.mem_need_mb, "memory_room_mb": self.mem_room_mb,
                "max_cpu_pct": self.max_cpu_pct, "max_mem_pct": self.max_mem_pct,
                "overlap": self.overlap}


def _members(inv: Inventory, cluster: Cluster) -> list[Host]:
    return [inv.host(h) for h in cluster.host_moids if h in inv.hosts_by_moid]


def _check(inv: Inventory, cluster: Cluster, absent: set[str], options: PlacementOptions,
           overlap: bool) -> Admission:
    members = [h for h in _members(inv, cluster) if not h.in_maintenance]
    left = [h for h in members if h.moid not in absent]
    cpu_room = int(sum(h.cpu_capacity_mhz for h in left) * options.max_cpu_pct / 100)
    mem_room = int(sum(h.memory_capacity_mb for h in left) * options.max_mem_pct / 100)
    cpu_need = sum(h.cpu_usage_mhz for h in members)
    mem_need = sum(h.memory_usage_mb for h in members)
    return Admission(ok=cpu_need <= cpu_room and mem_need <= mem_room,
                     absent=tuple(sorted(inv.host(h).name for h in absent)),
                     hosts_left=len(left), cpu_need_mhz=cpu_need, cpu_room_mhz=cpu_room,
                     mem_need_mb=mem_need, mem_room_mb=mem_room,
                     max_cpu_pct=options.max_cpu_pct, max_mem_pct=options.max_mem_pct,
                     overlap=overlap)


def admission(inv: Inventory, cluster: Cluster, groups: Sequence[Sequence[str]],
              options: PlacementOptions, *, overlap: bool) -> Admission:
    """The worst moment of the window: the largest group (pair of consecutive groups)."""
    worst: Admission | None = None
    spans = ([set(groups[i]) | set(groups[i + 1]) for i in range(len(groups) - 1)]
             if overlap and len(groups) > 1 else [set(g) for g in groups])
    for absent in spans:
        check = _check(inv, cluster, absent, options, overlap)
        key = (check.ok, check.cpu_room_mhz - check.cpu_need_mhz)
        if worst is None or key < (worst.ok, worst.cpu_room_mhz - worst.cpu_need_mhz):
            worst = check
    return worst or _check(inv, cluster, set(), options, overlap)


def admit(inv: Inventory, cluster: Cluster, hosts: Sequence[str], max_down: int,
          options: PlacementOptions) -> Admission:
    """HA-style: the cluster's load with the ``max_down`` largest of ``hosts`` away."""
    biggest = sorted((inv.host(h) for h in hosts),
                     key=lambda h: (-h.cpu_capacity_mhz, -h.memory_capacity_mb, h.name))
    return _check(inv, cluster, {h.moid for h in biggest[:max_down]}, options, False)


def pinned(inv: Inventory, cluster: Cluster, absent: set[str]) -> list[str]:
    """Must-run-on rules whose every host is in ``absent`` (their powered-on VMs are stuck)."""
    out = []
    for rule in cluster.rules:
        if not (rule.enabled and rule.mandatory and rule.kind == "vm-host"):
            continue
        hosts = set(rule.host_moids) & set(cluster.host_moids)
        running = [v for v in rule.vm_moids if v in inv.vms_by_moid
                   and inv.vm(v).powered_on and inv.vm(v).host_moid in cluster.host_moids]
        if hosts and hosts <= absent and running:
            names = ", ".join(sorted(inv.vm(v).name for v in running))
            out.append(f"rule {rule.name} keeps {names} on "
                       f"{', '.join(sorted(inv.host(h).name for h in hosts))}")
    return out


def plan_groups(inv: Inventory, cluster: Cluster, hosts: Sequence[str], max_down: int,
                options: PlacementOptions) -> list[tuple[str, ...]]:
    """The groups of hosts in maintenance together, in window order."""
    members = set(cluster.host_moids)
    for moid in hosts:
        if moid not in members:
            raise PrecheckError(f"host {inv.host_name(moid)} is not in cluster {cluster.name}")
    for moid in hosts:
        stuck = pinned(inv, cluster, {moid})
        if stuck:
            raise PrecheckError(
                f"{inv.host_name(moid)} cannot be emptied: {'; '.join(stuck)}",
                hint="leave the host out with --hosts, or relax the rule in vCenter")
    by_domain: dict[str, list[Host]] = {}
    for member in sorted((inv.host(m) for m in dict.fromkeys(hosts)),
                         key=lambda x: (x.name, x.moid)):
        by_domain.setdefault(member.fault_domain or "", []).append(member)
    chunks: dict[str, list[list[str]]] = {}
    for domain, domain_hosts in sorted(by_domain.items()):
        out: list[list[str]] = []
        for h in domain_hosts:
            for chunk in out:
                trial = {*chunk, h.moid}
                if len(chunk) < max_down and not pinned(inv, cluster, trial) and \
                        _check(inv, cluster, trial, options, False).ok:
                    chunk.append(h.moid)
                    break
            else:
                out.append([h.moid])
        chunks[domain] = out
    groups: list[tuple[str, ...]] = []
    for i in range(max((len(c) for c in chunks.values()), default=0)):
        for domain in sorted(chunks):
            if i < len(chunks[domain]):
                groups.append(tuple(chunks[domain][i]))
    return order_groups(inv, cluster, groups)


def order_groups(inv: Inventory, cluster: Cluster,
                 groups: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """An order where no two consecutive groups are pinned together by a must-rule
    (in an overlapped window one is emptied while the other is in maintenance),
    alternating fault domains where it can; the given order if none is found."""
    domain = [inv.host(g[0]).fault_domain if g else None for g in groups]
    clash = {(a, b) for a in range(len(groups)) for b in range(len(groups))
             if a != b and pinned(inv, cluster, {*groups[a], *groups[b]})}
    if not clash:
        return groups
    budget = [20_000]

    def search(order: list[int], left: list[int]) -> list[int] | None:
        if not left:
            return order
        budget[0] -= 1
        if budget[0] < 0:
            return None
        prev = order[-1] if order else None
        candidates = [g for g in left if prev is None or (prev, g) not in clash]
        candidates.sort(key=lambda g: prev is not None and domain[g] == domain[prev])
        for g in candidates:
            found = search([*order, g], [x for x in left if x != g])
            if found is not None:
                return found
        return None

    found = search([], list(range(len(groups))))
    return [groups[i] for i in found] if found is not None else groups
