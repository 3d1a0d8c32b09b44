"""What ``vmcctl advise`` and ``migrate --auto`` show: the JSON shape, the table rows, the why-line.

The JSON is a contract (scripts read it): every key, percentages rounded to
2 decimals, scores and spreads to 3. Pure, on the seed inventory offline.
"""

from __future__ import annotations

from typing import Any

import pytest
from placement_fixtures import host, inventory, seed_inventory, vm

from vmcctl.placement import PlacementOptions, Recommendation, rank_hosts

ML = "ML-cpu-vm-04"
CANDIDATE_KEYS = {"host", "host_moid", "fault_domain", "cpu_pct", "cpu_pct_after",
                  "memory_pct", "memory_pct_after", "score", "cluster_cpu_max",
                  "cluster_memory_max", "cpu_spread", "memory_spread", "should_rules"}
DECIMALS = {"cpu_pct": 2, "cpu_pct_after": 2, "memory_pct": 2, "memory_pct_after": 2,
            "score": 3, "cluster_cpu_max": 2, "cluster_memory_max": 2, "cpu_spread": 3,
            "memory_spread": 3}
ATTRIBUTE = {"memory_pct": "mem_pct", "memory_pct_after": "mem_pct_after",
             "cluster_memory_max": "cluster_mem_max", "memory_spread": "mem_spread"}


@pytest.fixture(scope="module")
def other_fd() -> Recommendation:
    inv = seed_inventory()
    options = PlacementOptions(fault_domain="other", avoid_hosts=frozenset(
        {inv.find_host("10.94.24.88").moid, inv.find_host("10.94.24.86").moid}))
    return rank_hosts(inv, ML, options)


def test_advise_json_has_every_key_with_its_rounding(other_fd: Recommendation) -> None:
    data = other_fd.to_dict()
    assert set(data) == {"vm", "vm_moid", "source", "source_moid", "source_fault_domain",
                         "options", "candidates", "rejected", "rejected_by_reason"}
    assert (data["vm"], data["source"], data["source_fault_domain"]) == (
        ML, "10.94.24.70", "us-west-2b")
    assert data["options"] == {"fault_domain": "other", "max_cpu_pct": 80.0,
                               "max_mem_pct": 80.0,
                               "avoid_hosts": sorted(other_fd.options.avoid_hosts)}
    assert [c["host"] for c in data["candidates"]] == [c.host for c in other_fd.candidates]
    for raw, cand in zip(data["candidates"], other_fd.candidates, strict=True):
        assert set(raw) == CANDIDATE_KEYS
        assert raw["fault_domain"] == cand.fault_domain == "us-west-2a"
        assert raw["should_rules"] == list(cand.should_rules)
        for key, places in DECIMALS.items():
            exact = getattr(cand, ATTRIBUTE.get(key, key))
            assert raw[key] == pytest.approx(exact, abs=0.51 * 10 ** -places), key
            assert raw[key] == round(raw[key], places), key


def test_advise_json_says_why_each_host_lost(other_fd: Recommendation) -> None:
    data = other_fd.to_dict()
    by_host = {r["host"]: r for r in data["rejected"]}
    assert set(by_host) == {"10.94.24.70", "10.94.24.71", "10.94.24.72", "10.94.24.73",
                            "10.94.24.86", "10.94.24.88"}
    same_fd = by_host["10.94.24.71"]
    assert same_fd["fault_domain"] == "us-west-2b"
    (reason,) = same_fd["reasons"]
    assert set(reason) == {"code", "reason", "detail", "relax", "rules"}
    assert reason["reason"] == "same fault domain"
    assert reason["relax"] == "--fault-domain any"
    assert data["rejected_by_reason"]["same fault domain"] == [  # the source is too
        "10.94.24.70", "10.94.24.71", "10.94.24.72", "10.94.24.73"]
    assert list(data["rejected_by_reason"]) == [  # filter order
        "current host", "entering maintenance", "same fault domain"]


def test_top_limits_the_candidates_in_json_and_rows(other_fd: Recommendation) -> None:
    assert len(other_fd.candidates) >= 2
    assert [c["host"] for c in other_fd.to_dict(top=1)["candidates"]] == [
        other_fd.candidates[0].host]
    rows = other_fd.candidate_rows(top=2)
    assert [r[0] for r in rows] == ["1", "2"]
    best = other_fd.candidates[0]
    assert rows[0][:8] == ("1", best.host, "us-west-2a", f"{best.cpu_pct:.1f}%",
                           f"{best.cpu_pct_after:.1f}%", f"{best.mem_pct:.1f}%",
                           f"{best.mem_pct_after:.1f}%", f"{best.score:.2f}")
    assert len(other_fd.candidate_rows()) == len(other_fd.candidates)


def test_why_line_names_host_loads_and_counts(other_fd: Recommendation) -> None:
    best = other_fd.best
    assert other_fd.why() == (
        f"{best.host} (us-west-2a): CPU {best.cpu_pct:.1f}% -> {best.cpu_pct_after:.1f}%, "
        f"memory {best.mem_pct:.1f}% -> {best.mem_pct_after:.1f}%, best balance of "
        f"{len(other_fd.candidates)} eligible hosts; 6 hosts rejected")


def _two_hosts(**vm_extra: Any) -> Recommendation:
    inv = inventory([host("h1", fault_domain=""), host("h2", fault_domain="")],
                    [vm("v", "h1", **vm_extra)])
    return rank_hosts(inv, "v")


def test_why_line_without_fault_domains_and_one_rejected_host() -> None:
    rec = _two_hosts()
    assert rec.why().startswith("h2 (no fault domain): CPU ")
    assert rec.why().endswith("best balance of 1 eligible hosts; 1 host rejected")


def test_a_broken_should_rule_is_shown_in_the_candidate_row() -> None:
    inv = inventory([host("h1"), host("h2"), host("h3")], [vm("v", "h1")],
                    rules=[{"name": "prefer", "type": "vm-host-should", "vms": ["v"],
                            "hosts": ["h1"]}])
    rows = rank_hosts(inv, "v").candidate_rows()
    assert {r[-1] for r in rows} == {"breaks should-rule prefer"}
