"""--events from every acting command: each line valid against docs/events.schema.json,
and every relocation in the simulator's audit has one move.submit and one final event."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from events_check import read, validate

from vmcctl.sim.inventory import Credentials, load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY

pytestmark = [pytest.mark.sim, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]

FINAL = {"move.done", "move.failed", "move.skipped", "move.cancelled", "move.retry"}


def check_tasks(lines: list[dict[str, Any]], relocations: list[dict[str, Any]]) -> None:
    """One move.submit and one final event per relocation task, none for another task."""
    submits = Counter(e["task"] for e in lines if e["type"] == "move.submit")
    finals = Counter(e["task"] for e in lines if e["type"] in FINAL and e["task"])
    tasks = [e["task"] for e in relocations]
    assert all(tasks), relocations
    assert submits == Counter(tasks), (submits, tasks)
    assert finals == Counter(tasks), (finals, tasks)


def test_every_events_line_validates_and_names_every_relocation(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # play records its progress in the current directory
    seed = load_inventory(SEED_INVENTORY)
    creds = Credentials(username="events-operator", password="Zq4-never-in-events-9w")
    sim = vcsim_factory(seed.model_copy(update={"credentials": creds}), time_scale=20)
    journal = str(tmp_path / "j70.json")
    commands = {
        "advise": ["advise", "ML-cpu-vm-04", "--fault-domain", "other"],
        "migrate": ["migrate", "ML-cpu-vm-01", "--host", "10.94.24.85", "--priority", "high"],
        "evacuate": ["host", "evacuate", "10.94.24.72", "--journal", str(tmp_path / "j72.json")],
        "enter": ["host", "maintenance", "enter", "10.94.24.70", "--evacuate",
                  "--journal", journal],
        "exit": ["host", "maintenance", "exit", "10.94.24.70", "--restore", "--journal", journal],
        "restore": ["host", "restore", "10.94.24.72", "--journal", str(tmp_path / "j72.json")],
        "play": ["play", str(ROOT / "playbooks" / "maintenance-window.yaml"),
                 "--var", "host=10.94.24.73", "--var", "pause=1",
                 "--var", f"journal={tmp_path / 'j73.json'}"],
    }
    seen: set[str] = set()
    for name, args in commands.items():
        before = len(sim.control.relocations())
        path = tmp_path / f"{name}.jsonl"
        result = run_cli(*args, "--events", str(path), env=sim.env())
        assert result.code == 0, (name, result.err)
        text = path.read_text()
        assert creds.password not in text and creds.username not in text
        lines = read(path)
        validate(lines)
        assert lines[-1]["status"] == "ok" and lines[-1]["exit_code"] == 0
        check_tasks(lines, sim.control.relocations()[before:])
        seen.update(e["type"] for e in lines)
    assert {"plan", "move.submit", "move.progress", "move.done", "maintenance.enter",
            "maintenance.exit"} <= seen


@pytest.mark.vmcctl_sim("evacuates the seed inventory's host 10.94.24.72")
def test_events_to_stdout_leave_the_human_output_on_stderr(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    result = run_cli("host", "evacuate", "10.94.24.72", "--journal", str(tmp_path / "j.json"),
                     "--events", "-", env=sim.env())
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]  # nothing else on stdout
    validate(lines)
    assert "Plan: evacuate 10.94.24.72" in result.err
    check_tasks(lines, sim.control.relocations())


def test_a_failed_run_ends_with_its_exit_code(vcsim_factory: Any, run_cli: Any,
                                              tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    path = tmp_path / "e.jsonl"
    result = run_cli("migrate", "no-such-vm", "--host", "10.94.24.85", "--events", str(path),
                     env=sim.env())
    assert result.code == 2
    lines = read(path)
    validate(lines)
    assert lines[-1]["status"] == "error" and lines[-1]["exit_code"] == 2
