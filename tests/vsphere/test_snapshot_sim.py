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
    """Drop what the file cannot know: managed object ids (each becomes its object's name,
    unique in the seed) and boot times."""
    name = {o.moid: o.name for o in (*inv.hosts, *inv.vms, *inv.datastores, *inv.clusters)}

    def n(moids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(name[m] for m in moids))

    return Inventory(
        hosts=tuple(sorted((replace(h, moid="", cluster_moid=name.get(h.cluster_moid or ""),
                                    datastore_moids=n(h.datastore_moids), vm_moids=n(h.vm_moids))
                            for h in inv.hosts), key=lambda h: h.name)),
        vms=tuple(sorted((replace(v, moid="", boot_time=None, resource_pool=None,
                                  host_moid=name.get(v.host_moid or ""),
                                  datastore_moids=n(v.datastore_moids))
                          for v in inv.vms), key=lambda v: v.name)),
        datastores=tuple(sorted((replace(d, moid="") for d in inv.datastores),
                                key=lambda d: d.name)),
        clusters=tuple(sorted((replace(c, moid="", root_pool=None, host_moids=n(c.host_moids),
                                       rules=tuple(replace(r, vm_moids=n(r.vm_moids),
                                                           host_moids=n(r.host_moids))
                                                   for r in c.rules))
                               for c in inv.clusters), key=lambda c: c.name)))


def test_snapshot_equals_the_seed_inventory(vcsim: Any, client: Any) -> None:
    inv = take_snapshot(client)
    expected = _comparable(inventory_from_spec(vcsim.inventory))
    got = _comparable(inv)
    assert got.hosts == expected.hosts
    assert got.vms == expected.vms
    assert got.datastores == expected.datastores
    assert got.clusters == expected.clusters
    vm = inv.find_vm("ML-cpu-vm-04")
    assert inv.host(vm.host_moid or "").fault_domain == "us-west-2b"
    assert vm.resource_pool == inv.find_cluster("Cluster-1").root_pool
    assert vm.path == "/SDDC-Datacenter/vm/ML-cpu-vm-04" and vm.datacenter == "SDDC-Datacenter"
    assert inv.find_vm(vm.path) == inv.find_vm(vm.moid) == vm


def test_snapshot_costs_pages_plus_two_calls(client: Any) -> None:
    client.reset_soap_calls()
    stats = CollectStats()
    take_snapshot(client, stats=stats)
    assert stats.pages >= 1
    assert client.soap_calls == stats.pages + 2  # CreateContainerView, pages, DestroyView


@pytest.mark.vmcctl_sim("result paging (RetrievePropertiesEx tokens)")
def test_pagination_is_followed(client: Any) -> None:
    whole_stats = CollectStats()
    whole = take_snapshot(client, stats=whole_stats)
    client.reset_soap_calls()
    stats = CollectStats()
    paged = take_snapshot(client, page_size=4, stats=stats)
    objects = whole_stats.objects  # hosts, VMs, datastores, clusters, folders, datacenters
    assert objects > len(whole.hosts) + len(whole.vms) + len(whole.datastores)
    assert stats.objects == objects
    assert stats.pages >= -(-objects // 4)  # at least ceil(objects / 4) pages
    assert client.soap_calls == stats.pages + 2
    assert paged == whole
