"""The inventory keys for pools (``resource_pools``, ``vapps``, VM ``pool``) and the bundled
VMware Cloud on AWS inventory, served with ``vmcctl sim serve --inventory vmc``."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

import pytest

from vmcctl.errors import InventoryFileError
from vmcctl.sim.inventory import load_inventory, parse_inventory
from vmcctl.sim.plugin import SEED_INVENTORY
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.settings import resolve_settings
from vmcctl.vsphere.snapshot import take_snapshot
from vmcctl.vsphere.vmc import is_vmc_cluster


def _doc(**cluster: Any) -> dict[str, Any]:
    host = {"name": "h1", "cpu_cores": 8, "cpu_mhz_per_core": 2000, "memory_gb": 64}
    vm = {"name": "v", "host": "h1", "cpus": 1, "memory_gb": 1, "datastore": "ds"}
    vm_pool = cluster.pop("vm_pool", None)
    if vm_pool is not None:
        vm["pool"] = vm_pool
    return {"clusters": [{"name": "C", "hosts": [host], **cluster}],
            "datastores": [{"name": "ds", "capacity_gb": 10, "free_gb": 5}], "vms": [vm]}


@pytest.mark.parametrize("cluster, message", [
    ({"vm_pool": "nope"}, "vms.0.pool: unknown pool of h1's cluster 'nope'"),
    ({"resource_pools": ["a//b"]}, "is not a pool path"),
    ({"vapps": ["x/app"]}, "vapps.0: 'x' is not one of resource_pools"),
    ({"resource_pools": ["app"], "vapps": ["app"]}, "'app' is a resource pool already"),
])
def test_bad_pool_keys_are_refused_with_their_key_path(cluster: dict[str, Any],
                                                       message: str) -> None:
    with pytest.raises(InventoryFileError, match=message.replace("(", r"\(")):
        parse_inventory(_doc(**cluster))


def test_nested_pools_make_their_parents_and_vms_may_sit_in_a_vapp() -> None:
    spec = parse_inventory(_doc(resource_pools=["a/b/c"], vapps=["a/app"], vm_pool="a/app"))
    assert spec.clusters[0].pool_paths == ["a", "a/b", "a/b/c"]
    doc = spec.to_sim_json()
    assert doc["clusters"][0]["resource_pools"] == ["a", "a/b", "a/b/c"]
    assert doc["vms"][0]["pool"] == "a/app"


def test_the_vmc_inventory_is_the_seed_in_compute_resourcepool_plus_management() -> None:
    vmc, seed = load_inventory("vmc"), load_inventory(SEED_INVENTORY)
    assert [(h.name, h.fault_domain) for h in vmc.hosts] == [
        (h.name, h.fault_domain) for h in seed.hosts]
    workloads = {v.name: v.pool for v in vmc.vms if v.pool == "Compute-ResourcePool"}
    assert set(workloads) == {v.name for v in seed.vms}
    mgmt = {v.name for v in vmc.vms if v.pool == "Mgmt-ResourcePool"}
    assert {"vcenter", "nsx-manager-0"} <= mgmt
    [admin] = vmc.users
    assert admin.username == "cloudadmin@vmc.local"
    privileges = set(admin.privileges)
    assert {"Resource.HotMigrate", "Resource.ColdMigrate", "Resource.AssignVMToPool",
            "VirtualMachine.Interact.PowerOn", "System.Read"} <= privileges
    assert not [p for p in privileges if p.startswith("Host.")]  # no host configuration


@pytest.mark.sim
@pytest.mark.vmcctl_sim("vmcctl sim serve with a bundled inventory")
def test_sim_serve_inventory_vmc_serves_the_bundled_sddc() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "vmcctl", "sim", "serve", "--inventory",
                             "vmc"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        url = proc.stdout.readline().strip()
        cert = proc.stderr.readline().strip().split(": ", 1)[1]
        settings = resolve_settings(url=url, username="cloudadmin@vmc.local",
                                    password="vmc-cloudadmin-pw", ca_file=cert, env={})
        with Client(settings) as client:
            inv = take_snapshot(client)
        cluster = inv.find_cluster("Cluster-1")
        assert is_vmc_cluster(inv, cluster.moid)
        compute = next(p for p in inv.pools_of(cluster.moid)
                       if p.relative_path == "Compute-ResourcePool")
        assert inv.find_vm("ML-cpu-vm-04").resource_pool == compute.moid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert proc.returncode == 0
