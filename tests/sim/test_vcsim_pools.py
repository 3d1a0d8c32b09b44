"""Resource pools and vApps in the simulator: built from the inventory, read in one
snapshot with their type, and RelocateVM_Task's spec.pool obeyed like vCenter does.

govmomi 0.24's own RelocateVM_Task sets ``resourcePool`` without checking the
pool's cluster (and panics on a vApp); vCenter refuses a pool outside the
target host's cluster, and a cross-cluster move without a pool, with
``InvalidArgument`` on ``spec.pool`` as a task error.
"""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim, vmodl
from small_inventory import host as _host
from small_inventory import vm as _vm
from vcsim_helpers import find, relocate, wait_task

from vmcctl.sim.inventory import parse_inventory
from vmcctl.sim.offline import inventory_from_spec
from vmcctl.vsphere.connection import connect
from vmcctl.vsphere.settings import resolve_settings
from vmcctl.vsphere.snapshot import take_snapshot

pytestmark = [pytest.mark.sim, pytest.mark.vmcctl_sim("resource_pools, vapps and pool keys")]


INVENTORY = {
    "clusters": [
        {"name": "A", "hosts": [_host("a1"), _host("a2")],
         "resource_pools": ["Compute-ResourcePool", "team/ml"], "vapps": ["shop"]},
        {"name": "B", "hosts": [_host("b1")], "resource_pools": ["Compute-ResourcePool"]},
    ],
    "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
    "vms": [_vm("app", "a1", "Compute-ResourcePool"), _vm("web", "a1", "shop"),
            _vm("ml", "a1", "team/ml"), _vm("plain", "a1")],
}


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(INVENTORY, time_scale=50)


def _pool(si: Any, cluster: str, path: str) -> Any:
    pool = find(si, vim.ClusterComputeResource, cluster).resourcePool
    for name in [p for p in path.split("/") if p]:
        pool = next(p for p in pool.resourcePool if p.name == name)
    return pool


def test_pools_and_vapps_are_built_where_the_inventory_says(sim: Any) -> None:
    si = sim.connect()
    shop = _pool(si, "A", "shop")
    assert isinstance(shop, vim.VirtualApp)
    assert isinstance(_pool(si, "A", "team/ml"), vim.ResourcePool)
    assert _pool(si, "A", "team/ml").parent == _pool(si, "A", "team")
    assert _pool(si, "A", "Compute-ResourcePool").owner == find(si, vim.ClusterComputeResource,
                                                                 "A")
    placed = {name: find(si, vim.VirtualMachine, name).resourcePool
              for name in ("app", "web", "ml", "plain")}
    assert placed == {"app": _pool(si, "A", "Compute-ResourcePool"), "web": shop,
                      "ml": _pool(si, "A", "team/ml"), "plain": _pool(si, "A", "")}
    assert [v.name for v in shop.vm] == ["web"]


def test_the_snapshot_reads_every_pool_with_its_type_in_one_read(sim: Any) -> None:
    settings = resolve_settings(url=sim.url, username=sim.username, password=sim.password,
                                ca_file=str(sim.cert_file), env={})
    with connect(settings) as client:
        before = client.soap_calls
        inv = take_snapshot(client)
        calls = client.soap_calls - before
        assert take_snapshot(client, fast=False) == inv  # pyVmomi's parser agrees
    assert calls == 3  # CreateContainerView, RetrievePropertiesEx, DestroyView
    a = inv.find_cluster("A")
    rows = {(p.relative_path, p.kind, p.name) for p in inv.pools_of(a.moid)}
    assert rows == {("", "ResourcePool", "Resources"),
                    ("Compute-ResourcePool", "ResourcePool", "Compute-ResourcePool"),
                    ("team", "ResourcePool", "team"), ("team/ml", "ResourcePool", "ml"),
                    ("shop", "VirtualApp", "shop")}
    assert inv.pools_of(a.moid)[0].moid == a.root_pool
    web = inv.find_vm("web")
    assert inv.pools_by_moid[web.resource_pool or ""].kind == "VirtualApp"
    assert inv.pools_by_moid[a.root_pool or ""].path == "/SDDC-Datacenter/host/A/Resources"
    offline = inventory_from_spec(parse_inventory(INVENTORY))  # the offline model agrees
    assert {(p.relative_path, p.kind) for p in offline.pools} == {
        (p.relative_path, p.kind) for p in inv.pools}


def test_spec_pool_moves_the_vm_into_that_pool(sim: Any) -> None:
    si = sim.connect()
    vm = find(si, vim.VirtualMachine, "plain")
    target = _pool(si, "A", "team/ml")
    info = wait_task(si, relocate(vm, find(si, vim.HostSystem, "a2"), pool=target))
    assert info.state == "success", info.error
    assert vm.resourcePool == target and vm in target.vm
    assert vm not in _pool(si, "A", "").vm
    [entry] = sim.control.relocations("plain")
    assert (entry["args"]["pool"], entry["args"]["pool_type"]) == (target._moId, "ResourcePool")


def test_a_vm_moves_within_its_vapp_by_a_virtualapp_reference(sim: Any) -> None:
    si = sim.connect()
    vm, shop = find(si, vim.VirtualMachine, "web"), _pool(si, "A", "shop")
    info = wait_task(si, relocate(vm, find(si, vim.HostSystem, "a2"), pool=shop))
    assert info.state == "success", info.error
    assert vm.resourcePool == shop and vm.runtime.host.name == "a2"
    [entry] = sim.control.relocations("web")
    assert entry["args"]["pool_type"] == "VirtualApp"


def test_a_pool_of_another_cluster_or_none_across_clusters_is_invalid_argument(sim: Any) -> None:
    si = sim.connect()
    vm = find(si, vim.VirtualMachine, "app")
    home = vm.resourcePool
    b1 = find(si, vim.HostSystem, "b1")
    for spec in ({"pool": home}, {}):  # A's pool for a host of B; no pool at all
        info = wait_task(si, relocate(vm, b1, **spec))
        assert info.state == "error"
        assert isinstance(info.error, vmodl.fault.InvalidArgument)
        assert info.error.invalidProperty == "spec.pool"
        assert vm.runtime.host.name == "a1" and vm.resourcePool == home
    info = wait_task(si, relocate(vm, b1, pool=_pool(si, "B", "Compute-ResourcePool")))
    assert info.state == "success", info.error
    assert vm.runtime.host == b1 and vm.resourcePool == _pool(si, "B", "Compute-ResourcePool")
