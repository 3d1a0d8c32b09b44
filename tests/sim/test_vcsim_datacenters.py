"""Two datacenters, VM folders and repeated names, as plain pyVmomi sees them."""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim
from vcsim_helpers import all_of, by_path, inventory_path, two_datacenters

pytestmark = pytest.mark.sim


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(two_datacenters())


def test_vms_sit_in_their_folders_and_datacenters(sim: Any) -> None:
    si = sim.connect()
    vms = by_path(si)
    assert sorted(vms) == ["/DC-A/vm/db", "/DC-A/vm/f1/app", "/DC-A/vm/f1/web",
                           "/DC-A/vm/team/ml/app", "/DC-B/vm/app"]
    assert sorted(v.path for v in sim.inventory.vms) == sorted(vms)
    assert [v.name for v in vms.values()].count("app") == 3
    assert vms["/DC-A/vm/f1/app"].runtime.host.name == "a1"
    assert vms["/DC-A/vm/team/ml/app"].runtime.host.name == "a2"
    assert vms["/DC-B/vm/app"].runtime.host.name == "b1"
    # each VM is in its own cluster's pool, on its own datacenter's datastore
    for path, vm in vms.items():
        dc = path.split("/")[1]
        assert inventory_path(vm.resourcePool).startswith(f"/{dc}/host/C1/")
        assert [inventory_path(d) for d in vm.datastore] == [f"/{dc}/datastore/ds"]
    # distinct VMs: distinct ids and UUIDs
    assert len({vm._moId for vm in vms.values()}) == 5
    assert len({vm.config.uuid for vm in vms.values()}) == 5


def test_clusters_and_datastores_repeat_names_across_datacenters(sim: Any) -> None:
    si = sim.connect()
    clusters = all_of(si, vim.ClusterComputeResource)
    assert sorted(inventory_path(c) for c in clusters) == ["/DC-A/host/C1", "/DC-B/host/C1"]
    by_dc = {inventory_path(c).split("/")[1]: c for c in clusters}
    assert sorted(h.name for h in by_dc["DC-A"].host) == ["a1", "a2"]
    assert [h.name for h in by_dc["DC-B"].host] == ["b1"]
    stores = {inventory_path(d): d for d in all_of(si, vim.Datastore)}
    assert sorted(stores) == ["/DC-A/datastore/ds", "/DC-B/datastore/ds"]
    assert stores["/DC-B/datastore/ds"].summary.capacity == 200 * 1024**3
    assert [h.key.name for h in stores["/DC-B/datastore/ds"].host] == ["b1"]
    assert sorted(dc.name for dc in si.content.rootFolder.childEntity) == ["DC-A", "DC-B"]


def test_rules_name_the_folder_qualified_vms(sim: Any) -> None:
    si = sim.connect()
    vms = by_path(si)
    a = next(c for c in all_of(si, vim.ClusterComputeResource) if c.host[0].name == "a1")
    rules = {r.name: r for r in a.configurationEx.rule}
    assert {v._moId for v in rules["apart"].vm} == {
        vms["/DC-A/vm/f1/app"]._moId, vms["/DC-A/vm/team/ml/app"]._moId}
    assert {v._moId for v in rules["keep"].vm} == {
        vms["/DC-A/vm/db"]._moId, vms["/DC-A/vm/f1/app"]._moId}


def test_host_load_counts_only_its_own_vms(sim: Any) -> None:
    si = sim.connect()
    hosts = {h.name: h for h in all_of(si, vim.HostSystem)}
    # a1: background 100 + f1/app 300 + f1/web 300 (db is off)
    assert hosts["a1"].summary.quickStats.overallCpuUsage == 700
    assert hosts["b1"].summary.quickStats.overallCpuUsage == 400
    assert sorted(v.name for v in hosts["a1"].vm) == ["app", "db", "web"]


def test_fault_by_full_path_hits_only_that_vm(sim: Any) -> None:
    from vcsim_helpers import relocate, wait_task

    sim.control.add_fault({"vm": "/DC-A/vm/team/ml/app", "fault": "MigrationFault",
                           "message": "only this one"})
    si = sim.connect()
    vms = by_path(si)
    a2 = vms["/DC-A/vm/team/ml/app"].runtime.host
    a1 = vms["/DC-A/vm/f1/app"].runtime.host
    failed = wait_task(si, relocate(vms["/DC-A/vm/team/ml/app"], a1))
    moved = wait_task(si, relocate(vms["/DC-A/vm/f1/app"], a2))
    assert failed.state == "error" and failed.error.msg == "only this one"
    assert moved.state == "success"
    with pytest.raises(Exception, match="names 3 VMs"):
        sim.control.add_fault({"vm": "app"})
    sim.control.add_fault({"vm": vms["/DC-B/vm/app"]._moId})  # a moid works too
