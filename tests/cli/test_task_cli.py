"""``vmcctl task`` and the truth about vMotions that go on in vCenter (migrate Ctrl-C,
--timeout, a VM that is already moving)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.sim

VM, SOURCE, TARGET = "cache-01", "10.94.24.70", "10.94.24.85"


def _vmcctl(sim: Any, cwd: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, **sim.env(), "COLUMNS": "200", "PYTHONFAULTHANDLER": "1"}
    env.pop("VMCCTL_OUTPUT", None)
    return subprocess.Popen([sys.executable, "-c", "from vmcctl.cli import main; main()", *args],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _finish(proc: subprocess.Popen[str]) -> str:
    """Its stderr once it exited; a process that hangs fails the test with its stacks."""
    try:
        return proc.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
        raise AssertionError("vmcctl did not exit 30 s after Ctrl-C:\n"
                             + proc.communicate(timeout=30)[1]) from None


def _host_of(run_cli: Any, sim: Any, vm: str) -> str:
    rows = run_cli("inventory", "vms", "-o", "json", env=sim.env()).json()
    return str(next(r["host"] for r in rows if r["name"] == vm))


def _wait_until_running(sim: Any, vm: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        running = [r for r in sim.control.relocations(vm) if r["result"] == "running"]
        if running:
            return str(running[0]["task"])
        time.sleep(0.05)
    raise AssertionError(f"no relocation of {vm} started")


@pytest.mark.vmcctl_sim("the seed inventory and its relocation durations")
def test_ctrl_c_on_migrate_names_the_task_that_goes_on_and_task_watch_follows_it(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=1)  # cache-01 takes ~10 s: still running for --watch
    proc = _vmcctl(sim, tmp_path, "migrate", VM, "--host", TARGET)
    task = _wait_until_running(sim, VM)
    proc.send_signal(signal.SIGINT)
    err = _finish(proc)
    assert proc.returncode == 130, err
    assert f"continues in vCenter as {task}" in err
    assert f"vmcctl task {task} --watch" in err and f"vmcctl task {task} --cancel" in err
    assert [r["result"] for r in sim.control.relocations(VM)] == ["running"]  # not cancelled

    watched = run_cli("task", task, "--watch", env=sim.env())
    assert watched.code == 0, watched.err
    assert f"{task} RelocateVM_Task of {VM}" in watched.err  # it followed the progress
    assert "running" in watched.err and "success 100%" in watched.err
    assert re.search(r"state\s+│ success", watched.out)
    assert _host_of(run_cli, sim, VM) == TARGET
    assert [r["result"] for r in sim.control.relocations(VM)] == ["success"]  # one move only


@pytest.mark.vmcctl_sim("the seed inventory and its relocation durations")
def test_migrate_timeout_says_the_move_is_still_running_with_its_task(
        vcsim_factory: Any, run_cli: Any) -> None:
    sim = vcsim_factory(time_scale=1)
    result = run_cli("migrate", VM, "--host", TARGET, "--timeout", "1", "-o", "json",
                     env=sim.env())
    assert result.code == 1, result.err
    task = sim.control.relocations(VM)[0]["task"]
    data = result.json()
    assert data["task"] == task and data["timed_out"] and not data["interrupted"]
    assert data["state"] in ("queued", "running") and not data["verified"]
    assert f"still running in vCenter as {task} after 1 s" in result.err
    assert f"vmcctl task {task} --watch" in result.err


@pytest.mark.vmcctl_sim("the seed inventory and its relocation durations")
def test_migrate_refuses_a_vm_already_moving_no_wait_and_dry_run_included(
        vcsim_factory: Any, run_cli: Any) -> None:
    sim = vcsim_factory(time_scale=1)
    first = run_cli("migrate", VM, "--host", TARGET, "--no-wait", env=sim.env())
    assert first.code == 0, first.err
    task = sim.control.relocations(VM)[0]["task"]
    for extra in (["--no-wait"], ["--dry-run"], []):
        again = run_cli("migrate", VM, "--host", "10.94.24.72", *extra, env=sim.env())
        assert again.code == 2, (extra, again.err)
        assert "already has a relocation" in again.err and task in again.err
    assert len(sim.control.relocations(VM)) == 1  # nothing else was submitted


@pytest.mark.vmcctl_sim("the seed inventory and its relocation durations")
def test_task_shows_json_and_cancel_stops_a_running_relocation(vcsim_factory: Any,
                                                               run_cli: Any) -> None:
    sim = vcsim_factory(time_scale=1)
    assert run_cli("migrate", VM, "--host", TARGET, "--no-wait", env=sim.env()).code == 0
    task = _wait_until_running(sim, VM)
    shown = run_cli("task", task, "-o", "json", env=sim.env())
    assert shown.code == 0, shown.err
    info = shown.json()
    assert info["task"] == task and info["name"] == "RelocateVM_Task"
    assert info["entity"] == sim.control.relocations(VM)[0]["target"]["moid"]
    assert info["entity_name"] == VM and info["state"] in ("queued", "running")
    assert info["cancelable"] and info["started_at"] and info["completed_at"] is None

    cancelled = run_cli("task", task, "--cancel", "-o", "json", env=sim.env())
    assert cancelled.code == 0, cancelled.err
    after = cancelled.json()
    assert after["state"] == "error" and after["fault"] == "RequestCanceled"
    assert _host_of(run_cli, sim, VM) == SOURCE
    again = run_cli("task", task, "--cancel", env=sim.env())
    assert again.code == 1 and "already ended" in again.err
    watched = run_cli("task", task, "--watch", env=sim.env())
    assert watched.code == 1 and "RequestCanceled" in watched.err


@pytest.mark.vmcctl_sim("the simulator's task ids")
def test_an_unknown_task_is_an_input_error(vcsim: Any, run_cli: Any) -> None:
    result = run_cli("task", "task-99999", env=vcsim.env())
    assert result.code == 2
    assert result.error_lines == ["error: no task named 'task-99999'"]
    assert run_cli("task", "task-1", "--watch", "--cancel", env=vcsim.env()).code == 2


def test_task_help_says_what_it_does_with_examples(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", "from vmcctl.cli import main; main()",
                           "task", "--help"], capture_output=True, text=True, check=False,
                          cwd=tmp_path, timeout=60)
    assert proc.returncode == 0
    assert "Examples:" in proc.stdout and "vmcctl task task-123 --watch" in proc.stdout
    assert "--cancel" in proc.stdout and "--watch" in proc.stdout


@pytest.mark.vmcctl_sim("the seed inventory and its relocation durations")
def test_ctrl_c_on_task_watch_stops_watching_and_leaves_the_task_running(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=1)
    assert run_cli("migrate", VM, "--host", TARGET, "--no-wait", env=sim.env()).code == 0
    task = _wait_until_running(sim, VM)
    proc = _vmcctl(sim, tmp_path, "task", task, "--watch")
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first progress line: it is following the task
    assert f"{task} RelocateVM_Task of {VM}" in first, first  # (plain lines: ISO time first)
    proc.send_signal(signal.SIGINT)
    err = _finish(proc)
    assert proc.returncode == 130, err
    assert f"stopped watching; {task}" in err and "goes on in vCenter" in err
    assert [r["result"] for r in sim.control.relocations(VM)] == ["running"]
