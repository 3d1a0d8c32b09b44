"""Names are not identities: same-named VMs in two folders and two datacenters.

The defects of issue 11 this pins: a name that matches several VMs moved one
of them (the other datacenter's); an evacuation planned the *other* host's
VM of the same name; a cluster name shared by two datacenters sent a move
into the other datacenter with the first one's pool.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from small_inventory import host as small_host
from small_inventory import vm as _vm

pytestmark = pytest.mark.sim


def _host(name: str) -> dict[str, Any]:
    return small_host(name, background=100)  # a little load: ties are broken the same way


# DC-A/C1: a1, a2, a3; DC-B/C1: b1, b2. "app" three times, "C1" and "ds" twice.
INVENTORY = {"datacenters": [
    {"name": "DC-A", "clusters": [{"name": "C1", "hosts": [_host("a1"), _host("a2"),
                                                           _host("a3")]}],
     "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
     "vms": [_vm("app", "a1", folder="f1"), _vm("app", "a2", folder="f2")]},
    {"name": "DC-B", "clusters": [{"name": "C1", "hosts": [_host("b1"), _host("b2")]}],
     "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
     "vms": [_vm("app", "b1")]},
]}


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(INVENTORY, time_scale=50)


def _vms(run_cli: Any, sim: Any) -> dict[str, dict[str, Any]]:
    result = run_cli("inventory", "vms", "-o", "json", env=sim.env())
    assert result.code == 0, result.err
    return {row["path"]: row for row in json.loads(result.out)}


def test_an_ambiguous_name_is_refused_listing_every_match(sim: Any, run_cli: Any) -> None:
    vms = _vms(run_cli, sim)
    result = run_cli("migrate", "app", "--host", "a3", env=sim.env())
    assert result.code == 2
    for path in ("/DC-A/vm/f1/app", "/DC-A/vm/f2/app", "/DC-B/vm/app"):
        assert path in result.err and vms[path]["moid"] in result.err
    assert "Traceback" not in result.err
    assert sim.control.relocations() == []


def test_a_path_moves_exactly_that_vm(sim: Any, run_cli: Any) -> None:
    vms = _vms(run_cli, sim)
    result = run_cli("migrate", "/DC-A/vm/f1/app", "--host", "a3", env=sim.env())
    assert result.code == 0, result.err
    (move,) = sim.control.relocations()
    assert move["target"]["moid"] == vms["/DC-A/vm/f1/app"]["moid"]
    after = _vms(run_cli, sim)
    assert after["/DC-A/vm/f1/app"]["host"] == "a3"
    assert after["/DC-A/vm/f2/app"]["host"] == "a2" and after["/DC-B/vm/app"]["host"] == "b1"


def test_a_moid_selects_too_and_the_other_datacenter_is_refused(sim: Any,
                                                                run_cli: Any) -> None:
    vms = _vms(run_cli, sim)
    other = vms["/DC-B/vm/app"]["moid"]
    refused = run_cli("migrate", other, "--host", "a3", env=sim.env())
    assert refused.code == 2 and "datacenter DC-A" in refused.err
    moved = run_cli("migrate", other, "--host", "b2", env=sim.env())
    assert moved.code == 0, moved.err
    (move,) = sim.control.relocations()
    assert move["target"]["moid"] == other and move["args"]["host"] == "b2"


def test_evacuating_a_host_moves_only_its_own_same_named_vm(sim: Any, run_cli: Any,
                                                           tmp_path: Any) -> None:
    vms = _vms(run_cli, sim)
    result = run_cli("host", "evacuate", "a2", "--journal", str(tmp_path / "j.json"),
                     env=sim.env())
    assert result.code == 0, result.err
    moved = {m["target"]["moid"] for m in sim.control.relocations()}
    assert moved == {vms["/DC-A/vm/f2/app"]["moid"]}


def test_a_shared_cluster_name_never_crosses_datacenters(sim: Any, run_cli: Any,
                                                         tmp_path: Any) -> None:
    """Evacuating b1 (DC-B/C1) moves its VM to b2 with DC-B's pool, never into DC-A/C1."""
    vms = _vms(run_cli, sim)
    result = run_cli("host", "evacuate", "b1", "--journal", str(tmp_path / "j.json"),
                     env=sim.env())
    assert result.code == 0, result.err
    (move,) = sim.control.relocations()
    assert move["target"]["moid"] == vms["/DC-B/vm/app"]["moid"]
    assert move["args"]["host"] == "b2" and move["result"] == "success"
