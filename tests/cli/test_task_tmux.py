"""The issue's done-when, in a real terminal: under tmux, ``migrate`` + Ctrl-C shows the
task id and "continues in vCenter"; ``vmcctl task <id> --watch`` then follows it to success.

tmux gives vmcctl a real TTY (rich progress bars) and sends Ctrl-C the way a
terminal does (to the foreground process group). The tmux server is our own,
on a private socket, and is stopped at the end.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.sim, pytest.mark.skipif(shutil.which("tmux") is None,
                                                  reason="tmux is not installed")]


class Tmux:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.socket = f"vmcctl-test-{uuid.uuid4().hex[:8]}"
        self._tmux("new-session", "-d", "-s", "t", "-x", "160", "-y", "40", "-c", str(cwd),
                   env=env)

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=True, timeout=20, env=env)
        return proc.stdout

    def type(self, line: str) -> None:
        self._tmux("send-keys", "-t", "t", line, "Enter")

    def ctrl_c(self) -> None:
        self._tmux("send-keys", "-t", "t", "C-c")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-J", "-t", "t", "-S", "-200")

    def wait_for(self, pattern: str, timeout: float = 40) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.screen())
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} never appeared on screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       check=False, timeout=20)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], Tmux]]:
    made: list[Tmux] = []

    def start(env: dict[str, str]) -> Tmux:
        made.append(Tmux(env, tmp_path))
        return made[-1]

    yield start
    for t in made:
        t.close()


@pytest.mark.vmcctl_sim("the seed inventory and its relocation durations")
def test_under_tmux_ctrl_c_on_migrate_then_task_watch_follows_it_to_success(
        vcsim_factory: Any, tmux: Callable[[dict[str, str]], Tmux], tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=1)  # cache-01 takes ~10 s: still running for --watch
    env = {**os.environ, **sim.env(), "PS1": "$ ", "TERM": "xterm-256color"}
    env.pop("VMCCTL_OUTPUT", None)
    term = tmux(env)
    vmcctl = f"{shlex.quote(sys.executable)} -m vmcctl"
    term.type(f"{vmcctl} migrate cache-01 --host 10.94.24.85 --yes; echo migrate-rc=$?")
    deadline = time.monotonic() + 30
    while not any(r["result"] == "running" for r in sim.control.relocations("cache-01")):
        assert time.monotonic() < deadline, term.screen()
        time.sleep(0.1)
    term.ctrl_c()
    term.wait_for(r"migrate-rc=130")
    screen = term.screen()
    task = re.search(r"continues in vCenter as (task-\d+)", screen)
    assert task, screen
    assert f"vmcctl task {task[1]} --watch" in screen
    term.type(f"{vmcctl} task {task[1]} --watch; echo watch-rc=$?")
    term.wait_for(r"watch-rc=\d+")
    screen = term.screen()
    assert "watch-rc=0" in screen, screen
    assert re.search(rf"{task[1]} RelocateVM_Task of cache-01 .*100%", screen), screen  # bar
    assert re.search(r"state\s+│ success", screen), screen
    assert [r["result"] for r in sim.control.relocations("cache-01")] == ["success"]
