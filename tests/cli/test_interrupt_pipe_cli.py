"""Ctrl-C and closed pipes: exit 130 and the resume hint on stderr, whatever reads stdout.

The terminal sends SIGINT to its whole foreground process group: with
``vmcctl host evacuate H | tee log`` both vmcctl and tee get it, tee dies and
vmcctl's stdout becomes a pipe nobody reads. These tests build that process
group for real (vmcctl leads a new group, tee joins it) and signal the group.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from vmcctl.cli.streams import ReaderGoneSafe

SEED_HOST = "10.94.24.70"


def _env(sim: Any) -> dict[str, str]:
    env = {**os.environ, **sim.env(), "COLUMNS": "200"}
    env.pop("VMCCTL_OUTPUT", None)
    return env


def _vmcctl_piped_to(sim: Any, cwd: Path, reader: list[str], *args: str,
                     ) -> tuple[subprocess.Popen[str], subprocess.Popen[bytes]]:
    """``vmcctl ARGS | READER`` in one new process group, as a shell's job."""
    proc = subprocess.Popen([sys.executable, "-c", "from vmcctl.cli import main; main()", *args],
                            cwd=cwd, env=_env(sim), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, process_group=0)
    assert proc.stdout is not None
    reader_proc = subprocess.Popen(reader, cwd=cwd, stdin=proc.stdout,
                                   stdout=subprocess.DEVNULL, process_group=proc.pid)
    proc.stdout.close()  # only the reader holds the pipe's read end now
    return proc, reader_proc


def _wait_for_a_running_move(journal: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            moves = json.loads(journal.read_text())["moves"]
        except (OSError, ValueError, KeyError):
            moves = []
        if any(m["state"] == "running" for m in moves):
            return
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("no move went in flight")


def test_writes_to_a_pipe_nobody_reads_are_dropped_not_raised() -> None:
    read_end, write_end = os.pipe()
    stream = os.fdopen(write_end, "w", buffering=1)
    os.close(read_end)  # the reader has gone
    safe = ReaderGoneSafe(stream)
    assert safe.write("first line\n") == len("first line\n")  # EPIPE swallowed
    assert safe.reader_gone
    safe.write("x" * 100_000)
    safe.flush()
    stream.close()  # the descriptor now points at the null device: closing cannot fail


@pytest.mark.vmcctl_sim("the seed inventory's host 10.94.24.70 and relocation durations")
def test_evacuate_through_tee_sigint_to_the_group_exits_130_with_the_resume_hint(
        vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=3)  # moves take seconds: one is in flight when we signal
    journal = tmp_path / "j.json"
    proc, tee = _vmcctl_piped_to(sim, tmp_path, ["tee", str(tmp_path / "log")],
                                 "host", "evacuate", SEED_HOST, "--journal", str(journal),
                                 "--max-parallel", "1")
    _wait_for_a_running_move(journal, proc)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    _, err = proc.communicate(timeout=60)
    tee.wait(timeout=10)
    assert tee.returncode == -signal.SIGINT  # the reader really went away
    assert proc.returncode == 130, err
    assert f"the journal is at {journal}" in err and "--resume" in err
    assert "Traceback" not in err and "BrokenPipe" not in err
    state = json.loads(journal.read_text())
    assert state["status"] == "interrupted"
    assert any(m["state"] == "pending" for m in state["moves"])  # really left work undone


@pytest.mark.vmcctl_sim("the seed inventory's VMs")
def test_a_reader_gone_before_the_output_does_not_fail_the_command(vcsim: Any,
                                                                   tmp_path: Path) -> None:
    # `true` exits at once without reading: like `| head -1` done before the table comes
    proc, reader = _vmcctl_piped_to(vcsim, tmp_path, ["true"], "inventory", "vms")
    reader.wait(timeout=10)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
