"""Admission of a rolling window: which moment is the worst, and what the refusal says."""

from __future__ import annotations

import pytest
from placement_fixtures import host, inventory, vm

from vmcctl.model import Inventory
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.rolling_groups import Admission, admission

OPTIONS = PlacementOptions()


def _cluster(big: str | None = None) -> Inventory:
    hosts = [host(n, **({"cpu_cores": 72} if n == big else {})) for n in ("h1", "h2", "h3")]
    return inventory(hosts, [vm("a", "h1"), vm("b", "h2"), vm("c", "h3")])


def _ids(inv: Inventory, *names: str) -> list[str]:
    return [inv.find_host(n).moid for n in names]


@pytest.mark.parametrize("groups, overlap, absent", [
    ([["h1"], ["h2"], ["h3"]], True, ("h2", "h3")),  # consecutive pairs; h3 is the big one
    ([["h1"], ["h2"], ["h3"]], False, ("h3",)),
    ([["h1"], ["h2"]], True, ("h1", "h2")),  # two groups overlap as one pair
    ([["h3"]], True, ("h3",)),  # one group: nothing to overlap with
    ([], False, ()),  # no group: the cluster as it is
])
def test_the_worst_moment_is_the_span_with_the_least_cpu_slack(
        groups: list[list[str]], overlap: bool, absent: tuple[str, ...]) -> None:
    inv = _cluster(big="h3")
    check = admission(inv, inv.clusters[0], [_ids(inv, *g) for g in groups], OPTIONS,
                      overlap=overlap)
    assert check.absent == absent
    assert check.overlap is overlap
    assert check.hosts_left == 3 - len(absent)


def test_on_equal_slack_the_first_moment_is_reported() -> None:
    inv = _cluster()
    check = admission(inv, inv.clusters[0], [_ids(inv, "h1"), _ids(inv, "h2")], OPTIONS,
                      overlap=False)
    assert check.absent == ("h1",)


def test_a_refusal_says_what_is_needed_and_available() -> None:
    refused = Admission(ok=False, absent=("h1", "h2"), hosts_left=1, cpu_need_mhz=150_000,
                        cpu_room_mhz=66_240, mem_need_mb=600 * 1024, mem_room_mb=409 * 1024,
                        max_cpu_pct=80.0, max_mem_pct=80.0, overlap=True)
    assert refused.message() == (
        "admission refused: with 2 host(s) away (h1, h2) the cluster cannot hold its load: "
        "CPU 150.0 GHz needed, 66.2 GHz available (80% of the 1 hosts left); "
        "memory 600.0 GB needed, 409.0 GB available (80% of the 1 hosts left)")
    assert refused.hint() == "lower --max-down, or raise --max-cpu/--max-mem"
    just = Admission(ok=True, absent=("h1",), hosts_left=2, cpu_need_mhz=1000,
                     cpu_room_mhz=1000, mem_need_mb=2048, mem_room_mb=2048,
                     max_cpu_pct=80.0, max_mem_pct=80.0, overlap=False)
    assert just.message().endswith("cannot hold its load: ")  # exactly full still fits
