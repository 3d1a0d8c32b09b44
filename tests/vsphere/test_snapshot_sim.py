"""The bulk snapshot against the simulator: equals the inventory file, follows pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from vmcctl.model import Inventory
from vmcctl.sim.offline import inventory_from_spec
from vmcctl.vsphere.snapshot import CollectStats, take_snapshot

pytestmark = pytest.mark.sim


def _comparable(inv: Inventory) -> Inventory:
    """Drop what the file cannot know: managed object ids and boot times."""
    return Inventory(
        hosts=tuple(sorted((replace(h, moid="") for h in inv.hosts), key=lambda h: h.name)),
        vms=tuple(sorted((replace(v, moid="", boot_time=None, resource_pool=None)
                          for v in inv.vms), key=lambda v: v.name)),
        datastores=tuple(sorted((replace(d, moid="") for d in inv.datastores),
                                key=lambda d: d.name)),
        clusters=tuple(sorted((replace(c, moid="", root_pool=None) for c in inv.clusters),
                              key=lambda c: c.name)))


def test_snapshot_equals_the_seed_inventory(vcsim: Any, client: Any) -> None:
    inv = take_snapshot(client)
    expected = _comparable(inventory_from_spec(vcsim.inventory))
    got = _comparable(inv)
    assert got.hosts == expected.hosts
    assert got.vms == expected.vms
    assert got.datastores == expected.datastores
    assert got.clusters == expected.clusters
    vm = inv.vm("ML-cpu-vm-04")
    assert inv.host(vm.host or "").fault_domain == "us-west-2b"
    assert vm.resource_pool == inv.cluster("Cluster-1").root_pool


def test_snapshot_costs_pages_plus_two_calls(client: Any) -> None:
    client.reset_soap_calls()
    stats = CollectStats()
    take_snapshot(client, stats=stats)
    assert stats.pages >= 1
    assert client.soap_calls == stats.pages + 2  # CreateContainerView, pages, DestroyView


def test_pagination_is_followed(client: Any) -> None:
    whole = take_snapshot(client)
    client.reset_soap_calls()
    stats = CollectStats()
    paged = take_snapshot(client, page_size=4, stats=stats)
    objects = len(whole.hosts) + len(whole.vms) + len(whole.datastores) + len(whole.clusters)
    assert stats.objects == objects
    assert stats.pages >= -(-objects // 4)  # at least ceil(objects / 4) pages
    assert client.soap_calls == stats.pages + 2
    assert paged == whole
