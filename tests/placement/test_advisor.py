"""The single-VM advisor on the seed inventory and on small inline ones."""

from __future__ import annotations

import json

import pytest
from placement_fixtures import host, inventory, seed_inventory, vm

from vmcctl.errors import ConfigError, NoPlacementError, NotFoundError
from vmcctl.placement import PlacementOptions, advise, rank_hosts
from vmcctl.placement.result import CANDIDATE_COLUMNS, REJECTED_COLUMNS

SECOND_AZ = {"10.94.24.70", "10.94.24.71", "10.94.24.72", "10.94.24.73"}
FIRST_AZ = {"10.94.24.84", "10.94.24.85", "10.94.24.86", "10.94.24.87", "10.94.24.88"}


def test_seed_other_fault_domain_rejects_2b_and_picks_least_loaded_2a() -> None:
    rec = advise(seed_inventory(), "ML-cpu-vm-04", PlacementOptions(fault_domain="other"))
    by_host = {r.host: {x.reason for x in r.reasons} for r in rec.rejected}
    assert set(by_host) == SECOND_AZ
    assert all("same fault domain" in reasons for reasons in by_host.values())
    assert {c.host for c in rec.candidates} == FIRST_AZ
    assert rec.best.host == "10.94.24.85"
    least_loaded = min(rec.candidates, key=lambda c: (c.cpu_pct + c.mem_pct))
    assert least_loaded.host == rec.best.host
    assert rec.rejected_by_reason()["same fault domain"] == sorted(SECOND_AZ)


def test_seed_numbers_behind_the_best_candidate() -> None:
    best = advise(seed_inventory(), "ML-cpu-vm-04", PlacementOptions(fault_domain="other")).best
    # 10.94.24.85: 2,000 MHz background, 16 GB; the VM uses 12,000 MHz and 40 GB.
    assert best.cpu_pct == pytest.approx(100 * 2000 / 82800)
    assert best.cpu_pct_after == pytest.approx(100 * 14000 / 82800)
    assert best.mem_pct_after == pytest.approx(100 * 56 / 512)


def test_candidates_are_ranked_by_score_then_name() -> None:
    rec = rank_hosts(seed_inventory(), "ML-cpu-vm-04")
    keys = [(-c.score, c.host) for c in rec.candidates]
    assert keys == sorted(keys)
    # Every hosts is either a candidate or rejected, never both.
    names = [c.host for c in rec.candidates] + [r.host for r in rec.rejected]
    assert sorted(names) == sorted(h.name for h in seed_inventory().hosts)


def test_equal_hosts_tie_break_by_name() -> None:
    hosts = [host("b"), host("c"), host("a", background_cpu_mhz=1000)]
    inv = inventory(hosts, [vm("app", "a")])
    rec = advise(inv, "app")
    assert [c.host for c in rec.candidates] == ["b", "c"]
    assert rec.candidates[0].score == rec.candidates[1].score


def test_score_prefers_the_more_even_cluster() -> None:
    hosts = [host("a"), host("busy", background_cpu_mhz=30000, background_memory_gb=150),
             host("idle", background_cpu_mhz=5000, background_memory_gb=20)]
    rec = advise(inventory(hosts, [vm("app", "a")]), "app")
    assert [c.host for c in rec.candidates] == ["idle", "busy"]
    idle, busy = rec.candidates
    assert idle.cpu_spread < busy.cpu_spread and idle.mem_spread < busy.mem_spread


def test_no_placement_names_the_strongest_constraint_and_its_option() -> None:
    with pytest.raises(NoPlacementError) as exc:
        advise(seed_inventory(), "ML-cpu-vm-04",
               PlacementOptions(fault_domain="other", max_cpu_pct=15))
    err = exc.value
    assert "'CPU headroom' eliminated 8 of 9 hosts" in err.message
    assert err.hint == "relax it with --max-cpu"
    assert ("10.94.24.71", "same fault domain") in err.reasons
    assert err.exit_code == 1


