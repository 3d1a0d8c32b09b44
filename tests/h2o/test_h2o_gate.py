"""--gate-h2o on a real evacuation: a real H2O job cancelled while a VM moves closes the
gate on the next check; nothing more is submitted, and the report shows why."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveH2O
from events_check import read, validate
from test_h2o_migration import steady_job

pytestmark = [pytest.mark.h2o, pytest.mark.sim, pytest.mark.slow,
              pytest.mark.vmcctl_sim("the seed inventory's hosts, relocation timing")]

HOST = "10.94.24.70"


def cancel_during_first_move(sim: Any, cancel: Any, stop: threading.Event) -> list[float]:
    """Cancel the job once the first relocation runs (and has not ended); when."""
    when: list[float] = []

    def watch() -> None:
        while not stop.is_set():
            moves = sim.control.relocations()
            if moves and moves[0].get("start") is not None and moves[0].get("end") is None:
                cancel()
                when.append(time.time())
                return
            time.sleep(0.1)

    threading.Thread(target=watch, daemon=True).start()
    return when


def test_a_cancelled_job_closes_the_gate_before_the_next_move(
        live_h2o: LiveH2O, vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=4)  # the 64 GB VM takes ~4.5 s: time to cancel meanwhile
    job = steady_job(120)
    stop = threading.Event()
    try:
        cancelled = cancel_during_first_move(sim, job.cancel, stop)
        result = run_cli(
            "host", "evacuate", HOST, "--max-parallel", "1",
            "--journal", str(tmp_path / "j.json"), "--events", str(tmp_path / "e.jsonl"),
            "--report", str(tmp_path / "report"),
            "--gate-h2o", f"{live_h2o.cluster.url}#{job.key}", "--gate-interval", "2",
            "--gate-timeout", "3", "--gate-threshold", "0.1", env=sim.env())
    finally:
        stop.set()
        job.cancel()
    assert cancelled, "the first relocation was never seen running"
    assert result.code == 1, result.err
    relocations = sim.control.relocations()
    assert len(relocations) == 1  # the one in flight when the job was cancelled
    journal = json.loads((tmp_path / "j.json").read_text())
    period = journal["gate_periods"][0]
    assert job.key in period["why"] and "CANCELLED" in period["why"]
    assert period["outcome"] == "timeout"
    states = sorted(m["state"] for m in journal["moves"])
    assert states[0] == "done" and set(states[1:]) == {"pending"}  # in flight: finished
    events = read(tmp_path / "e.jsonl")
    validate(events)
    closed = next(e for e in events if e["type"] == "gate.closed")
    submits = [e for e in events if e["type"] == "move.submit"]
    assert len(submits) == 1 and closed["seq"] > submits[0]["seq"]
    assert datetime.fromisoformat(closed["ts"]).timestamp() >= cancelled[0] - 0.05
    verdict = next(e for e in events if e["type"] == "verdict")
    assert verdict["outcome"] == "FAIL" and job.key in verdict["reason"]
    assert events[-1]["type"] == "run.end" and events[-1]["exit_code"] == 1
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["gate_closed"] and report["h2o"][0]["outcome"] == "FAIL"
    assert [m["state"] for m in report["moves"]] == ["done"]
    assert (tmp_path / "report" / "timeline.png").stat().st_size > 10_000
