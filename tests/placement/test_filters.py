"""Table-driven filter tests over small inline inventories.

Each case builds a three-host inventory (h1 runs the VM ``app`` in us-west-2a,
h2 and h3 are in us-west-2b), changes one thing, and names the one host that
must be rejected and the reason code. The case is checked twice: the filter
function alone rejects the host with that code, and the full advisor lists the
host as rejected *only* for that code, so removing the filter from ``FILTERS``
would turn the host into a candidate and fail the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from placement_fixtures import inventory, three_hosts, vm

from vmcctl.model import Unreadable
from vmcctl.placement import FILTERS, PlacementOptions, rank_hosts
from vmcctl.placement.filters import REASON_ORDER, Ask
from vmcctl.placement.state import Projection


@dataclass(frozen=True)
class Case:
    id: str
    host: str  # the host that must be rejected
    code: str
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    vms: tuple[dict[str, Any], ...] = ()
    rules: tuple[dict[str, Any], ...] = ()
    options: PlacementOptions = field(default_factory=PlacementOptions)
    datastores: tuple[dict[str, Any], ...] = ()
    clusters: dict[str, str] = field(default_factory=dict)
    app: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, tuple[Unreadable, ...]] = field(default_factory=dict)  # host -> missing
    state: dict[str, dict[str, Any]] = field(default_factory=dict)  # host -> Host fields


TWO_DS = ({"name": "ds1", "capacity_gb": 1000, "free_gb": 500},
          {"name": "ds2", "capacity_gb": 1000, "free_gb": 500, "hosts": ["h1", "h2"]})

CASES = [
    Case("current host", "h1", "current-host"),
    Case("disconnected", "h2", "disconnected", hosts={"h2": {"connected": False}}),
    Case("not responding", "h2", "not-responding",
         state={"h2": {"connection_state": "notResponding"}}),
    Case("standby", "h2", "standby", hosts={"h2": {"power": "standby"}}),
    Case("entering standby", "h2", "standby", state={"h2": {"standby_mode": "entering"}}),
    Case("powered off", "h2", "powered-off", state={"h2": {"power_state": "poweredOff"}}),
    Case("quarantine", "h2", "quarantine", hosts={"h2": {"quarantine": True}}),
    Case("unreadable", "h2", "unreadable",
         unknown={"h2": (Unreadable("summary.quickStats", "NoPermission", "System.Read"),)}),
    Case("in maintenance", "h2", "maintenance", hosts={"h2": {"maintenance": True}}),
    Case("entering maintenance", "h2", "entering-maintenance",  # host-2 is h2's moid
         options=PlacementOptions(avoid_hosts=frozenset({"host-2"}))),
    Case("other cluster", "h3", "other-cluster", clusters={"h3": "Cluster-2"}),
    Case("missing datastore", "h3", "missing-datastore", datastores=TWO_DS,
         app={"datastore": "ds2"}),
    Case("fault domain other", "h2", "same-fault-domain",
         hosts={"h2": {"fault_domain": "us-west-2a"}},
         options=PlacementOptions(fault_domain="other")),
    Case("fault domain same", "h3", "other-fault-domain",
         hosts={"h2": {"fault_domain": "us-west-2a"}},
         options=PlacementOptions(fault_domain="same")),
    Case("fault domain named", "h3", "not-requested-fault-domain",
         hosts={"h2": {"fault_domain": "us-west-2c"}},
         options=PlacementOptions(fault_domain="us-west-2c")),
    # 60,000 background + 10,000 from the VM = 84.5 % of 82,800 MHz.
    Case("CPU headroom", "h2", "cpu-headroom", hosts={"h2": {"background_cpu_mhz": 60000}}),
    # 380 GB + 40 GB = 82 % of 512 GB.
    Case("memory headroom", "h2", "memory-headroom",
         hosts={"h2": {"background_memory_gb": 380}}),
    Case("affinity", "h3", "affinity-rule", vms=(vm("cache", "h2", cpu=100, mem_gb=1),),
         rules=({"name": "together", "type": "vm-affinity", "vms": ["app", "cache"]},)),
    Case("anti-affinity", "h2", "anti-affinity-rule", vms=(vm("db", "h2", cpu=100, mem_gb=1),),
         rules=({"name": "apart", "type": "vm-anti-affinity", "vms": ["app", "db"]},)),
    Case("vm-host must", "h2", "vm-host-rule",
         rules=({"name": "pin", "type": "vm-host-must", "vms": ["app"], "hosts": ["h1", "h3"]},)),
    Case("vm-not-host must", "h2", "vm-not-host-rule",
         rules=({"name": "ban", "type": "vm-not-host-must", "vms": ["app"], "hosts": ["h2"]},)),
    Case("vCenter check", "h2", "vcenter-check",  # vm-1 is app, host-2 is h2
         options=PlacementOptions(vcenter_rejects=(
             ("vm-1", "host-2", "FeatureRequirementsNotMet: the host lacks a CPU feature"),))),
]


def build(case: Case) -> Any:
    vms = [vm("app", "h1", **case.app), *case.vms]
    inv = inventory(three_hosts(**case.hosts), vms, list(case.rules),
                    list(case.datastores) or None, case.clusters)
    if case.unknown:
        inv = replace(inv, hosts=tuple(replace(h, unknown=case.unknown.get(h.name, ()))
                                       for h in inv.hosts))
    if case.state:
        inv = replace(inv, hosts=tuple(replace(h, **case.state.get(h.name, {}))
                                       for h in inv.hosts))
    return inv


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_filter_function_rejects(case: Case) -> None:
    inv = build(case)
    proj = Projection.from_inventory(inv)
    ask = Ask.build(proj, inv.find_vm("app"), case.options)
    i = proj.index[inv.find_host(case.host).moid]
    found = [r for f in FILTERS if (r := f.check(ask, proj, i)) is not None]
    assert [r.code for r in found] == [case.code]
    assert found[0].detail and found[0].reason in REASON_ORDER


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_advisor_rejects_only_for_that_reason(case: Case) -> None:
    rec = rank_hosts(build(case), "app", case.options)
    rejected = {r.host: [x.code for x in r.reasons] for r in rec.rejected}
    assert rejected.get(case.host) == [case.code]
    assert case.host not in {c.host for c in rec.candidates}


def test_every_filter_has_a_case() -> None:
    seen: set[str] = set()
    for case in CASES:
        inv = build(case)
        proj = Projection.from_inventory(inv)
        ask = Ask.build(proj, inv.find_vm("app"), case.options)
        i = proj.index[inv.find_host(case.host).moid]
        seen |= {f.name for f in FILTERS if f.check(ask, proj, i) is not None}
    assert seen == {f.name for f in FILTERS}


def test_unrelated_hosts_pass_every_filter() -> None:
    inv = build(Case("plain", "h1", "current-host"))
    rec = rank_hosts(inv, "app")
    assert [c.host for c in rec.candidates] == ["h2", "h3"]


@pytest.mark.parametrize(("case_id", "relaxed"), [
    ("CPU headroom", PlacementOptions(max_cpu_pct=90)),
    ("memory headroom", PlacementOptions(max_mem_pct=90)),
    ("fault domain other", PlacementOptions(fault_domain="any")),
])
def test_the_named_option_relaxes_the_filter(case_id: str, relaxed: PlacementOptions) -> None:
    case = next(c for c in CASES if c.id == case_id)
    rec = rank_hosts(build(case), "app", case.options)
    reason = next(r for rej in rec.rejected if rej.host == case.host for r in rej.reasons)
    assert reason.relax is not None
    again = rank_hosts(build(case), "app", relaxed)
    assert case.host in {c.host for c in again.candidates}


def test_headroom_counts_the_vms_usage_on_top_of_the_hosts() -> None:
    # 56,000 + 10,000 = 79.7 % passes at 80 %; 57,000 + 10,000 = 80.9 % does not.
    for background, ok in ((56000, True), (57000, False)):
        inv = build(Case("x", "h2", "", hosts={"h2": {"background_cpu_mhz": background}}))
        rec = rank_hosts(inv, "app")
        assert ("h2" in {c.host for c in rec.candidates}) is ok
        if ok:
            cand = next(c for c in rec.candidates if c.host == "h2")
            assert cand.cpu_pct_after == pytest.approx(100 * (background + 10000) / 82800)


def test_powered_off_vm_adds_no_load() -> None:
    inv = build(Case("x", "h2", "", hosts={"h2": {"background_cpu_mhz": 80000}},
                     app={"power": "off"}))
    rec = rank_hosts(inv, "app", PlacementOptions(max_cpu_pct=97))
    assert "h2" in {c.host for c in rec.candidates}


@pytest.mark.parametrize(("rule_type", "hosts"), [
    ("vm-host-should", ["h1", "h3"]),
    ("vm-not-host-should", ["h2"]),
])
def test_should_rules_lower_the_score_instead_of_rejecting(rule_type: str,
                                                          hosts: list[str]) -> None:
    # h2 and h3 are identical, so without the rule h2 wins on name.
    plain = rank_hosts(build(Case("x", "h1", "")), "app")
    assert [c.host for c in plain.candidates] == ["h2", "h3"]
    rule = {"name": "prefer", "type": rule_type, "vms": ["app"], "hosts": hosts}
    rec = rank_hosts(build(Case("x", "h1", "", rules=(rule,))), "app")
    assert [c.host for c in rec.candidates] == ["h3", "h2"]
    h2 = rec.candidates[1]
    assert h2.should_rules == ("prefer",)
    assert h2.score < rec.candidates[0].score
    assert not rec.rejected_by_reason().get("VM-host rule")


def test_disabled_rules_are_ignored() -> None:
    case = next(c for c in CASES if c.id == "vm-host must")
    inv = build(case)
    cluster = inv.clusters[0]
    off = tuple(replace(r, enabled=False) for r in cluster.rules)
    inv2 = replace(inv, clusters=(replace(cluster, rules=off),))
    assert "h2" in {c.host for c in rank_hosts(inv2, "app").candidates}


def test_a_rule_of_another_cluster_does_not_bind_the_vm() -> None:
    """Found by hypothesis: cluster C1's must-rule named a VM running in C2."""
    from vmcctl.model import Cluster, Host, Inventory, Rule, Vm
    from vmcctl.placement.advisor import advise

    def host(name: str, cluster: str) -> Host:
        return Host(name=name, moid=name, cluster_moid=cluster, fault_domain="fd-a",
                    connection_state="connected", in_maintenance=False,
                    cpu_capacity_mhz=82800, memory_capacity_mb=524288, cpu_usage_mhz=0,
                    memory_usage_mb=0, datastore_moids=("ds1",))

    inv = Inventory(
        hosts=(host("10.0.0.1", "C1"), host("10.0.0.4", "C2"), host("10.0.0.5", "C2")),
        vms=(Vm(name="vm-0", moid="vm-0", host_moid="10.0.0.4", power_state="poweredOn",
                num_cpu=4, memory_mb=65536, cpu_usage_mhz=0, memory_usage_mb=0,
                datastore_moids=("ds1",)),),
        clusters=(Cluster(name="C1", moid="C1", host_moids=("10.0.0.1",),
                          rules=(Rule(name="r0", kind="vm-host", vm_moids=("vm-0",),
                                      host_moids=("10.0.0.1",), mandatory=True),)),
                  Cluster(name="C2", moid="C2", host_moids=("10.0.0.4", "10.0.0.5"))))
    assert advise(inv, "vm-0").best.host == "10.0.0.5"


def test_a_vcenter_refusal_binds_only_its_own_vm() -> None:
    refused = PlacementOptions(vcenter_rejects=(("vm-1", "host-2", "no"),))
    inv = build(Case("other vm", "h2", "vcenter-check", vms=(vm("db", "h1", cpu=100, mem_gb=1),)))
    assert "h2" in {c.host for c in rank_hosts(inv, "db", refused).candidates}
    detail = next(r for rej in rank_hosts(inv, "app", refused).rejected
                  for r in rej.reasons if r.code == "vcenter-check")
    assert detail.detail.endswith(": no") and detail.relax == "--no-vcenter-check"


def test_a_vm_outside_any_cluster_is_never_in_cluster_none() -> None:
    inv = build(Case("standalone", "h1", "other-cluster"))
    inv = replace(inv, hosts=tuple(replace(h, cluster_moid=None, cluster_name=None)
                                   if h.name == "h1" else h for h in inv.hosts))
    details = [r.detail for rej in rank_hosts(inv, "app").rejected for r in rej.reasons]
    assert not [d for d in details if "None" in d]
    assert "host is in cluster Cluster-1, the VM in no cluster" in details
