"""The move runner against the in-process fake vCenter: the decisions, in milliseconds.

The simulator tests prove the same runner against the wire protocol; these
drive each branch (limits, retries, faults, verification, vanished VMs,
submission faults, Ctrl-C) with a scripted vCenter.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_bed import Recorder, bed
from pyVmomi import vim, vmodl

from vmcctl.errors import VCenterConnectionError
from vmcctl.executor.journal import MoveRecord, load_journal
from vmcctl.executor.retry import RetryPolicy
from vmcctl.executor.runner import MoveRunner, RunOptions
from vmcctl.executor.schedule import Limits
from vmcctl.testing.fakevc import Relocation


def test_a_clean_run_moves_every_vm_once_and_journals_it(tmp_path: Path) -> None:
    b = bed(vms=3)
    events = Recorder()
    journal = b.journal(path=tmp_path / "j.json")
    journal.moves[0].priority = "high"
    calls0 = b.client.soap_calls
    _, outcome = b.run(journal, events)
    assert [b.host_of(v) for v in b.vms] == [b.targets[0]] * 3
    assert [m.state for m in journal.moves] == ["done"] * 3
    assert all(m.attempts == 1 and m.left_origin and m.reason is None and m.fault is None
               and m.task and m.submitted_at and m.ended_at for m in journal.moves)
    assert journal.status == "done"
    assert outcome.relocations_submitted == 3
    assert not outcome.interrupted and not outcome.timed_out and not outcome.gate_timed_out
    assert outcome.soap_calls == b.client.soap_calls - calls0 > 0
    assert outcome.seconds > 0
    on_disk = load_journal(tmp_path / "j.json")
    assert on_disk.status == "done" and [m.state for m in on_disk.moves] == ["done"] * 3
    sent = b.vc.calls("RelocateVM_Task")
    assert [c.moid for c in sent] == [b.vms[2], b.vms[1], b.vms[0]]  # biggest memory first
    spec, priority = sent[2].args
    assert (str(spec.host._moId), str(spec.pool._moId)) == (b.targets[0], "resgroup-7")
    assert priority == "highPriority" and sent[0].args[1] == "defaultPriority"
    assert events.names("run_started") == [("run_started", 3, 0)]
    started = events.names("move_started")
    assert sorted(e[1] for e in started) == ["app-00", "app-01", "app-02"]
    assert all(e[2] and e[2].startswith("task-") and e[3] == "running" for e in started)
    assert ("move_progress", "app-00", "success") in events.seen
    assert sorted(events.names("move_ended")) == [("move_ended", f"app-0{i}", "done", None)
                                                  for i in range(3)]


def test_the_journal_says_submitting_on_disk_while_the_task_is_sent(tmp_path: Path) -> None:
    b = bed(vms=1)
    path = tmp_path / "j.json"
    seen: list[tuple[str, str | None]] = []

    class Peek(Recorder):
        def move_started(self, rec: object) -> None:
            raw = json.loads(path.read_text())["moves"][0]
            seen.append((raw["state"], raw["task"]))

    b.run(b.journal(path=path), Peek())
    assert seen == [("submitting", None)]  # a crash now: a resume looks before it sends
    assert json.loads(path.read_text())["moves"][0]["task"] == "task-1"


@pytest.mark.parametrize("limits, most", [(Limits(2, 8), 2), (Limits(8, 1), 1),
                                          (Limits(3, 3), 3)])
def test_never_more_moves_in_flight_than_the_limits(limits: Limits, most: int) -> None:
    b = bed(vms=5, targets=1)
    for vm in b.vms:
        b.vc.script(vm, Relocation(ticks=3))
    events = Recorder()
    journal = b.journal()
    b.run(journal, events, limits=limits)
    assert events.in_flight_max == most
    assert journal.status == "done" and len(b.vc.calls("RelocateVM_Task")) == 5


def test_a_transient_fault_is_retried_on_the_source_and_then_succeeds() -> None:
    b = bed(vms=1)
    b.vc.script(b.vms[0], Relocation(fault="Timedout", message="vMotion timed out"))
    events = Recorder()
    journal = b.journal()
    _, outcome = b.run(journal, events)
    rec = journal.moves[0]
    assert (rec.state, rec.attempts, rec.reason, rec.fault) == ("done", 2, None, None)
    assert outcome.relocations_submitted == 2 and journal.status == "done"
    retry = events.names("move_retry")
    assert len(retry) == 1 and retry[0][1] == "app-00" and retry[0][2] == "task-1"
    assert 0 <= retry[0][3] <= FAST_MAX
    assert b.host_of(b.vms[0]) == b.targets[0]


FAST_MAX = 0.005


def test_retries_stop_after_the_policy_attempts_with_the_last_fault() -> None:
    b = bed(vms=1)
    b.vc.script(b.vms[0], *[Relocation(fault="HostCommunication", message=f"lost {i}")
                            for i in range(5)])
    journal = b.journal()
    b.run(journal, retry=RetryPolicy(attempts=2, initial=0.001, maximum=0.002))
    rec = journal.moves[0]
    assert (rec.state, rec.attempts, rec.fault, rec.reason) == (
        "failed", 2, "HostCommunication", "lost 1")
    assert journal.status == "failed" and not journal.complete
    assert len(b.vc.calls("RelocateVM_Task")) == 2


def test_a_permanent_fault_fails_at_once_with_vcenters_words() -> None:
    b = bed(vms=2)
    b.vc.script(b.vms[1], Relocation(fault="MigrationFault", message="CPU incompatible"))
    events = Recorder()
    journal = b.journal()
    _, outcome = b.run(journal, events)
    bad = journal.move(b.vms[1])
    assert (bad.state, bad.attempts, bad.fault, bad.reason) == (
        "failed", 1, "MigrationFault", "CPU incompatible")
    assert not bad.left_origin and journal.move(b.vms[0]).state == "done"
    assert journal.status == "failed" and outcome.relocations_submitted == 2
    assert ("move_ended", "app-01", "failed", "MigrationFault") in events.seen
    assert not events.names("move_retry")


def test_a_fault_after_which_the_vm_is_on_the_target_counts_as_done() -> None:
    b = bed(vms=1)
    b.vc.script(b.vms[0], Relocation(fault="Timedout", lands="host-2"))
    journal = b.journal()
    b.run(journal)
    rec = journal.moves[0]
    assert (rec.state, rec.left_origin, rec.attempts) == ("done", True, 1)
    assert rec.reason == "task ended in Timedout but the VM is on the target"
    assert len(b.vc.calls("RelocateVM_Task")) == 1


def test_a_fault_after_which_the_vm_is_elsewhere_fails_naming_that_host() -> None:
    b = bed(vms=2, targets=2)
    b.vc.script(b.vms[0], Relocation(fault="Timedout", message="lost", lands=b.targets[1]))
    b.vc.script(b.vms[1], Relocation(ticks=3))
    journal = b.journal([b.record(b.vms[0]), b.record(b.vms[1], b.targets[1])])
    b.run(journal)
    rec = journal.moves[0]
    assert (rec.state, rec.fault, rec.attempts) == ("failed", "Timedout", 1)
    assert rec.reason == "lost (the VM is on 10.0.0.3)"
    assert len(b.vc.calls("RelocateVM_Task")) == 2  # never retried from another host


@pytest.mark.parametrize("how, words", [
    (Relocation(reboot=True), "(the VM restarted)"),
    (Relocation(power_state="poweredOff"), "power state changed from poweredOn to poweredOff"),
    (Relocation(lands="host-3"), "VM app-00 is on host-3, not 10.0.0.2"),
])
def test_a_successful_task_is_still_verified(how: Relocation, words: str) -> None:
    b = bed(vms=1, targets=2)
    b.vc.script(b.vms[0], how)
    journal = b.journal()
    b.run(journal)
    rec = journal.moves[0]
    assert (rec.state, rec.fault, rec.left_origin) == ("failed", "VerificationError", True)
    assert rec.reason is not None and words in rec.reason
    assert journal.status == "failed"


def test_a_vm_deleted_during_its_move_is_skipped_with_the_tasks_fault() -> None:
    b = bed(vms=2)
    b.vc.script(b.vms[0], Relocation(delete=True))
    b.vc.script(b.vms[1], Relocation(delete=True, fault="Timedout"))
    journal = b.journal()
    b.run(journal)
    first, second = journal.move(b.vms[0]), journal.move(b.vms[1])
    assert (first.state, first.reason, first.fault) == (
        "skipped", "VM app-00 no longer exists", None)
    assert (second.state, second.fault) == ("skipped", "Timedout")
    assert len(b.vc.calls("RelocateVM_Task")) == 2


def test_a_vm_deleted_after_the_read_but_before_the_submit_is_skipped() -> None:
    b = bed(vms=1)
    b.vc.script(b.vms[0], Relocation(refuse=vmodl.fault.ManagedObjectNotFound(msg="gone")))
    journal = b.journal()
    _, outcome = b.run(journal)
    rec = journal.moves[0]
    assert (rec.state, rec.fault, rec.reason) == (
        "skipped", "ManagedObjectNotFound", "VM app-00 no longer exists")
    assert outcome.relocations_submitted == 0


def test_a_refused_submission_fails_or_retries_by_its_fault() -> None:
    b = bed(vms=3)
    b.vc.script(b.vms[0], Relocation(refuse=vim.fault.NoPermission(
        msg="denied", privilegeId="Resource.HotMigrate")))
    b.vc.script(b.vms[1], Relocation(refuse=vim.fault.InvalidState(msg="busy host")))
    b.vc.script(b.vms[2], Relocation(refuse=vim.fault.TaskInProgress(msg="busy VM")))
    journal = b.journal()
    _, outcome = b.run(journal)
    denied, invalid, busy = (journal.move(v) for v in b.vms)
    assert (denied.state, denied.fault) == ("failed", "NoPermission")
    assert denied.reason is not None and "Resource.HotMigrate" in denied.reason
    assert (invalid.state, invalid.fault, invalid.reason) == ("failed", "InvalidState",
                                                              "busy host")
    assert (busy.state, busy.attempts) == ("done", 2)
    assert outcome.relocations_submitted == 1


def test_a_connection_lost_while_submitting_stops_the_run_with_the_move_submitting(
        tmp_path: Path) -> None:
    b = bed(vms=1)
    b.vc.script(b.vms[0], Relocation(  # the connection breaks, and stays broken
        refuse=ConnectionResetError("reset"),
        then=lambda: b.vc.break_call("RetrievePropertiesEx", ConnectionResetError("reset"))))
    path = tmp_path / "j.json"
    journal = b.journal(path=path)
    with pytest.raises(VCenterConnectionError):
        b.run(journal)
    assert load_journal(path).moves[0].state == "submitting"


def test_checks_before_submitting_skip_or_finish_each_move() -> None:
    b = bed(vms=5, targets=2)
    vc = b.vc
    journal = b.journal()  # planned; then the world changes under it
    vc.vms[b.vms[0]].host = b.targets[0]  # already there
    vc.vms[b.vms[1]].host = b.targets[1]  # moved elsewhere by someone
    vc.vms[b.vms[2]].power_state = "poweredOff"
    del vc.vms[b.vms[3]]
    _, outcome = b.run(journal)
    states = {m.vm: (m.state, m.reason) for m in journal.moves}
    assert states["app-00"] == ("done", "already on 10.0.0.2")
    assert states["app-01"] == ("skipped", "VM app-01 is now on host-3, not 10.0.0.1 "
                                           "(moved by someone else since the plan)")
    assert states["app-02"] == ("skipped", "VM app-02 is poweredOff, the plan expected "
                                           "poweredOn; evacuate again to re-plan")
    assert states["app-03"] == ("skipped", "VM app-03 no longer exists")
    assert states["app-04"] == ("done", None)
    assert outcome.relocations_submitted == 1
    assert [c.moid for c in vc.calls("RelocateVM_Task")] == [b.vms[4]]


@pytest.mark.parametrize("change, words", [
    ({"connection_state": "disconnected"}, "is disconnected"),
    ({"in_maintenance": True}, "is in maintenance mode"),
])
def test_a_target_that_cannot_receive_now_is_skipped(change: dict[str, object],
                                                     words: str) -> None:
    b = bed(vms=1)
    for key, value in change.items():
        setattr(b.vc.hosts[b.targets[0]], key, value)
    journal = b.journal()
    b.run(journal)
    rec = journal.moves[0]
    assert rec.state == "skipped" and words in str(rec.reason)
    assert not b.vc.calls("RelocateVM_Task")


def test_unreadable_vm_or_target_is_skipped_never_guessed() -> None:
    b = bed(vms=2, targets=2)
    b.vc.deny(b.vms[0], "runtime.host")
    b.vc.deny(b.targets[1], "runtime.connectionState")
    journal = b.journal([b.record(b.vms[0]), b.record(b.vms[1], b.targets[1])])
    b.run(journal)
    vm_rec, host_rec = journal.moves
    assert vm_rec.state == "skipped"
    assert vm_rec.reason == "cannot read VM app-00 (runtime.host: NoPermission); not moved"
    assert host_rec.state == "skipped"
    assert "cannot read target host 10.0.0.3 (runtime.connectionState: NoPermission)" in str(
        host_rec.reason)
    assert not b.vc.calls("RelocateVM_Task")


def test_an_expired_session_is_renewed_and_the_run_goes_on() -> None:
    b = bed(vms=3)
    for vm in b.vms:
        b.vc.script(vm, Relocation(ticks=2))
    b.vc.at(1, b.vc.expire)
    journal = b.journal()
    b.run(journal)
    assert journal.status == "done" and b.client.renewals >= 1
    assert len(b.vc.calls("RelocateVM_Task")) == 3


def test_a_retry_waits_its_back_off_from_now() -> None:
    b = bed(vms=1)
    b.vc.script(b.vms[0], Relocation(fault="Timedout"))
    ticks = iter(range(100_000))
    now = {"t": 0.0}

    def clock() -> float:
        now["t"] = float(next(ticks))
        return now["t"]

    seen: list[tuple[float, float]] = []

    class Retry(Recorder):
        def move_retry(self, rec: MoveRecord, delay: float) -> None:
            seen.append((rec.not_before - now["t"], delay))

    journal = b.journal()
    runner = MoveRunner(b.client, journal, RunOptions(
        retry=RetryPolicy(attempts=3, initial=2.0, maximum=4.0), wait_slice=0.01),
        Retry(), clock=clock)
    runner.run()
    ((ahead, delay),) = seen
    assert ahead == pytest.approx(delay) and delay > 0
    assert journal.moves[0].state == "done"
