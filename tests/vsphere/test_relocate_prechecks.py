"""Every precheck of a compute-only move, against a small hand-built snapshot (no vCenter)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from pyVmomi import vim

from vmcctl.errors import ConfigError, NotFoundError, NotMovableError, PrecheckError
from vmcctl.model import Cluster, Datastore, Host, Inventory, Pool, Vm
from vmcctl.vsphere.relocate import MovePlan, VmLocation, plan_move, verify

BOOT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def host(name: str, moid: str, cluster: str | None = "C1", fd: str | None = "us-west-2a",
         **kw: object) -> Host:
    clusters = {"C1": "domain-c1", "C2": "domain-c2"}
    base = Host(name=name, moid=moid, cluster_moid=clusters.get(cluster or ""),
                cluster_name=cluster, fault_domain=fd,
                connection_state="connected", in_maintenance=False, cpu_capacity_mhz=80000,
                memory_capacity_mb=512 * 1024, cpu_usage_mhz=20000,
                memory_usage_mb=100 * 1024, datastore_moids=("datastore-1", "datastore-2"))
    return replace(base, **kw)  # type: ignore[arg-type]


def inventory(**host_changes: dict[str, object]) -> Inventory:
    hosts = [
        host("10.0.0.1", "host-1", fd="us-west-2b"),
        host("10.0.0.2", "host-2"),
        host("10.0.0.9", "host-9", cluster="C2", fd="us-west-2c"),
    ]
    hosts = [replace(h, **host_changes.get(h.name, {})) for h in hosts]  # type: ignore[arg-type]
    vms = (
        Vm(name="app-01", moid="vm-1", host_moid="host-1", power_state="poweredOn", num_cpu=8,
           memory_mb=64 * 1024, cpu_usage_mhz=9000, memory_usage_mb=30000,
           datastore_moids=("datastore-1",), boot_time=BOOT, resource_pool="resgroup-child"),
        Vm(name="cold-01", moid="vm-2", host_moid="host-1", power_state="poweredOff", num_cpu=2,
           memory_mb=900 * 1024, cpu_usage_mhz=0, memory_usage_mb=0,
           datastore_moids=("datastore-1",), resource_pool="resgroup-1"),
        Vm(name="local-01", moid="vm-3", host_moid="host-1", power_state="poweredOn", num_cpu=2,
           memory_mb=1024, cpu_usage_mhz=10, memory_usage_mb=10,
           datastore_moids=("datastore-3",), resource_pool="resgroup-1"),
    )
    clusters = (Cluster(name="C1", moid="domain-c1", host_moids=("host-1", "host-2"),
                        root_pool="resgroup-1"),
                Cluster(name="C2", moid="domain-c2", host_moids=("host-9",),
                        root_pool="resgroup-2"))
    datastores = (Datastore("WorkloadDatastore", "datastore-1", 10, 5),
                  Datastore("vsan", "datastore-2", 10, 5),
                  Datastore("local-ds-1", "datastore-3", 10, 5))
    pools = (Pool("Resources", "resgroup-1", cluster_moid="domain-c1"),
             Pool("team", "resgroup-child", parent_moid="resgroup-1", cluster_moid="domain-c1",
                  relative_path="team"),
             Pool("Resources", "resgroup-2", cluster_moid="domain-c2"),
             Pool("team", "resgroup-2t", parent_moid="resgroup-2", cluster_moid="domain-c2",
                  relative_path="team"))
    return Inventory(hosts=tuple(hosts), vms=vms, clusters=clusters, datastores=datastores,
                     pools=pools)


def test_plan_within_cluster_keeps_the_vms_pool() -> None:
    plan = plan_move(inventory(), "app-01", "10.0.0.2", "high")
    assert plan.spec() == {"method": "RelocateVM_Task",
                           "spec": {"host": "host-2", "pool": "resgroup-child",
                                    "pool_kind": "ResourcePool"},
                           "priority": "highPriority"}
    assert (plan.source, plan.target) == ("10.0.0.1", "10.0.0.2")
    assert (plan.source_fault_domain, plan.target_fault_domain) == ("us-west-2b", "us-west-2a")
    assert not plan.cold


def test_plan_across_clusters_uses_the_same_named_pool_there() -> None:
    plan = plan_move(inventory(), "app-01", "10.0.0.9")
    assert plan.spec()["spec"] == {"host": "host-9", "pool": "resgroup-2t",
                                   "pool_kind": "ResourcePool"}
    assert plan.vim_priority == "defaultPriority"
    root = plan_move(inventory(), "cold-01", "10.0.0.9")  # in C1's root pool: C2's root pool
    assert (root.pool_moid, root.pool_label) == ("resgroup-2", "root pool")


def test_powered_off_vm_is_cold_and_needs_no_free_memory() -> None:
    plan = plan_move(inventory(), "cold-01", "10.0.0.2", "low")
    assert plan.cold and plan.vim_priority == "lowPriority"


def test_unknown_vm_suggests_close_names() -> None:
    with pytest.raises(NotFoundError) as err:
        plan_move(inventory(), "app-1", "10.0.0.2")
    assert "app-01" in err.value.suggestions


def test_unknown_host_suggests_close_names() -> None:
    with pytest.raises(NotFoundError) as err:
        plan_move(inventory(), "app-01", "10.0.0.3")
    assert err.value.kind == "host" and err.value.suggestions


def test_already_on_that_host() -> None:
    with pytest.raises(PrecheckError, match=r"already on host 10\.0\.0\.1"):
        plan_move(inventory(), "app-01", "10.0.0.1")


def test_target_in_maintenance() -> None:
    inv = inventory(**{"10.0.0.2": {"in_maintenance": True}})
    with pytest.raises(PrecheckError, match="maintenance"):
        plan_move(inv, "app-01", "10.0.0.2")


@pytest.mark.parametrize("state", ["disconnected", "notResponding"])
def test_target_not_connected(state: str) -> None:
    inv = inventory(**{"10.0.0.2": {"connection_state": state}})
    with pytest.raises(PrecheckError, match=state):
        plan_move(inv, "app-01", "10.0.0.2")


def test_target_lacks_the_vms_datastore() -> None:
    with pytest.raises(PrecheckError, match="does not mount datastore local-ds-1"):
        plan_move(inventory(), "local-01", "10.0.0.2")


def test_target_too_little_free_memory() -> None:
    inv = inventory(**{"10.0.0.2": {"memory_usage_mb": 500 * 1024}})
    with pytest.raises(PrecheckError, match=r"12288 MB of memory free.*65536 MB"):
        plan_move(inv, "app-01", "10.0.0.2")


def test_enough_memory_exactly_passes() -> None:
    inv = inventory(**{"10.0.0.2": {"memory_usage_mb": 512 * 1024 - 64 * 1024}})
    assert plan_move(inv, "app-01", "10.0.0.2").target == "10.0.0.2"


def test_unknown_priority() -> None:
    with pytest.raises(ConfigError, match="priority"):
        plan_move(inventory(), "app-01", "10.0.0.2", "urgent")


def test_precheck_messages_are_one_line() -> None:
    inv = inventory(**{"10.0.0.2": {"in_maintenance": True}})
    for args in (("app-01", "10.0.0.1"), ("app-01", "10.0.0.2"), ("local-01", "10.0.0.9")):
        with pytest.raises(PrecheckError) as err:
            plan_move(inv, *args)
        assert "\n" not in str(err.value)


def _plan() -> MovePlan:
    return plan_move(inventory(), "app-01", "10.0.0.2")


def test_verify_clean_move() -> None:
    assert verify(_plan(), VmLocation("host-2", "10.0.0.2", "poweredOn", BOOT)) == ()


@pytest.mark.parametrize(("where", "needle"), [
    (VmLocation("host-1", "10.0.0.1", "poweredOn", BOOT), "is on 10.0.0.1"),
    (VmLocation("host-2", "10.0.0.2", "poweredOff", BOOT), "power state changed"),
    (VmLocation("host-2", "10.0.0.2", "poweredOn", BOOT.replace(hour=13)), "restarted"),
])
def test_verify_reports_what_differs(where: VmLocation, needle: str) -> None:
    problems = verify(_plan(), where)
    assert len(problems) == 1 and needle in problems[0]


def _pooled_plan(pool_moid: str, pool_kind: str = "ResourcePool") -> MovePlan:
    return MovePlan(vm="app-01", vm_moid="vm-1", source="10.0.0.1", source_moid="host-1",
                    target="10.0.0.2", target_moid="host-2", source_fault_domain=None,
                    target_fault_domain=None, priority="default", pool_moid=pool_moid,
                    power_state="poweredOn", boot_time=None,
                    pool_kind=pool_kind)  # type: ignore[arg-type]


def test_spec_pool_is_a_reference_of_the_pools_own_type_or_unset() -> None:
    """A vApp is named as a VirtualApp, a pool as a ResourcePool; no pool: spec.pool unset."""
    vapp = _pooled_plan("resgroup-v5", "VirtualApp")
    ref = vapp.pool_ref(None)
    assert isinstance(ref, vim.VirtualApp) and ref._moId == "resgroup-v5"
    assert vapp.spec() == {"method": "RelocateVM_Task", "priority": "defaultPriority",
                           "spec": {"host": "host-2", "pool": "resgroup-v5",
                                    "pool_kind": "VirtualApp"}}
    pool = _pooled_plan("resgroup-7").pool_ref(None)
    assert type(pool) is vim.ResourcePool and pool._moId == "resgroup-7"
    unset = _pooled_plan("")
    assert unset.pool_ref(None) is None
    assert unset.spec()["spec"] == {"host": "host-2", "pool": None}


def test_a_vmc_management_vm_is_refused_before_any_host_check() -> None:
    inv = inventory()
    mgmt = Pool("Mgmt-ResourcePool", "resgroup-m", parent_moid="resgroup-1",
                cluster_moid="domain-c1", relative_path="Mgmt-ResourcePool")
    compute = Pool("Compute-ResourcePool", "resgroup-c", parent_moid="resgroup-1",
                   cluster_moid="domain-c1", relative_path="Compute-ResourcePool")
    vms = tuple(replace(v, resource_pool="resgroup-m") if v.name == "app-01" else v
                for v in inv.vms)
    vmc = replace(inv, vms=vms, pools=(*inv.pools, mgmt, compute))
    with pytest.raises(NotMovableError) as err:
        plan_move(vmc, "app-01", "10.0.0.2")
    assert err.value.codes == ("vmc-managed",)
