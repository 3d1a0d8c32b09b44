"""Evacuation plans: largest first, projected, never onto the evacuated host."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from placement_fixtures import host, inventory, seed_inventory, vm

from vmcctl.errors import EvacuationError, NotFoundError
from vmcctl.model import Unreadable
from vmcctl.placement import EnterMaintenance, Move, PlacementOptions, plan_evacuation

SEED_HOST = "10.94.24.70"


def test_seed_evacuation_moves_every_powered_on_vm_off_the_host() -> None:
    plan = plan_evacuation(seed_inventory(), SEED_HOST)
    assert plan.complete and plan.error() is None
    assert {m.vm for m in plan.moves} == {"ML-cpu-vm-04", "ML-cpu-vm-01", "web-01", "cache-01"}
    assert all(m.source == SEED_HOST and m.target != SEED_HOST for m in plan.moves)
    # The affinity rule web-with-cache holds in the projection.
    target = {m.vm: m.target for m in plan.moves}
    assert target["web-01"] == target["cache-01"]
    assert plan.actions()[-1] == EnterMaintenance(SEED_HOST, plan.host_moid)
    assert plan.host_moid == seed_inventory().find_host(SEED_HOST).moid


def test_powered_off_vms_only_when_asked() -> None:
    plan = plan_evacuation(seed_inventory(), SEED_HOST, include_powered_off=True,
                           priority="high")
    assert "jump-01" in {m.vm for m in plan.moves}
    assert {m.priority for m in plan.moves} == {"high"}


def test_largest_vm_goes_first() -> None:
    plan = plan_evacuation(seed_inventory(), SEED_HOST)
    assert [m.vm for m in plan.moves][:2] == ["ML-cpu-vm-04", "ML-cpu-vm-01"]


def test_each_move_sees_the_previous_ones() -> None:
    # Two equal targets, each with room for exactly one of the two VMs (80 % limit):
    # 50,000 + 12,000 = 74.9 % fits, 50,000 + 24,000 = 89 % does not.
    hosts = [host("src"), host("t1", background_cpu_mhz=50000),
             host("t2", background_cpu_mhz=50000)]
    vms = [vm("big-1", "src", cpu=12000), vm("big-2", "src", cpu=12000)]
    plan = plan_evacuation(inventory(hosts, vms), "src")
    assert sorted(m.target for m in plan.moves) == ["t1", "t2"]
    loads = {h.host: h for h in plan.loads}
    assert loads["t1"].cpu_pct_after == pytest.approx(100 * 62000 / 82800)
    assert loads["t1"].vms_in == 1


def test_unplaceable_vms_come_back_with_reasons() -> None:
    hosts = [host("src"), host("t1", background_cpu_mhz=50000)]
    vms = [vm("big-1", "src", cpu=12000), vm("big-2", "src", cpu=12000)]
    plan = plan_evacuation(inventory(hosts, vms), "src")
    assert [m.vm for m in plan.moves] == ["big-1"]
    (stuck,) = plan.unplaceable
    assert stuck.vm == "big-2"
    assert "'CPU headroom' eliminated 1 of 1" in stuck.message
    assert stuck.hint == "relax it with --max-cpu"
    assert [r.host for r in stuck.rejected] == ["t1"]
    err = plan.error()
    assert isinstance(err, EvacuationError) and "big-2" in err.message
    relaxed = plan_evacuation(inventory(hosts, vms), "src", PlacementOptions(max_cpu_pct=95))
    assert relaxed.complete


def test_other_avoided_hosts_are_not_targets() -> None:
    hosts = [host("src"), host("t1"), host("t2")]
    inv = inventory(hosts, [vm("a", "src")])
    plan = plan_evacuation(inv, "src",
                           PlacementOptions(avoid_hosts=frozenset({inv.find_host("t1").moid})))
    assert [m.target for m in plan.moves] == ["t2"]


def test_fault_domain_policy_applies_to_every_vm() -> None:
    hosts = [host("src", "us-west-2b"), host("t1", "us-west-2b"), host("t2", "us-west-2a")]
    vms = [vm("a", "src", cpu=1000), vm("b", "src", cpu=2000)]
    plan = plan_evacuation(inventory(hosts, vms), "src", PlacementOptions(fault_domain="other"))
    assert {m.target for m in plan.moves} == {"t2"}


def test_unknown_host_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        plan_evacuation(seed_inventory(), "10.94.24.7")


def test_plan_is_plain_serialisable_data() -> None:
    plan = plan_evacuation(seed_inventory(), SEED_HOST)
    doc = json.loads(json.dumps(plan.to_dict()))
    assert doc["host"] == SEED_HOST and doc["complete"] is True
    assert doc["actions"][-1] == {"action": "enter-maintenance", "host": SEED_HOST,
                                  "host_moid": plan.host_moid}
    assert doc["actions"][0]["action"] == "move"
    first = plan.moves[0]
    vm_moid = seed_inventory().find_vm("ML-cpu-vm-04").moid
    assert first == Move("ML-cpu-vm-04", vm_moid, SEED_HOST, plan.host_moid, first.target,
                         first.target_moid, "default")
    assert len(plan.move_rows()) == len(plan.moves)
    assert {r[0] for r in plan.load_rows()} == {m.target for m in plan.moves}


def test_same_named_vms_on_two_hosts_each_plan_moves_only_its_own() -> None:
    """Two VMs called ``app``: evacuating src moves src's app, never the other one."""
    hosts = [host("src"), host("other"), host("t1")]
    inv = inventory(hosts, [vm("app", "src", cpu=1000), vm("app-2", "other", cpu=2000)])
    inv = replace(inv, vms=tuple(replace(v, name="app") for v in inv.vms))
    plan = plan_evacuation(inv, "src")
    mine = next(v for v in inv.vms if v.host_moid == inv.find_host("src").moid)
    assert [m.vm_moid for m in plan.moves] == [mine.moid]
    assert plan.moves[0].source_moid == mine.host_moid


def test_a_vm_with_an_unreadable_power_state_is_never_taken_for_powered_off() -> None:
    inv = inventory([host("src"), host("t1")], [vm("app", "src", power="off")])
    blind = Unreadable("runtime.powerState", "NoPermission", "System.Read")
    inv = replace(inv, vms=tuple(replace(v, power_state="unknown", unknown=(blind,))
                                 for v in inv.vms))
    plan = plan_evacuation(inv, "src")
    assert not plan.moves and not plan.complete
    (stuck,) = plan.unplaceable
    assert "runtime.powerState: NoPermission (System.Read)" in stuck.message


def test_powered_off_vms_that_stay_are_listed_with_the_flag_that_moves_them() -> None:
    plan = plan_evacuation(seed_inventory(), SEED_HOST)
    assert "jump-01" not in {m.vm for m in plan.moves}
    (stays,) = [s for s in plan.stays if s.vm == "jump-01"]
    assert stays.power_state == "poweredOff"
    assert stays.message == "stays, powered off: --include-powered-off moves it"
    assert plan.complete  # staying powered off does not block maintenance
    assert plan.to_dict()["stays"][0]["vm_moid"] == stays.vm_moid
    moved = plan_evacuation(seed_inventory(), SEED_HOST, include_powered_off=True)
    assert moved.stays == ()
