"""Plain progress (stderr not a terminal) against the simulator: stamped lines, a summary."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from events_check import read, validate

SEED_HOST = "10.94.24.70"
STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d) (.*)$")


@pytest.mark.vmcctl_sim("the seed inventory and host slots (--max-per-host 1)")
def test_plain_progress_lines_carry_iso_timestamps_and_the_end_has_a_per_vm_table(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sim = vcsim_factory(time_scale=20)
    monkeypatch.chdir(tmp_path)
    before = datetime.now().astimezone() - timedelta(seconds=1)
    result = run_cli("host", "evacuate", SEED_HOST, "--max-per-host", "1",
                     "--events", str(tmp_path / "events.jsonl"), env=sim.env())
    after = datetime.now().astimezone() + timedelta(seconds=1)
    assert result.code == 0, result.err
    stamped = [m for m in map(STAMP.match, result.err.splitlines()) if m]
    words = [m.group(2) for m in stamped]
    times = [datetime.fromisoformat(m.group(1)) for m in stamped]
    assert all(before <= t <= after for t in times), (before, times, after)
    assert times == sorted(times)
    vms = {"ML-cpu-vm-04", "ML-cpu-vm-01", "web-01", "cache-01"}
    for vm in vms:
        assert any(w.startswith(f"{vm}: submitted {SEED_HOST} -> ") for w in words), words
        assert any(w.startswith(f"{vm}: done → ") for w in words), words
    # one slot on the source: the three others wait, saying for what
    queued = [w for w in words if ": queued: host slots 1/1 busy on " + SEED_HOST in w]
    assert len(queued) == 3, words
    # every progress line is stamped (the plan and the journal path are not progress)
    for line in result.err.splitlines():
        if any(line.split(" ", 1)[-1].startswith(f"{vm}:") for vm in vms):
            assert STAMP.match(line), line
    events = read(tmp_path / "events.jsonl")
    validate(events)  # move.queued included
    assert {e["vm"] for e in events if e["type"] == "move.queued"} == {
        w.split(":", 1)[0] for w in queued}
    table = result.out.split("Moves", 1)[1]
    for vm in vms:
        row = next(line for line in table.splitlines() if f" {vm} " in line)
        assert SEED_HOST in row and " s " in row and "done" in row, row
