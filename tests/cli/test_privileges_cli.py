"""Privileges asked up front (HasPrivilegeOnEntities), before anything changes.

Before, a role without a privilege found out from the first refused call:
an evacuation by a user without Resource.HotMigrate submitted relocations
that failed one by one, and a user without Host.Config.Maintenance moved
every VM off the host before EnterMaintenanceMode_Task was refused. Now each
is exit 2 naming privilege, object (name and moid) and user, and the
simulator's audit holds no changing call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_inventory import host as _host
from small_inventory import vm

pytestmark = pytest.mark.sim


def _vm(name: str, **extra: Any) -> dict[str, Any]:
    return vm(name, "busy", **extra)


READ = ["System.Anonymous", "System.View", "System.Read"]
MOVE = [*READ, "Resource.HotMigrate", "Resource.ColdMigrate", "Resource.AssignVMToPool"]
USERS = [{"username": "reader", "password": "reader-pw-1", "privileges": READ},
         {"username": "mover", "password": "mover-pw-2", "privileges": MOVE},
         {"username": "keeper", "password": "keeper-pw-3",
          "privileges": [*READ, "Host.Config.Maintenance"]}]


INVENTORY = {
    "users": USERS,
    "clusters": [{"name": "C1", "hosts": [_host("busy", 100), _host("idle", 50),
                                          _host("empty", 60)]}],
    "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
    "vms": [_vm("app"), _vm("db")],
}


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(INVENTORY, time_scale=50)


def _as(sim: Any, user: str) -> dict[str, str]:
    spec = next(u for u in USERS if u["username"] == user)
    return {**sim.env(), "VMCCTL_USERNAME": spec["username"], "VMCCTL_PASSWORD": spec["password"]}


def _moid(sim: Any, run_cli: Any, kind: str, name: str) -> str:
    rows = run_cli("inventory", kind, "-o", "json", env=sim.env()).json()
    return str(next(r["moid"] for r in rows if r["name"] == name))


def test_migrate_without_the_privilege_submits_nothing(sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", "app", "--host", "idle", env=_as(sim, "reader"))
    assert result.code == 2, result.err
    vm = _moid(sim, run_cli, "vms", "app")
    assert f"Resource.HotMigrate on VM app ({vm})" in result.err
    assert "'reader'" in result.err and "Resource.AssignVMToPool" in result.err
    assert sim.control.calls() == []  # nothing submitted, not even a refused relocation


def test_evacuation_without_move_privileges_changes_nothing(sim: Any, run_cli: Any,
                                                            tmp_path: Path) -> None:
    journal = tmp_path / "j.json"
    result = run_cli("host", "evacuate", "busy", "--journal", str(journal),
                     env=_as(sim, "reader"))
    assert result.code == 2, result.err
    assert "Resource.HotMigrate on VM app" in result.err
    assert "Resource.HotMigrate on VM db" in result.err
    assert sim.control.calls() == []
    assert not journal.exists()


def test_maintenance_without_its_privilege_moves_no_vm_first(sim: Any, run_cli: Any,
                                                             tmp_path: Path) -> None:
    result = run_cli("host", "maintenance", "enter", "busy", "--evacuate",
                     "--journal", str(tmp_path / "j.json"), env=_as(sim, "mover"))
    assert result.code == 2, result.err
    host = _moid(sim, run_cli, "hosts", "busy")
    assert f"Host.Config.Maintenance on host busy ({host})" in result.err
    assert "'mover'" in result.err
    assert sim.control.calls() == []
    plain = run_cli("host", "maintenance", "enter", "empty", env=_as(sim, "mover"))
    assert plain.code == 2 and "Host.Config.Maintenance" in plain.err
    assert sim.control.calls() == []


def test_the_privileges_held_let_the_command_run(sim: Any, run_cli: Any) -> None:
    entered = run_cli("host", "maintenance", "enter", "empty", env=_as(sim, "keeper"))
    assert entered.code == 0, entered.err
    assert [c["method"] for c in sim.control.calls()] == ["EnterMaintenanceMode_Task"]
    moved = run_cli("migrate", "app", "--host", "idle", env=_as(sim, "mover"))
    assert moved.code == 0, moved.err


def test_restore_without_move_privileges_moves_nothing_home(sim: Any, run_cli: Any,
                                                            tmp_path: Path) -> None:
    journal = str(tmp_path / "j.json")
    assert run_cli("host", "evacuate", "busy", "--journal", journal, env=sim.env()).code == 0
    moved = len(sim.control.calls())
    result = run_cli("host", "restore", "busy", "--journal", journal, env=_as(sim, "reader"))
    assert result.code == 2, result.err
    assert "may not bring VMs home to busy" in result.err and "Resource.HotMigrate" in result.err
    assert len(sim.control.calls()) == moved  # nothing new
