"""What an evacuation reports (JSON, the "Not moved" table) and how it records VMs it skips.

Pure: journals built by hand or from the seed inventory offline. Written for
functions `make mutate` found no test reaching (docs/testing.md).
"""

from __future__ import annotations

from pathlib import Path

from executor_fixtures import record

from vmcctl.executor.evacuate import Report
from vmcctl.executor.journal import Journal, MoveRecord
from vmcctl.executor.prepare import evacuation_journal
from vmcctl.executor.runner import RunOutcome
from vmcctl.model import Inventory
from vmcctl.placement import plan_evacuation
from vmcctl.sim.inventory import load_inventory, parse_inventory
from vmcctl.sim.offline import inventory_from_spec
from vmcctl.sim.plugin import SEED_INVENTORY


def _journal(path: Path) -> Journal:
    done = record("a", state="done", task="task-1")
    failed = record("b", state="failed", task="task-2")
    failed.fault, failed.reason = "MigrationFault", "vMotion failed at 40 %"
    skipped = record("c", target="", state="skipped")
    skipped.reason = "no host can take it"
    journal = Journal(kind="evacuate", host="h0", host_moid="host-h0",
                      moves=[done, failed, skipped], maintenance="not-entered",
                      maintenance_reason="2 VM(s) are still on h0", path=path)
    journal.status = "failed"
    return journal


def test_report_json_has_every_field_the_cli_prints(tmp_path: Path) -> None:
    journal = _journal(tmp_path / "j.json")
    report = Report(journal, RunOutcome(seconds=12.34567))
    assert report.to_dict() == {
        "kind": "evacuate", "host": "h0", "ok": False, "status": "failed",
        "interrupted": False, "timed_out": False, "maintenance": "not-entered",
        "maintenance_reason": "2 VM(s) are still on h0",
        "counts": {"done": 1, "failed": 1, "skipped": 1}, "seconds": 12.346,
        "journal": str(tmp_path / "j.json"),
        "moves": [m.to_dict() for m in journal.moves]}


def test_report_json_of_a_journal_without_a_file_and_an_interrupted_run() -> None:
    journal = _journal(Path("unused"))
    journal.path = None
    data = Report(journal, RunOutcome(interrupted=True, timed_out=True)).to_dict()
    assert (data["journal"], data["interrupted"], data["timed_out"], data["ok"]) == (
        None, True, True, False)


def test_not_moved_table_lists_every_move_that_is_not_done(tmp_path: Path) -> None:
    report = Report(_journal(tmp_path / "j.json"), RunOutcome())
    assert report.problem_rows() == [
        ("b", "failed", "h0", "h1", "MigrationFault", "vMotion failed at 40 %"),
        ("c", "skipped", "h0", "-", "", "no host can take it")]


def _crowded() -> Inventory:
    """Two hosts; ``big`` on h1 needs more CPU than h2 has below its 80 % headroom."""
    host = {"cpu_cores": 36, "cpu_mhz_per_core": 2300, "memory_gb": 512}
    return inventory_from_spec(parse_inventory({
        "clusters": [{"name": "C", "hosts": [{"name": "h1", **host}, {"name": "h2", **host}]}],
        "datastores": [{"name": "ds", "capacity_gb": 1000, "free_gb": 500}],
        "vms": [{"name": "big", "host": "h1", "cpus": 32, "memory_gb": 64,
                 "cpu_usage_mhz": 70000, "memory_usage_gb": 40, "datastore": "ds"}]}))


def _assert_skipped(inv: Inventory, rec: MoveRecord, host_name: str) -> None:
    vm, host = inv.vm(rec.vm_moid), inv.find_host(host_name)
    assert (rec.vm, rec.vm_moid, rec.origin, rec.origin_moid) == (
        vm.name, vm.moid, host_name, host.moid)
    assert (rec.target, rec.target_moid, rec.pool_moid) == ("", "", "")
    assert (rec.memory_mb, rec.power_state, rec.state) == (
        vm.memory_mb, vm.power_state, "skipped")
    assert rec.task is None and rec.attempts == 0


def test_a_vm_no_host_can_take_is_journalled_as_skipped_with_the_advisors_reason() -> None:
    inv = inventory_from_spec(load_inventory(SEED_INVENTORY))
    plan = plan_evacuation(inv, "10.94.24.71")  # licensed-app-01 must stay on .71
    (stuck,) = plan.unplaceable
    rec = evacuation_journal(inv, plan).move(stuck.vm)
    _assert_skipped(inv, rec, "10.94.24.71")
    assert stuck.hint is None  # a must-rule has no flag that relaxes it
    assert rec.reason == stuck.message


def test_the_skip_reason_names_the_flag_that_relaxes_the_constraint() -> None:
    inv = _crowded()
    plan = plan_evacuation(inv, "h1")
    (stuck,) = plan.unplaceable
    rec = evacuation_journal(inv, plan).move("big")
    _assert_skipped(inv, rec, "h1")
    assert stuck.hint and "--max-cpu" in stuck.hint
    assert rec.reason == f"{stuck.message} ({stuck.hint})"
