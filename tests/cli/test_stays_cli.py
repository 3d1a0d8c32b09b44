"""Powered-off VMs that stay on a host are named in the plan, the summary and the journal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SEED_HOST = "10.94.24.70"
STAYS = "stays, powered off: --include-powered-off moves it"


@pytest.mark.vmcctl_sim("the seed inventory: jump-01 is powered off on 10.94.24.70")
def test_dry_run_lists_the_powered_off_vm_that_stays(vcsim: Any, run_cli: Any) -> None:
    result = run_cli("host", "evacuate", SEED_HOST, "--dry-run", env=vcsim.env())
    assert result.code == 0, result.err
    assert f"Stays on {SEED_HOST}" in result.out and "jump-01" in result.out
    assert "--include-powered-off" in result.out
    as_json = run_cli("host", "evacuate", SEED_HOST, "--dry-run", "-o", "json",
                      env=vcsim.env())
    stays = json.loads(as_json.out)["plan"]["stays"]
    assert [(s["vm"], s["message"]) for s in stays] == [("jump-01", STAYS)]


@pytest.mark.vmcctl_sim("the seed inventory: jump-01 is powered off on 10.94.24.70")
def test_maintenance_summary_and_journal_name_the_vm_left_behind(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = vcsim_factory(time_scale=40)
    monkeypatch.chdir(tmp_path)
    result = run_cli("host", "maintenance", "enter", SEED_HOST, "--evacuate", env=sim.env())
    assert result.code == 0, result.err
    summary = result.out.split("maintenance mode: entered", 1)[1]
    assert "jump-01" in summary and "--include-powered-off" in summary
    journal = json.loads((tmp_path / f"vmcctl-journal-{SEED_HOST}.json").read_text())
    assert [s["vm"] for s in journal["plan"]["stays"]] == ["jump-01"]
    assert "jump-01" not in {m["vm"] for m in journal["moves"]}
    as_json = run_cli("host", "maintenance", "exit", SEED_HOST, "--restore", "-o", "json",
                      env=sim.env())
    assert as_json.code == 0, as_json.err
