"""Acting commands on a terminal show the plan and ask; "n" changes nothing (exit 1)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

SEED_HOST = "10.94.24.70"
PROMPT = "Go ahead? [y/N]"


class Terminal:
    """vmcctl with stdin, stdout and stderr on a pseudo-terminal, as in an interactive shell."""

    def __init__(self, sim: Any, cwd: Path, *args: str) -> None:
        master, slave = pty.openpty()
        env = {**os.environ, **sim.env(), "COLUMNS": "120", "LINES": "40", "TERM": "xterm"}
        env.pop("VMCCTL_OUTPUT", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from vmcctl.cli import main; main()", *args],
            cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        self.master = master
        self.seen = ""

    def read_until(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in {self.seen!r}")
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096).decode(errors="replace")
                except OSError:  # the child closed the terminal
                    if self.proc.poll() is not None and text not in self.seen:
                        raise AssertionError(f"no {text!r} in {self.seen!r}") from None
        return self.seen

    def answer(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def finish(self, timeout: float = 90) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096).decode(errors="replace")
                except OSError:
                    break
        code = self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        os.close(self.master)
        return code


@pytest.mark.vmcctl_sim("the seed inventory")
def test_no_at_the_prompt_changes_nothing_and_exits_1(vcsim_factory: Any,
                                                     tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=40)
    term = Terminal(sim, tmp_path, "host", "maintenance", "enter", SEED_HOST, "--evacuate")
    shown = term.read_until(PROMPT)
    assert f"Plan: evacuate {SEED_HOST}" in shown and "ML-cpu-vm-04" in shown
    assert f"put {SEED_HOST} into maintenance mode" in shown
    assert "jump-01" in shown  # stays, powered off: said before the question
    term.answer("n")
    assert term.finish() == 1
    assert "declined: nothing was changed" in term.seen
    assert sim.control.relocations() == []
    assert not [e for e in sim.control.audit() if e.get("method") == "EnterMaintenanceMode_Task"]
    assert not list(tmp_path.glob("vmcctl-journal-*"))  # no journal written either


@pytest.mark.vmcctl_sim("the seed inventory")
def test_yes_at_the_prompt_runs_the_plan(vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=40)
    term = Terminal(sim, tmp_path, "host", "evacuate", SEED_HOST)
    term.read_until(PROMPT)
    term.answer("y")
    assert term.finish() == 0, term.seen
    assert len(sim.control.relocations()) == 4
    assert "ML-cpu-vm-04" in term.seen.split(PROMPT, 1)[1]  # the board / the Moves table


@pytest.mark.vmcctl_sim("the seed inventory")
def test_migrate_asks_and_yes_flag_does_not(vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=40)
    term = Terminal(sim, tmp_path, "migrate", "web-01", "--host", "10.94.24.72")
    assert "move web-01 from 10.94.24.70 to 10.94.24.72" in term.read_until(PROMPT)
    term.answer("n")
    assert term.finish() == 1 and sim.control.relocations() == []
    term = Terminal(sim, tmp_path, "migrate", "web-01", "--host", "10.94.24.72", "--yes")
    assert term.finish() == 0, term.seen
    assert PROMPT not in term.seen and len(sim.control.relocations()) == 1


@pytest.mark.vmcctl_sim("the seed inventory")
def test_play_asks_once_listing_the_steps_that_act(vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=40)
    book = Path(__file__).resolve().parents[2] / "playbooks" / "maintenance-window.yaml"
    term = Terminal(sim, tmp_path, "play", str(book), "--var", "pause=0")
    shown = term.read_until(PROMPT)
    assert 'step 1 "evacuate": evacuate' in shown and 'step 3 "hardware work"' not in shown
    term.answer("n")
    assert term.finish() == 1
    assert sim.control.relocations() == []
    assert not (tmp_path / "vmcctl-play-maintenance-window.json").exists()


@pytest.mark.vmcctl_sim("the seed inventory and maintenance mode")
def test_exit_restore_and_cluster_maintenance_ask_and_no_changes_nothing(
        vcsim_factory: Any, tmp_path: Path) -> None:
    from test_host_cli import run

    sim = vcsim_factory(time_scale=40)
    code, _, err = run(sim, tmp_path, "host", "maintenance", "enter", SEED_HOST, "--evacuate")
    assert code == 0, err  # no terminal: nothing asked
    moved = len(sim.control.relocations())

    term = Terminal(sim, tmp_path, "host", "maintenance", "exit", SEED_HOST, "--restore")
    shown = term.read_until(PROMPT)
    assert f"take {SEED_HOST} out of maintenance mode" in shown
    term.answer("n")
    assert term.finish() == 1
    assert not [e for e in sim.control.audit() if e.get("method") == "ExitMaintenanceMode_Task"]

    code, _, err = run(sim, tmp_path, "host", "maintenance", "exit", SEED_HOST)
    assert code == 0, err
    term = Terminal(sim, tmp_path, "host", "restore", SEED_HOST)
    assert f"move 4 VM(s) back to {SEED_HOST}" in term.read_until(PROMPT)
    term.answer("n")
    assert term.finish() == 1
    assert len(sim.control.relocations()) == moved
    assert not list(tmp_path.glob("*restore*"))  # no restore journal written

    term = Terminal(sim, tmp_path, "cluster", "maintenance", "Cluster-1", "--hosts",
                    "10.94.24.72")
    assert "put 1 host(s) of Cluster-1 into maintenance mode" in term.read_until(PROMPT)
    term.answer("n")
    assert term.finish() == 1
    assert len(sim.control.relocations()) == moved
    assert not list(tmp_path.glob("vmcctl-window-*"))
