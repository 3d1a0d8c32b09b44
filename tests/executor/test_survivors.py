"""Faults a mutation probe planted in the executor and no test caught (issue 11, item 10).

Each test here fails when its fault is planted again:

- the journal is on disk as ``submitting`` when ``RelocateVM_Task`` is sent;
- a VM moved by someone else between a transient fault and the retry ends
  ``failed`` with its fault kept (never ``skipped`` with the fault lost), and
  a restore that meets it does not report success;
- a move whose task succeeded is still verified: a VM that restarted, powered
  off or landed on another host is not ``done`` (so the host stays out of
  maintenance), which needs the boot time in the journal;
- a failed move never leads to ``EnterMaintenanceMode_Task``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from executor_fixtures import wide_inventory
from pyVim.task import WaitForTask
from pyVmomi import vim

from vmcctl.executor import runner as runner_module
from vmcctl.executor.evacuate import Report, run_journal
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal, MoveRecord, load_journal
from vmcctl.executor.live import LiveState
from vmcctl.executor.maintenance import in_maintenance
from vmcctl.executor.prepare import evacuation_journal, restore_journal
from vmcctl.executor.retry import RetryPolicy
from vmcctl.executor.runner import RunOptions
from vmcctl.model import Host, Inventory
from vmcctl.placement import plan_evacuation
from vmcctl.vsphere.snapshot import take_snapshot
from vmcctl.vsphere.tasks import TaskState

pytestmark = pytest.mark.sim

SEED_HOST = "10.94.24.70"
FAST_RETRY = RunOptions(retry=RetryPolicy(attempts=3, initial=0.1, maximum=0.5))
# Enough for the seed's moves at time scale 20; a hang becomes a failure in seconds.
MAINTENANCE_TIMEOUT = 10.0


def _evacuation(sim: Any, client: Any, tmp_path: Path, *, maintenance: bool = False,
                host: str = SEED_HOST) -> tuple[Inventory, Journal]:
    inv = take_snapshot(client)
    journal = evacuation_journal(inv, plan_evacuation(inv, host), path=tmp_path / "j.json",
                                 maintenance=maintenance)
    return inv, journal


def _maintenance_calls(sim: Any) -> list[dict[str, Any]]:
    return [e for e in sim.control.audit() if e.get("method") == "EnterMaintenanceMode_Task"]


# --- the journal is written before the relocation is sent ---------------------------------

def test_journal_on_disk_says_submitting_when_the_relocation_is_sent(
        vcsim_factory: Any, client_for: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sim = vcsim_factory(wide_inventory(vms=4, targets=2), time_scale=20)
    client = client_for(sim)
    _, journal = _evacuation(sim, client, tmp_path, host="10.0.0.1")
    path = journal.path
    assert path is not None
    seen: dict[str, tuple[str, int]] = {}
    real_submit = runner_module.submit

    def submit_reading_the_journal(client_: Any, plan: Any) -> Any:
        # what a crash right now would leave behind: the file, not the object in memory
        on_disk = load_journal(path).move(plan.vm)
        seen[plan.vm] = (on_disk.state, on_disk.attempts)
        return real_submit(client_, plan)

    monkeypatch.setattr(runner_module, "submit", submit_reading_the_journal)
    report = run_journal(client, journal, RunOptions())
    assert report.ok, report.problem_rows()
    assert seen == {m.vm: ("submitting", 1) for m in journal.moves}


# --- another actor moves the VM between a transient fault and the retry --------------------

class OtherActor:
    """Someone else, through plain pyVmomi on their own session: moves one VM and waits."""

    def __init__(self, sim: Any) -> None:
        self.si = sim.connect()

    def _find(self, kind: type, name: str) -> Any:
        content = self.si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
        try:
            return next(o for o in view.view if o.name == name)
        finally:
            view.Destroy()

    def move(self, vm_name: str, host_name: str) -> None:
        vm, host = self._find(vim.VirtualMachine, vm_name), self._find(vim.HostSystem, host_name)
        spec = vim.vm.RelocateSpec(host=host, pool=host.parent.resourcePool)
        WaitForTask(vm.RelocateVM_Task(spec, "defaultPriority"), si=self.si)


class MoveOnFault(ExecutorEvents):
    """When ``vm``'s task ends in error, the other actor moves it to ``elsewhere`` first."""

    def __init__(self, actor: OtherActor, vm: str, elsewhere: str) -> None:
        self.actor, self.vm, self.elsewhere = actor, vm, elsewhere
        self.moved = False
        self.retries: list[str] = []

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        if rec.vm == self.vm and state.state == "error" and not self.moved:
            self.moved = True
            self.actor.move(self.vm, self.elsewhere)

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        self.retries.append(rec.vm)


