"""What ``host evacuate --dry-run`` shows: the plan's JSON and its load table (a contract)."""

from __future__ import annotations

import pytest
from placement_fixtures import seed_inventory

from vmcctl.placement import EvacuationPlan, plan_evacuation


@pytest.fixture(scope="module")
def stuck_plan() -> EvacuationPlan:
    return plan_evacuation(seed_inventory(), "10.94.24.71")  # licensed-app-01 cannot go


def test_plan_json_lists_moves_then_maintenance_unplaceable_and_loads(
        stuck_plan: EvacuationPlan) -> None:
    data = stuck_plan.to_dict()
    assert set(data) == {"host", "host_moid", "complete", "actions", "blocked", "unplaceable",
                         "stays", "loads"}
    assert (data["host"], data["complete"], data["blocked"]) == ("10.94.24.71", False, [])
    *moves, enter = data["actions"]
    assert enter == {"action": "enter-maintenance", "host": "10.94.24.71",
                     "host_moid": stuck_plan.host_moid}
    assert [m["vm"] for m in moves] == [m.vm for m in stuck_plan.moves] and moves
    for raw, move in zip(moves, stuck_plan.moves, strict=True):
        assert raw == {"action": "move", "vm": move.vm, "vm_moid": move.vm_moid,
                       "source": "10.94.24.71", "source_moid": stuck_plan.host_moid,
                       "target": move.target, "target_moid": move.target_moid,
                       "priority": "default"}
    (stuck,) = data["unplaceable"]
    assert set(stuck) == {"vm", "vm_moid", "message", "hint", "rejected"}
    assert (stuck["vm"], stuck["hint"]) == ("licensed-app-01", None)
    assert stuck["message"] == stuck_plan.unplaceable[0].message
    assert {r["host"] for r in stuck["rejected"]} >= {"10.94.24.70", "10.94.24.85"}
    assert all(set(r) == {"host", "host_moid", "fault_domain", "reasons"}
               for r in stuck["rejected"])


def test_load_json_and_rows_round_percentages(stuck_plan: EvacuationPlan) -> None:
    data = stuck_plan.to_dict()
    assert len(data["loads"]) == len(stuck_plan.loads) > 0
    for raw, load in zip(data["loads"], stuck_plan.loads, strict=True):
        assert set(raw) == {"host", "host_moid", "fault_domain", "vms_in", "cpu_pct",
                            "cpu_pct_after", "memory_pct", "memory_pct_after"}
        assert (raw["host"], raw["fault_domain"], raw["vms_in"]) == (
            load.host, load.fault_domain, load.vms_in)
        for key, attr in (("cpu_pct", "cpu_pct"), ("cpu_pct_after", "cpu_pct_after"),
                          ("memory_pct", "mem_pct"), ("memory_pct_after", "mem_pct_after")):
            assert raw[key] == round(getattr(load, attr), 2), key
    rows = stuck_plan.load_rows()
    load = stuck_plan.loads[0]
    assert rows[0] == (load.host, load.fault_domain or "", str(load.vms_in),
                       f"{load.cpu_pct:.1f}%", f"{load.cpu_pct_after:.1f}%",
                       f"{load.mem_pct:.1f}%", f"{load.mem_pct_after:.1f}%")
    assert stuck_plan.unplaceable_rows() == [
        ("licensed-app-01", stuck_plan.unplaceable[0].message, "")]


def test_the_plan_error_names_every_stuck_vm(stuck_plan: EvacuationPlan) -> None:
    error = stuck_plan.error()
    assert error is not None
    assert str(error).startswith("1 VM(s) on 10.94.24.71 cannot be moved: ")
    assert stuck_plan.unplaceable[0].message in str(error)
    assert "licensed-on-71" in str(error) and "--partial" in str(error)
    assert plan_evacuation(seed_inventory(), "10.94.24.84").error() is None
