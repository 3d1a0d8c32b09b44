"""What evacuations say when they stop: exactly what is left running, never more or less.

--timeout ends the run at once and leaves its vMotions running (it must not
promise to wait for them); a Ctrl-C after every move was submitted is no
interruption once they all finished; after a second Ctrl-C the vMotions still
running are listed as such, not as "Not moved".
"""

from __future__ import annotations

import json
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from test_host_cli import SEED_HOST, run, vmcctl

from vmcctl.executor.decide import work_left
from vmcctl.executor.journal import Journal, MoveRecord

pytestmark = pytest.mark.sim


def _moves(journal: Path) -> list[dict[str, Any]]:
    try:
        return list(json.loads(journal.read_text())["moves"])
    except (OSError, ValueError, KeyError):
        return []


def _wait_for(journal: Path, proc: Any, running: int, pending: int | None = None) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        moves = _moves(journal)
        states = [m["state"] for m in moves]
        if states.count("running") >= running and (pending is None
                                                   or states.count("pending") == pending):
            return
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"never {running} running: {_moves(journal)}")


def _table(out: str, title: str) -> str:
    """The lines of the table titled ``title`` in rich output (up to its bottom border)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(title))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("└"))
    return "\n".join(lines[start:end + 1])


@pytest.mark.vmcctl_sim("the seed inventory's host 10.94.24.70 and relocation durations")
def test_timeout_leaves_the_running_vmotions_to_vcenter_and_says_so(
        vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=2)
    journal = tmp_path / "j.json"
    code, out, err = run(sim, tmp_path, "host", "evacuate", SEED_HOST, "--journal",
                         str(journal), "--max-parallel", "2", "--timeout", "2")
    assert code == 1, err
    moving = [m for m in _moves(journal) if m["state"] == "running"]
    assert moving, _moves(journal)
    assert "Ctrl-C again" not in err and "waiting for" not in err
    assert re.search(rf"--timeout reached: \d move\(s\) will not start; leaving "
                     rf"{len(moving)} vMotion\(s\) running in vCenter", err), err
    still = _table(out, "Still moving in vCenter")
    not_moved = _table(out, "Not moved")
    for m in moving:
        assert m["vm"] in still and m["task"] in still
        assert m["vm"] not in not_moved
        assert m["task"] in err
    # "they will arrive": vCenter finishes them on its own
    deadline = time.monotonic() + 40
    tasks = {m["task"] for m in moving}
    while {r["task"] for r in sim.control.relocations() if r["result"] == "success"} < tasks:
        assert time.monotonic() < deadline, sim.control.relocations()
        time.sleep(0.2)


@pytest.mark.vmcctl_sim("the seed inventory's host 10.94.24.70 and relocation durations")
def test_ctrl_c_after_every_move_was_submitted_is_no_interruption(
        vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=3)
    journal = tmp_path / "j.json"
    proc = vmcctl(sim, tmp_path, "host", "evacuate", SEED_HOST, "--journal", str(journal))
    _wait_for(journal, proc, running=4, pending=0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "every move was already submitted" in err
    assert "--resume" not in err and "interrupted" not in err
    assert "4 done" in out
    assert json.loads(journal.read_text())["status"] == "done"


@pytest.mark.vmcctl_sim("the seed inventory's host 10.94.24.70 and relocation durations")
def test_second_ctrl_c_lists_running_vmotions_as_still_moving_not_as_not_moved(
        vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=1)  # the first move takes many seconds
    journal = tmp_path / "j.json"
    proc = vmcctl(sim, tmp_path, "host", "evacuate", SEED_HOST, "--journal", str(journal),
                  "--max-parallel", "1")
    _wait_for(journal, proc, running=1)
    proc.send_signal(signal.SIGINT)
    time.sleep(1.0)  # the first Ctrl-C is handled: no new moves, waiting
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    moving = [m for m in _moves(journal) if m["state"] == "running"]
    assert len(moving) == 1, _moves(journal)
    vm, task = moving[0]["vm"], moving[0]["task"]
    still = _table(out, "Still moving in vCenter")
    assert vm in still and task in still
    assert vm not in _table(out, "Not moved")
    assert (f"interrupted: 3 move(s) not started, 1 vMotion(s) still running in vCenter "
            f"({task}); the journal is at {journal}; finish with --resume") in err
    assert [r["result"] for r in sim.control.relocations()] == ["running"]  # not cancelled


def test_work_is_left_only_when_something_is_undone() -> None:
    def journal(*states: str, maintenance: str = "not-requested") -> Journal:
        moves = [MoveRecord(vm=f"vm{i}", vm_moid=f"vm-{i}", origin="h1", origin_moid="host-1",
                            target="h2", target_moid="host-2", pool_moid="resgroup-1",
                            priority="default", power_state="poweredOn", state=s)  # type: ignore[arg-type]
                 for i, s in enumerate(states)]
        return Journal(kind="evacuate", host="h1", host_moid="host-1", moves=moves,
                       maintenance=maintenance)  # type: ignore[arg-type]

    assert not work_left(journal("done", "done", "failed", "skipped"))
    assert work_left(journal("done", "pending"))
    assert work_left(journal("done", "running"))
    assert work_left(journal("done", "cancelled"))
    assert work_left(journal("done", "done", maintenance="pending"))
    assert not work_left(journal("done", maintenance="entered"))


@pytest.mark.vmcctl_sim("the seed inventory's host 10.94.24.70 and relocation durations")
def test_ctrl_c_after_every_move_of_a_maintenance_run_skips_maintenance_and_says_so(
        vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=3)
    journal = tmp_path / "j.json"
    args = ("host", "maintenance", "enter", SEED_HOST, "--evacuate", "--journal", str(journal))
    proc = vmcctl(sim, tmp_path, *args)
    _wait_for(journal, proc, running=4, pending=0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"every move was already submitted, {SEED_HOST} will not enter maintenance mode" \
        in err
    assert (f"interrupted: {SEED_HOST} not yet in maintenance mode; the journal is at "
            f"{journal}; finish with --resume") in err
    assert not any(e["method"] == "EnterMaintenanceMode_Task" for e in sim.control.audit())
    code, out, err = run(sim, tmp_path, *args, "--resume")
    assert code == 0, err
    assert "maintenance mode: entered" in out
    assert len(sim.control.relocations()) == 4  # the resume moved nothing again


def test_stopping_messages_say_what_goes_on_for_every_reason() -> None:
    from vmcctl.cli.host_progress import stopping_message

    rec = MoveRecord(vm="web-01", vm_moid="vm-1", origin="h1", origin_moid="host-1",
                     target="h2", target_moid="host-2", pool_moid="resgroup-1",
                     priority="default", power_state="poweredOn", state="running",
                     task="task-7")

    def say(why: Any, *, cancelling: bool = False, running: list[MoveRecord] | None = None,
            not_started: int = 0, enters_after: str | None = None) -> str:
        moving = [rec] if running is None else running
        return stopping_message(len(moving), cancelling, why=why, running=moving,
                                not_started=not_started, enters_after=enters_after)

    assert say("interrupt", not_started=2) == (
        "interrupted: 2 move(s) will not start; waiting for 1 vMotion(s) in flight to finish: "
        "web-01 (task-7) (Ctrl-C again to leave them running in vCenter and exit now)")
    assert say("interrupt").startswith("Ctrl-C: every move was already submitted; waiting")
    assert say("interrupt", enters_after="h1").startswith(
        "interrupted: every move was already submitted, h1 will not enter maintenance mode")
    assert say("interrupt", cancelling=True, not_started=1) == (
        "interrupted: 1 move(s) will not start; cancelling 1 vMotion(s) in flight: "
        "web-01 (task-7)")
    assert say("interrupt", running=[], not_started=3) == "interrupted: 3 move(s) will not start"
    timeout = say("timeout", not_started=1)
    assert timeout.startswith("--timeout reached: 1 move(s) will not start; leaving 1 "
                              "vMotion(s) running in vCenter: web-01 (task-7)")
    assert "waiting" not in timeout and "Ctrl-C" not in timeout
    gate = say("gate", not_started=1)
    assert gate.startswith("continuity gate timed out: 1 move(s) will not start; waiting for")
    assert "Ctrl-C" not in gate


def test_the_report_keeps_running_vmotions_apart_and_says_what_is_left() -> None:
    from vmcctl.executor.evacuate import Report
    from vmcctl.executor.runner import RunOutcome

    def rec(vm: str, state: str, task: str | None = None) -> MoveRecord:
        return MoveRecord(vm=vm, vm_moid=f"vm-{vm}", origin="h1", origin_moid="host-1",
                          target="h2", target_moid="host-2", pool_moid="resgroup-1",
                          priority="default", power_state="poweredOn",
                          state=state, task=task)  # type: ignore[arg-type]

    journal = Journal(kind="evacuate", host="h1", host_moid="host-1", maintenance="pending",
                      moves=[rec("a", "done", "task-1"), rec("b", "running", "task-2"),
                             rec("c", "pending"), rec("d", "submitting")])
    report = Report(journal, RunOutcome(interrupted=True))
    assert report.still_moving_rows() == [("b", "h1", "h2", "task-2")]
    assert report.problem_rows() == [
        ("c", "pending", "h1", "h2", "", "not started (the run stopped first)"),
        ("d", "submitting", "h1", "h2", "",
         "stopped while submitting: --resume looks for its task in vCenter")]
    assert report.left() == ("2 move(s) not started, 1 vMotion(s) still running in vCenter "
                             "(task-2), h1 not yet in maintenance mode")
    timed_out = Report(journal, RunOutcome(timed_out=True)).error()
    assert timed_out is not None and "--timeout reached: 2 move(s) not started" in str(timed_out)
