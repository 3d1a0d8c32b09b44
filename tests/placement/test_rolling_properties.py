"""Property tests of the rolling window planner on random generated clusters.

Each plan is replayed move by move on a plain ``VM -> host`` map, and every
hard constraint is re-derived from the model (not through the planner or the
advisor's filters): mandatory anti-affinity and VM-host rules hold after every
move, no move goes to a host in maintenance or being emptied, departures keep
the fault-domain policy, hosts in maintenance at once share a fault domain
and are at most ``max_down``, no host enters maintenance with a powered-on VM,
and with ``restore`` every VM ends at home with exactly the planned moves.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from vmcctl.errors import PrecheckError
from vmcctl.model import Inventory
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.rolling import WindowOptions, WindowPlan, plan_window
from vmcctl.sim.generate import generate_inventory
from vmcctl.sim.inventory import InventorySpec
from vmcctl.sim.offline import inventory_from_spec


def _inventory(hosts: int, vms: int, domains: int, seed: int, scale: float) -> Inventory:
    doc: dict[str, Any] = generate_inventory(hosts, vms, domains, seed=seed)
    for vm in doc["vms"]:
        vm["cpu_usage_mhz"] = max(1, int(vm["cpu_usage_mhz"] * scale))
        vm["memory_usage_gb"] = max(0.01, round(vm["memory_usage_gb"] * scale, 2))
    return inventory_from_spec(InventorySpec.model_validate(doc))


def _rules_hold(inv: Inventory, where: dict[str, str]) -> list[str]:
    broken = []
    for cluster in inv.clusters:
        for rule in cluster.rules:
            if not (rule.enabled and rule.mandatory):
                continue
            on = [v for v in rule.vm_moids if v in where and inv.vm(v).powered_on]
            hosts = [where[v] for v in on]
            if rule.kind == "vm-anti-affinity" and len(set(hosts)) < len(hosts):
                broken.append(rule.name)
            if rule.kind == "vm-host" and any(h not in rule.host_moids for h in hosts):
                broken.append(rule.name)
            if rule.kind == "vm-not-host" and any(h in rule.host_moids for h in hosts):
                broken.append(rule.name)
    return broken


def _replay(inv: Inventory, plan: WindowPlan, options: WindowOptions) -> Counter[str]:
    where = {v.moid: v.host_moid for v in inv.vms if v.host_moid is not None}
    fd = {h.moid: h.fault_domain for h in inv.hosts}
    assert not _rules_hold(inv, where)
    moved: Counter[str] = Counter()
    groups = plan.groups
    for step in plan.steps:
        group = set(step.hosts)
        assert 1 <= len(group) <= options.max_down
        assert len({fd[h] for h in group}) == 1, "hosts of two fault domains down together"
        for phase in ("before", "during", "after"):
            if phase == "during":
                running = [v for v, h in where.items() if h in group and inv.vm(v).powered_on]
                assert not running, f"entering {group} with powered-on VMs {running}"
            emptying = {h for g in groups[step.index + 1:step.index + 2] for h in g} \
                if plan.overlap and phase == "during" else set()
            p = step.phases[phase]
            for move, why in zip(p.moves, p.why, strict=True):
                assert where[move.vm_moid] == move.source_moid
                if phase == "during":
                    assert move.target_moid not in group, "a move into a host in maintenance"
                if why != "home":
                    assert move.target_moid not in emptying | group
                    policy = options.placement.fault_domain
                    if policy == "same":
                        assert fd[move.target_moid] == fd[move.source_moid]
                else:
                    assert move.target_moid == plan.homes[move.vm_moid]
                where[move.vm_moid] = move.target_moid
                moved[move.vm_moid] += 1
                assert not _rules_hold(inv, where), (move, _rules_hold(inv, where))
    if options.restore:
        assert all(where[v] == h for v, h in plan.homes.items()), "a VM not home at the end"
    return moved


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hosts=st.integers(3, 10), per_host=st.integers(2, 12), domains=st.integers(1, 3),
       seed=st.integers(0, 10_000), scale=st.floats(0.2, 0.8), max_down=st.integers(1, 3),
       restore=st.booleans(), policy=st.sampled_from(["any", "same"]))
def test_every_step_keeps_rules_fault_domains_and_the_bound(
        hosts: int, per_host: int, domains: int, seed: int, scale: float, max_down: int,
        restore: bool, policy: str) -> None:
    inv = _inventory(hosts, hosts * per_host, domains, seed, scale)
    cluster = inv.clusters[0]
    options = WindowOptions(max_down=max_down, restore=restore,
                            placement=PlacementOptions(fault_domain=policy))
    try:
        plan = plan_window(inv, cluster.moid, list(cluster.host_moids), options)
    except PrecheckError:
        return  # refused before anything moves (admission, a pinned VM): nothing to replay
    if plan.unplaced:
        return  # the window refuses to start (ops layer): nothing would move
    moved = _replay(inv, plan, options)
    assert sum(moved.values()) == plan.relocations
    extra = sum(why == "again" for s in plan.steps for p in s.phases.values() for why in p.why)
    assert plan.relocations == plan.lower_bound + extra
    if extra == 0:
        per_vm = 2 if restore else 1
        assert all(n == per_vm for n in moved.values())
        assert set(moved) == set(plan.homes)


def test_the_eight_host_window_hits_the_lower_bound_overlapped() -> None:
    inv = _inventory(8, 80, 2, 3, 0.55)
    cluster = inv.clusters[0]
    plan = plan_window(inv, cluster.moid, list(cluster.host_moids),
                       WindowOptions(max_down=2, restore=True))
    assert plan.overlap
    assert plan.relocations == plan.lower_bound == 2 * len(plan.homes)
    assert all(1 <= len(g) <= 2 for g in plan.groups)


def test_admission_refusal_says_the_numbers() -> None:
    inv = _inventory(4, 40, 2, 3, 1.0)
    cluster = inv.clusters[0]
    with pytest.raises(PrecheckError) as refused:
        plan_window(inv, cluster.moid, list(cluster.host_moids), WindowOptions(max_down=3))
    text = str(refused.value)
    assert "admission refused" in text and "needed" in text and "available" in text
