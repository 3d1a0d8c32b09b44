"""Property tests over random inventories.

The checks here re-derive every hard constraint from the model directly (not
through the advisor's filters), so a filter that lets a bad host through fails.
VM names repeat on purpose (``app-0`` … ``app-2``): everything is keyed by moid,
so two VMs of the same name must never be confused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from vmcctl.model import Cluster, Host, Inventory, Rule, Vm
from vmcctl.placement import PlacementOptions, plan_evacuation, rank_hosts

FAULT_DOMAINS = ("fd-a", "fd-b", "fd-c")
DATASTORES = ("ds1", "ds2")


@dataclass(frozen=True)
class Scenario:
    inventory: Inventory
    vm: str  # a VM moid
    host: str  # the moid of a host with VMs, to evacuate
    options: PlacementOptions


def _load(v: Vm) -> tuple[int, int]:
    return (v.cpu_usage_mhz, v.memory_usage_mb) if v.powered_on else (0, 0)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    n_hosts = draw(st.integers(2, 7))
    raw_hosts = []
    for i in range(n_hosts):
        raw_hosts.append(dict(
            name=f"10.0.0.{i + 1}",
            cluster_moid=draw(st.sampled_from(("C1", "C1", "C2"))),
            fault_domain=draw(st.sampled_from((*FAULT_DOMAINS, None))),
            connection_state=draw(st.sampled_from(
                ("connected",) * 4 + ("disconnected", "notResponding"))),
            in_maintenance=draw(st.sampled_from((False, False, False, True))),
            cpu_capacity_mhz=draw(st.sampled_from((82800, 41400))),
            memory_capacity_mb=draw(st.sampled_from((524288, 262144))),
            cpu_usage_mhz=draw(st.integers(0, 40000)),
            memory_usage_mb=draw(st.integers(0, 250000)),
            datastore_moids=tuple(sorted(draw(st.sets(st.sampled_from(DATASTORES),
                                                      min_size=1)))),
        ))
    vms: list[Vm] = []
    for j in range(draw(st.integers(1, 12))):
        h = draw(st.sampled_from(raw_hosts))
        on = draw(st.sampled_from((True, True, True, False)))
        cpu, mem = draw(st.integers(0, 30000)), draw(st.integers(0, 120000))
        vms.append(Vm(name=f"app-{j % 3}", moid=f"vm-{j}", host_moid=h["name"],
                      power_state="poweredOn" if on else "poweredOff", num_cpu=4,
                      memory_mb=65536, cpu_usage_mhz=cpu if on else 0,
                      memory_usage_mb=mem if on else 0,
                      datastore_moids=(draw(st.sampled_from(h["datastore_moids"])),)))
    hosts = []
    for h in raw_hosts:
        mine = [v for v in vms if v.host_moid == h["name"]]
        hosts.append(Host(
            moid=h["name"], vm_moids=tuple(v.moid for v in mine), **{
                **h, "cpu_usage_mhz": h["cpu_usage_mhz"] + sum(_load(v)[0] for v in mine),
                "memory_usage_mb": h["memory_usage_mb"] + sum(_load(v)[1] for v in mine)}))
    names = [v.moid for v in vms]
    host_names = [h.moid for h in hosts]
    rules = []
    for k in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(("vm-affinity", "vm-anti-affinity", "vm-host",
                                     "vm-not-host")))
        members = tuple(draw(st.lists(st.sampled_from(names), min_size=1, max_size=3,
                                      unique=True)))
        rule_hosts = (tuple(draw(st.lists(st.sampled_from(host_names), min_size=1,
                                          unique=True))) if "host" in kind else ())
        rules.append(Rule(name=f"r{k}", kind=kind, vm_moids=members, host_moids=rule_hosts,
                          mandatory=draw(st.booleans())))
    clusters = tuple(Cluster(name=c, moid=c,
                             host_moids=tuple(h.moid for h in hosts if h.cluster_moid == c),
                             rules=tuple(rules) if c == "C1" else ()) for c in ("C1", "C2"))
    inv = Inventory(hosts=tuple(hosts), vms=tuple(vms), clusters=clusters)
    present = sorted({h.fault_domain for h in hosts if h.fault_domain})
    policy = draw(st.sampled_from(("any", "same", "other", *present)))
    avoid = draw(st.sets(st.sampled_from(host_names), max_size=1))
    limits = st.sampled_from((60, 80, 100))
    options = PlacementOptions(fault_domain=policy, max_cpu_pct=draw(limits),
                               max_mem_pct=draw(limits),
                               avoid_hosts=frozenset(avoid))
    vm = draw(st.sampled_from(names))
    busy = sorted({v.host_moid for v in vms if v.host_moid})
    return Scenario(inv, vm, draw(st.sampled_from(busy)), options)


def hard_violation(inv: Inventory, vm: Vm, target: Host, options: PlacementOptions,
                   location: dict[str, str], usage: dict[str, tuple[int, int]],
                   leaving: set[str]) -> str | None:
    """Why moving ``vm`` to ``target`` would break a hard constraint (None: it would not)."""
    source = inv.host(location[vm.moid])
    if target.moid == source.moid:
        return "source"
    if not target.connected or target.in_maintenance or target.moid in leaving:
        return "unavailable"
    if target.cluster_moid != source.cluster_moid:
        return "cluster"
    if not set(vm.datastore_moids) <= set(target.datastore_moids):
        return "datastore"
    fd = options.fault_domain
    if (fd == "other" and target.fault_domain == source.fault_domain) or (
            fd == "same" and target.fault_domain != source.fault_domain) or (
            fd not in ("any", "same", "other") and target.fault_domain != fd):
        return "fault domain"
    cpu, mem = _load(vm)
    used_cpu, used_mem = usage[target.moid]
    if 100 * (used_cpu + cpu) / target.cpu_capacity_mhz > options.max_cpu_pct:
        return "cpu"
    if 100 * (used_mem + mem) / target.memory_capacity_mb > options.max_mem_pct:
        return "memory"
    cluster = inv.cluster(source.cluster_moid or "")
    for rule in cluster.rules:
        if not rule.mandatory or vm.moid not in rule.vm_moids:
            continue
        others = {location[o] for o in rule.vm_moids
                  if o != vm.moid and location[o] not in leaving}
        if rule.kind == "vm-host" and target.moid not in rule.host_moids:
            return "vm-host"
        if rule.kind == "vm-not-host" and target.moid in rule.host_moids:
            return "vm-not-host"
        if rule.kind == "vm-anti-affinity" and target.moid in others:
            return "anti-affinity"
        if rule.kind == "vm-affinity" and others and target.moid not in others:
            return "affinity"
    return None


def _state(inv: Inventory) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
    location = {v.moid: v.host_moid for v in inv.vms if v.host_moid}
    usage = {h.moid: (h.cpu_usage_mhz, h.memory_usage_mb) for h in inv.hosts}
    return location, usage


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(scenarios())
def test_recommendations_never_break_a_hard_constraint(s: Scenario) -> None:
    rec = rank_hosts(s.inventory, s.vm, s.options)
    location, usage = _state(s.inventory)
    vm = s.inventory.vm(s.vm)
    for c in rec.candidates:
        assert hard_violation(s.inventory, vm, s.inventory.host(c.host_moid), s.options, location,
                              usage, set(s.options.avoid_hosts)) is None
    # ... and every rejected host does break one (the filters are not stricter than asked).
    for r in rec.rejected:
        assert hard_violation(s.inventory, vm, s.inventory.host(r.host_moid), s.options, location,
                              usage, set(s.options.avoid_hosts)) is not None
        assert r.reasons


@FAST
@given(scenarios())
def test_same_input_same_answer_whatever_the_order(s: Scenario) -> None:
    first = rank_hosts(s.inventory, s.vm, s.options)
    assert rank_hosts(s.inventory, s.vm, s.options) == first
    shuffled = replace(s.inventory, hosts=s.inventory.hosts[::-1], vms=s.inventory.vms[::-1])
    assert rank_hosts(shuffled, s.vm, s.options) == first
    assert plan_evacuation(shuffled, s.host, s.options) == plan_evacuation(
        s.inventory, s.host, s.options)


@FAST
@given(scenarios(), st.booleans())
def test_evacuation_never_overcommits_in_its_projection(s: Scenario, powered_off: bool) -> None:
    plan = plan_evacuation(s.inventory, s.host, s.options, include_powered_off=powered_off)
    location, usage = _state(s.inventory)
    leaving = set(s.options.avoid_hosts) | {s.host}
    for move in plan.moves:
        vm = s.inventory.vm(move.vm_moid)
        assert move.source_moid == s.host == location[vm.moid]
        assert hard_violation(s.inventory, vm, s.inventory.host(move.target_moid), s.options,
                              location, usage, leaving) is None
        cpu, mem = _load(vm)
        used = usage[move.target_moid]
        usage[move.target_moid] = (used[0] + cpu, used[1] + mem)
        location[vm.moid] = move.target_moid
    expected = {v.moid for v in s.inventory.vms
                if v.host_moid == s.host and (v.powered_on or powered_off)}
    moved = [m.vm_moid for m in plan.moves]
    assert len(moved) == len(set(moved))
    assert set(moved) | {u.vm_moid for u in plan.unplaceable} == expected
    assert not set(moved) & {u.vm_moid for u in plan.unplaceable}
    for u in plan.unplaceable:
        assert all(r.host_moid != s.host and r.reasons for r in u.rejected)
