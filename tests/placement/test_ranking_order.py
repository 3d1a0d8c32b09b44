"""How candidates are ordered: the best score, then the emptier host, then the host's
name and id, with float noise rounded away; the fast path (``best_host``) agrees
with the full ranking (``evaluate``) on every draw."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from placement_fixtures import CPU_CAP, MEM_CAP_MB, host, inventory, vm

from vmcctl.errors import NotFoundError
from vmcctl.placement.advisor import (
    best_host,
    check_fault_domain,
    evaluate,
    recommendation,
    sort_key,
)
from vmcctl.placement.filters import Ask
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.state import Projection

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_a_higher_score_beats_an_emptier_host() -> None:
    assert sort_key(50.4, 90.0, "z", "m") < sort_key(50.0, 10.0, "a", "m")


def test_scores_equal_to_9_places_are_a_tie_broken_by_the_emptier_host() -> None:
    assert sort_key(49.9999999996, 10.0, "b", "m") < sort_key(50.0, 20.0, "a", "m")
    assert sort_key(50.0, 10.0, "z", "m") < sort_key(50.0, 10.3, "a", "m")


def test_loads_equal_to_9_places_are_a_tie_broken_by_name_then_id() -> None:
    assert sort_key(50.0, 10.0000000004, "a", "m") < sort_key(50.0, 10.0, "b", "m")
    assert sort_key(50.0, 10.0, "a", "host-1") < sort_key(50.0, 10.0, "a", "host-2")


def _tied(loads: list[tuple[int, int]]) -> tuple[Ask, Projection]:
    """A powered-off VM (it adds no load: every host scores the same) and hosts h0..hN."""
    inv = inventory([host(f"h{i}") for i in range(len(loads) + 1)],
                    [vm("cold", "h0", power="off")])
    proj = Projection.from_inventory(inv)
    for i, (cpu, mem) in enumerate(loads, start=1):
        proj.cpu_used[i], proj.mem_used[i] = cpu, mem
    return Ask.build(proj, inv.find_vm("cold"), PlacementOptions()), proj


def test_on_equal_scores_the_host_with_the_lower_mean_load_wins() -> None:
    # h1: CPU 10 %, memory 50 % (mean 30); h2: CPU 30 %, memory 20 % (mean 25)
    ask, proj = _tied([(CPU_CAP // 10, MEM_CAP_MB // 2), (CPU_CAP * 3 // 10, MEM_CAP_MB // 5)])
    ranked, rejected = evaluate(ask, proj)
    assert [c.host for c in ranked] == ["h2", "h1"]
    assert best_host(ask, proj, range(len(proj))) == 2
    assert [(r.host, r.host_moid, r.fault_domain) for r in rejected] == [
        ("h0", proj.moids[0], "us-west-2a")]


def test_equal_hosts_are_ranked_by_name() -> None:
    ask, proj = _tied([(1000, 1000)] * 3)
    ranked, _ = evaluate(ask, proj)
    assert [c.host for c in ranked] == ["h1", "h2", "h3"]
    assert [c.host_moid for c in ranked] == proj.moids[1:]
    assert best_host(ask, proj, [3, 2, 1]) == 1
    assert best_host(ask, proj, []) is None
    assert best_host(ask, proj, [0]) is None  # the current host is filtered out


def test_evaluate_over_some_hosts_only() -> None:
    ask, proj = _tied([(1000, 1000)] * 3)
    ranked, rejected = evaluate(ask, proj, [3, 0])
    assert [c.host for c in ranked] == ["h3"] and [r.host for r in rejected] == ["h0"]


@FAST
@given(st.lists(st.tuples(st.integers(0, CPU_CAP), st.integers(0, MEM_CAP_MB)),
                min_size=1, max_size=5),
       st.booleans())
def test_best_host_is_the_first_ranked(loads: list[tuple[int, int]], running: bool) -> None:
    inv = inventory([host(f"h{i}") for i in range(len(loads) + 1)],
                    [vm("app", "h0", cpu=3000, mem_gb=20, power="on" if running else "off")])
    proj = Projection.from_inventory(inv)
    for i, (cpu, mem) in enumerate(loads, start=1):
        proj.cpu_used[i], proj.mem_used[i] = cpu, mem
    ask = Ask.build(proj, inv.find_vm("app"), PlacementOptions(max_cpu_pct=100,
                                                               max_mem_pct=100))
    ranked, _ = evaluate(ask, proj)
    first = proj.index[ranked[0].host_moid] if ranked else None
    assert best_host(ask, proj, range(len(proj))) == first


def test_the_recommendation_names_the_source() -> None:
    ask, proj = _tied([(1000, 1000)])
    rec = recommendation(ask, proj)
    assert (rec.vm, rec.vm_moid) == ("cold", ask.vm.moid)
    assert (rec.source, rec.source_moid, rec.source_fault_domain) == (
        "h0", proj.moids[0], "us-west-2a")


@pytest.mark.parametrize(("wanted", "suggestions"), [
    ("us-west-2", ("us-west-2d", "us-west-2c", "us-west-2b")),  # three of four, closest first
    ("otehr", ("other",)),
    ("zzz", ("us-west-2a", "us-west-2b", "us-west-2c")),  # nothing close: the first three
])
def test_an_unknown_fault_domain_suggests_close_names(wanted: str,
                                                      suggestions: tuple[str, ...]) -> None:
    inv = inventory([host("h0"), host("h1", "us-west-2b"), host("h2", "us-west-2c"),
                     host("h3", "us-west-2d")], [])
    proj = Projection.from_inventory(inv)
    with pytest.raises(NotFoundError) as err:
        check_fault_domain(proj, PlacementOptions(fault_domain=wanted))
    assert (err.value.kind, err.value.name) == ("fault domain", wanted)
    assert err.value.suggestions == suggestions
    check_fault_domain(proj, PlacementOptions(fault_domain="us-west-2d"))
