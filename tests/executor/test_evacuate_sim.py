"""The executor against the simulator: evacuate, restore, limits, faults, expiry."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from executor_fixtures import wide_inventory

from vmcctl.executor.evacuate import run_journal
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal, MoveRecord, load_journal
from vmcctl.executor.maintenance import exit_maintenance, in_maintenance
from vmcctl.executor.prepare import evacuation_journal, restore_journal
from vmcctl.executor.runner import RunOptions
from vmcctl.executor.schedule import Limits
from vmcctl.placement import plan_evacuation
from vmcctl.vsphere.snapshot import take_snapshot

SEED_HOST = "10.94.24.70"


def max_overlap(windows: list[tuple[float, float]]) -> int:
    """Most windows open at one time (an end before a start at the same instant)."""
    points = sorted([(s, 1) for s, _ in windows] + [(e, -1) for _, e in windows],
                    key=lambda p: (p[0], p[1]))
    best = now = 0
    for _, step in points:
        now += step
        best = max(best, now)
    return best


def per_host_windows(relocations: list[dict[str, Any]]) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in relocations:
        window = (float(r["queued_at"]), float(r["end"]))
        out[r["args"]["source"]].append(window)
        out[r["args"]["host"]].append(window)
    return out


def assert_each_moved_once(sim: Any, journal: Journal) -> None:
    """The audit holds exactly one relocation per journal move, all successful."""
    relocations = sim.control.relocations()
    names = sorted(r["target"]["name"] for r in relocations)
    assert names == sorted(m.vm for m in journal.moves)
    assert all(r["result"] == "success" for r in relocations)


def slow_six_vm_evacuation(vcsim_factory: Any, client_for: Any, tmp_path: Path,
                           maintenance: bool = False) -> tuple[Any, Any, Journal, Path]:
    """Six 80 GB VMs off 10.0.0.1 at time scale 8: slow enough to interrupt mid-run."""
    sim = vcsim_factory(wide_inventory(vms=6, targets=2, memory_gb=80), time_scale=8)
    client = client_for(sim)
    inv = take_snapshot(client)
    path = tmp_path / "j.json"
    journal = evacuation_journal(inv, plan_evacuation(inv, "10.0.0.1"), path=path,
                                 maintenance=maintenance)
    return sim, client, journal, path


@pytest.mark.vmcctl_sim("the seed inventory, and maintenance that waits for VMs")
def test_evacuate_enter_exit_restore_puts_every_vm_home(vcsim_factory: Any, client_for: Any,
                                                         tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    client = client_for(sim)
    before = take_snapshot(client)
    origin = {v.moid: v.host_moid for v in before.vms}
    plan = plan_evacuation(before, SEED_HOST)
    journal = evacuation_journal(before, plan, path=tmp_path / "j.json", maintenance=True)
    report = run_journal(client, journal, RunOptions())
    assert report.ok, report.problem_rows()
    assert in_maintenance(client, journal.host_moid or "")
    moved = {m.vm for m in journal.moves}
    assert moved == {v.name for v in before.vms_on(before.find_host(SEED_HOST).moid)
                     if v.powered_on}
    during = take_snapshot(client)
    assert not [v.name for v in during.vms_on(during.find_host(SEED_HOST).moid)
                if v.powered_on]

    exit_maintenance(client, journal.host_moid or "")
    evacuation = load_journal(tmp_path / "j.json")
    back = restore_journal(take_snapshot(client), evacuation, path=tmp_path / "r.json")
    assert run_journal(client, back, RunOptions()).ok
    after = take_snapshot(client)
    assert {v.moid: v.host_moid for v in after.vms} == origin
    relocations = sim.control.relocations()
    for vm in moved:
        mine = [r for r in relocations if r["target"]["name"] == vm]
        assert [r["result"] for r in mine] == ["success", "success"], vm
        assert [r["args"]["host"] for r in mine] == [journal.move(vm).target, SEED_HOST]
    assert len(relocations) == 2 * len(moved)


def test_per_host_limit_is_never_exceeded(vcsim_factory: Any, client_for: Any,
                                          tmp_path: Path) -> None:
    sim = vcsim_factory(wide_inventory(vms=12, targets=3), time_scale=20)
    client = client_for(sim)
    inv = take_snapshot(client)
    journal = evacuation_journal(inv, plan_evacuation(inv, "10.0.0.1"), path=tmp_path / "j.json")
    report = run_journal(client, journal, RunOptions(limits=Limits(max_parallel=8,
                                                                   max_per_host=3)))
    assert report.ok
    relocations = sim.control.relocations()
    assert len(relocations) == 12
    windows = per_host_windows(relocations)
    overlaps = {host: max_overlap(w) for host, w in windows.items()}
    assert max(overlaps.values()) == 3, overlaps  # the simulator would have allowed 8
    assert overlaps["10.0.0.1"] == 3


def test_a_migration_fault_leaves_the_host_out_of_maintenance(vcsim_factory: Any,
                                                              client_for: Any,
                                                              tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    sim.control.add_fault({"vm": "cache-01", "method": "RelocateVM_Task",
                           "fault": "MigrationFault", "message": "vMotion failed at 40 %",
                           "at_progress": 40})
    client = client_for(sim)
    inv = take_snapshot(client)
    journal = evacuation_journal(inv, plan_evacuation(inv, SEED_HOST),
                                 path=tmp_path / "j.json", maintenance=True)
    # bounded: with cache-01 left on the host an enter would wait forever (timeout 0)
    report = run_journal(client, journal, RunOptions(), maintenance_timeout=10)
    assert not report.ok
    assert [(m.vm, m.state, m.fault) for m in report.problems] == [
        ("cache-01", "failed", "MigrationFault")]
    assert journal.maintenance == "not-entered"
    assert not [e for e in sim.control.audit() if e["method"] == "EnterMaintenanceMode_Task"]
    assert not in_maintenance(client, journal.host_moid or "")
    after = take_snapshot(client)
    assert after.find_vm("cache-01").host_name == SEED_HOST
    for rec in journal.moves:
        if rec.vm != "cache-01":
            assert after.vm(rec.vm_moid).host_moid == rec.target_moid
    assert len(sim.control.relocations("cache-01")) == 1  # not transient: no retry
    error = report.error()
    assert error is not None and "cache-01" in str(error) and error.exit_code == 1


def test_a_transient_fault_is_retried_once_the_vm_is_seen_on_its_source(
        vcsim_factory: Any, client_for: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    sim.control.add_fault({"vm": "web-01", "method": "RelocateVM_Task",
                           "fault": "VMotionInterfaceIssue", "at_progress": 20, "times": 1})
    client = client_for(sim)
    inv = take_snapshot(client)
    journal = evacuation_journal(inv, plan_evacuation(inv, SEED_HOST), path=tmp_path / "j.json")
    retries: list[str] = []

    class Events(ExecutorEvents):
        def move_retry(self, rec: MoveRecord, delay: float) -> None:
            retries.append(rec.vm)

    from vmcctl.executor.retry import RetryPolicy

    options = RunOptions(retry=RetryPolicy(attempts=3, initial=0.1, maximum=0.5))
    assert run_journal(client, journal, options, Events()).ok
    assert retries == ["web-01"]
    assert [r["result"] for r in sim.control.relocations("web-01")] == ["error", "success"]
    assert journal.move("web-01").attempts == 2


def test_session_expired_mid_run_renews_without_duplicate_relocations(
        vcsim_factory: Any, client_for: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(wide_inventory(vms=8, targets=2), time_scale=20)
    client = client_for(sim)
    inv = take_snapshot(client)
    journal = evacuation_journal(inv, plan_evacuation(inv, "10.0.0.1"), path=tmp_path / "j.json")
    started: list[str] = []

    class Expire(ExecutorEvents):
        def move_started(self, rec: MoveRecord) -> None:
            started.append(rec.vm)
            if len(started) in (2, 6):
                sim.control.expire_sessions()

    report = run_journal(client, journal, RunOptions(limits=Limits(max_parallel=3)), Expire())
    assert report.ok, report.problem_rows()
    assert client.renewals >= 1
    assert_each_moved_once(sim, journal)


def test_timeout_leaves_tasks_running_and_resume_follows_them(vcsim_factory: Any,
                                                              client_for: Any,
                                                              tmp_path: Path) -> None:
    sim, client, journal, path = slow_six_vm_evacuation(vcsim_factory, client_for, tmp_path)
    first = run_journal(client, journal, RunOptions(limits=Limits(max_parallel=2),
                                                    timeout=1.0))
    assert first.outcome.timed_out and not first.ok
    saved = load_journal(path)
    assert saved.status == "interrupted"
    running = [m.vm for m in saved.moves if m.state == "running"]
    assert running and all(saved.move(vm).task for vm in running)

    second = run_journal(client_for(sim), saved, RunOptions(limits=Limits(max_parallel=2)))
    assert second.ok, second.problem_rows()
    assert_each_moved_once(sim, saved)  # the running ones were not resubmitted


def test_stop_with_cancel_in_flight_cancels_and_resume_finishes(vcsim_factory: Any,
                                                                client_for: Any,
                                                                tmp_path: Path) -> None:
    sim, client, journal, path = slow_six_vm_evacuation(vcsim_factory, client_for, tmp_path,
                                                        maintenance=True)
    runners: list[Any] = []

    class StopAtSecond(ExecutorEvents):
        started = 0

        def move_started(self, rec: MoveRecord) -> None:
            self.started += 1
            if self.started == 2:
                runners[0].request_stop()  # what the CLI's Ctrl-C handler does

    options = RunOptions(limits=Limits(max_parallel=2), cancel_in_flight=True)
    first = run_journal(client, journal, options, StopAtSecond(), runner_ready=runners.append)
    assert first.interrupted and not first.ok
    states = sorted(m.state for m in load_journal(path).moves)
    assert states == ["cancelled", "cancelled", "pending", "pending", "pending", "pending"]
    assert journal.maintenance == "pending"  # not entered, still asked for
    assert all(take_snapshot(client).vm(m.vm_moid).host_name == "10.0.0.1"
               for m in journal.moves)

    second = run_journal(client, load_journal(path), RunOptions())
    assert second.ok and second.journal.maintenance == "entered"
    results = [(r["target"]["name"], r["result"]) for r in sim.control.relocations()]
    assert sum(res == "success" for _, res in results) == 6
    assert sorted(res for _, res in results if res != "success") == ["error", "error"]


class _Queued(ExecutorEvents):
    def __init__(self) -> None:
        self.queued: dict[str, list[str]] = defaultdict(list)
        self.started: list[str] = []

    def move_queued(self, rec: MoveRecord, why: str) -> None:
        self.queued[rec.vm].append(why)

    def move_started(self, rec: MoveRecord) -> None:
        self.started.append(rec.vm)


def test_moves_waiting_for_a_slot_are_reported_with_the_full_host(
        vcsim_factory: Any, client_for: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(wide_inventory(vms=5, targets=3), time_scale=20)
    client = client_for(sim)
    inv = take_snapshot(client)
    journal = evacuation_journal(inv, plan_evacuation(inv, "10.0.0.1"), path=tmp_path / "j.json")
    events = _Queued()
    report = run_journal(client, journal, RunOptions(limits=Limits(max_parallel=8,
                                                                   max_per_host=2)), events)
    assert report.ok
    assert len(events.queued) == 3  # 5 VMs, 2 slots on the source
    for vm, whys in events.queued.items():
        assert whys == ["host slots 2/2 busy on 10.0.0.1 (--max-per-host)"], vm
        assert vm in events.started
    assert not set(events.queued) & set(events.started[:2])
