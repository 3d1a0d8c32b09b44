"""Turning collector property sets into the model: references resolved, rules expanded."""

from __future__ import annotations

import pytest
from pyVmomi import vim

from vmcctl.errors import AmbiguousError
from vmcctl.model import Rule, Unreadable
from vmcctl.vsphere.snapshot import FAULT_DOMAIN, MISSING, build_inventory


def _raw() -> dict[type, dict[str, dict[str, object]]]:
    vm1, vm2, vm3 = (vim.VirtualMachine(f"vm-{i}") for i in (1, 2, 3))
    h1, h2 = vim.HostSystem("host-1"), vim.HostSystem("host-2")
    ds = vim.Datastore("datastore-1")
    cluster = vim.ClusterComputeResource("domain-c1")
    config = vim.cluster.ConfigInfoEx(
        drsConfig=vim.cluster.DrsConfigInfo(enabled=True),
        group=[vim.cluster.VmGroup(name="lic-vms", vm=[vm3]),
               vim.cluster.HostGroup(name="lic-hosts", host=[h2, h1])],
        rule=[vim.cluster.AntiAffinityRuleSpec(name="apart", enabled=True, vm=[vm1, vm2]),
              vim.cluster.AffinityRuleSpec(name="together", enabled=False, vm=[vm2, vm1]),
              vim.cluster.VmHostRuleInfo(name="lic-must", enabled=True, mandatory=True,
                                         vmGroupName="lic-vms",
                                         affineHostGroupName="lic-hosts"),
              vim.cluster.VmHostRuleInfo(name="lic-not", enabled=True, mandatory=False,
                                         vmGroupName="lic-vms",
                                         antiAffineHostGroupName="lic-hosts")])
    host_common = {"parent": cluster, "datastore": [ds], "runtime.connectionState": "connected",
                   "runtime.inMaintenanceMode": False, "summary.hardware.cpuMhz": 2300,
                   "summary.hardware.numCpuCores": 36,
                   "summary.hardware.memorySize": 512 * 2**30,
                   "summary.quickStats.overallCpuUsage": 5000,
                   "summary.quickStats.overallMemoryUsage": 40000}
    return {
        vim.HostSystem: {
            "host-1": {"name": "10.0.0.1", FAULT_DOMAIN: "us-west-2a", **host_common},
            "host-2": {"name": "10.0.0.2", FAULT_DOMAIN: "", **host_common,
                       "runtime.inMaintenanceMode": True},
        },
        vim.VirtualMachine: {
            f"vm-{i}": {"name": f"v{i}", "runtime.host": h, "runtime.powerState": "poweredOn",
                        "config.hardware.numCPU": 2, "config.hardware.memoryMB": 4096,
                        "datastore": [ds], "resourcePool": vim.ResourcePool("resgroup-1"),
                        "guest.ipAddress": "10.1.0.1" if i == 1 else None}
            for i, h in ((1, h1), (2, h1), (3, h2))},
        vim.Datastore: {"datastore-1": {"name": "ds", "summary.capacity": 100,
                                        "summary.freeSpace": 40}},
        vim.ClusterComputeResource: {"domain-c1": {"name": "C1", "host": [h1, h2],
                                                   "resourcePool": vim.ResourcePool("resgroup-1"),
                                                   "configurationEx": config}},
    }


def test_references_are_resolved_within_the_result() -> None:
    inv = build_inventory(_raw())
    h1, h2 = inv.find_host("10.0.0.1"), inv.find_host("10.0.0.2")
    assert (h1.cluster_moid, h1.cluster_name, h1.fault_domain) == ("domain-c1", "C1", "us-west-2a")
    assert h2.fault_domain is None  # "" means no fault domain
    assert h2.in_maintenance and not h1.in_maintenance
    assert h1.cpu_capacity_mhz == 36 * 2300 and h1.memory_capacity_mb == 512 * 1024
    assert h1.vm_moids == ("vm-1", "vm-2") and h2.vm_moids == ("vm-3",)
    assert h1.datastore_moids == ("datastore-1",)
    v1 = inv.find_vm("v1")
    assert (v1.host_moid, v1.host_name, v1.datastore_moids, v1.ip_address, v1.resource_pool) == (
        "host-1", "10.0.0.1", ("datastore-1",), "10.1.0.1", "resgroup-1")
    assert inv.find_vm("v2").ip_address is None
    cluster = inv.find_cluster("C1")
    assert cluster.host_moids == ("host-1", "host-2") and cluster.drs_enabled
    assert cluster.root_pool == "resgroup-1"
    assert inv.datastores[0].free_bytes == 40


def test_rules_are_normalised_and_groups_expanded() -> None:
    rules = {r.name: r for r in build_inventory(_raw()).find_cluster("C1").rules}
    assert rules["apart"] == Rule(name="apart", kind="vm-anti-affinity",
                                  vm_moids=("vm-1", "vm-2"))
    assert rules["together"] == Rule(name="together", kind="vm-affinity",
                                     vm_moids=("vm-2", "vm-1"), enabled=False)
    assert rules["lic-must"] == Rule(name="lic-must", kind="vm-host", vm_moids=("vm-3",),
                                     host_moids=("host-2", "host-1"), mandatory=True)
    assert rules["lic-not"] == Rule(name="lic-not", kind="vm-not-host", vm_moids=("vm-3",),
                                    host_moids=("host-2", "host-1"), mandatory=False)


def _blind(raw: dict[type, dict[str, dict[str, object]]], kind: type, moid: str,
           *paths: str) -> None:
    props = raw[kind][moid]
    for path in paths:
        props.pop(path, None)
    props[MISSING] = [Unreadable(p, "NoPermission", "System.Read") for p in paths]


def test_a_property_in_missing_set_is_unknown_never_a_default() -> None:
    raw = _raw()
    _blind(raw, vim.VirtualMachine, "vm-1", "runtime.powerState")
    _blind(raw, vim.HostSystem, "host-2", "summary.quickStats.overallCpuUsage")
    inv = build_inventory(raw)
    v1 = inv.find_vm("v1")
    assert v1.power_state == "unknown" and not v1.powered_on and not v1.readable
    assert [str(u) for u in v1.blind_spots] == ["runtime.powerState: NoPermission (System.Read)"]
    h2 = inv.find_host("10.0.0.2")
    assert not h2.readable and inv.find_host("10.0.0.1").readable
    assert inv.find_vm("v2").readable


def test_two_vms_of_one_name_are_both_kept_and_a_name_lookup_is_refused() -> None:
    raw = _raw()
    raw[vim.VirtualMachine]["vm-2"]["name"] = "v1"
    inv = build_inventory(raw)
    assert len([v for v in inv.vms if v.name == "v1"]) == 2
    with pytest.raises(AmbiguousError) as err:
        inv.find_vm("v1")
    assert "vm-1" in str(err.value) and "vm-2" in str(err.value)
    assert inv.find_vm("vm-2").name == "v1"
