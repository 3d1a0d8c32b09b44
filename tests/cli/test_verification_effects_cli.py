"""A relocation task that succeeds while the VM does not end as asked.

The simulator's effects make the task succeed while the VM restarts, powers
off or lands on another host. Mutation probe survivors of issue 11 pinned
here with the real thing (not a patched read): ``migrate`` exiting 0 when the
post-move verification fails, and the executor counting such a VM as moved
(maintenance would then be entered or waited on with it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vmcctl.sim.inventory import load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY

pytestmark = pytest.mark.sim

HOST = "10.94.24.70"


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(load_inventory(SEED_INVENTORY), time_scale=30)


@pytest.mark.parametrize(("effect", "extra", "said"), [
    ("reboot", {}, "restarted"),
    ("power-off", {}, "power state changed"),
    ("land-on", {"land_on": "10.94.24.73"}, "is on 10.94.24.73, not 10.94.24.85"),
])
def test_migrate_fails_when_the_vm_did_not_end_as_asked(sim: Any, run_cli: Any, effect: str,
                                                         extra: dict[str, str],
                                                         said: str) -> None:
    sim.control.add_effect("ML-cpu-vm-04", effect, at_progress=50, **extra)
    result = run_cli("migrate", "ML-cpu-vm-04", "--host", "10.94.24.85", env=sim.env())
    assert result.code == 1, (result.out, result.err)
    assert said in result.err
    (move,) = sim.control.relocations()
    assert move["result"] == "success" and move["args"]["effect"] == effect


def test_an_evacuated_vm_that_restarted_is_not_counted_as_moved(sim: Any, run_cli: Any,
                                                                tmp_path: Path) -> None:
    journal = tmp_path / "j.json"
    sim.control.add_effect("web-01", "reboot", at_progress=40)
    result = run_cli("host", "maintenance", "enter", HOST, "--evacuate", "--journal",
                     str(journal), env=sim.env())
    assert result.code == 1, result.err
    records = {m["vm"]: m for m in json.loads(journal.read_text())["moves"]}
    assert records["web-01"]["state"] == "failed"
    assert records["web-01"]["fault"] == "VerificationError"
    assert "restarted" in records["web-01"]["reason"]
    assert records["web-01"]["left_origin"] is True  # it did leave: it has a way home
    assert not [c for c in sim.control.calls() if c["method"] == "EnterMaintenanceMode_Task"]
    home = run_cli("host", "restore", HOST, "--journal", str(journal), env=sim.env())
    assert home.code == 0, home.err
    placed = {r["name"]: r["host"] for r in json.loads(
        run_cli("inventory", "vms", "-o", "json", env=sim.env()).out)}
    assert placed["web-01"] == HOST
