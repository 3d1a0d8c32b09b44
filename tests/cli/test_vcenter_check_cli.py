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


def test_a_vm_vcenter_refuses_at_home_fails_before_anything_moves_and_keeps_its_way_home(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    """``app`` runs on src but vCenter would refuse it there now (a CPU feature src lost,
    say): the restore asks first, brings db home, leaves app where it is, and says why."""
    inventory = {**INVENTORY, "vms": [_vm("app", incompatible_hosts=["src"]), _vm("db")]}
    sim = vcsim_factory(inventory, time_scale=50)
    journal = str(tmp_path / "j.json")
    out = run_cli("host", "evacuate", "src", "--journal", journal, env=sim.env())
    assert out.code == 0, out.err
    left = len(sim.control.relocations())

    home = run_cli("host", "restore", "src", "--journal", journal, "-o", "json",
                   env=sim.env())
    assert home.code == 1
    data = home.json()
    states = {m["vm"]: m for m in data["moves"]}
    assert states["db"]["state"] == "done" and states["app"]["state"] == "failed"
    assert "vCenter's compatibility check refuses src" in states["app"]["reason"]
    assert REFUSAL in states["app"]["reason"]
    assert states["app"]["fault"] == "FeatureRequirementsNotMet"
    assert "1 VM(s) could not be restored to src: app" in home.err
    assert [(r["vm"], r["host"]) for r in data["vcenter_check"]["rejected"]] == [("app", "src")]
    assert [r["target"]["name"] for r in sim.control.relocations()[left:]] == ["db"]
    away = run_cli("inventory", "vms", "--away", "-o", "json", env=sim.env())
    assert [row["name"] for row in away.json()] == ["app"]  # its way home is kept

    forced = run_cli("host", "restore", "src", "--journal", journal, "--no-vcenter-check",
                     env=sim.env())
    assert forced.code == 1  # submitted this time, and vCenter's relocation fails alike
    [attempt] = sim.control.relocations()[left + 1:]
    assert attempt["target"]["name"] == "app"
    assert attempt["fault"] == "FeatureRequirementsNotMet"


def test_a_window_whose_vm_vcenter_refuses_at_home_stops_naming_it(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    """The window's home phase cannot plan around its only host: it used to re-plan for
    ever. Now the refused VM is not sent home, the window stops (exit 1) naming it and
    vCenter's words, and every other VM is home."""
    inventory = {**INVENTORY, "vms": [_vm("app", incompatible_hosts=["src"]), _vm("db")]}
    sim = vcsim_factory(inventory, time_scale=50)
    result = run_cli("cluster", "maintenance", "C1", "--hosts", "src", "--restore",
                     "--journal", str(tmp_path / "w.json"), env=sim.env())
    assert result.code == 1
    assert "app (vCenter's compatibility check refuses src" in result.err
    home = [e["target"]["name"] for e in sim.control.relocations()
            if e["args"]["host"] == "src"]
    assert home == ["db"]
