"""A role with fewer privileges: what vmcctl may not read is unknown, what it may not do is named.

Defects of issue 11 pinned here: a host whose quickStats came back in
``missingSet`` (NoPermission) looked idle and was ranked first; a VM whose
power state could not be read counted as powered off; a NoPermission fault
ended as "internal error"; a role that may not set custom attributes must
still evacuate, saying once that the way home is only in the journal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from small_inventory import host as _host

pytestmark = pytest.mark.sim

READ = ["System.Anonymous", "System.View", "System.Read"]
MOVE = [*READ, "Resource.HotMigrate", "Resource.ColdMigrate", "Resource.AssignVMToPool"]
USERS = [
    {"username": "no-load", "password": "no-load-pw-1", "privileges": MOVE,
     "hidden_properties": ["HostSystem:summary.quickStats"]},
    {"username": "no-power", "password": "no-power-pw-2", "privileges": MOVE,
     "hidden_properties": ["VirtualMachine:runtime.powerState"]},
    {"username": "reader", "password": "reader-pw-3", "privileges": READ},
    {"username": "mover", "password": "mover-pw-4", "privileges": MOVE},
]


INVENTORY = {
    "users": USERS,
    "clusters": [{"name": "C1", "hosts": [_host("busy", 100), _host("idle", 50),
                                          _host("mid", 2000)]}],
    "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
    "vms": [{"name": "app", "host": "busy", "cpus": 1, "memory_gb": 2, "datastore": "ds",
             "cpu_usage_mhz": 300, "memory_usage_gb": 1},
            {"name": "db", "host": "busy", "cpus": 1, "memory_gb": 2, "datastore": "ds",
             "cpu_usage_mhz": 300, "memory_usage_gb": 1}],
}


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(INVENTORY, time_scale=50)


def _as(sim: Any, user: str) -> dict[str, str]:
    spec = next(u for u in USERS if u["username"] == user)
    return {**sim.env(), "VMCCTL_USERNAME": spec["username"], "VMCCTL_PASSWORD": spec["password"]}


def test_an_unreadable_host_load_is_never_taken_for_idle(sim: Any, run_cli: Any) -> None:
    full = run_cli("advise", "app", "-o", "json", env=sim.env())
    assert full.code == 0, full.err
    assert full.json()["candidates"][0]["host"] == "idle"
    blind = run_cli("advise", "app", "-o", "json", env=_as(sim, "no-load"))
    assert blind.code == 1  # no host qualifies: every load is unknown
    assert "'unreadable' eliminated 3 of 3" in blind.err
    details = [r["detail"] for rej in blind.json()["rejected"] for r in rej["reasons"]
               if r["code"] == "unreadable"]
    assert len(details) == 3
    assert all("summary.quickStats" in d and "NoPermission (System.Read)" in d for d in details)
    listed = run_cli("inventory", "hosts", "-o", "json", env=_as(sim, "no-load"))
    assert listed.code == 0, listed.err
    assert all(any("summary.quickStats" in u and "NoPermission" in u for u in row["unreadable"])
               for row in listed.json())


def test_an_unreadable_power_state_is_never_taken_for_powered_off(sim: Any, run_cli: Any,
                                                                  tmp_path: Path) -> None:
    result = run_cli("host", "evacuate", "busy", "--journal", str(tmp_path / "j.json"),
                     env=_as(sim, "no-power"))
    assert result.code == 1
    assert "runtime.powerState" in result.out + result.err
    assert sim.control.relocations() == []  # nothing moved on a guess


def test_a_missing_privilege_is_named_not_an_internal_error(sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", "app", "--host", "idle", env=_as(sim, "reader"))
    assert result.code == 2, result.err
    assert "Resource.HotMigrate" in result.err and "reader" in result.err
    assert "internal error" not in result.err
    assert not [c for c in sim.control.relocations() if c["result"] == "success"]


def test_no_custom_attribute_privilege_still_evacuates_and_says_so_once(
        sim: Any, run_cli: Any, tmp_path: Path) -> None:
    journal = str(tmp_path / "j.json")
    result = run_cli("host", "evacuate", "busy", "--journal", journal, env=_as(sim, "mover"))
    assert result.code == 0, result.err
    assert len(sim.control.relocations()) == 2
    notes = [line for line in result.err.splitlines()  # after the progress line's timestamp
             if line.split(" ", 1)[-1].startswith("warning:") and "attribute" in line]
    assert len(notes) == 1 and "journal" in notes[0], result.err
    home = run_cli("host", "restore", "busy", "--journal", journal, env=_as(sim, "mover"))
    assert home.code == 0, home.err
    placed = {row["name"]: row["host"]
              for row in json.loads(run_cli("inventory", "vms", "-o", "json",
                                            env=sim.env()).out)}
    assert placed == {"app": "busy", "db": "busy"}
