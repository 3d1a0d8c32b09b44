"""``vmcctl play FILE --resume``: an interrupted playbook goes on from the step it stopped in."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from vmcctl.playbook import runner

pytestmark = pytest.mark.sim

SEED_HOST = "10.94.24.70"
PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "maintenance-window.yaml"
AWAY = {"ML-cpu-vm-04", "ML-cpu-vm-01", "web-01", "cache-01"}  # jump-01 is powered off


def hosts_of(run_cli: Any, sim: Any) -> dict[str, str]:
    out = run_cli("inventory", "vms", "-o", "json", env=sim.env()).out
    return {row["name"]: row["host"] for row in json.loads(out)}


def calls(sim: Any, method: str) -> list[dict[str, Any]]:
    return [e for e in sim.control.audit() if e.get("method") == method]


@pytest.mark.vmcctl_sim("the seed inventory and maintenance mode")
def test_ctrl_c_in_the_wait_says_what_stands_and_resume_finishes_the_window(
        vcsim_factory: Any, play: Any, run_cli: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sim = vcsim_factory(time_scale=40)
    waits: list[object] = []

    def ctrl_c_once(ctx: Any, action: Any) -> Any:
        waits.append(action)
        raise KeyboardInterrupt  # the operator presses Ctrl-C during the hardware work

    monkeypatch.setitem(runner.HANDLERS, "wait", ctrl_c_once)
    stopped = play(str(PLAYBOOK), "--var", "pause=0", env=sim.env())
    assert stopped.code == 130, stopped.err
    assert 'interrupted in step 3 "hardware work" (wait)' in stopped.err
    assert f"{SEED_HOST} is in maintenance mode" in stopped.err
    assert f"4 VM(s) moved off {SEED_HOST} are away from it" in stopped.err
    assert f"vmcctl play {PLAYBOOK} --resume" in stopped.err
    record = json.loads((tmp_path / "vmcctl-play-maintenance-window.json").read_text())
    assert record["status"] == "interrupted" and record["step"] == 3
    assert record["done"] == [1, 2]
    assert record["journals"]["1"] == [str(tmp_path / f"vmcctl-journal-{SEED_HOST}.json")]
    assert {h for vm, h in hosts_of(run_cli, sim).items() if vm in AWAY} & {SEED_HOST} == set()

    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    again = play(str(PLAYBOOK), "--resume", "-o", "json", env=sim.env())
    assert again.code == 0, again.err
    steps = json.loads(again.out)
    assert [s["status"] for s in steps] == ["ok"] * 5
    assert [bool(s["details"].get("resumed")) for s in steps] == [True, True, False, False,
                                                                  False]
    assert len(waits) == 1
    moved = Counter(r["target"]["name"] for r in sim.control.relocations()
                    if r["result"] == "success")
    assert moved == {vm: 2 for vm in AWAY}  # away once, home once: nothing moved again
    assert len(calls(sim, "EnterMaintenanceMode_Task")) == 1
    assert len(calls(sim, "ExitMaintenanceMode_Task")) == 1
    placed = hosts_of(run_cli, sim)
    assert all(placed[vm] == SEED_HOST for vm in AWAY), placed
    record = json.loads((tmp_path / "vmcctl-play-maintenance-window.json").read_text())
    assert record["status"] == "done" and record["resumed"] == 1
    finished = play(str(PLAYBOOK), "--resume", env=sim.env())
    assert finished.code == 2 and "nothing to resume" in finished.err


@pytest.mark.vmcctl_sim("the seed inventory, slow vMotions and maintenance mode")
def test_sigint_mid_evacuation_then_resume_moves_each_vm_once_each_way(
        vcsim_factory: Any, run_cli: Any, play: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=12)  # 64 GB VMs take ~1.5 s
    env = {**os.environ, **sim.env(), "COLUMNS": "200"}
    journal = tmp_path / f"vmcctl-journal-{SEED_HOST}.json"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from vmcctl.cli import main; main()", "play", str(PLAYBOOK),
         "--var", "pause=0", "--var", "max_parallel=1"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            moves = json.loads(journal.read_text())["moves"]
        except (OSError, ValueError):
            moves = []
        if any(m["state"] == "done" for m in moves) and any(
                m["state"] == "running" for m in moves):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the evacuation never got going")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert 'interrupted in step 1 "evacuate" (evacuate)' in err
    assert f"VM(s) moved off {SEED_HOST} are away from it" in err
    assert "--resume" in err
    assert json.loads(journal.read_text())["status"] == "interrupted"
    assert not calls(sim, "EnterMaintenanceMode_Task")

    again = play(str(PLAYBOOK), "--resume", env=sim.env())
    assert again.code == 0, again.err
    assert "resuming the evacuation recorded in" in again.err
    moved = Counter(r["target"]["name"] for r in sim.control.relocations()
                    if r["result"] == "success")
    assert moved == {vm: 2 for vm in AWAY}, moved
    assert len(calls(sim, "EnterMaintenanceMode_Task")) == 1
    placed = hosts_of(run_cli, sim)
    assert all(placed[vm] == SEED_HOST for vm in AWAY), placed
