"""The simulator serves the inventory as vCenter would show it (plain pyVmomi)."""

from __future__ import annotations

import ssl
from collections import defaultdict
from typing import Any

import pytest
from pyVim.connect import SmartConnect
from pyVmomi import vim
from vcsim_helpers import all_of, find, seed_dict

pytestmark = [pytest.mark.sim,
              pytest.mark.vmcctl_sim("tests our simulator's seed inventory, load and certificate")]


def test_hosts_fault_domains_hardware_and_load(vcsim: Any) -> None:
    si = vcsim.connect()
    inv = vcsim.inventory
    hosts = {h.name: h for h in all_of(si, vim.HostSystem)}
    assert set(hosts) == {h.name for h in inv.hosts}
    assert {h.config.vsanHostConfig.faultDomainInfo.name for h in hosts.values()} == {
        "us-west-2a", "us-west-2b"}
    on_host: dict[str, list[Any]] = defaultdict(list)
    for v in inv.vms:
        on_host[v.host].append(v)
    for spec in inv.hosts:
        h = hosts[spec.name]
        assert h.config.vsanHostConfig.faultDomainInfo.name == spec.fault_domain
        assert h.summary.hardware.cpuMhz == spec.cpu_mhz_per_core
        assert h.summary.hardware.numCpuCores == spec.cpu_cores
        assert h.summary.hardware.memorySize == int(spec.memory_gb * 1024**3)
        running = [v for v in on_host[spec.name] if v.power == "on"]
        assert h.summary.quickStats.overallCpuUsage == spec.background_cpu_mhz + sum(
            v.cpu_usage_mhz for v in running)
        assert h.summary.quickStats.overallMemoryUsage == int(
            spec.background_memory_gb * 1024 + sum(v.memory_usage_gb * 1024 for v in running))
        assert sorted(v.name for v in h.vm) == sorted(v.name for v in on_host[spec.name])
        assert h.parent.name == "Cluster-1"
    loads = {h.summary.quickStats.overallCpuUsage for h in hosts.values()}
    assert len(loads) > 3  # not govmomi's identical stock numbers


def test_vm_properties(vcsim: Any) -> None:
    si = vcsim.connect()
    for spec in vcsim.inventory.vms:
        vm = find(si, vim.VirtualMachine, spec.name)
        on = spec.power == "on"
        assert vm.runtime.host.name == spec.host
        assert vm.config.hardware.numCPU == spec.cpus
        assert vm.config.hardware.memoryMB == int(spec.memory_gb * 1024)
        assert vm.runtime.powerState == ("poweredOn" if on else "poweredOff")
        assert (vm.runtime.bootTime is not None) == on
        # 0 is omitted on the wire (optional int), so pyVmomi reads None
        assert (vm.summary.quickStats.overallCpuUsage or 0) == (spec.cpu_usage_mhz if on else 0)
        assert (vm.summary.quickStats.guestMemoryUsage or 0) == (
            int(spec.memory_usage_gb * 1024) if on else 0)
        assert [d.name for d in vm.datastore] == [spec.datastore]
        assert vm.resourcePool == vm.runtime.host.parent.resourcePool
        if spec.ip and on:
            assert vm.guest.ipAddress == spec.ip


def test_drs_rules_and_groups(vcsim: Any) -> None:
    si = vcsim.connect()
    cluster = find(si, vim.ClusterComputeResource, "Cluster-1")
    cfg = cluster.configurationEx
    assert cfg.drsConfig.enabled is True
    rules = {r.name: r for r in cfg.rule}
    assert isinstance(rules["db-apart"], vim.cluster.AntiAffinityRuleSpec)
    assert sorted(v.name for v in rules["db-apart"].vm) == ["db-01", "db-02"]
    assert isinstance(rules["web-with-cache"], vim.cluster.AffinityRuleSpec)
    must = rules["licensed-on-71"]
    assert isinstance(must, vim.cluster.VmHostRuleInfo) and must.mandatory
    groups = {g.name: g for g in cfg.group}
    assert [v.name for v in groups[must.vmGroupName].vm] == ["licensed-app-01"]
    assert [h.name for h in groups[must.affineHostGroupName].host] == ["10.94.24.71"]
    should = rules["etl-prefers-2b"]
    assert not should.mandatory
    assert sorted(h.name for h in groups[should.affineHostGroupName].host) == [
        "10.94.24.72", "10.94.24.73"]


def test_datastores_mounted_only_on_listed_hosts(vcsim_factory: Any) -> None:
    inv = seed_dict()
    inv["datastores"].append({"name": "local-70", "capacity_gb": 100, "free_gb": 50,
                              "hosts": ["10.94.24.70"]})
    sim = vcsim_factory(inv)
    si = sim.connect()
    ds = find(si, vim.Datastore, "local-70")
    assert [m.key.name for m in ds.host] == ["10.94.24.70"]
    assert ds.summary.capacity == 100 * 1024**3 and ds.summary.freeSpace == 50 * 1024**3
    assert "local-70" in [d.name for d in find(si, vim.HostSystem, "10.94.24.70").datastore]
    assert "local-70" not in [d.name for d in find(si, vim.HostSystem, "10.94.24.71").datastore]


def test_credentials_from_inventory_and_invalid_login(vcsim_factory: Any) -> None:
    inv = seed_dict()
    inv["credentials"] = {"username": "ops", "password": "s3cret"}
    sim = vcsim_factory(inv)
    assert sim.connect().RetrieveContent().rootFolder.childEntity[0].name == "SDDC-Datacenter"
    for user, pwd in [("ops", "wrong"), ("user", "pass")]:
        with pytest.raises(vim.fault.InvalidLogin):
            SmartConnect(host=sim.host, port=sim.port, user=user, pwd=pwd,
                         sslContext=sim.endpoint.ssl_context())


def test_tls_certificate_verifies_only_with_its_pem(vcsim: Any) -> None:
    assert vcsim.url.startswith("https://")
    verified = ssl.create_default_context(cafile=str(vcsim.cert_file))
    with verified.wrap_socket(__import__("socket").create_connection((vcsim.host, vcsim.port)),
                              server_hostname="localhost") as sock:
        assert sock.version() is not None
    with pytest.raises(ssl.SSLCertVerificationError):
        ssl.create_default_context().wrap_socket(
            __import__("socket").create_connection((vcsim.host, vcsim.port)),
            server_hostname="localhost")


def test_plain_http(vcsim_factory: Any) -> None:
    sim = vcsim_factory(plain_http=True)
    assert sim.url.startswith("http://")
    assert len(all_of(sim.connect(), vim.HostSystem)) == 9
