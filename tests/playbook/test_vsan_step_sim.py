"""The playbook's maintenance step passes vsan_mode and evacuate_powered_off to vCenter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vmcctl.errors import PlaybookError
from vmcctl.playbook.load import parse_playbook

pytestmark = pytest.mark.sim

INVENTORY = {
    "clusters": [{"name": "C1", "hosts": [
        {"name": n, "cpu_cores": 8, "cpu_mhz_per_core": 2000, "memory_gb": 64}
        for n in ("h1", "h2")]}],
    "datastores": [{"name": "vsanDatastore", "capacity_gb": 100, "free_gb": 50}],
    "vms": [],
}


def test_enter_step_sends_the_vsan_mode(vcsim_factory: Any, run_cli: Any,
                                        tmp_path: Path) -> None:
    sim = vcsim_factory(INVENTORY, time_scale=50)
    book = tmp_path / "vsan.yaml"
    book.write_text("name: vsan\nsteps:\n"
                    "  - maintenance: {host: h2, action: enter, vsan_mode: no-action,\n"
                    "                  evacuate_powered_off: true}\n", encoding="utf-8")
    result = run_cli("play", str(book), env=sim.env())
    assert result.code == 0, result.err
    [call] = [c for c in sim.control.calls() if c["method"] == "EnterMaintenanceMode_Task"]
    assert call["args"]["vsanMode"] == "noAction"
    assert call["args"]["evacuatePoweredOffVms"] is True


def test_vsan_mode_on_exit_is_refused() -> None:
    with pytest.raises(PlaybookError, match="only apply to action: enter"):
        parse_playbook({"name": "x", "steps": [
            {"maintenance": {"host": "h1", "action": "exit", "vsan_mode": "no-action"}}]})
