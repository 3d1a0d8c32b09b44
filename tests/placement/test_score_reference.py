"""The scorer's O(1) aggregates against the formula computed the slow way: move the
VM in a copy of the projection, then take the maximum and the population standard
deviation of CPU and memory percent over the balance set plus the target."""

from __future__ import annotations

import copy
import statistics

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from placement_fixtures import CPU_CAP, MEM_CAP_MB, host, inventory, vm

from vmcctl.placement.filters import Ask
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.score import Spread, balance_of, balance_set, score_host, score_value
from vmcctl.placement.state import Projection

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTS = 5


def _projection() -> tuple[Projection, str]:
    inv = inventory([host(f"h{i}") for i in range(HOSTS)],
                    [vm("app", "h0", cpu=6000, mem_gb=48)])
    return Projection.from_inventory(inv), inv.find_vm("app").moid


def _reference(proj: Projection, vm_moid: str, members: list[int], i: int) -> float:
    after = copy.deepcopy(proj)
    after.apply(vm_moid, i)
    hosts = sorted({*members, i})
    cpu = [after.cpu_pct(j) for j in hosts]
    mem = [after.mem_pct(j) for j in hosts]
    return 100.0 - (max(cpu) + statistics.pstdev(cpu) + max(mem) + statistics.pstdev(mem)) / 2


@FAST
@given(cpu=st.lists(st.integers(0, CPU_CAP), min_size=HOSTS, max_size=HOSTS),
       mem=st.lists(st.integers(0, MEM_CAP_MB), min_size=HOSTS, max_size=HOSTS),
       out=st.sets(st.integers(1, HOSTS - 1), max_size=2),
       leaving=st.sets(st.integers(1, HOSTS - 1), max_size=1))
def test_every_targets_score_is_the_formula(cpu: list[int], mem: list[int], out: set[int],
                                            leaving: set[int]) -> None:
    proj, app = _projection()
    proj.cpu_used[:], proj.mem_used[:] = list(cpu), list(mem)
    proj.cpu_used[0] = max(proj.cpu_used[0], 6000)  # the source carries the VM's load
    proj.mem_used[0] = max(proj.mem_used[0], 48 * 1024)
    for i in out:
        proj.in_maintenance[i] = True  # outside the balance set: joins it as a target
    avoid = frozenset(proj.moids[i] for i in leaving)
    ask = Ask.build(proj, proj.vms[app], PlacementOptions(avoid_hosts=avoid))
    members = balance_set(ask, proj)
    assert members == [i for i in range(HOSTS) if i not in out and i not in leaving]
    bal = balance_of(ask, proj)
    for i in range(1, HOSTS):
        want = _reference(proj, app, members, i)
        got = score_host(ask, proj, bal, i)
        assert got.score == pytest.approx(want, abs=1e-6)
        assert score_value(ask, proj, bal, i) == pytest.approx(got.score, abs=1e-9)
        assert got.should_rules == ()


def test_spread_of_keeps_the_two_highest_and_their_host() -> None:
    spread = Spread.of({0: 10.0, 1: 70.0, 2: 40.0})
    assert (spread.n, spread.s1, spread.s2) == (3, 120.0, 100.0 + 4900.0 + 1600.0)
    assert (spread.top1, spread.top1_host, spread.top2) == (70.0, 1, 40.0)
    assert Spread.of({}) == Spread(0, 0, 0, 0.0, -1, 0.0)
    assert Spread.of({3: 5.0}).top2 == 0.0


def test_after_replaces_the_highest_host_with_the_second() -> None:
    spread = Spread.of({0: 10.0, 1: 70.0, 2: 40.0})
    top, sd = spread.after(1, 70.0, 20.0, member=True)  # the hottest host cools down
    assert top == 40.0 and sd == pytest.approx(statistics.pstdev([10.0, 20.0, 40.0]))
    top, sd = spread.after(0, 10.0, 90.0, member=True)
    assert top == 90.0 and sd == pytest.approx(statistics.pstdev([90.0, 70.0, 40.0]))
    top, sd = spread.after(5, 0.0, 30.0, member=False)  # joins the set
    assert top == 70.0 and sd == pytest.approx(statistics.pstdev([10.0, 70.0, 40.0, 30.0]))
    assert Spread.of({0: 50.0, 1: 50.0}).after(0, 50.0, 50.0, member=True) == (50.0, 0.0)
