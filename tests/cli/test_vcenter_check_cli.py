"""vCenter's compatibility check (CheckRelocate_Task) before a move, in migrate and evacuation.

The simulator's VM key ``incompatible_hosts`` makes both the check and the
relocation itself fail with FeatureRequirementsNotMet for those hosts; a
target in Proactive-HA quarantine draws a warning. Before this, vmcctl never
asked: the advisor's best host ("idle") was submitted and the task failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_inventory import host as _host
from small_inventory import vm

pytestmark = pytest.mark.sim


def _vm(name: str, **extra: Any) -> dict[str, Any]:
    return vm(name, "src", **extra)


REFUSAL = "does not support the virtual machine's current hardware requirements"


INVENTORY = {
    "clusters": [{"name": "C1", "hosts": [
        _host("src", 3000), _host("idle", 50), _host("mid", 1000),
        _host("shaky", 10, quarantine=True)]}],
    "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
    "vms": [_vm("app", incompatible_hosts=["idle"]), _vm("db")],
}


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(INVENTORY, time_scale=50)


def test_auto_placement_skips_the_host_vcenter_refuses(sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", "app", "--auto", "-o", "json", env=sim.env())
    assert result.code == 0, result.err
    data = result.json()
    assert data["target"] == "mid"  # "idle" is the advisor's first choice, refused by vCenter
    assert data["vcenter_check"] == "ok"
    [refused] = data["vcenter_rejected"]
    assert refused["host"] == "idle" and REFUSAL in refused["message"]
    assert "FeatureRequirementsNotMet" in refused["message"]
    assert [r["args"]["host"] for r in sim.control.relocations("app")] == ["mid"]


def test_an_explicit_host_vcenter_refuses_is_exit_2_with_its_message(sim: Any,
                                                                     run_cli: Any) -> None:
    result = run_cli("migrate", "app", "--host", "idle", env=sim.env())
    assert result.code == 2, result.err
    assert REFUSAL in result.err and "--no-vcenter-check" in result.err
    assert sim.control.relocations() == []


def test_no_vcenter_check_submits_and_the_relocation_fails_the_same_way(
        sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", "app", "--host", "idle", "--no-vcenter-check", "-o", "json",
                     env=sim.env())
    assert result.code == 1
    assert REFUSAL in result.err
    [relocation] = sim.control.relocations("app")
    assert relocation["fault"] == "FeatureRequirementsNotMet"


def test_vcenter_warnings_are_shown_and_in_json(sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", "db", "--host", "shaky", "--dry-run", "-o", "json",
                     env=sim.env())
    assert result.code == 0, result.err
    data = result.json()
    assert data["vcenter_check"] == "warnings"
    assert any("quarantine" in w and "shaky" in w for w in data["vcenter_warnings"])
    assert "warning: vCenter warns about db on shaky" in result.err
    assert sim.control.relocations() == []


def test_evacuation_plans_around_a_refused_target(sim: Any, run_cli: Any,
                                                  tmp_path: Path) -> None:
    result = run_cli("host", "evacuate", "src", "--journal", str(tmp_path / "j.json"),
                     "-o", "json", env=sim.env())
    assert result.code == 0, result.err
    data = result.json()
    placed = {m["vm"]: m["target"] for m in data["moves"]}
    assert placed["app"] != "idle" and set(placed) == {"app", "db"}
    assert [(r["vm"], r["host"]) for r in data["vcenter_check"]["rejected"]] == [("app", "idle")]
    assert all(r["result"] == "success" for r in sim.control.relocations())


def test_evacuation_with_every_target_refused_stops_before_moving(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    inventory = {**INVENTORY, "vms": [_vm("app", incompatible_hosts=["idle", "mid", "shaky"]),
                                      _vm("db")]}
    sim = vcsim_factory(inventory, time_scale=50)
    result = run_cli("host", "evacuate", "src", "--journal", str(tmp_path / "j.json"),
                     env=sim.env())
    assert result.code == 1
    assert "app" in result.err and "vCenter check" in result.err
    assert sim.control.relocations() == []
