"""Turning collector property sets into the model: references resolved, rules expanded."""

from __future__ import annotations

from pyVmomi import vim

from vmcctl.model import Rule
from vmcctl.vsphere.snapshot import FAULT_DOMAIN, build_inventory


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
    h1, h2 = inv.host("10.0.0.1"), inv.host("10.0.0.2")
    assert h1.cluster == "C1" and h1.fault_domain == "us-west-2a"
    assert h2.fault_domain is None  # "" means no fault domain
    assert h2.in_maintenance and not h1.in_maintenance
    assert h1.cpu_capacity_mhz == 36 * 2300 and h1.memory_capacity_mb == 512 * 1024
    assert h1.vms == ("v1", "v2") and h2.vms == ("v3",)
    assert h1.datastores == ("ds",)
    v1 = inv.vm("v1")
    assert (v1.host, v1.datastores, v1.ip_address, v1.resource_pool) == (
        "10.0.0.1", ("ds",), "10.1.0.1", "resgroup-1")
    assert inv.vm("v2").ip_address is None
    cluster = inv.cluster("C1")
    assert cluster.hosts == ("10.0.0.1", "10.0.0.2") and cluster.drs_enabled
    assert cluster.root_pool == "resgroup-1"
    assert inv.datastores[0].free_bytes == 40


def test_rules_are_normalised_and_groups_expanded() -> None:
    rules = {r.name: r for r in build_inventory(_raw()).cluster("C1").rules}
    assert rules["apart"] == Rule(name="apart", kind="vm-anti-affinity", vms=("v1", "v2"))
    assert rules["together"] == Rule(name="together", kind="vm-affinity", vms=("v2", "v1"),
                                     enabled=False)
    assert rules["lic-must"] == Rule(name="lic-must", kind="vm-host", vms=("v3",),
                                     hosts=("10.0.0.2", "10.0.0.1"), mandatory=True)
    assert rules["lic-not"] == Rule(name="lic-not", kind="vm-not-host", vms=("v3",),
                                    hosts=("10.0.0.2", "10.0.0.1"), mandatory=False)
