"""Multi-VM placement: a plan that empties a host before it enters maintenance.

Every VM of the host (powered-on; powered-off and suspended ones too when
asked) is placed one at a time, largest first, by the same filters and scorer
as a single VM. Each chosen move is applied to the projection, so the next VM
sees the load the previous ones added. The evacuated host is never a target:
it is about to enter maintenance. A VM that cannot move at all (template,
Fault Tolerance, passthrough/vGPU or connected host device, not connected:
``placement.movable``) comes back in ``blocked``, a VM no host can take in
``unplaceable`` with every host's reasons. Powered-off and suspended VMs that
are not asked to leave come back in ``stays``: they stay on the host, even in
maintenance mode, and the plan says so.
"""

from __future__ import annotations

from dataclasses import replace

from vmcctl.model import Inventory, Vm
from vmcctl.placement.advisor import best_host, check_fault_domain, evaluate
from vmcctl.placement.filters import DYNAMIC_FILTERS, STATIC_FILTERS, Ask, passes
from vmcctl.placement.movable import blockers, hint_for
from vmcctl.placement.plan import Blocked, EvacuationPlan, HostLoad, Move, Stays, Unplaceable
from vmcctl.placement.request import MovePriority, PlacementOptions
from vmcctl.placement.result import no_placement_error
from vmcctl.placement.state import Projection, vm_load


def evacuation_order(vms: list[Vm], proj: Projection) -> list[Vm]:
    """Largest first: by the bigger of the VM's CPU and memory share of an average host."""
    n = len(proj) or 1
    cpu_cap = sum(proj.cpu_cap) / n or 1.0
    mem_cap = sum(proj.mem_cap) / n or 1.0

    def size(vm: Vm) -> tuple[float, str, str]:
        cpu, mem = vm_load(vm)
        return (-max(cpu / cpu_cap, mem / mem_cap), vm.name, vm.moid)

    return sorted(vms, key=size)


def plan_evacuation(inventory: Inventory, host: str, options: PlacementOptions | None = None,
                    *, include_powered_off: bool = False,
                    priority: MovePriority = "default") -> EvacuationPlan:
    """Where every VM of ``host`` (a selector: name, moid or path) would go.

    ``NotFoundError``/``AmbiguousError`` for an unknown or ambiguous host and an
    unknown fault domain. A VM on the host whose power state, load or location
    could not be read is unplaceable (never taken for powered off).
    """
    evacuated = inventory.find_host(host)
    options = options or PlacementOptions()
    for h in sorted(options.avoid_hosts):
        inventory.host(h)
    options = replace(options, avoid_hosts=options.avoid_hosts | {evacuated.moid})
    proj = Projection.from_inventory(inventory)
    check_fault_domain(proj, options)
    on_host = inventory.vms_on(evacuated.moid)
    blind = [v for v in on_host if not v.readable]
    leaving = [v for v in on_host
               if v.readable and (v.powered_on or include_powered_off)]
    stays = tuple(sorted((Stays(v.name, v.moid, v.power_state, evacuated.name) for v in on_host
                          if v.readable and not v.powered_on and not include_powered_off),
                         key=lambda s: (s.vm, s.vm_moid)))
    blocked = [b for b in (_blocked(v) for v in leaving) if b is not None]
    stuck = {b.vm_moid for b in blocked}
    leaving = [v for v in leaving if v.moid not in stuck]

    static_ok: dict[frozenset[str], list[int]] = {}
    moves: list[Move] = []
    unplaceable: list[Unplaceable] = [_unreadable(v) for v in blind]
    received: dict[int, int] = {}
    for vm in evacuation_order(leaving, proj):
        ask = Ask.build(proj, vm, options)
        hosts = static_ok.get(ask.datastores)
        if hosts is None:
            hosts = [i for i in range(len(proj)) if passes(ask, proj, i, STATIC_FILTERS)]
            static_ok[ask.datastores] = hosts
        target = best_host(ask, proj, hosts, DYNAMIC_FILTERS)
        if target is None:
            unplaceable.append(_unplaceable(ask, proj, evacuated.moid))
            continue
        moves.append(Move(vm.name, vm.moid, evacuated.name, evacuated.moid,
                          proj.names[target], proj.moids[target], priority))
        proj.apply(vm.moid, target)
        received[target] = received.get(target, 0) + 1

    before = inventory.hosts_by_moid
    loads = tuple(
        HostLoad(host=proj.names[i], host_moid=proj.moids[i], fault_domain=proj.fault_domain[i],
                 vms_in=received[i], cpu_pct=before[proj.moids[i]].cpu_pct,
                 cpu_pct_after=proj.cpu_pct(i), mem_pct=before[proj.moids[i]].memory_pct,
                 mem_pct_after=proj.mem_pct(i))
        for i in sorted(received))
    return EvacuationPlan(host=evacuated.name, host_moid=evacuated.moid, moves=tuple(moves),
                          unplaceable=tuple(unplaceable), loads=loads, blocked=tuple(blocked),
                          stays=stays)


def _blocked(vm: Vm) -> Blocked | None:
    found = blockers(vm)
    if not found:
        return None
    return Blocked(vm=vm.name, vm_moid=vm.moid, codes=tuple(r.code for r in found),
                   message="; ".join(f"{r.code}: {r.detail}" for r in found),
                   hint=hint_for(found))


def _unreadable(vm: Vm) -> Unplaceable:
    spots = "; ".join(str(u) for u in vm.blind_spots)
    return Unplaceable(vm=vm.name, vm_moid=vm.moid,
                       message=f"vCenter did not let us read what a move needs ({spots})",
                       hint="ask for System.Read on the VM", rejected=())


def _unplaceable(ask: Ask, proj: Projection, evacuated: str) -> Unplaceable:
    _, rejected = evaluate(ask, proj)
    # The evacuated host is no candidate by design: leave it out of the explanation.
    relevant = tuple(r for r in rejected if r.host_moid != evacuated)
    err = no_placement_error(ask.vm.name, relevant)
    return Unplaceable(vm=ask.vm.name, vm_moid=ask.vm.moid, message=err.message, hint=err.hint,
                       rejected=relevant)
