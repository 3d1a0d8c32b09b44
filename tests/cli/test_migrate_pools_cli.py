"""``vmcctl migrate`` across clusters: the same-named pool, ``--pool``, never the root pool
silently; and a VM in a vApp moved with a ``VirtualApp`` reference (read back from vCenter)."""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim
from small_inventory import host as _host
from small_inventory import vm as _vm

pytestmark = [pytest.mark.sim, pytest.mark.vmcctl_sim("clusters with resource pools")]


MOVE = ["System.Anonymous", "System.View", "System.Read", "Resource.HotMigrate",
        "Resource.ColdMigrate", "Resource.AssignVMToPool"]
# may move VMs but not read where pools sit
NO_POOLS = {"username": "no-pools", "password": "no-pools-pw-7", "privileges": MOVE,
            "hidden_properties": ["ResourcePool:parent", "VirtualApp:parent"]}

INVENTORY = {
    "users": [NO_POOLS],
    "clusters": [
        {"name": "A", "hosts": [_host("a1"), _host("a2")],
         "resource_pools": ["Compute-ResourcePool", "Mgmt-ResourcePool", "lab"],
         "vapps": ["shop"]},
        {"name": "B", "hosts": [_host("b1")],
         "resource_pools": ["Compute-ResourcePool", "Mgmt-ResourcePool", "batch"]},
    ],
    "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
    "vms": [_vm("app", "a1", "Compute-ResourcePool"), _vm("exp", "a1", "lab"),
            _vm("web", "a1", "shop")],
}


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(INVENTORY, time_scale=50)


def _vm_now(sim: Any, name: str) -> Any:
    si = sim.connect()
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.VirtualMachine], True)
    return next(v for v in view.view if v.name == name)


def test_across_clusters_the_vm_keeps_its_same_named_pool(sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", "app", "--host", "b1", env=sim.env())
    assert result.code == 0, result.err
    vm = _vm_now(sim, "app")
    assert vm.runtime.host.name == "b1"
    assert vm.resourcePool.name == "Compute-ResourcePool"
    assert vm.resourcePool.owner.name == "B"  # B's pool, not A's nor B's root pool


def test_without_a_same_named_pool_it_is_refused_naming_the_pools(sim: Any,
                                                                 run_cli: Any) -> None:
    result = run_cli("migrate", "exp", "--host", "b1", env=sim.env())
    assert result.code == 2
    assert "cluster B has no pool at that path" in result.err
    for name in ("root pool", "Compute-ResourcePool", "Mgmt-ResourcePool", "batch", "--pool"):
        assert name in result.err
    assert sim.control.relocations() == []  # refused before anything was submitted
    moved = run_cli("migrate", "exp", "--host", "b1", "--pool", "batch", env=sim.env())
    assert moved.code == 0, moved.err
    vm = _vm_now(sim, "exp")
    assert (vm.runtime.host.name, vm.resourcePool.name) == ("b1", "batch")


def test_a_vm_in_a_vapp_moves_by_a_virtualapp_reference(sim: Any, run_cli: Any) -> None:
    dry = run_cli("migrate", "web", "--host", "a2", "--dry-run", "-o", "json", env=sim.env())
    assert dry.code == 0, dry.err
    assert dry.json()["submit"]["spec"]["pool_kind"] == "VirtualApp"
    result = run_cli("migrate", "web", "--host", "a2", env=sim.env())
    assert result.code == 0, result.err
    [entry] = sim.control.relocations("web")
    assert entry["args"]["pool_type"] == "VirtualApp"  # what went over the wire
    vm = _vm_now(sim, "web")
    assert isinstance(vm.resourcePool, vim.VirtualApp) and vm.resourcePool.name == "shop"
    assert vm.runtime.host.name == "a2"


def test_a_playbook_migrate_step_takes_a_pool(sim: Any, run_cli: Any, tmp_path: Any) -> None:
    book = tmp_path / "move.yaml"
    book.write_text("name: to-b\nsteps:\n  - migrate: {vm: exp, host: b1, pool: batch}\n")
    result = run_cli("play", str(book), env=sim.env())
    assert result.code == 0, result.err
    vm = _vm_now(sim, "exp")
    assert (vm.runtime.host.name, vm.resourcePool.name) == ("b1", "batch")


def test_pools_we_may_not_read_leave_spec_pool_unset_within_and_refuse_across(
        sim: Any, run_cli: Any) -> None:
    env = {**sim.env(), "VMCCTL_USERNAME": NO_POOLS["username"],
           "VMCCTL_PASSWORD": NO_POOLS["password"]}
    across = run_cli("migrate", "app", "--host", "b1", env=env)
    assert across.code == 2
    assert "cannot tell which resource pool" in across.err and "--pool" in across.err
    assert sim.control.relocations() == []  # never the root pool silently
    within = run_cli("migrate", "web", "--host", "a2", env=env)
    assert within.code == 0, within.err
    [entry] = sim.control.relocations("web")
    assert "pool" not in entry["args"]["spec_fields"]  # vCenter keeps the VM's pool
    vm = _vm_now(sim, "web")
    assert (vm.runtime.host.name, vm.resourcePool.name) == ("a2", "shop")
