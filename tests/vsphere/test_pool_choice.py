"""Which ``spec.pool`` a move names (``vsphere.pools.choose_pool`` through ``plan_move``).

Defects of issue 12 pinned here: a VM in a vApp was submitted with a
``ResourcePool`` reference (the snapshot kept only the moid), and a move to
another cluster sent that cluster's root pool even for a VM in
``Compute-ResourcePool``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pyVmomi import vim

from vmcctl.errors import AmbiguousError, NotFoundError, NotMovableError, PrecheckError
from vmcctl.model import Inventory, Unreadable
from vmcctl.placement.evacuation import plan_evacuation
from vmcctl.sim.inventory import parse_inventory
from vmcctl.sim.offline import inventory_from_spec
from vmcctl.vsphere.pools import MISSING, TYPE, build_pools
from vmcctl.vsphere.relocate import plan_move
from vmcctl.vsphere.vmc import is_vmc_cluster


def _host(name: str) -> dict[str, Any]:
    return {"name": name, "cpu_cores": 16, "cpu_mhz_per_core": 2000, "memory_gb": 256}


def _vm(name: str, host: str, pool: str = "") -> dict[str, Any]:
    return {"name": name, "host": host, "cpus": 2, "memory_gb": 4, "datastore": "ds",
            "pool": pool}


SPEC = {
    "clusters": [
        {"name": "A", "hosts": [_host("a1"), _host("a2")],
         "resource_pools": ["Compute-ResourcePool", "Mgmt-ResourcePool", "team/ml"],
         "vapps": ["shop", "team/etl"]},
        {"name": "B", "hosts": [_host("b1")],
         "resource_pools": ["Compute-ResourcePool", "team/ml", "other/ml"]},
        {"name": "C", "hosts": [_host("c1")], "resource_pools": ["elsewhere"]},
    ],
    "datastores": [{"name": "ds", "capacity_gb": 1000, "free_gb": 500}],
    "vms": [_vm("app", "a1", "Compute-ResourcePool"), _vm("web", "a1", "shop"),
            _vm("etl", "a1", "team/etl"), _vm("ml", "a1", "team/ml"), _vm("root", "a1"),
            _vm("nsx", "a1", "Mgmt-ResourcePool")],
}


@pytest.fixture
def inv() -> Inventory:
    return inventory_from_spec(parse_inventory(SPEC))


def _pool(inv: Inventory, cluster: str, path: str) -> str:
    moid = inv.find_cluster(cluster).moid
    return next(p.moid for p in inv.pools_of(moid) if p.relative_path == path)


def test_within_a_cluster_the_vm_keeps_its_own_pool(inv: Inventory) -> None:
    plan = plan_move(inv, "app", "a2")
    assert plan.pool_moid == _pool(inv, "A", "Compute-ResourcePool")
    assert (plan.pool_kind, plan.pool_label) == ("ResourcePool", "Compute-ResourcePool")
    assert plan.spec()["spec"]["pool_kind"] == "ResourcePool"


@pytest.mark.parametrize("vm, path", [("web", "shop"), ("etl", "team/etl")])
def test_a_vm_in_a_vapp_is_submitted_with_a_virtualapp_reference(inv: Inventory, vm: str,
                                                                 path: str) -> None:
    plan = plan_move(inv, vm, "a2")
    assert (plan.pool_moid, plan.pool_kind) == (_pool(inv, "A", path), "VirtualApp")
    ref = plan.pool_ref(None)
    assert isinstance(ref, vim.VirtualApp) and ref._moId == plan.pool_moid
    assert plan.spec()["spec"] == {"host": inv.find_host("a2").moid, "pool": plan.pool_moid,
                                   "pool_kind": "VirtualApp"}


def test_across_clusters_the_same_named_pool_is_chosen(inv: Inventory) -> None:
    plan = plan_move(inv, "app", "b1")
    assert plan.pool_moid == _pool(inv, "B", "Compute-ResourcePool")
    assert plan.pool_moid != inv.find_cluster("B").root_pool
    nested = plan_move(inv, "ml", "b1")  # team/ml, not other/ml
    assert (nested.pool_moid, nested.pool_label) == (_pool(inv, "B", "team/ml"), "team/ml")


def test_a_vm_in_the_root_pool_goes_to_the_root_pool_there(inv: Inventory) -> None:
    plan = plan_move(inv, "root", "b1")
    assert (plan.pool_moid, plan.pool_label) == (inv.find_cluster("B").root_pool, "root pool")


def test_without_a_same_named_pool_the_move_is_refused_naming_the_pools(inv: Inventory) -> None:
    with pytest.raises(PrecheckError) as err:
        plan_move(inv, "app", "c1")
    text = str(err.value)
    assert "Compute-ResourcePool" in text and "cluster C has no pool at that path" in text
    assert f"elsewhere ({_pool(inv, 'C', 'elsewhere')})" in text
    assert "root pool" in text and "--pool" in text
    assert err.value.exit_code == 2


@pytest.mark.parametrize("selector", ["elsewhere", "/SDDC-Datacenter/host/C/Resources/elsewhere"])
def test_pool_names_the_target_clusters_pool(inv: Inventory, selector: str) -> None:
    plan = plan_move(inv, "app", "c1", pool=selector)
    assert (plan.pool_moid, plan.pool_label) == (_pool(inv, "C", "elsewhere"), "elsewhere")


def test_pool_by_moid_or_path_and_only_in_the_target_cluster(inv: Inventory) -> None:
    ml = _pool(inv, "B", "team/ml")
    assert plan_move(inv, "app", "b1", pool=ml).pool_moid == ml
    assert plan_move(inv, "app", "b1", pool="team/ml").pool_moid == ml
    with pytest.raises(AmbiguousError):  # "ml" is both team/ml and other/ml in B
        plan_move(inv, "app", "b1", pool="ml")
    with pytest.raises(NotFoundError):  # A's pool, not one of B's
        plan_move(inv, "app", "b1", pool=_pool(inv, "A", "Compute-ResourcePool"))
    within = plan_move(inv, "app", "a2", pool="Mgmt-ResourcePool")  # asked for: moved there
    assert within.pool_moid == _pool(inv, "A", "Mgmt-ResourcePool")


def test_an_unreadable_pool_is_left_unset_within_and_refused_across(inv: Inventory) -> None:
    blind = replace(inv, pools=())  # vCenter did not let us read the pools
    plan = plan_move(blind, "web", "a2")
    assert plan.pool_moid == "" and plan.pool_ref(None) is None
    assert plan.spec()["spec"] == {"host": inv.find_host("a2").moid, "pool": None}
    with pytest.raises(PrecheckError, match="cannot tell which resource pool"):
        plan_move(blind, "web", "b1")


def test_a_cluster_with_compute_and_mgmt_pools_is_vmware_cloud_on_aws(inv: Inventory) -> None:
    assert is_vmc_cluster(inv, inv.find_cluster("A").moid)
    assert not is_vmc_cluster(inv, inv.find_cluster("B").moid)  # no Mgmt-ResourcePool
    assert not is_vmc_cluster(replace(inv, pools=()), inv.find_cluster("A").moid)
    assert not is_vmc_cluster(inv, None)


def test_a_pool_whose_place_we_may_not_read_is_never_taken_for_the_root() -> None:
    hidden = [Unreadable("parent", "NoPermission", "System.Read")]
    raw: dict[str, dict[str, Any]] = {
        "resgroup-1": {"name": "Resources", "parent": "domain-c1", "owner": "domain-c1"},
        "resgroup-2": {"name": "Compute-ResourcePool", "parent": "resgroup-1",
                       "owner": "domain-c1"},
        "resgroup-3": {"name": "secret", "owner": "domain-c1", MISSING: hidden},
        "resgroup-4": {"name": "below", "parent": "resgroup-3", "owner": "domain-c1"},
        "virtualapp-5": {"name": "shop", "parent": "resgroup-1", "owner": "domain-c1",
                         TYPE: "VirtualApp"},
    }
    pools = build_pools(raw, {"domain-c1": {}}, path=lambda m: None, datacenter=lambda m: None)
    assert {(p.moid, p.relative_path, p.kind) for p in pools} == {
        ("resgroup-1", "", "ResourcePool"),
        ("resgroup-2", "Compute-ResourcePool", "ResourcePool"),
        ("virtualapp-5", "shop", "VirtualApp")}  # resgroup-3 and the pool below it: unknown


def test_vmwares_management_vms_are_not_moved_in_vmc(inv: Inventory) -> None:
    assert inv.vmc_managed(inv.find_vm("nsx"))
    assert not inv.vmc_managed(inv.find_vm("app"))
    with pytest.raises(NotMovableError) as err:
        plan_move(inv, "nsx", "a2")
    assert err.value.codes == ("vmc-managed",)
    plan = plan_evacuation(inv, "a1")
    assert [(b.vm, b.codes) for b in plan.blocked] == [("nsx", ("vmc-managed",))]
    assert "nsx" not in {m.vm for m in plan.moves} and "app" in {m.vm for m in plan.moves}
