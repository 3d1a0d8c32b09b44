"""``cluster maintenance`` asks vCenter too: compatibility per planned target, privileges
up front, and passes --vsan-mode / --evacuate-powered-off to every host it enters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_inventory import host as _host

pytestmark = pytest.mark.sim

READ = ["System.Anonymous", "System.View", "System.Read"]
MOVER = {"username": "mover", "password": "mover-pw-1",
         "privileges": [*READ, "Resource.HotMigrate", "Resource.ColdMigrate",
                        "Resource.AssignVMToPool"]}


INVENTORY = {
    "users": [MOVER],
    "clusters": [{"name": "C1", "hosts": [_host("h1", 3000), _host("h2", 50),
                                          _host("h3", 1000)]}],
    "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
    "vms": [{"name": "app", "host": "h1", "cpus": 1, "memory_gb": 2, "datastore": "ds",
             "cpu_usage_mhz": 300, "memory_usage_gb": 1, "incompatible_hosts": ["h2"]}],
}


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(INVENTORY, time_scale=50)


def test_window_places_around_vcenter_refusals_and_sends_vsan_mode(
        sim: Any, run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("cluster", "maintenance", "C1", "--hosts", "h1", "--vsan-mode",
                     "ensure-accessibility", "--evacuate-powered-off", "--journal",
                     str(tmp_path / "w.json"), env=sim.env())
    assert result.code == 0, result.err
    moved = [(r["target"]["name"], r["args"]["host"]) for r in sim.control.relocations()]
    assert moved == [("app", "h3")]  # h2 is emptier, but vCenter refuses it for app
    [entered] = [c["args"] for c in sim.control.calls()
                 if c["method"] == "EnterMaintenanceMode_Task"]
    assert entered["vsanMode"] == "ensureObjectAccessibility"
    assert entered["evacuatePoweredOffVms"] is True


def test_window_without_the_maintenance_privilege_changes_nothing(
        sim: Any, run_cli: Any, tmp_path: Path) -> None:
    env = {**sim.env(), "VMCCTL_USERNAME": "mover", "VMCCTL_PASSWORD": "mover-pw-1"}
    journal = tmp_path / "w.json"
    result = run_cli("cluster", "maintenance", "C1", "--hosts", "h1", "--journal",
                     str(journal), env=env)
    assert result.code == 2, result.err
    assert "Host.Config.Maintenance on host h1" in result.err and "'mover'" in result.err
    assert sim.control.calls() == [] and not journal.exists()
