"""Which hosts of a rolling window go down together, and the window's phase clock (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from placement_fixtures import host, inventory, vm

from vmcctl.errors import PrecheckError
from vmcctl.model import Inventory
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.rolling import Timeline
from vmcctl.placement.rolling_groups import pinned, plan_groups

OPTIONS = PlacementOptions()


def _inv(rules: list[dict[str, Any]] | None = None, **vm_extra: Any) -> Inventory:
    hosts = [host("h1", "az-a"), host("h2", "az-a"), host("h3", "az-b"), host("h4", "az-b")]
    vms = [vm("a", "h1", **vm_extra), vm("b", "h2"), vm("c", "h3"), vm("d", "h4")]
    return inventory(hosts, vms, rules=rules)


def _ids(inv: Inventory, *names: str) -> list[str]:
    return [inv.find_host(n).moid for n in names]


def _names(inv: Inventory, groups: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [tuple(inv.host(h).name for h in g) for g in groups]


MUST_H1 = {"name": "licence", "type": "vm-host-must", "vms": ["a"], "hosts": ["h1"]}


def test_hosts_of_one_fault_domain_go_down_together_domains_alternate() -> None:
    inv = _inv()
    groups = plan_groups(inv, inv.clusters[0], _ids(inv, "h4", "h1", "h3", "h2"), 2, OPTIONS)
    assert _names(inv, groups) == [("h1", "h2"), ("h3", "h4")]
    one = plan_groups(inv, inv.clusters[0], _ids(inv, "h4", "h1", "h3", "h2"), 1, OPTIONS)
    assert _names(inv, one) == [("h1",), ("h3",), ("h2",), ("h4",)]
    assert plan_groups(inv, inv.clusters[0], [], 1, OPTIONS) == []


def test_a_host_outside_the_cluster_is_refused() -> None:
    inv = inventory([host("h1"), host("h2"), host("x9")], [vm("a", "h1")],
                    clusters={"x9": "Other"})
    with pytest.raises(PrecheckError) as err:
        plan_groups(inv, inv.clusters[0], _ids(inv, "h1", "x9"), 1, OPTIONS)
    assert err.value.message == "host x9 is not in cluster Cluster-1"


def test_a_host_a_must_rule_pins_a_running_vm_to_cannot_be_emptied() -> None:
    inv = _inv([MUST_H1])
    with pytest.raises(PrecheckError) as err:
        plan_groups(inv, inv.clusters[0], _ids(inv, "h2", "h1"), 1, OPTIONS)
    assert err.value.message == "h1 cannot be emptied: rule licence keeps a on h1"
    assert err.value.hint == "leave the host out with --hosts, or relax the rule in vCenter"


@pytest.mark.parametrize("rule, vm_extra, stuck", [
    (MUST_H1, {}, ["rule licence keeps a on h1"]),
    ({**MUST_H1, "enabled": False}, {}, []),
    ({**MUST_H1, "type": "vm-host-should"}, {}, []),
    ({**MUST_H1, "type": "vm-not-host-must"}, {}, []),
    (MUST_H1, {"power": "off"}, []),
])
def test_only_enabled_must_run_on_rules_with_a_running_vm_pin(
        rule: dict[str, Any], vm_extra: dict[str, Any], stuck: list[str]) -> None:
    inv = _inv([rule], **vm_extra)
    assert pinned(inv, inv.clusters[0], set(_ids(inv, "h1"))) == stuck
    assert pinned(inv, inv.clusters[0], set(_ids(inv, "h2"))) == []


def test_a_rule_over_two_hosts_pins_only_when_both_are_away() -> None:
    rule = {"name": "pair", "type": "vm-host-must", "vms": ["b", "a"], "hosts": ["h2", "h1"]}
    inv = _inv([rule])
    assert pinned(inv, inv.clusters[0], set(_ids(inv, "h1"))) == []
    assert pinned(inv, inv.clusters[0], set(_ids(inv, "h1", "h2"))) == [
        "rule pair keeps a, b on h1, h2"]


@pytest.mark.parametrize("overlap, evac, home, busy", [
    (False, [0, 3, 6], [2, 5, 8], {1: {0}, 2: set(), 3: {1}, 4: {1}, 6: {2}}),
    (True, [0, 1, 4], [4, 7, 8], {0: {0}, 1: {0, 1}, 2: {1}, 4: {1, 2}, 7: {2}}),
])
def test_the_phase_clock_of_a_window(overlap: bool, evac: list[int], home: list[int],
                                     busy: dict[int, set[int]]) -> None:
    line = Timeline(groups=(("h1",), ("h2",), ("h3",)), overlap=overlap, restore=True)
    assert [line.evac(g) for g in range(3)] == evac
    assert [line.back(g) for g in range(3)] == [1, 4, 7]
    assert [line.home(g) for g in range(3)] == home
    assert {p: line.unavailable(p) for p in busy} == busy
    assert Timeline(line.groups, overlap, restore=False).home(0) == float("inf")


def test_a_vm_may_stay_on_a_group_only_outside_its_away_span() -> None:
    line = Timeline(groups=(("h1",), ("h2",)), overlap=False, restore=True)
    assert line.safe(1, 0, 3)  # leaves before group 1 is emptied at phase 3
    assert not line.safe(1, 0, 4)
    assert not line.safe(1, 4, 9)  # arrives while group 1 is down
    assert line.safe(1, 5, 9)  # arrives after group 1 is back