def test_no_placement_from_fault_domain_names_the_fault_domain_option() -> None:
    hosts = [host("a", "us-west-2a"), host("b", "us-west-2a"), host("c", "us-west-2a")]
    with pytest.raises(NoPlacementError) as exc:
        advise(inventory(hosts, [vm("app", "a")]), "app", PlacementOptions(fault_domain="other"))
    assert "'same fault domain' eliminated 3 of 3" in exc.value.message
    assert exc.value.hint == "relax it with --fault-domain any"


def test_affinity_keeps_a_vm_with_its_partner_and_has_no_flag() -> None:
    with pytest.raises(NoPlacementError) as exc:
        advise(seed_inventory(), "web-01")
    assert "'affinity rule' eliminated 8 of 9" in exc.value.message
    assert exc.value.hint is None


def test_seed_should_rule_lowers_other_hosts() -> None:
    rec = rank_hosts(seed_inventory(), "etl-01")
    lowered = {c.host for c in rec.candidates if c.should_rules}
    assert lowered == {c.host for c in rec.candidates} - {"10.94.24.73"}
    assert rec.best.host == "10.94.24.73"


def test_seed_must_rule_only_allows_its_hosts() -> None:
    with pytest.raises(NoPlacementError) as exc:
        advise(seed_inventory(), "licensed-app-01")
    assert "'VM-host rule'" in exc.value.message


def test_unknown_fault_domain_suggests_close_names() -> None:
    with pytest.raises(NotFoundError) as exc:
        rank_hosts(seed_inventory(), "ML-cpu-vm-04", PlacementOptions(fault_domain="us-west-2c"))
    assert exc.value.kind == "fault domain"
    assert set(exc.value.suggestions) == {"us-west-2a", "us-west-2b"}
    assert exc.value.exit_code == 2


def test_named_fault_domain_ranks_only_its_hosts() -> None:
    rec = advise(seed_inventory(), "db-01", PlacementOptions(fault_domain="us-west-2a"))
    assert {c.fault_domain for c in rec.candidates} == {"us-west-2a"}


def test_unknown_vm_and_avoided_host_are_not_found() -> None:
    with pytest.raises(NotFoundError):
        rank_hosts(seed_inventory(), "ML-cpu-vm-4")
    with pytest.raises(NotFoundError):
        rank_hosts(seed_inventory(), "ML-cpu-vm-04",
                   PlacementOptions(avoid_hosts=frozenset({"10.94.24.99"})))


@pytest.mark.parametrize("kwargs", [{"max_cpu_pct": 0}, {"max_mem_pct": 101},
                                    {"fault_domain": ""}])
def test_bad_options_are_config_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        PlacementOptions(**kwargs)  # type: ignore[arg-type]


def test_result_renders_to_rows_and_json() -> None:
    rec = rank_hosts(seed_inventory(), "ML-cpu-vm-04", PlacementOptions(fault_domain="other"))
    rows = rec.candidate_rows(top=2)
    assert len(rows) == 2 and all(len(r) == len(CANDIDATE_COLUMNS) for r in rows)
    assert rows[0][1] == "10.94.24.85"
    rejected = dict((r[0], r) for r in rec.rejected_rows())
    assert all(len(r) == len(REJECTED_COLUMNS) for r in rejected.values())
    assert rejected["same fault domain"][2] == "--fault-domain any"
    doc = json.loads(json.dumps(rec.to_dict(top=3)))
    assert doc["vm"] == "ML-cpu-vm-04" and doc["source"] == "10.94.24.70"
    assert [c["host"] for c in doc["candidates"]] == [c.host for c in rec.candidates[:3]]
    assert doc["rejected_by_reason"]["same fault domain"] == sorted(SECOND_AZ)
    assert doc["options"]["fault_domain"] == "other"
    assert "10.94.24.85" in rec.why()


def test_advise_does_not_change_the_inventory() -> None:
    inv = seed_inventory()
    before = (inv.hosts, inv.vms)
    advise(inv, "ML-cpu-vm-04")
    assert (inv.hosts, inv.vms) == before
