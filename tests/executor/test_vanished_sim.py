"""A VM deleted mid-run affects only itself (issue 11, item 3, executor side).

A deleted VM is, to the property collector, a reference that no longer
resolves: the tests point a journal record at a VM moid that does not exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from executor_fixtures import wide_inventory

from vmcctl.executor.evacuate import run_journal
from vmcctl.executor.journal import load_journal
from vmcctl.executor.live import read_live
from vmcctl.executor.prepare import evacuation_journal
from vmcctl.executor.runner import RunOptions
from vmcctl.executor.schedule import Limits
from vmcctl.placement import plan_evacuation
from vmcctl.vsphere.snapshot import take_snapshot

pytestmark = pytest.mark.sim

GONE = "vm-999999"


def test_live_read_reports_a_missing_vm_without_dropping_the_others(vcsim_factory: Any,
                                                                    client_for: Any) -> None:
    """Defect: one deleted VM made ManagedObjectNotFound drop the whole wave's read."""
    sim = vcsim_factory(wide_inventory(vms=2, targets=1), time_scale=20)
    client = client_for(sim)
    inv = take_snapshot(client)
    live = read_live(client, [v.moid for v in inv.vms] + [GONE], [h.moid for h in inv.hosts])
    assert set(live.vms) == {v.moid for v in inv.vms}
    assert {h.moid for h in inv.hosts} == set(live.hosts)
    assert all(vm.host == "10.0.0.1" and vm.unreadable is None for vm in live.vms.values())


def test_a_vm_deleted_mid_run_is_skipped_and_the_moved_one_stays_done(
        vcsim_factory: Any, client_for: Any, tmp_path: Path) -> None:
    """Defect: a VM whose move succeeded was recorded `failed: no longer exists`."""
    sim = vcsim_factory(wide_inventory(vms=2, targets=1), time_scale=20)
    client = client_for(sim)
    inv = take_snapshot(client)
    journal = evacuation_journal(inv, plan_evacuation(inv, "10.0.0.1"), path=tmp_path / "j.json")
    survivor, doomed = sorted(journal.moves, key=lambda m: -m.memory_mb)
    doomed.vm_moid, doomed.memory_mb = GONE, 0  # picked second: read with the first's end
    report = run_journal(client, journal, RunOptions(limits=Limits(max_parallel=1)))
    assert (survivor.state, survivor.reason) == ("done", None)
    assert doomed.state == "skipped" and "no longer exists" in (doomed.reason or "")
    assert take_snapshot(client).vm(survivor.vm_moid).host_moid == survivor.target_moid
    assert [r["target"]["name"] for r in sim.control.relocations()] == [survivor.vm]
    assert not report.ok  # the host is not empty: a VM was not moved


def test_resume_with_a_move_in_flight_for_a_deleted_vm_finishes_the_rest(
        vcsim_factory: Any, client_for: Any, tmp_path: Path) -> None:
    """Defect: every --resume was an internal error, and a fresh run was refused."""
    sim = vcsim_factory(wide_inventory(vms=3, targets=2), time_scale=20)
    client = client_for(sim)
    inv = take_snapshot(client)
    path = tmp_path / "j.json"
    journal = evacuation_journal(inv, plan_evacuation(inv, "10.0.0.1"), path=path)
    doomed = journal.moves[0]
    doomed.vm_moid, doomed.state, doomed.task = GONE, "running", "task-999999"
    journal.status = "interrupted"
    journal.save()

    report = run_journal(client, load_journal(path), RunOptions())
    saved = load_journal(path)
    assert saved.move(GONE).state == "skipped"
    assert "no longer exists" in (saved.move(GONE).reason or "")
    others = [m for m in saved.moves if m.vm_moid != GONE]
    assert [m.state for m in others] == ["done", "done"]
    assert sorted(r["target"]["name"] for r in sim.control.relocations()) == sorted(
        m.vm for m in others)
    assert saved.status == "failed" and not report.interrupted  # finished: a new run may start
