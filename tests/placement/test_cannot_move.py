"""Issue 12 (items 1-3, 6) without a simulator: memory in one unit, hosts that
cannot receive, VMs that cannot move, rules as DRS reads them."""

from __future__ import annotations

from typing import Any

import pytest
from placement_fixtures import host, inventory, three_hosts, vm

from vmcctl.errors import NotMovableError
from vmcctl.placement import PlacementOptions, rank_hosts
from vmcctl.placement.evacuation import plan_evacuation

BLOCKING = [
    ({"template": True, "power": "off"}, "template"),
    ({"ft": "primary"}, "fault-tolerance"),
    ({"ft": "secondary"}, "fault-tolerance"),
    ({"devices": ["passthrough"]}, "passthrough-device"),
    ({"devices": ["vgpu"]}, "vgpu-device"),
    ({"devices": ["cdrom-host"]}, "host-device"),
    ({"connection": "disconnected"}, "vm-not-connected"),
    ({"connection": "orphaned"}, "vm-not-connected"),
]


@pytest.mark.parametrize(("extra", "code"), BLOCKING, ids=[c for _, c in BLOCKING])
def test_a_vm_that_cannot_move_is_refused_with_its_code(extra: dict[str, Any], code: str) -> None:
    inv = inventory(three_hosts(), [vm("app", "h1", **extra)])
    with pytest.raises(NotMovableError) as err:
        rank_hosts(inv, "app")
    assert err.value.codes == (code,)
    assert code in err.value.message and "app" in err.value.message
    assert err.value.exit_code == 2 and err.value.hint


@pytest.mark.parametrize(("extra", "code"), BLOCKING, ids=[c for _, c in BLOCKING])
def test_evacuation_lists_it_up_front_and_plans_no_move_for_it(extra: dict[str, Any],
                                                               code: str) -> None:
    inv = inventory(three_hosts(), [vm("app", "h1", **extra), vm("web", "h1", cpu=100)])
    plan = plan_evacuation(inv, "h1", include_powered_off=True)
    assert [(b.vm, b.codes) for b in plan.blocked] == [("app", (code,))]
    assert [m.vm for m in plan.moves] == ["web"]
    assert not plan.complete
    error = plan.error()
    assert error is not None and "app" in error.message and code in error.message
    assert "--partial" in (error.hint or "")


def test_devices_block_only_a_running_vm() -> None:
    """vCenter migrates a powered-off VM cold: its devices carry no state."""
    inv = inventory(three_hosts(), [vm("app", "h1", power="off",
                                       devices=["passthrough", "cdrom-host"])])
    assert rank_hosts(inv, "app").candidates


def test_memory_is_compared_in_consumed_memory() -> None:
    """Eight 64 GB VMs with 4 GB active each: a host's usage is *consumed* memory,
    so a VM's load must be too (in active memory all eight fit at "59 % -> 62 %")."""
    hosts = [host("h1"), host("h2", background_memory_gb=300),
             host("h3", background_memory_gb=300)]
    vms = [vm(f"big-{i}", "h1", cpu=100, memory_active_gb=4, memory_consumed_gb=62)
           for i in range(8)]
    inv = inventory(hosts, vms)
    h2 = inv.find_host("h2")
    assert round(h2.memory_pct) == 59  # 300 of 512 GB consumed
    plan = plan_evacuation(inv, "h1")
    consumed = {"h2": 300.0, "h3": 300.0}
    for move in plan.moves:
        consumed[move.target] += 62
    assert all(gb / 512 <= 0.80 for gb in consumed.values()), consumed
    assert len(plan.moves) == 2 and len(plan.unplaceable) == 6
    assert {round(h.mem_pct_after) for h in plan.loads} == {71}


def test_memory_usage_gb_still_means_both() -> None:
    inv = inventory(three_hosts(), [vm("app", "h1", mem_gb=40)])
    app = inv.find_vm("app")
    assert (app.memory_usage_mb, app.memory_active_mb) == (40 * 1024, 40 * 1024)


def test_a_standby_host_with_no_load_is_never_ranked() -> None:
    hosts = three_hosts(h2={"background_memory_gb": 200, "background_cpu_mhz": 20000},
                        h3={"power": "standby"})
    rec = rank_hosts(inventory(hosts, [vm("app", "h1")]), "app")
    assert [c.host for c in rec.candidates] == ["h2"]
    assert {r.host: [x.code for x in r.reasons] for r in rec.rejected}["h3"] == ["standby"]


def test_a_quarantined_host_is_never_ranked() -> None:
    rec = rank_hosts(inventory(three_hosts(h3={"quarantine": True}), [vm("app", "h1")]), "app")
    assert [c.host for c in rec.candidates] == ["h2"]


def test_vm_vm_rules_are_hard_and_disabled_rules_are_ignored() -> None:
    others = (vm("db", "h2", cpu=100, mem_gb=1),)
    apart = {"name": "apart", "type": "vm-anti-affinity", "vms": ["app", "db"]}
    rec = rank_hosts(inventory(three_hosts(), [vm("app", "h1"), *others], [apart]), "app")
    assert [c.host for c in rec.candidates] == ["h3"]
    off = {**apart, "enabled": False}
    rec = rank_hosts(inventory(three_hosts(), [vm("app", "h1"), *others], [off]), "app")
    assert {c.host for c in rec.candidates} == {"h2", "h3"}


def test_max_mem_relaxes_the_consumed_limit() -> None:
    hosts = [host("h1"), host("h2", background_memory_gb=300)]
    vms = [vm(f"big-{i}", "h1", cpu=100, memory_active_gb=4, memory_consumed_gb=62)
           for i in range(3)]
    plan = plan_evacuation(inventory(hosts, vms), "h1", PlacementOptions(max_mem_pct=100))
    assert len(plan.moves) == 3  # 300 + 186 = 486 GB: 95 %
