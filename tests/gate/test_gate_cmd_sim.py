"""--gate-cmd on a real evacuation: no relocation while the service is unhealthy."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from events_check import validate

pytestmark = [pytest.mark.sim, pytest.mark.slow,
              pytest.mark.vmcctl_sim("the seed inventory's hosts and cluster, relocation timing")]

HOST = "10.94.24.70"
SCRIPT = Path(__file__).with_name("gate_script.py")


def _gate(state: Path, after: int, recover: float) -> str:
    return f"{sys.executable} {SCRIPT} {state} {after} {recover}"


def _calls(state: Path) -> list[tuple[float, int]]:
    lines = (state / "calls").read_text().split("\n")
    return [(float(t), int(c)) for t, c in (line.split() for line in lines if line)]


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _on_host(run_cli: Any, sim: Any) -> set[str]:
    rows = run_cli("inventory", "vms", "-o", "json", env=sim.env()).json()
    return {r["name"] for r in rows if r["host"] == HOST and r["power_state"] == "poweredOn"}


def test_a_failing_gate_holds_new_moves_until_it_recovers(vcsim_factory: Any, run_cli: Any,
                                                          tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    moving = _on_host(run_cli, sim)
    assert len(moving) >= 3
    journal, events = tmp_path / "journal.json", tmp_path / "events.jsonl"
    result = run_cli("host", "evacuate", HOST, "--max-parallel", "1", "--journal", str(journal),
                     "--gate-cmd", _gate(tmp_path, 2, 4), "--gate-interval", "1",
                     "--events", str(events), env=sim.env())
    assert result.code == 0, result.err
    assert "gate closed: command" in result.err and "service unhealthy: 503" in result.err

    calls = _calls(tmp_path)
    failed = [t for t, code in calls if code]
    closed_at = failed[0]
    opened_at = next(t for t, code in calls if not code and t > closed_at)
    assert opened_at - closed_at >= 4
    relocations = sim.control.relocations()
    assert {e["target"]["name"] for e in relocations} == moving
    assert len(relocations) == len(moving)  # every VM moved once
    queued = sorted(e["queued_at"] for e in relocations)
    assert not [t for t in queued if closed_at <= t < opened_at], (closed_at, opened_at, queued)
    assert sum(t < closed_at for t in queued) == 2  # the gate failed after the second move
    assert not _on_host(run_cli, sim)

    periods = json.loads(journal.read_text())["gate_periods"]
    assert len(periods) == 1
    assert periods[0]["outcome"] == "opened" and periods[0]["seconds"] >= 3
    assert "service unhealthy: 503" in periods[0]["why"]
    lines = _events(events)
    gate = [e for e in lines if e["type"].startswith("gate.")]
    assert [e["type"] for e in gate] == ["gate.closed", "gate.open"]
    assert gate[0]["since"] == gate[1]["since"] == periods[0]["from"]
    assert gate[1]["until"] == periods[0]["to"] and "503" in gate[0]["why"]


def test_a_gate_that_never_recovers_stops_the_run_and_resume_finishes(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    moving = _on_host(run_cli, sim)
    journal, events = tmp_path / "journal.json", tmp_path / "events.jsonl"
    result = run_cli("host", "evacuate", HOST, "--max-parallel", "1", "--journal", str(journal),
                     "--gate-cmd", _gate(tmp_path, 2, -1), "--gate-interval", "1",
                     "--gate-timeout", "5", "--events", str(events), env=sim.env())
    returned = time.time()
    assert result.code == 1, result.err
    assert "continuity gate stayed closed" in result.err and "--resume" in result.err
    closed_at = next(t for t, code in _calls(tmp_path) if code)
    # nothing was in flight when it closed (one move at a time, the second had ended)
    assert returned - closed_at < 5 + 2.5
    assert len(sim.control.relocations()) == 2
    data = json.loads(journal.read_text())
    assert data["status"] == "interrupted"
    assert data["gate_periods"][0]["outcome"] == "timeout"
    lines = _events(events)
    assert [e["type"] for e in lines if e["type"].startswith("gate.")] == [
        "gate.closed", "gate.timeout"]
    assert lines[-1]["type"] == "run.end" and lines[-1]["exit_code"] == 1

    resumed = run_cli("host", "evacuate", HOST, "--resume", "--journal", str(journal),
                      env=sim.env())
    assert resumed.code == 0, resumed.err
    relocations = sim.control.relocations()
    assert sorted(e["target"]["name"] for e in relocations) == sorted(moving)
    assert not _on_host(run_cli, sim)


def test_the_cluster_window_waits_for_the_gate_too(vcsim_factory: Any, run_cli: Any,
                                                   tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=40)
    events, journal = tmp_path / "events.jsonl", tmp_path / "window.json"
    result = run_cli("cluster", "maintenance", "Cluster-1", "--restore", "--hosts",
                     f"{HOST},10.94.24.72", "--max-parallel", "1", "--journal", str(journal),
                     "--gate-cmd", _gate(tmp_path, 2, 3), "--gate-interval", "0.5",
                     "--events", str(events), "--report", str(tmp_path / "report"),
                     env=sim.env())
    assert result.code == 0, result.err
    calls = _calls(tmp_path)
    closed_at = next(t for t, code in calls if code)
    opened_at = next(t for t, code in calls if not code and t > closed_at)
    queued = [e["queued_at"] for e in sim.control.relocations()]
    assert not [t for t in queued if closed_at <= t < opened_at]
    assert sum(t < closed_at for t in queued) == 2
    periods = json.loads(journal.read_text())["gate_periods"]
    assert len(periods) == 1 and periods[0]["outcome"] == "opened"
    lines = _events(events)
    validate(lines)  # the schema, and seq 1, 2, ...
    assert [e["type"] for e in lines if e["type"].startswith("gate.")] == [
        "gate.closed", "gate.open"]
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert len(report["gate_closed"]) == 1 and len(report["moves"]) == len(queued)
