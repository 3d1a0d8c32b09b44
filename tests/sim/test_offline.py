"""The offline spec -> Inventory conversion (the simulator's load model)."""

from __future__ import annotations

from pathlib import Path

from vmcctl.sim.inventory import load_inventory, parse_inventory
from vmcctl.sim.offline import inventory_from_spec

SEED = Path(__file__).resolve().parents[2] / "vmcctl" / "sim" / "inventories" / "seed.yaml"


def test_seed_host_usage_is_background_plus_powered_on_vms() -> None:
    inv = inventory_from_spec(load_inventory(SEED))
    h = inv.find_host("10.94.24.70")
    # ML-cpu-vm-04, ML-cpu-vm-01, web-01, cache-01 on; jump-01 off.
    assert h.cpu_usage_mhz == 3000 + 12000 + 9000 + 1200 + 1500
    assert h.memory_usage_mb == (24 + 40 + 36 + 5 + 24) * 1024
    assert h.cpu_capacity_mhz == 36 * 2300 and h.memory_capacity_mb == 512 * 1024
    assert h.fault_domain == "us-west-2b" and h.cluster_name == "Cluster-1"
    assert h.cluster_moid == inv.find_cluster("Cluster-1").moid
    assert sorted(inv.vm_name(m) for m in h.vm_moids) == [
        "ML-cpu-vm-01", "ML-cpu-vm-04", "cache-01", "jump-01", "web-01"]
    assert inv.datastore_names(h.datastore_moids) == ("WorkloadDatastore", "vsanDatastore")
    assert h.path == "/SDDC-Datacenter/host/Cluster-1/10.94.24.70"
    assert inv.find_host("10.94.24.85").cpu_usage_mhz == 2000


def test_seed_vms_and_rules() -> None:
    inv = inventory_from_spec(load_inventory(SEED))
    vm = inv.find_vm("ML-cpu-vm-04")
    assert (inv.host_name(vm.host_moid), vm.powered_on, vm.num_cpu, vm.memory_mb) == (
        "10.94.24.70", True, 8, 65536)
    assert (vm.cpu_usage_mhz, vm.memory_usage_mb, inv.datastore_names(vm.datastore_moids)) == (
        12000, 40960, ("WorkloadDatastore",))
    assert inv.find_vm(vm.path or "") == inv.find_vm(vm.moid) == vm
    assert vm.ip_address == "127.0.0.1"
    off = inv.find_vm("jump-01")
    assert not off.powered_on and off.cpu_usage_mhz == 0
    rules = {r.name: r for r in inv.find_cluster("Cluster-1").rules}
    assert (rules["licensed-on-71"].kind, rules["licensed-on-71"].mandatory) == ("vm-host", True)
    assert (rules["etl-prefers-2b"].kind, rules["etl-prefers-2b"].mandatory) == (
        "vm-host", False)
    assert rules["db-apart"].kind == "vm-anti-affinity"
    assert tuple(inv.host_name(h) for h in rules["etl-prefers-2b"].host_moids) == (
        "10.94.24.72", "10.94.24.73")


def test_states_rules_and_partial_datastores() -> None:
    host = {"cpu_cores": 2, "cpu_mhz_per_core": 1000, "memory_gb": 4}
    spec = parse_inventory({
        "clusters": [{"name": "C", "hosts": [
            {"name": "a", **host}, {"name": "b", "maintenance": True, **host},
            {"name": "c", "connected": False, **host}],
            "rules": [{"name": "no-c", "type": "vm-not-host-should", "vms": ["x"],
                       "hosts": ["c"]}]}],
        "datastores": [{"name": "d1", "capacity_gb": 10, "free_gb": 5, "hosts": ["a"]}],
        "vms": [{"name": "x", "host": "a", "cpus": 1, "memory_gb": 1, "datastore": "d1"}],
    })
    inv = inventory_from_spec(spec)
    b, c = inv.find_host("b"), inv.find_host("c")
    assert b.in_maintenance and c.connection_state == "disconnected"
    assert inv.datastore_names(inv.find_host("a").datastore_moids) == ("d1",)
    assert b.datastore_moids == ()
    (rule,) = inv.find_cluster("C").rules
    assert (rule.kind, rule.mandatory, rule.host_moids) == ("vm-not-host", False, (c.moid,))
    assert inv.datastores[0].capacity_bytes == 10 * 2**30
    assert len({h.moid for h in inv.hosts} | {v.moid for v in inv.vms}) == 4
