"""The way home as journals (executor.prepare.restore_journal, homecoming_journal): pure."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from vmcctl.errors import ConfigError, PrecheckError
from vmcctl.executor.journal import Journal, MoveRecord
from vmcctl.executor.prepare import (
    evacuation_journal,
    homecoming_journal,
    move_record,
    restore_journal,
)
from vmcctl.model import Inventory
from vmcctl.placement import plan_evacuation
from vmcctl.sim.inventory import parse_inventory
from vmcctl.sim.offline import inventory_from_spec

HOST = {"cpu_cores": 36, "cpu_mhz_per_core": 2300, "memory_gb": 512}


def _vm(name: str, host: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "host": host, "cpus": 2, "memory_gb": 8, "cpu_usage_mhz": 100,
            "memory_usage_gb": 2, "datastore": "ds", **kw}


def _inventory() -> Inventory:
    """h1 is home; VMs were evacuated to h2."""
    return inventory_from_spec(parse_inventory({
        "clusters": [{"name": "C", "hosts": [
            {"name": "h1", **HOST}, {"name": "h2", **HOST},
            {"name": "h3", **HOST}]}],
        "datastores": [{"name": "ds", "capacity_gb": 1000, "free_gb": 500}],
        "vms": [_vm("back", "h2"), _vm("home", "h1"), _vm("cold", "h2", power="off"),
                _vm("wandered", "h3"), _vm("stayed", "h1"), _vm("big", "h2")]}))


def _moved(inv: Inventory, name: str, state: str = "done", target: str = "h2",
           priority: str = "default") -> MoveRecord:
    vm = inv.find_vm(name)
    dest = inv.find_host(target)
    return MoveRecord(vm=name, vm_moid=vm.moid, origin="h1", origin_moid="host-1",
                      target=target, target_moid=dest.moid, pool_moid="resgroup-1",
                      state=state, priority=priority)  # type: ignore[arg-type]


def _evacuation(inv: Inventory, **kw: Any) -> Journal:
    # what never left and what no longer exists come first: neither ends the list
    moves = [_moved(inv, "stayed", state="failed"),
             MoveRecord(vm="deleted", vm_moid="vm-404", origin="h1", origin_moid="host-1",
                        target="h2", target_moid="host-2", pool_moid="resgroup-1",
                        state="done"),
             _moved(inv, "back", priority="high"), _moved(inv, "home"), _moved(inv, "cold"),
             _moved(inv, "wandered"), _moved(inv, "big", state="skipped")]
    return Journal(kind="evacuate", host="h1", host_moid="host-1", moves=moves, **kw)


def test_restore_brings_back_moved_vms_and_says_why_not_for_the_others(
        tmp_path: Path) -> None:
    inv = _inventory()
    journal = restore_journal(inv, _evacuation(inv, path=tmp_path / "evac.json"),
                              path=tmp_path / "r.json", options={"max_parallel": 2})
    assert (journal.kind, journal.host, journal.host_moid) == ("restore", "h1", "host-1")
    assert journal.source_journal == str(tmp_path / "evac.json")
    assert journal.path == tmp_path / "r.json" and journal.options == {"max_parallel": 2}
    moves = {m.vm: m for m in journal.moves}
    assert list(moves) == ["back", "home", "cold", "wandered"]  # only what left, still exists
    back = moves["back"]
    assert (back.state, back.origin, back.target, back.target_moid, back.priority) == (
        "pending", "h2", "h1", "host-1", "high")
    assert moves["home"].state == "skipped" and moves["home"].reason == "already on h1"
    assert moves["cold"].reason == ("poweredOff: not moved (power it on and run restore "
                                    "again, or move it)")
    assert moves["wandered"].reason == ("moved elsewhere since the evacuation (now on h3, "
                                        "evacuated to h2); left where it is")
    assert all(m.state == "skipped" and m.target_moid == "" and m.origin_moid == "host-1"
               for m in journal.moves if m.vm != "back")


def test_restore_without_a_host_moid_finds_home_by_name_and_no_source_file() -> None:
    inv = _inventory()
    evacuation = _evacuation(inv)
    evacuation.host_moid = None
    journal = restore_journal(inv, evacuation)
    assert journal.host_moid == "host-1" and journal.source_journal is None
    assert journal.options == {} and journal.path is None


def test_restore_refuses_a_journal_that_is_no_evacuation() -> None:
    inv = _inventory()
    with pytest.raises(ConfigError) as err:
        restore_journal(inv, Journal(kind="restore", host="h1", moves=[],
                                     path=Path("r.json")))
    assert err.value.message == "journal r.json records a restore, not an evacuation"
    assert err.value.hint == "pass the journal of the evacuation"


@pytest.mark.parametrize("home, words, hint", [
    ({"maintenance": True}, "host h1 is in maintenance mode",
     "exit it first: vmcctl host maintenance exit h1"),
    ({"connection_state": "disconnected"}, "host h1 is disconnected", None),
])
def test_no_way_home_to_a_host_that_cannot_receive(home: dict[str, Any], words: str,
                                                    hint: str | None) -> None:
    inv = _inventory()
    change = ({"in_maintenance": True} if "maintenance" in home
              else {"connection_state": "disconnected"})
    inv = replace(inv, hosts=tuple(replace(h, **change) if h.name == "h1" else h
                                   for h in inv.hosts))  # type: ignore[arg-type]
    for build in (lambda: restore_journal(inv, _evacuation(inv)),
                  lambda: homecoming_journal(inv, inv.find_host("h1"), [])):
        with pytest.raises(PrecheckError) as err:
            build()
        assert err.value.message == words and err.value.hint == hint


def test_a_move_home_that_fails_its_precheck_is_skipped_with_the_reason() -> None:
    inv = _inventory()
    full = replace(inv, hosts=tuple(replace(h, memory_usage_mb=h.memory_capacity_mb)
                                    if h.name == "h1" else h for h in inv.hosts))
    journal = restore_journal(full, _evacuation(full))
    back = journal.move("back")
    assert back.state == "skipped" and "MB of memory free" in str(back.reason)
    assert back.origin_moid == "host-1"


def test_homecoming_moves_powered_on_vms_from_wherever_they_are() -> None:
    inv = _inventory()
    home = inv.find_host("h1")
    away = [("vm-404", "deleted", "default")] + [
        (inv.find_vm(n).moid, n, p) for n, p in
        (("home", "default"), ("cold", "default"), ("back", "low"), ("wandered", "default"))]
    journal = homecoming_journal(inv, home, away, path=Path("w.json"), options={"k": 1})
    assert (journal.kind, journal.host, journal.host_moid, journal.path, journal.options) == (
        "restore", "h1", "host-1", Path("w.json"), {"k": 1})
    assert [m.vm for m in journal.moves] == ["deleted", "home", "cold", "back", "wandered"]
    moves = {m.vm: m for m in journal.moves}
    assert (moves["back"].state, moves["back"].priority, moves["back"].origin) == (
        "pending", "low", "h2")
    assert (moves["wandered"].state, moves["wandered"].origin) == ("pending", "h3")
    assert (moves["home"].state, moves["home"].reason) == ("skipped", "already on h1")
    assert moves["cold"].reason == ("poweredOff: not moved (power it on and run restore "
                                    "again, or move it)")
    assert (moves["cold"].power_state, moves["cold"].origin_moid) == ("poweredOff", "host-1")
    assert moves["home"].origin_moid == "host-1"
    gone = moves["deleted"]
    assert (gone.state, gone.reason, gone.target, gone.target_moid, gone.origin) == (
        "skipped", "VM deleted no longer exists", "h1", "host-1", "")
    assert (gone.vm_moid, gone.origin_moid, gone.pool_moid) == ("vm-404", "", "")


def test_homecoming_records_a_failed_precheck_as_skipped() -> None:
    inv = _inventory()
    full = replace(inv, hosts=tuple(replace(h, memory_usage_mb=h.memory_capacity_mb)
                                    if h.name == "h1" else h for h in inv.hosts))
    journal = homecoming_journal(full, full.find_host("h1"),
                                 [(full.find_vm("back").moid, "back", "default")])
    assert journal.moves[0].state == "skipped" and journal.moves[0].origin_moid == "host-1"
    assert "MB of memory free" in str(journal.moves[0].reason)


def test_move_record_holds_what_the_executor_submits() -> None:
    inv = _inventory()
    rec = move_record(inv, inv.find_vm("back"), inv.find_host("h3"), "high")
    assert (rec.vm, rec.origin, rec.origin_moid, rec.target, rec.target_moid, rec.priority,
            rec.power_state, rec.memory_mb, rec.state) == (
        "back", "h2", "host-2", "h3", "host-3", "high", "poweredOn", 8192, "pending")
    assert rec.pool_moid == inv.find_vm("back").resource_pool


def test_a_vm_that_cannot_move_is_journalled_as_skipped_with_the_fix() -> None:
    inv = _inventory()
    inv = replace(inv, vms=tuple(replace(v, template=True) if v.name == "home" else v
                                 for v in inv.vms))
    plan = plan_evacuation(inv, "h1")
    journal = evacuation_journal(inv, plan)
    (stuck,) = [m for m in journal.moves if m.vm == "home"]
    assert (stuck.state, stuck.origin, stuck.origin_moid, stuck.target_moid) == (
        "skipped", "h1", "host-1", "")
    assert stuck.reason == ("template: home is a template (a template is not moved by vmcctl: "
                            "convert it to a VM or leave it)")
