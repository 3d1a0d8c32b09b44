"""Ctrl-C in the middle of a rolling window, then --resume: as a user runs it."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from test_host_cli import run, vmcctl

from vmcctl.sim.generate import generate_inventory
from vmcctl.sim.inventory import InventorySpec

pytestmark = pytest.mark.sim


def generated_6() -> InventorySpec:
    """6 hosts, 2 fault domains, 36 VMs at about 30 % load (tests/ops/test_rolling_sim has 8)."""
    doc = generate_inventory(6, 36, 2, seed=3)
    for vm in doc["vms"]:
        vm["cpu_usage_mhz"] = max(1, int(vm["cpu_usage_mhz"] * 0.55))
        vm["memory_usage_gb"] = max(0.01, round(vm["memory_usage_gb"] * 0.55, 2))
    return InventorySpec.model_validate(doc)


def test_sigint_mid_window_exits_130_and_resume_moves_no_vm_more_than_planned(
        vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(generated_6(), time_scale=30)  # moves of about 1 s
    journal = tmp_path / "window.json"
    args = ("cluster", "maintenance", "Cluster-1", "--restore", "--max-down", "2",
            "--each", "true", "--journal", str(journal))
    code, out, err = run(sim, tmp_path, *args, "--dry-run", "-o", "json")
    assert code == 0, err
    plan = json.loads(out)["plan"]
    planned = Counter(m["vm"] for s in plan["steps"]
                      for phase in ("before", "during", "after") for m in s[phase])
    before = {r["name"]: r["host"] for r in json.loads(
        run(sim, tmp_path, "inventory", "vms", "-o", "json")[1])}

    proc = vmcctl(sim, tmp_path, *args)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # in step 2, with moves in flight
        try:
            state = json.loads(journal.read_text())
        except (OSError, ValueError):
            state = {}
        if state.get("step", 0) >= 1 and any(m["state"] == "running"
                                             for m in state.get("moves", [])):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        raise AssertionError("the window never reached step 2 with moves in flight")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert f"the journal is at {journal}; finish with --resume" in err  # stderr, whole
    stopped = json.loads(journal.read_text())
    assert stopped["status"] == "interrupted"
    assert not any(m["state"] in ("running", "submitting") for m in stopped["moves"])

    code, _, err = run(sim, tmp_path, *args, "--resume")
    assert code == 0, err
    after = {r["name"]: r["host"] for r in json.loads(
        run(sim, tmp_path, "inventory", "vms", "-o", "json")[1])}
    assert after == before
    moved = Counter(e["target"]["name"] for e in sim.control.relocations())
    assert all(n <= planned[vm] for vm, n in moved.items()), (moved, planned)
    assert sum(moved.values()) == plan["relocations"] == plan["lower_bound"]
    assert all(e["args"]["poweredOnVmsAtCall"] == 0 for e in sim.control.audit()
               if e.get("method") == "EnterMaintenanceMode_Task")
