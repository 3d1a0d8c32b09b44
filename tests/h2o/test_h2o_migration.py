"""The seed story in small: a real local H2O job watched through a simulated vMotion.

``vmcctl migrate --watch-h2o`` against the simulator (the seed inventory gives
ML-cpu-vm-04 the guest IP 127.0.0.1, where this H2O listens), end to end
through the CLI as a user runs it.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveH2O

from vmcctl.h2o.demo import TrainingJob, start_training_job

pytestmark = [pytest.mark.h2o, pytest.mark.sim, pytest.mark.slow,
              pytest.mark.vmcctl_sim("the seed VM ML-cpu-vm-04 with the local H2O's guest IP")]

VM = "ML-cpu-vm-04"
BEFORE_S = 3.0


def steady_job(seconds: float) -> TrainingJob:
    """A job past its faster first trees, so the before-rate is its steady pace."""
    job = start_training_job(duration_s=seconds, rows=30_000, trees_per_s=10.0)
    deadline = time.monotonic() + 20
    while job.info().progress < 0.08 and time.monotonic() < deadline:
        time.sleep(0.5)
    return job


def migrate_watched(run_cli: Any, sim: Any, url: str, job: str, report: Path) -> Any:
    # A 2-core CI box makes 3-s rate windows of a 30-s job noisy: the test
    # asks for continuity and a clearly kept pace (0.5), the demo for 0.8.
    return run_cli("migrate", VM, "--host", "10.94.24.85", "--priority", "high",
                   "--watch-h2o", url, "--h2o-job", job, "--before", str(BEFORE_S),
                   "--after", "2", "--poll-interval", "0.5", "--threshold", "0.5",
                   "--report", str(report), "-o", "json", env=sim.env())


def test_training_survives_the_migration_pass(live_h2o: LiveH2O, vcsim_factory: Any,
                                              run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=4)  # the 64 GB VM moves in ~4.5 s
    job = steady_job(40)
    try:
        result = migrate_watched(run_cli, sim, live_h2o.cluster.url, job.key, tmp_path)
    finally:
        job.cancel()
    assert result.code == 0, result.err
    data = result.json()
    assert data["target"] == "10.94.24.85" and data["verified"] is True
    verdict = data["h2o"]["verdict"]
    assert verdict["outcome"] == "PASS", verdict["reason"]
    assert verdict["continuity"]["failed_polls"] == 0
    assert verdict["rate_during"] > 0 and verdict["ratio"] >= 0.5
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in report["phases"]] == ["before", "during", "after"]
    during = report["phases"][1]
    assert (during["source"], during["target"]) == ("10.94.24.70", "10.94.24.85")
    assert during["end"] - during["start"] >= 3.0  # the task's modelled duration
    assert (tmp_path / "timeline.png").stat().st_size > 10_000
    assert len(sim.control.relocations(VM)) == 1


def test_job_cancelled_during_the_migration_fails_naming_job_and_poll(
        live_h2o: LiveH2O, vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=4)
    job = steady_job(60)
    # cancel the job 1.5 s into the vMotion (the watch starts ~1 s after the CLI)
    timer = threading.Timer(BEFORE_S + 2.5, job.cancel)
    timer.start()
    try:
        result = migrate_watched(run_cli, sim, live_h2o.cluster.url, job.key, tmp_path)
    finally:
        timer.cancel()
    assert result.code == 1
    assert "H2O verdict FAIL" in result.err
    verdict = result.json()["h2o"]["verdict"]
    assert verdict["outcome"] == "FAIL"
    assert job.key in verdict["reason"]
    bad = verdict["continuity"]["bad_status"]
    assert bad and bad[0]["job"] == job.key and bad[0]["status"] in ("CANCELLED", "FAILED")
    assert "poll" in verdict["reason"]
    # the VM itself moved fine: the failure is the workload's, not vCenter's
    assert result.json()["verified"] is True
