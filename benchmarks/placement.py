"""Placement benchmark: advisor speed and evacuation quality on generated inventories.

    python -m benchmarks.placement [--hosts 96] [--vms 10000] [--fault-domains 2]
                                   [--dense 1024] [--seed 0] [--repeat 3]

No simulator: the inventories come from ``generate_inventory`` through
``inventory_from_spec``. Measured in one run (best of ``--repeat`` each):

(a) best host for one VM in the ``--hosts`` / ``--vms`` inventory
    (``advise``, including indexing the inventory), over a few VMs;
(b) the evacuation plan for a host holding ``--dense`` VMs (powered-off ones
    included) in an inventory of the same size;
(c) the plan's quality: the resulting maximum host utilisation over the
    target hosts divided by the capacity-weighted water-filling lower bound,
    for CPU and memory. Reported for (b), and for a 4-host cluster where the
    evacuated load lifts the water level above every host (the hard case).

Prints the numbers against the goals ((a) <= 0.2 s, (b) <= 2 s, (c) <= 1.05);
exit status 1 if one is missed. Not a timed test.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from vmcctl.model import Host, Inventory
from vmcctl.placement import EvacuationPlan, advise, plan_evacuation
from vmcctl.placement.state import vm_load
from vmcctl.sim.generate import generate_inventory
from vmcctl.sim.inventory import parse_inventory
from vmcctl.sim.offline import inventory_from_spec

T = TypeVar("T")


def best_of(repeat: int, func: Callable[[], T]) -> tuple[float, T]:
    best = float("inf")
    result: T | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def build(hosts: int, vms: int, fault_domains: int, seed: int, dense: int = 0) -> Inventory:
    doc = generate_inventory(hosts, vms, fault_domains, seed, dense_host_vms=dense)
    return inventory_from_spec(parse_inventory(doc))


def water_level(used: list[float], caps: list[float], extra: float) -> float:
    """The lowest achievable maximum utilisation when ``extra`` is poured into the hosts.

    Capacity-weighted water filling: hosts below the level L are filled to L,
    hosts above it keep their load; L solves sum(max(0, L*cap - used)) = extra.
    The bound is max(L, the highest current utilisation).
    """
    hosts = sorted(zip(used, caps, strict=True), key=lambda uc: uc[0] / uc[1])
    highest = hosts[-1][0] / hosts[-1][1]
    filled_used = filled_cap = 0.0
    for k, (u, c) in enumerate(hosts):
        filled_used += u
        filled_cap += c
        level = (filled_used + extra) / filled_cap
        nxt = hosts[k + 1][0] / hosts[k + 1][1] if k + 1 < len(hosts) else float("inf")
        if level <= nxt:
            return max(level, highest)
    return highest  # not reached: the last step always returns


def quality(inv: Inventory, plan: EvacuationPlan) -> tuple[float, float, float, float]:
    """(cpu ratio, mem ratio, cpu max after, mem max after) over the plan's possible targets."""
    source = inv.host(plan.host_moid)
    targets: list[Host] = [h for h in inv.hosts if h.moid != plan.host_moid and h.connected
                           and not h.in_maintenance and h.cluster_moid == source.cluster_moid]
    cpu = {h.moid: float(h.cpu_usage_mhz) for h in targets}
    mem = {h.moid: float(h.memory_usage_mb) for h in targets}
    moved_cpu = moved_mem = 0.0
    for move in plan.moves:
        c, m = vm_load(inv.vm(move.vm_moid))
        cpu[move.target_moid] += c
        mem[move.target_moid] += m
        moved_cpu += c
        moved_mem += m
    ratios = []
    peaks = []
    for after, caps, before, moved in (
            (cpu, {h.moid: h.cpu_capacity_mhz for h in targets},
             [float(h.cpu_usage_mhz) for h in targets], moved_cpu),
            (mem, {h.moid: h.memory_capacity_mb for h in targets},
             [float(h.memory_usage_mb) for h in targets], moved_mem)):
        peak = max(after[n] / caps[n] for n in after)
        bound = water_level(before, [float(caps[h.name]) for h in targets], moved)
        ratios.append(peak / bound)
        peaks.append(100 * peak)
    return ratios[0], ratios[1], peaks[0], peaks[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.placement")
    parser.add_argument("--hosts", type=int, default=96)
    parser.add_argument("--vms", type=int, default=10000)
    parser.add_argument("--fault-domains", type=int, default=2)
    parser.add_argument("--dense", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    t_gen, inv = best_of(1, lambda: build(args.hosts, args.vms, args.fault_domains, args.seed))
    print(f"inventory: {len(inv.hosts)} hosts, {len(inv.vms)} VMs "
          f"(generated and converted in {t_gen:.2f} s)")

    # (a) one VM, a few different VMs: the worst of their best-of-repeat times.
    sample = [inv.hosts[k * len(inv.hosts) // 5].vm_moids[0] for k in range(5)]
    t_one = 0.0
    for name in sample:
        fresh = build(args.hosts, args.vms, args.fault_domains, args.seed)  # no warm caches
        t, rec = best_of(1, partial(advise, fresh, name))
        t_one = max(t_one, t)
    print(f"{'(a) advise one VM':34s}{t_one:7.3f} s   worst of {len(sample)} VMs "
          f"(last: {rec.vm} -> {rec.best.host}, {len(rec.candidates)} candidates)")

    # (b) evacuate a host holding --dense VMs.
    dense_inv = build(args.hosts, args.vms, args.fault_domains, args.seed, args.dense)
    dense_host = max(dense_inv.hosts, key=lambda h: len(h.vm_moids))
    t_evac, plan = best_of(args.repeat, lambda: plan_evacuation(
        dense_inv, dense_host.moid, include_powered_off=True))
    print(f"{f'(b) evacuation plan, {len(dense_host.vm_moids)} VMs':34s}{t_evac:7.3f} s   "
          f"{len(plan.moves)} moves onto {len(plan.loads)} hosts, "
          f"{len(plan.unplaceable)} unplaceable")

    # (c) quality of (b), and of a small cluster where the water level matters.
    cpu_r, mem_r, cpu_max, mem_max = quality(dense_inv, plan)
    print(f"{f'(c) quality, {len(dense_inv.hosts)} hosts':34s}CPU {cpu_r:.4f}  memory {mem_r:.4f}"
          f"   (max after: CPU {cpu_max:.1f}%, memory {mem_max:.1f}%)")
    small = build(4, 4 * args.dense, args.fault_domains, args.seed, args.dense)
    small_host = max(small.hosts, key=lambda h: len(h.vm_moids))
    small_plan = plan_evacuation(small, small_host.moid, include_powered_off=True)
    s_cpu, s_mem, s_cpu_max, s_mem_max = quality(small, small_plan)
    print(f"{'(c) quality, 4 hosts (hard case)':34s}CPU {s_cpu:.4f}  memory {s_mem:.4f}"
          f"   (max after: CPU {s_cpu_max:.1f}%, memory {s_mem_max:.1f}%, "
          f"{len(small_plan.unplaceable)} unplaceable)")

    worst = max(cpu_r, mem_r, s_cpu, s_mem)
    goals = [
        (f"(a) one VM: {t_one:.3f} s", t_one <= 0.2, "<= 0.2 s"),
        (f"(b) evacuation: {t_evac:.3f} s", t_evac <= 2.0, "<= 2 s"),
        (f"(c) max / water-filling bound: {worst:.4f}", worst <= 1.05, "<= 1.05"),
    ]
    for text, ok, goal in goals:
        print(f"{text:45s} goal {goal:10s} {'met' if ok else 'MISSED'}")
    return 0 if all(ok for _, ok, _ in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
