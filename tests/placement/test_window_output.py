"""What a rolling window plan shows (rows) and writes (JSON) is the plan itself.

Every count, move and admission figure in ``WindowPlan.rows``/``to_dict`` is
checked against the plan's own steps, so a field that is dropped, renamed
or mis-computed fails here.
"""

from __future__ import annotations

from vmcctl.model import Inventory
from vmcctl.placement.plan import Blocked, EvacuationPlan, ExitMaintenance
from vmcctl.placement.rolling import WindowOptions, WindowPlan, plan_window
from vmcctl.sim.generate import generate_inventory
from vmcctl.sim.inventory import InventorySpec
from vmcctl.sim.offline import inventory_from_spec


def _plan(restore: bool) -> tuple[Inventory, WindowPlan]:
    inv = inventory_from_spec(InventorySpec.model_validate(generate_inventory(4, 10, 1, seed=3)))
    cluster = inv.clusters[0]
    hosts = list(cluster.host_moids)[:2]
    return inv, plan_window(inv, cluster.moid, hosts, WindowOptions(restore=restore))


def test_rows_list_every_move_of_every_phase_in_window_order() -> None:
    inv, plan = _plan(restore=True)
    rows = plan.rows()
    assert len(rows) == plan.relocations > 0
    expected = [(str(s.index + 1), name, ", ".join(s.host_names), m.vm, m.source, m.target, w)
                for s in plan.steps for name, p in s.phases.items()
                for m, w in zip(p.moves, p.why, strict=True)]
    assert rows == expected
    assert {r[1] for r in rows} <= {"before", "during", "after"}
    assert {r[6] for r in rows} <= {"leave", "home", "again"}
    assert rows[0][0] == "1" and rows[-1][0] == str(len(plan.steps))
    names = {h.moid: h.name for h in inv.hosts}
    assert [s.host_names for s in plan.steps] == [tuple(names[h] for h in s.hosts)
                                                  for s in plan.steps]


def test_the_json_has_the_counts_the_admission_and_every_step() -> None:
    _, plan = _plan(restore=True)
    data = plan.to_dict()
    assert (data["cluster"], data["cluster_moid"], data["overlap"], data["restore"]) == (
        plan.cluster, plan.cluster_moid, plan.overlap, True)
    assert data["relocations"] == plan.relocations == len(plan.rows())
    assert data["lower_bound"] == plan.lower_bound == 2 * len(plan.homes)  # out and home
    assert data["extra_moves"] == plan.relocations - plan.lower_bound
    assert data["unplaced"] == list(plan.unplaced)
    adm = plan.admission
    assert data["admission"] == {
        "ok": adm.ok, "absent": list(adm.absent), "hosts_left": adm.hosts_left,
        "cpu_need_mhz": adm.cpu_need_mhz, "cpu_room_mhz": adm.cpu_room_mhz,
        "memory_need_mb": adm.mem_need_mb, "memory_room_mb": adm.mem_room_mb,
        "max_cpu_pct": adm.max_cpu_pct, "max_mem_pct": adm.max_mem_pct,
        "overlap": adm.overlap}
    assert adm.ok and adm.hosts_left == 3 and len(adm.absent) == 1
    assert len(data["steps"]) == len(plan.steps) == 2
    for raw, step in zip(data["steps"], plan.steps, strict=True):
        assert raw["step"] == step.index + 1
        assert raw["hosts"] == list(step.host_names)
        assert raw["host_moids"] == list(step.hosts)
        for name, phase in step.phases.items():
            assert [m["vm"] for m in raw[name]] == [m.vm for m in phase.moves]
            assert [m["why"] for m in raw[name]] == list(phase.why)
            assert [m["target_moid"] for m in raw[name]] == [m.target_moid
                                                             for m in phase.moves]


def test_without_restore_each_vm_leaves_once() -> None:
    _, plan = _plan(restore=False)
    data = plan.to_dict()
    assert data["lower_bound"] == len(plan.homes) and not data["restore"]
    assert data["extra_moves"] == data["relocations"] - data["lower_bound"]
    assert "home" not in {r[6] for r in plan.rows()}


def test_blocked_vms_and_exit_maintenance_render_every_field() -> None:
    blocked = Blocked(vm="ft-01", vm_moid="vm-9", codes=("fault-tolerance", "usb"),
                      message="VM ft-01 is protected by Fault Tolerance", hint="turn FT off")
    plan = EvacuationPlan(host="h1", host_moid="host-1", moves=(), blocked=(
        blocked, Blocked("x", "vm-8", ("cd",), "VM x has a CD", None)))
    assert plan.blocked_rows() == [
        ("ft-01", "fault-tolerance, usb", "VM ft-01 is protected by Fault Tolerance",
         "turn FT off"), ("x", "cd", "VM x has a CD", "")]
    assert blocked.to_dict() == {"vm": "ft-01", "vm_moid": "vm-9",
                                 "codes": ["fault-tolerance", "usb"],
                                 "message": "VM ft-01 is protected by Fault Tolerance",
                                 "hint": "turn FT off"}
    assert plan.to_dict()["blocked"][1]["hint"] is None
    assert ExitMaintenance("h1", "host-1").to_dict() == {
        "action": "exit-maintenance", "host": "h1", "host_moid": "host-1"}


def test_every_move_names_its_vm_and_hosts_and_carries_the_priority() -> None:
    inv = inventory_from_spec(InventorySpec.model_validate(generate_inventory(4, 10, 1, seed=3)))
    cluster = inv.clusters[0]
    plan = plan_window(inv, cluster.moid, list(cluster.host_moids)[:2],
                       WindowOptions(restore=True, priority="high"))
    names = {h.moid: h.name for h in inv.hosts}
    moves = [m for s in plan.steps for p in s.phases.values() for m in p.moves]
    assert moves
    for m in moves:
        assert m.vm == inv.vm(m.vm_moid).name
        assert (m.source, m.target) == (names[m.source_moid], names[m.target_moid])
        assert m.source_moid != m.target_moid and m.priority == "high"
    serviced = {s.index: set(s.hosts) for s in plan.steps}
    for s in plan.steps:  # nothing is moved onto a host while it is being serviced
        assert not {m.target_moid for m in s.phases["during"].moves} & serviced[s.index]
