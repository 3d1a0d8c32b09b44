"""Evacuate, then enter maintenance (executor.evacuate.run_journal) over the fake vCenter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_bed import FAST_RETRY, Bed, Recorder, bed

from vmcctl.executor.control import RunControl
from vmcctl.executor.evacuate import Report, run_journal
from vmcctl.executor.gate import Gate, GateOptions
from vmcctl.executor.journal import Journal, MoveRecord, load_journal
from vmcctl.executor.runner import MoveRunner, RunOptions, RunOutcome
from vmcctl.executor.schedule import Limits
from vmcctl.testing.fakevc import Relocation

OPTIONS = RunOptions(retry=FAST_RETRY, wait_slice=0.05)


def _evacuation(b: Bed, tmp_path: Path | None = None) -> Journal:
    return b.journal(path=tmp_path / "j.json" if tmp_path else None, maintenance="pending")


def test_every_vm_moved_then_the_host_enters_maintenance(tmp_path: Path) -> None:
    b = bed(vms=2)
    events = Recorder()
    ready: list[MoveRunner] = []
    journal = _evacuation(b, tmp_path)
    report = run_journal(b.client, journal, OPTIONS, events, runner_ready=ready.append,
                         maintenance_timeout=30)
    assert report.ok and report.error() is None and not report.interrupted
    assert len(ready) == 1 and ready[0].journal is journal
    assert (journal.maintenance, journal.status, journal.maintenance_task) == (
        "entered", "done", None)
    assert b.vc.hosts[b.source].in_maintenance
    assert b.vc.calls("EnterMaintenanceMode_Task")[0].args[0] == 30
    assert events.names("maintenance") == [("maintenance", "10.0.0.1", "entering", None),
                                           ("maintenance", "10.0.0.1", "entered", None)]
    assert events.names("planned") == [("planned", 2)]
    on_disk = load_journal(tmp_path / "j.json")
    assert (on_disk.maintenance, on_disk.status) == ("entered", "done")
    data = report.to_dict()
    assert data["ok"] is True and data["maintenance"] == "entered"
    assert data["counts"] == {"done": 2} and data["journal"] == str(tmp_path / "j.json")
    assert report.outcome.relocations_submitted == 2 and report.outcome.soap_calls > 0


def test_the_maintenance_task_is_journalled_while_entering(tmp_path: Path) -> None:
    b = bed(vms=1)
    journal = _evacuation(b, tmp_path)
    seen: list[tuple[str, str | None]] = []

    def peek() -> None:
        raw = load_journal(tmp_path / "j.json")
        seen.append((raw.maintenance, raw.maintenance_task))

    b.vc.at(3, peek)  # after the move: while EnterMaintenanceMode runs
    run_journal(b.client, journal, OPTIONS)
    assert ("entering", "task-2") in seen


def test_no_maintenance_when_a_move_failed_and_the_error_says_how_to_get_back(
        tmp_path: Path) -> None:
    b = bed(vms=2)
    b.vc.script(b.vms[0], Relocation(fault="MigrationFault", message="no"))
    events = Recorder()
    journal = _evacuation(b, tmp_path)
    report = run_journal(b.client, journal, OPTIONS, events)
    assert not report.ok and not b.vc.calls("EnterMaintenanceMode_Task")
    assert (journal.maintenance, journal.maintenance_reason) == (
        "not-entered", "1 VM(s) are still on 10.0.0.1")
    assert [m.vm for m in report.failed] == ["app-00"]
    assert report.problem_rows() == [("app-00", "failed", "10.0.0.1", "10.0.0.2",
                                      "MigrationFault", "no")]
    err = report.error()
    assert err is not None
    assert str(err.message) == ("1 VM(s) could not be evacuated from 10.0.0.1: app-00; "
                                "10.0.0.1 was not put into maintenance mode")
    path = tmp_path / "j.json"
    assert err.hint == (f"journal: {path}; 1 VM(s) were moved: bring them back with "
                        f"`vmcctl host restore 10.0.0.1 --journal {path}`")
    assert ("maintenance", "10.0.0.1", "not-entered", "1 VM(s) are still on 10.0.0.1") \
        in events.seen


def test_powered_on_vms_that_appeared_block_maintenance_without_a_replan() -> None:
    b = bed(vms=1)
    journal = _evacuation(b)
    b.vc.add_vm("zz-newcomer", b.source)
    b.vc.add_vm("aa-newcomer", b.source)
    events = Recorder()
    report = run_journal(b.client, journal, OPTIONS, events)
    assert not report.ok and journal.status == "failed"
    assert journal.maintenance == "not-entered"
    reason = "2 powered-on VM(s) appeared on 10.0.0.1 since the plan: aa-newcomer, zz-newcomer"
    assert journal.maintenance_reason == reason
    assert events.names("maintenance")[-1] == ("maintenance", "10.0.0.1", "not-entered", reason)
    assert not b.vc.calls("EnterMaintenanceMode_Task")
    err = report.error()
    assert err is not None and "did not enter maintenance mode: 2 powered-on" in err.message


def test_appeared_vms_are_replanned_moved_and_then_the_host_enters() -> None:
    b = bed(vms=1)
    journal = _evacuation(b)
    newcomer = b.vc.add_vm("newcomer", b.source)
    asked: list[list[tuple[str, str]]] = []
    events = Recorder()

    def replan(j: Journal, vms: list[tuple[str, str]]) -> list[MoveRecord]:
        asked.append(vms)
        return [b.record(moid) for moid, _ in vms]

    report = run_journal(b.client, journal, OPTIONS, events, replan=replan)
    assert asked == [[(newcomer, "newcomer")]]
    assert report.ok and journal.maintenance == "entered"
    assert [m.vm for m in journal.moves] == ["app-00", "newcomer"]
    assert b.host_of(newcomer) == b.targets[0]
    assert ("maintenance", "10.0.0.1", "re-planning",
            "powered-on VMs appeared: newcomer") in events.seen
    assert report.outcome.relocations_submitted == 2
    assert len(events.names("planned")) == 2


def test_a_replan_that_places_nothing_blocks_maintenance() -> None:
    b = bed(vms=1)
    journal = _evacuation(b)
    b.vc.add_vm("stuck", b.source)

    def replan(j: Journal, vms: list[tuple[str, str]]) -> list[MoveRecord]:
        return [b.record(moid, state="skipped", reason="no host fits") for moid, _ in vms]

    report = run_journal(b.client, journal, OPTIONS, replan=replan)
    assert journal.maintenance == "not-entered" and not report.ok
    assert "since the plan: stuck" in str(journal.maintenance_reason)


def test_vms_that_keep_appearing_stop_after_the_replan_rounds() -> None:
    b = bed(vms=1)
    journal = _evacuation(b)
    b.vc.add_vm("first", b.source)
    rounds: list[int] = []

    def replan(j: Journal, vms: list[tuple[str, str]]) -> list[MoveRecord]:
        rounds.append(len(vms))
        b.vc.add_vm(f"more-{len(rounds)}", b.source)  # DRS keeps bringing VMs
        return [b.record(moid) for moid, _ in vms]

    report = run_journal(b.client, journal, OPTIONS, replan=replan, replan_rounds=2)
    assert rounds == [1, 1]
    assert journal.maintenance == "not-entered" and not report.ok
    assert journal.maintenance_reason == ("1 powered-on VM(s) appeared on 10.0.0.1 since the "
                                          "plan: more-2")


def test_a_maintenance_fault_is_recorded_and_the_run_fails() -> None:
    b = bed(vms=1)
    b.vc.host_task_fault(b.source, "HostCommunication")
    events = Recorder()
    journal = _evacuation(b)
    report = run_journal(b.client, journal, OPTIONS, events)
    assert (journal.maintenance, journal.status) == ("not-entered", "failed")
    assert journal.maintenance_reason == "HostCommunication: HostCommunication"
    assert not report.ok
    assert events.names("maintenance")[-1] == ("maintenance", "10.0.0.1", "not-entered",
                                               "HostCommunication: HostCommunication")


def test_ctrl_c_while_entering_cancels_the_task_and_says_so() -> None:
    b = bed(vms=1)
    b.vc.add_vm("cold", b.source, power_state="poweredOff")
    control = RunControl()
    phases: list[str] = []

    def interrupt() -> None:
        phases.append(control.phase)
        assert not control.request_stop()  # nothing to stop softly: the caller raises
        raise KeyboardInterrupt

    journal = _evacuation(b)
    b.vc.once("EnterMaintenanceMode_Task", lambda: b.vc.at(b.vc.tick + 1, interrupt),
              after=True)
    events = Recorder()
    report = run_journal(b.client, journal, OPTIONS, events, control=control)
    assert phases == ["maintenance"] and control.phase == "idle"
    assert events.names("maintenance")[-1] == (
        "maintenance", "10.0.0.1", "cancelled",
        "interrupted: the EnterMaintenanceMode task was cancelled (CancelTask)")
    assert (journal.maintenance, journal.status) == ("cancelled", "interrupted")
    assert journal.maintenance_reason == ("interrupted: the EnterMaintenanceMode task was "
                                          "cancelled (CancelTask)")
    assert report.interrupted and not report.ok
    assert len(b.vc.calls("CancelTask")) == 1


def test_a_stop_during_the_moves_reaches_the_runner_and_maintenance_waits() -> None:
    b = bed(vms=2)
    control = RunControl()

    class Stop(Recorder):
        def move_progress(self, rec: MoveRecord, state: Any) -> None:
            assert control.phase == "moves"
            assert control.request_stop()

    journal = _evacuation(b)
    for vm in b.vms:
        b.vc.script(vm, Relocation(ticks=2))
    report = run_journal(b.client, journal,
                         RunOptions(retry=FAST_RETRY, wait_slice=0.05, limits=Limits(1, 1)),
                         Stop(), control=control)
    assert report.interrupted and not report.ok
    assert journal.maintenance == "pending"  # a resume finishes the moves, then enters
    assert ("app-00", "pending", "10.0.0.1", "10.0.0.2", "",
            "not started (the run stopped first)") in report.problem_rows()
    assert not b.vc.calls("EnterMaintenanceMode_Task")


def test_a_resume_while_entering_follows_the_recorded_task_or_starts_again() -> None:
    b = bed(vms=1)
    b.vc.vms[b.vms[0]].host = b.targets[0]
    rec = b.record(b.vms[0], state="done")
    rec.origin, rec.origin_moid = "10.0.0.1", b.source
    task = b.vc.enter_maintenance(b.source, 0)
    journal = b.journal([rec], maintenance="entering", maintenance_task=task)
    report = run_journal(b.client, journal, OPTIONS)
    assert report.ok and not b.vc.calls("EnterMaintenanceMode_Task")
    b.vc.hosts[b.source].in_maintenance = False
    journal = b.journal([rec], maintenance="entering", maintenance_task="task-404")
    report = run_journal(b.client, journal, OPTIONS)
    assert report.ok and len(b.vc.calls("EnterMaintenanceMode_Task")) == 1
    assert journal.maintenance == "entered"


def test_a_restore_reports_failures_not_skips() -> None:
    b = bed(vms=2)
    b.vc.script(b.vms[1], Relocation(fault="MigrationFault", message="no"))
    journal = b.journal(kind="restore")
    del b.vc.vms[b.vms[0]]
    report = run_journal(b.client, journal, OPTIONS)
    assert not b.vc.calls("EnterMaintenanceMode_Task")
    assert [m.state for m in journal.moves] == ["skipped", "failed"]
    assert not report.ok
    err = report.error()
    assert err is not None and err.message == ("2 VM(s) could not be restored to 10.0.0.1: "
                                               "app-00, app-01")
    assert err.hint is None
    journal.moves[1].state = "done"
    assert Report(journal, report.outcome).ok  # a skipped VM is only reported


def test_a_vm_that_arrives_while_entering_is_named_with_the_way_out() -> None:
    b = bed(vms=1)
    events = Recorder()
    b.vc.once("EnterMaintenanceMode_Task", lambda: b.vc.add_vm("late", b.source))
    journal = _evacuation(b)
    report = run_journal(b.client, journal, OPTIONS, events, maintenance_timeout=3)
    assert not report.ok and journal.maintenance == "not-entered"
    assert journal.maintenance_reason == (
        "Timedout: Operation timed out. Powered-on VMs still on the host: late (move them off "
        "first: "
        "`vmcctl host maintenance enter 10.0.0.1 --evacuate` does that)")
    assert ("maintenance", "10.0.0.1", "entering", None) in events.seen


def test_a_forgotten_maintenance_task_is_started_again_with_the_same_bounds() -> None:
    b = bed(vms=1)
    b.vc.vms[b.vms[0]].host = b.targets[0]
    rec = b.record(b.vms[0], state="done")
    rec.origin, rec.origin_moid = "10.0.0.1", b.source
    control = RunControl()
    phases: list[str] = []

    def arrive() -> None:  # someone powers a VM on there as the task starts
        phases.append(control.phase)
        b.vc.add_vm("late", b.source)

    b.vc.once("EnterMaintenanceMode_Task", arrive)
    journal = b.journal([rec], maintenance="entering", maintenance_task="task-404")
    report = run_journal(b.client, journal, OPTIONS, control=control, maintenance_timeout=3)
    assert phases == ["maintenance"]
    assert b.vc.calls("EnterMaintenanceMode_Task")[0].args[0] == 3
    assert journal.maintenance == "not-entered" and not report.ok
    assert str(journal.maintenance_reason).startswith("Timedout: Operation timed out.")


@pytest.mark.parametrize("kind, maintenance", [("evacuate", "not-requested"),
                                               ("evacuate", "entered"),
                                               ("evacuate", "exited"),
                                               ("restore", "not-requested")])
def test_maintenance_is_entered_only_when_an_evacuation_asks_for_it(
        kind: str, maintenance: str) -> None:
    b = bed(vms=1)
    control = RunControl()
    journal = b.journal(kind=kind, maintenance=maintenance)  # type: ignore[arg-type]
    report = run_journal(b.client, journal, OPTIONS, control=control)
    assert journal.complete and journal.maintenance == maintenance
    assert report.ok == (maintenance != "exited")
    assert not b.vc.calls("EnterMaintenanceMode_Task") and control.phase == "idle"


def test_rounds_add_up_and_the_replan_sees_the_journal() -> None:
    b = bed(vms=1)
    journal = _evacuation(b)
    b.vc.add_vm("n1", b.source)
    b.vc.add_vm("n2", b.source)
    outcomes: list[RunOutcome] = []
    seen: list[Journal] = []
    events = Recorder()

    def ready(runner: MoveRunner) -> None:
        real = runner.run

        def run() -> RunOutcome:
            outcomes.append(real())
            return outcomes[-1]

        runner.run = run  # type: ignore[method-assign]

    def replan(j: Journal, vms: list[tuple[str, str]]) -> list[MoveRecord]:
        seen.append(j)
        return [b.record(moid) for moid, _ in vms]

    report = run_journal(b.client, journal, OPTIONS, events, runner_ready=ready, replan=replan)
    assert seen == [journal] and len(outcomes) == 2
    total = report.outcome
    assert total.soap_calls == sum(o.soap_calls for o in outcomes)
    assert total.seconds == pytest.approx(sum(o.seconds for o in outcomes))
    assert total.seconds > max(o.seconds for o in outcomes)
    assert ("maintenance", "10.0.0.1", "re-planning", "powered-on VMs appeared: n1, n2") \
        in events.seen


def test_drs_bringing_vms_forever_stops_after_two_replans_by_default() -> None:
    b = bed(vms=1)
    journal = _evacuation(b)
    b.vc.add_vm("first", b.source)
    rounds: list[int] = []

    def replan(j: Journal, vms: list[tuple[str, str]]) -> list[MoveRecord]:
        rounds.append(len(vms))
        b.vc.add_vm(f"more-{len(rounds)}", b.source)
        return [b.record(moid) for moid, _ in vms]

    run_journal(b.client, journal, OPTIONS, replan=replan)
    assert rounds == [1, 1] and journal.maintenance == "not-entered"


def test_a_timed_out_or_gated_run_leaves_maintenance_for_the_resume() -> None:
    class Never:
        name = "never"

        def check(self) -> str | None:
            return "unhealthy"

    b = bed(vms=1)
    journal = _evacuation(b)
    report = run_journal(b.client, journal, RunOptions(timeout=0, wait_slice=0.01))
    assert report.outcome.timed_out and journal.maintenance == "pending"
    gate = Gate([Never()], GateOptions(interval=0.001, timeout=0.02))
    report = run_journal(b.client, journal, RunOptions(gate=gate, wait_slice=0.01))
    assert report.outcome.gate_timed_out is True and journal.maintenance == "pending"
    assert not report.ok and not b.vc.calls("EnterMaintenanceMode_Task")


def test_a_forgotten_maintenance_task_with_a_newcomer_goes_back_to_the_replan() -> None:
    b = bed(vms=1)
    b.vc.vms[b.vms[0]].host = b.targets[0]
    rec = b.record(b.vms[0], state="done")
    rec.origin, rec.origin_moid = "10.0.0.1", b.source
    newcomer = b.vc.add_vm("newcomer", b.source)
    asked: list[list[tuple[str, str]]] = []

    def replan(j: Journal, vms: list[tuple[str, str]]) -> list[MoveRecord]:
        asked.append(vms)
        return [b.record(moid) for moid, _ in vms]

    journal = b.journal([rec], maintenance="entering", maintenance_task="task-404")
    report = run_journal(b.client, journal, OPTIONS, replan=replan)
    assert asked == [[(newcomer, "newcomer")]]
    assert report.ok and journal.maintenance == "entered"
