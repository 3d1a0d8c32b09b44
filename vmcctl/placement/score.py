"""The DRS-like balance score of a candidate host.

The *balance set* is every host of the VM's cluster that can run VMs
(connected, powered on and not in standby, out of maintenance, not entering
it). For a candidate target the scorer projects the move (the source loses
the VM's load, the target gains it) and measures, for CPU and for memory
utilisation in percent across the balance set, the resulting maximum and the
spread (population standard deviation):

    balance = ((max_cpu + spread_cpu) + (max_mem + spread_mem)) / 2
    score   = 100 - balance - 20 * (should-rules the target breaks)

Higher is better; equal scores are ranked by host name. Lowering the maximum
keeps hot spots away, lowering the spread leaves the cluster most even, which
is what DRS balances for. The aggregates are computed once per VM (sums, sums of
squares and the two highest values) so scoring a candidate is O(1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vmcctl.placement.filters import Ask
from vmcctl.placement.rules import broken_rules
from vmcctl.placement.state import Projection

SHOULD_RULE_PENALTY = 20.0


@dataclass(frozen=True)
class Spread:
    """Utilisation aggregates of one resource over the balance set (percent)."""

    n: int
    s1: float
    s2: float
    top1: float  # the highest value and its host
    top1_host: int
    top2: float  # the second highest (0 with fewer than two members)

    @classmethod
    def of(cls, values: dict[int, float]) -> Spread:
        top = sorted(((v, i) for i, v in values.items()), reverse=True)[:2]
        top1, host1 = top[0] if top else (0.0, -1)
        return cls(n=len(values), s1=sum(values.values()),
                   s2=sum(v * v for v in values.values()), top1=top1, top1_host=host1,
                   top2=top[1][0] if len(top) > 1 else 0.0)

    def after(self, i: int, before: float, after: float, member: bool) -> tuple[float, float]:
        """(maximum, spread) once host ``i`` goes from ``before`` to ``after`` percent."""
        if member:
            n = self.n
            s1 = self.s1 + after - before
            s2 = self.s2 + after * after - before * before
        else:  # a target outside the balance set joins it
            n, s1, s2 = self.n + 1, self.s1 + after, self.s2 + after * after
        other = self.top2 if i == self.top1_host else self.top1
        mean = s1 / n
        var = s2 / n - mean * mean
        return (after if after > other else other), (math.sqrt(var) if var > 0.0 else 0.0)


@dataclass(frozen=True)
class Balance:
    members: frozenset[int]
    cpu: Spread
    mem: Spread


def balance_set(ask: Ask, proj: Projection) -> list[int]:
    cluster = ask.cluster(proj)
    return [i for i in range(len(proj))
            if proj.runs_vms(i) and i not in ask.leaving
            and (ask.source is None or proj.cluster[i] == cluster)]


def balance_of(ask: Ask, proj: Projection) -> Balance:
    """The cluster's aggregates with the VM already taken off its source."""
    members = balance_set(ask, proj)
    cpu: dict[int, float] = {}
    mem: dict[int, float] = {}
    for i in members:
        take_cpu, take_mem = (ask.cpu, ask.mem) if i == ask.source else (0, 0)
        cpu[i] = proj.cpu_pct(i, -take_cpu)
        mem[i] = proj.mem_pct(i, -take_mem)
    return Balance(frozenset(members), Spread.of(cpu), Spread.of(mem))


@dataclass(frozen=True)
class Score:
    score: float
    cluster_cpu_max: float
    cluster_mem_max: float
    cpu_spread: float
    mem_spread: float
    should_rules: tuple[str, ...]  # names of the should-rules the target breaks


def _parts(ask: Ask, proj: Projection, bal: Balance,
           i: int) -> tuple[float, float, float, float]:
    member = i in bal.members
    cpu_cap, mem_cap = proj.cpu_cap[i] or 1, proj.mem_cap[i] or 1
    cpu_now = 100.0 * proj.cpu_used[i] / cpu_cap
    mem_now = 100.0 * proj.mem_used[i] / mem_cap
    cpu_max, cpu_sd = bal.cpu.after(i, cpu_now, cpu_now + 100.0 * ask.cpu / cpu_cap, member)
    mem_max, mem_sd = bal.mem.after(i, mem_now, mem_now + 100.0 * ask.mem / mem_cap, member)
    return cpu_max, cpu_sd, mem_max, mem_sd


def score_value(ask: Ask, proj: Projection, bal: Balance, i: int) -> float:
    """``score_host(...).score`` without building the details (the multi-VM fast path)."""
    cpu_max, cpu_sd, mem_max, mem_sd = _parts(ask, proj, bal, i)
    value = 100.0 - (cpu_max + cpu_sd + mem_max + mem_sd) / 2
    if ask.rules:
        value -= SHOULD_RULE_PENALTY * len(broken_rules(ask.vm, ask.rules, proj, i,
                                                        ask.leaving, mandatory=False))
    return value


def score_host(ask: Ask, proj: Projection, bal: Balance, i: int) -> Score:
    cpu_max, cpu_sd, mem_max, mem_sd = _parts(ask, proj, bal, i)
    should: tuple[str, ...] = ()
    if ask.rules:
        should = tuple(b.rule.name for b in broken_rules(ask.vm, ask.rules, proj, i,
                                                         ask.leaving, mandatory=False))
    balance = (cpu_max + cpu_sd + mem_max + mem_sd) / 2
    return Score(score=100.0 - balance - SHOULD_RULE_PENALTY * len(should),
                 cluster_cpu_max=cpu_max, cluster_mem_max=mem_max,
                 cpu_spread=cpu_sd, mem_spread=mem_sd, should_rules=should)
