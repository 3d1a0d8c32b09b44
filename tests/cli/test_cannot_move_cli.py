"""`vmcctl host evacuate` / `maintenance enter --evacuate` with VMs that cannot
move or be placed: blockers listed up front, nothing moved unless --partial."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_host_cli import run

pytestmark = pytest.mark.sim


def _host(name: str) -> dict[str, Any]:
    return {"name": name, "cpu_cores": 36, "cpu_mhz_per_core": 2300, "memory_gb": 512}


def _vm(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "host": "h1", "cpus": 4, "memory_gb": 8, "datastore": "ds",
            "cpu_usage_mhz": 500, "memory_usage_gb": 4, **extra}


ONE_PASSTHROUGH = {
    "clusters": [{"name": "C1", "hosts": [_host("h1"), _host("h2"), _host("h3")]}],
    "datastores": [{"name": "ds", "capacity_gb": 1000, "free_gb": 500}],
    "vms": [_vm("gpu-01", devices=["passthrough"]), _vm("web-01"), _vm("web-02")],
}


def _hosts_of(sim: Any, tmp_path: Path) -> dict[str, str]:
    code, out, err = run(sim, tmp_path, "inventory", "vms", "-o", "json")
    assert code == 0, err
    rows = json.loads(out)
    rows = rows if isinstance(rows, list) else rows["vms"]
    return {r["name"]: r["host"] for r in rows}


def test_evacuate_stops_before_moving_anything_and_names_the_passthrough_vm(
        vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(ONE_PASSTHROUGH, time_scale=50)
    code, _, err = run(sim, tmp_path, "host", "evacuate", "h1")
    assert code == 1, err
    assert "gpu-01" in err and "passthrough-device" in err and "--partial" in err
    assert sim.control.relocations() == []
    assert not list(tmp_path.glob("vmcctl-journal-*"))  # nothing started


def test_partial_moves_the_others_and_never_enters_maintenance(vcsim_factory: Any,
                                                               tmp_path: Path) -> None:
    sim = vcsim_factory(ONE_PASSTHROUGH, time_scale=50)
    code, out, err = run(sim, tmp_path, "host", "maintenance", "enter", "h1", "--evacuate",
                         "--partial")
    assert code == 1, err  # the host is not empty
    assert "gpu-01" in out and "passthrough-device" in out  # the "Cannot be moved" table
    moved = {r["target"]["name"] for r in sim.control.relocations()}
    assert moved == {"web-01", "web-02"}
    where = _hosts_of(sim, tmp_path)
    assert where["gpu-01"] == "h1" and where["web-01"] != "h1" and where["web-02"] != "h1"
    assert "EnterMaintenanceMode_Task" not in {e["method"] for e in sim.control.audit()}
    journal = json.loads((tmp_path / "vmcctl-journal-h1.json").read_text())
    assert {m["vm"]: m["state"] for m in journal["moves"]}["gpu-01"] == "skipped"
    assert journal["maintenance"] != "entered"


def test_partial_needs_evacuate(vcsim_factory: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(ONE_PASSTHROUGH, time_scale=50)
    code, _, err = run(sim, tmp_path, "host", "maintenance", "enter", "h1", "--partial")
    assert code == 2 and "--partial" in err


def test_advise_and_migrate_refuse_an_unmovable_vm_with_exit_2(vcsim_factory: Any,
                                                               tmp_path: Path) -> None:
    sim = vcsim_factory(ONE_PASSTHROUGH, time_scale=50)
    code, _, err = run(sim, tmp_path, "advise", "gpu-01")
    assert code == 2 and "passthrough-device" in err
    code, _, err = run(sim, tmp_path, "migrate", "gpu-01", "--host", "h2")
    assert code == 2 and "passthrough-device" in err
    assert sim.control.relocations() == []


@pytest.mark.vmcctl_sim("the seed inventory")
def test_seed_71_maintenance_stops_before_any_relocation(vcsim_factory: Any,
                                                         tmp_path: Path) -> None:
    """The issue-13 "71 case": licensed-app-01 is pinned by a must-rule."""
    sim = vcsim_factory(time_scale=50)
    code, _, err = run(sim, tmp_path, "host", "maintenance", "enter", "10.94.24.71",
                       "--evacuate")
    assert code == 1, err
    assert "licensed-app-01" in err and "licensed-on-71" in err
    assert sim.control.relocations() == []
    assert "EnterMaintenanceMode_Task" not in {e["method"] for e in sim.control.audit()}


def test_inventory_json_says_which_vms_cannot_move(vcsim_factory: Any, tmp_path: Path) -> None:
    spec = {**ONE_PASSTHROUGH, "vms": [*ONE_PASSTHROUGH["vms"],
                                       _vm("ft-01", ft="primary", memory_active_gb=1,
                                           memory_consumed_gb=6)]}
    sim = vcsim_factory(spec, time_scale=50)
    code, out, err = run(sim, tmp_path, "inventory", "vms", "-o", "json")
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["gpu-01"]["cannot_move"] == ["passthrough-device"]
    assert rows["ft-01"]["cannot_move"] == ["fault-tolerance"]
    assert rows["web-01"]["cannot_move"] == []
    assert (rows["ft-01"]["memory_usage_mb"], rows["ft-01"]["memory_active_mb"]) == (6144, 1024)
