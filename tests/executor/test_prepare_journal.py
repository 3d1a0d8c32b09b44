"""An evacuation journal holds exactly what the executor submits and verifies, per VM.

Pure: inventories built as simulator specs and read offline.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vmcctl.executor.prepare import evacuation_journal
from vmcctl.model import Inventory
from vmcctl.placement import plan_evacuation
from vmcctl.sim.inventory import parse_inventory
from vmcctl.sim.offline import inventory_from_spec

HOST = {"cpu_cores": 36, "cpu_mhz_per_core": 2300, "memory_gb": 512}


def _inventory(*, h2_maintenance: bool = False) -> Inventory:
    vms: list[dict[str, Any]] = [
        {"name": "on", "host": "h1", "cpus": 4, "memory_gb": 16, "cpu_usage_mhz": 2000,
         "memory_usage_gb": 8, "datastore": "ds"},
        {"name": "off", "host": "h1", "cpus": 2, "memory_gb": 8, "cpu_usage_mhz": 100,
         "memory_usage_gb": 2, "datastore": "ds", "power": "off"}]
    return inventory_from_spec(parse_inventory({
        "clusters": [{"name": "C", "hosts": [
            {"name": "h1", **HOST}, {"name": "h2", **HOST, "maintenance": h2_maintenance}]}],
        "datastores": [{"name": "ds", "capacity_gb": 1000, "free_gb": 500}],
        "vms": vms}))


def test_each_planned_move_is_recorded_with_ids_pool_priority_and_power(tmp_path: Path) -> None:
    inv = _inventory()
    plan = plan_evacuation(inv, "h1")
    journal = evacuation_journal(inv, plan, path=tmp_path / "j.json",
                                 options={"max_parallel": 4})
    h1, h2 = inv.find_host("h1"), inv.find_host("h2")
    pool = inv.find_cluster("C").root_pool
    assert (journal.kind, journal.host, journal.host_moid) == ("evacuate", "h1", h1.moid)
    assert journal.maintenance == "not-requested"  # not asked for
    assert journal.plan == plan.to_dict() and journal.options == {"max_parallel": 4}
    assert journal.path == tmp_path / "j.json" and journal.status == "planned"
    assert {m.vm for m in journal.moves} == {"on"}  # powered-off VMs stay (no vMotion)
    for rec in journal.moves:
        vm = inv.vm(rec.vm_moid)
        move = next(m for m in plan.moves if m.vm == rec.vm)
        assert (rec.vm_moid, rec.origin, rec.origin_moid) == (vm.moid, "h1", h1.moid)
        assert (rec.target, rec.target_moid, rec.pool_moid) == ("h2", h2.moid, pool)
        assert (rec.priority, rec.power_state, rec.state) == (
            move.priority, vm.power_state, "pending")
        assert rec.task is None and rec.attempts == 0 and rec.reason is None
    assert journal.move("on").memory_mb == inv.find_vm("on").memory_mb  # longest first


def test_maintenance_asked_for_is_pending() -> None:
    inv = _inventory()
    journal = evacuation_journal(inv, plan_evacuation(inv, "h1"), maintenance=True)
    assert journal.maintenance == "pending"
    assert journal.options == {} and journal.path is None


def test_a_move_that_fails_its_precheck_now_is_recorded_as_skipped_with_why() -> None:
    planned_on = _inventory()
    plan = plan_evacuation(planned_on, "h1")
    now = _inventory(h2_maintenance=True)  # the target went into maintenance since
    journal = evacuation_journal(now, plan)
    h1 = now.find_host("h1")
    assert [m.vm for m in journal.moves] == ["on"]
    for rec in journal.moves:
        assert rec.state == "skipped"
        assert (rec.vm_moid, rec.origin, rec.origin_moid) == (
            now.vm(rec.vm_moid).moid, "h1", h1.moid)
        assert rec.target == "" and rec.target_moid == ""
        assert (rec.reason or "").startswith("host h2 is in maintenance mode")


def test_priority_boot_time_and_powered_off_vms_reach_the_records() -> None:
    booted = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    base = _inventory()
    inv = replace(base, vms=tuple(replace(v, boot_time=booted) if v.powered_on else v
                                  for v in base.vms))
    plan = plan_evacuation(inv, "h1", include_powered_off=True, priority="high")
    journal = evacuation_journal(inv, plan)
    on, off = journal.move("on"), journal.move("off")
    assert (on.priority, off.priority) == ("high", "high")
    assert on.boot_time == booted.isoformat()  # what verification compares after the move
    assert off.boot_time is None
    assert (on.power_state, off.power_state) == ("poweredOn", "poweredOff")
    # a cold move copies no memory: it does not count as a long vMotion
    assert (on.memory_mb, off.memory_mb) == (inv.find_vm("on").memory_mb, 0)