def _third_host(inv: Inventory, *exclude: str) -> Host:
    return next(h for h in inv.hosts
                if h.name not in exclude and h.connected and not h.in_maintenance)


def _assert_fault_kept(report: Report, vm: str, elsewhere: Host, events: MoveOnFault) -> None:
    rec = report.journal.move(vm)
    assert events.moved
    assert (rec.state, rec.fault) == ("failed", "VMotionInterfaceIssue"), (rec.state, rec.reason)
    # says where the VM is now (by moid when the host is not one the journal knows)
    assert elsewhere.name in (rec.reason or "") or elsewhere.moid in (rec.reason or ""), rec.reason
    assert events.retries == []  # never retried: the VM was not on its source any more
    error = report.error()
    assert error is not None and vm in str(error) and error.exit_code == 1


def test_vm_moved_by_someone_else_before_the_retry_fails_with_its_fault(
        vcsim_factory: Any, client_for: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    sim.control.add_fault({"vm": "web-01", "method": "RelocateVM_Task",
                           "fault": "VMotionInterfaceIssue", "at_progress": 20, "times": 1})
    client = client_for(sim)
    inv, journal = _evacuation(sim, client, tmp_path, maintenance=True)
    elsewhere = _third_host(inv, SEED_HOST, journal.move("web-01").target)
    events = MoveOnFault(OtherActor(sim), "web-01", elsewhere.name)
    report = run_journal(client, journal, FAST_RETRY, events,
                         maintenance_timeout=MAINTENANCE_TIMEOUT)
    assert not report.ok
    _assert_fault_kept(report, "web-01", elsewhere, events)
    assert load_journal(tmp_path / "j.json").move("web-01").fault == "VMotionInterfaceIssue"
    ours = [r for r in sim.control.relocations("web-01") if r["args"]["host"] != elsewhere.name]
    assert [r["result"] for r in ours] == ["error"]  # one submission by vmcctl, no retry
    assert journal.maintenance == "not-entered" and not _maintenance_calls(sim)


@pytest.mark.vmcctl_sim("the seed inventory")
def test_restore_meeting_a_vm_moved_by_someone_else_does_not_report_success(
        vcsim_factory: Any, client_for: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    client = client_for(sim)
    _, evacuation = _evacuation(sim, client, tmp_path)
    assert run_journal(client, evacuation, RunOptions()).ok
    sim.control.add_fault({"vm": "web-01", "method": "RelocateVM_Task",
                           "fault": "VMotionInterfaceIssue", "at_progress": 20, "times": 1})
    inv = take_snapshot(client)
    back = restore_journal(inv, load_journal(tmp_path / "j.json"), path=tmp_path / "r.json")
    assert "web-01" in [m.vm for m in back.moves if m.state == "pending"]
    elsewhere = _third_host(inv, SEED_HOST, inv.find_vm("web-01").host_name or "")
    events = MoveOnFault(OtherActor(sim), "web-01", elsewhere.name)
    report = run_journal(client, back, FAST_RETRY, events)
    assert not report.ok, "a restore that left web-01 away reported success"
    _assert_fault_kept(report, "web-01", elsewhere, events)
    after = take_snapshot(client)
    assert after.find_vm("web-01").host_name == elsewhere.name
    for rec in back.moves:
        if rec.vm != "web-01" and rec.state == "done":
            assert after.vm(rec.vm_moid).host_name == SEED_HOST


# --- a successful task is verified: restarted, powered off, elsewhere ---------------------
# The same three cases driven by the simulator's relocation effects (no patched read) are in
# tests/cli/test_verification_effects_cli.py.

def _later(iso: str | None) -> str:
    assert iso is not None, "the simulator reports a boot time for powered-on VMs"
    return (datetime.fromisoformat(iso) + timedelta(minutes=3)).isoformat()


EFFECTS = {
    # what the executor's live read would show after the move, for the affected VM
    "restarted": lambda live, rec, other: replace(live, boot_time=_later(live.boot_time)),
    "powered-off": lambda live, rec, other: replace(live, power_state="poweredOff"),
    "elsewhere": lambda live, rec, other: replace(live, host_moid=other.moid, host=other.name),
}
PROBLEM = {"restarted": "the VM restarted", "powered-off": "power state changed",
           "elsewhere": "not "}


@pytest.mark.vmcctl_sim("the seed inventory")
@pytest.mark.parametrize("effect", sorted(EFFECTS))
def test_a_successful_task_whose_vm_did_not_arrive_intact_is_not_done(
        vcsim_factory: Any, client_for: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, effect: str) -> None:
    sim = vcsim_factory(time_scale=20)
    client = client_for(sim)
    inv, journal = _evacuation(sim, client, tmp_path, maintenance=True)
    victim = journal.move("web-01")
    other = _third_host(inv, SEED_HOST, victim.target)
    real_read_live = runner_module.read_live

    def read_live(*args: Any, **kwargs: Any) -> LiveState:
        live = real_read_live(*args, **kwargs)
        now = live.vms.get(victim.vm_moid)
        if now is not None and now.host_moid == victim.target_moid:  # after the move
            live.vms[victim.vm_moid] = EFFECTS[effect](now, victim, other)
        return live

    monkeypatch.setattr(runner_module, "read_live", read_live)
    report = run_journal(client, journal, RunOptions(), maintenance_timeout=MAINTENANCE_TIMEOUT)
    assert [r["result"] for r in sim.control.relocations("web-01")] == ["success"]
    assert (victim.state, victim.fault) == ("failed", "VerificationError"), victim.reason
    assert PROBLEM[effect] in (victim.reason or "")
    assert all(m.state == "done" for m in journal.moves if m.vm != "web-01")
    assert not report.ok
    assert journal.maintenance == "not-entered"
    assert not in_maintenance(client, journal.host_moid or "")
    assert not _maintenance_calls(sim)
    # what verification compared against is in the journal on disk
    saved = load_journal(tmp_path / "j.json")
    for rec in saved.moves:
        vm = inv.vm(rec.vm_moid)
        assert vm.boot_time is not None
        assert rec.boot_time == vm.boot_time.isoformat(), rec.vm


# --- maintenance only after every move --------------------------------------------------

def test_a_failed_move_never_asks_for_maintenance(vcsim_factory: Any, client_for: Any,
                                                  tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    sim.control.add_fault({"vm": "cache-01", "method": "RelocateVM_Task",
                           "fault": "MigrationFault", "at_progress": 40})
    client = client_for(sim)
    _, journal = _evacuation(sim, client, tmp_path, maintenance=True)
    # a bounded enter: planting "enter although a move failed" fails here in seconds
    # (the simulator, like vCenter, waits forever for powered-on VMs with timeout 0)
    report = run_journal(client, journal, RunOptions(), maintenance_timeout=MAINTENANCE_TIMEOUT)
    assert not report.ok
    assert not _maintenance_calls(sim), "EnterMaintenanceMode_Task sent with cache-01 left"
    assert journal.maintenance == "not-entered"
    assert "still on" in (journal.maintenance_reason or "")
