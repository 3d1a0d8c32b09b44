"""Single-VM placement: filter every host, score the survivors, explain the rest.

``rank_hosts(inventory, vm, options)`` answers with a ``Recommendation`` (ranked
candidates plus every rejected host with all its reasons); ``advise`` does the
same but raises ``NoPlacementError`` when no host qualifies. Both are pure:
no I/O, no pyVmomi, the inventory is not changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from vmcctl.errors import NotFoundError, PrecheckError
from vmcctl.model import Inventory, Vm
from vmcctl.placement.filters import FILTERS, Ask, Filter, applicable, reasons
from vmcctl.placement.movable import check_movable
from vmcctl.placement.request import FAULT_DOMAIN_POLICIES, PlacementOptions
from vmcctl.placement.result import Candidate, HostRejection, Recommendation
from vmcctl.placement.score import Balance, balance_of, score_host, score_value
from vmcctl.placement.state import Projection


def check_fault_domain(proj: Projection, options: PlacementOptions) -> None:
    """``NotFoundError`` (with close names) when a named fault domain does not exist."""
    wanted = options.named_fault_domain
    if wanted is None:
        return
    known = sorted({fd for fd in proj.fault_domain if fd})
    if wanted not in known:
        # a typo of a policy keyword ("otehr") is as likely as one of a name
        choices = [*FAULT_DOMAIN_POLICIES, *known]
        close = difflib.get_close_matches(wanted, choices, n=3, cutoff=0.6) or known[:3]
        raise NotFoundError("fault domain", wanted, close)


def sort_key(score: float, own_after: float, host: str,
             moid: str) -> tuple[float, float, str, str]:
    """Best first: highest score, then the emptier host, then host name (then moid).

    Rounded so float noise cannot reorder; the emptier-host step spreads VMs
    that add no load (powered off), which every host scores the same for.
    """
    return (-round(score, 9), round(own_after, 9), host, moid)


def _own_after(ask: Ask, proj: Projection, i: int) -> float:
    """The host's own utilisation after the move (mean of CPU and memory percent)."""
    return (proj.cpu_pct(i, ask.cpu) + proj.mem_pct(i, ask.mem)) / 2


def candidate(ask: Ask, proj: Projection, bal: Balance, i: int) -> Candidate:
    s = score_host(ask, proj, bal, i)
    return Candidate(
        host=proj.names[i], host_moid=proj.moids[i], fault_domain=proj.fault_domain[i],
        cpu_pct=proj.cpu_pct(i), cpu_pct_after=proj.cpu_pct(i, ask.cpu),
        mem_pct=proj.mem_pct(i), mem_pct_after=proj.mem_pct(i, ask.mem),
        score=s.score, cluster_cpu_max=s.cluster_cpu_max, cluster_mem_max=s.cluster_mem_max,
        cpu_spread=s.cpu_spread, mem_spread=s.mem_spread, should_rules=s.should_rules)


def evaluate(ask: Ask, proj: Projection,
             hosts: Iterable[int] | None = None) -> tuple[list[Candidate], list[HostRejection]]:
    """Ranked candidates and rejected hosts (all their reasons) among ``hosts`` (default all)."""
    bal = balance_of(ask, proj)
    ranked: list[Candidate] = []
    rejected: list[HostRejection] = []
    for i in range(len(proj)) if hosts is None else hosts:
        found = reasons(ask, proj, i)
        if found:
            rejected.append(HostRejection(proj.names[i], proj.moids[i], proj.fault_domain[i],
                                          tuple(found)))
        else:
            ranked.append(candidate(ask, proj, bal, i))
    ranked.sort(key=lambda c: sort_key(c.score, (c.cpu_pct_after + c.mem_pct_after) / 2,
                                       c.host, c.host_moid))
    return ranked, rejected


def best_host(ask: Ask, proj: Projection, hosts: Iterable[int],
              filters: tuple[Filter, ...] = FILTERS) -> int | None:
    """The index of the best host among ``hosts`` passing ``filters``; None if none does.

    The fast path for multi-VM placement: stops at each host's first rejection
    and builds no result objects.
    """
    bal = balance_of(ask, proj)
    checks = applicable(ask, filters)
    best: tuple[float, float, str, str] | None = None
    best_i: int | None = None
    for i in hosts:
        if any(check(ask, proj, i) is not None for check in checks):
            continue
        key = sort_key(score_value(ask, proj, bal, i), _own_after(ask, proj, i), proj.names[i],
                       proj.moids[i])
        if best is None or key < best:
            best, best_i = key, i
    return best_i


def recommendation(ask: Ask, proj: Projection) -> Recommendation:
    ranked, rejected = evaluate(ask, proj)
    source = proj.names[ask.source] if ask.source is not None else None
    source_moid = proj.moids[ask.source] if ask.source is not None else None
    fd = proj.fault_domain[ask.source] if ask.source is not None else None
    return Recommendation(vm=ask.vm.name, vm_moid=ask.vm.moid, source=source,
                          source_moid=source_moid, source_fault_domain=fd,
                          options=ask.options, candidates=tuple(ranked),
                          rejected=tuple(rejected))


def check_placeable(vm: Vm) -> None:
    """``PrecheckError`` for a VM whose location, power state or load could not be read."""
    if not vm.readable:
        raise PrecheckError(
            f"VM {vm.name} ({vm.moid}) cannot be placed: vCenter did not let us read "
            + "; ".join(str(u) for u in vm.blind_spots),
            hint="ask for System.Read on the VM (a role with read access to the inventory)")


def rank_hosts(inventory: Inventory, vm: str,
               options: PlacementOptions | None = None) -> Recommendation:
    """Every host ranked or rejected for ``vm``; never raises ``NoPlacementError``.

    ``vm`` is a selector (name, moid or inventory path; an ambiguous name is an
    ``AmbiguousError``). ``NotFoundError`` for an unknown VM, host moid in
    ``avoid_hosts`` or fault domain; ``PrecheckError`` for a VM we could not read,
    ``NotMovableError`` for one that cannot move at all (``placement.movable``).
    """
    options = options or PlacementOptions()
    target = inventory.find_vm(vm)
    check_placeable(target)
    check_movable(target)
    for h in sorted(options.avoid_hosts):
        inventory.host(h)
    proj = Projection.from_inventory(inventory)
    check_fault_domain(proj, options)
    return recommendation(Ask.build(proj, target, options), proj)


def advise(inventory: Inventory, vm: str,
           options: PlacementOptions | None = None) -> Recommendation:
    """Like ``rank_hosts``, but ``NoPlacementError`` when no host qualifies.

    The error names the constraint that eliminated the most hosts and the
    option that relaxes it.
    """
    rec = rank_hosts(inventory, vm, options)
    if not rec.candidates:
        raise rec.error()
    return rec
