"""The inventory schema: several datacenters, folders, qualified VM names, users, effects."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from vcsim_helpers import seed_dict, two_datacenters

from vmcctl.errors import InventoryFileError
from vmcctl.sim.inventory import parse_inventory


def test_datacenters_flatten_and_say_where_each_object_lives() -> None:
    spec = parse_inventory(two_datacenters())
    assert spec.datacenters == ["DC-A", "DC-B"]
    assert spec.datacenter == "DC-A"
    assert [(c.datacenter, c.name) for c in spec.clusters] == [("DC-A", "C1"), ("DC-B", "C1")]
    assert [(h.datacenter, h.name) for h in spec.hosts] == [
        ("DC-A", "a1"), ("DC-A", "a2"), ("DC-B", "b1")]
    assert [(d.datacenter, d.name) for d in spec.datastores] == [("DC-A", "ds"), ("DC-B", "ds")]
    assert [v.path for v in spec.vms] == ["/DC-A/vm/f1/app", "/DC-A/vm/team/ml/app",
                                          "/DC-A/vm/db", "/DC-A/vm/f1/web", "/DC-B/vm/app"]
    assert spec.resolve_vm("team/ml/app").host == "a2"
    assert spec.resolve_vm("app", "DC-B").host == "b1"
    with pytest.raises(InventoryFileError, match="ambiguous"):
        spec.resolve_vm("app")
    doc = spec.to_sim_json()
    assert doc["datacenters"] == ["DC-A", "DC-B"]
    assert doc["datastores"][1]["hosts"] == ["b1"]  # "every host" means its datacenter's
    assert doc["clusters"][0]["rules"][0]["vms"] == ["/DC-A/vm/f1/app", "/DC-A/vm/team/ml/app"]
    # a dump loads back to the same spec
    assert parse_inventory(spec.model_dump(mode="json")) == spec


def test_single_datacenter_form_is_unchanged() -> None:
    spec = parse_inventory(seed_dict())
    assert spec.datacenters == ["SDDC-Datacenter"]
    assert {v.datacenter for v in spec.vms} == {"SDDC-Datacenter"}
    assert all(v.folder == "" and v.path == f"/SDDC-Datacenter/vm/{v.name}" for v in spec.vms)


def _dc(doc: dict[str, Any], i: int) -> dict[str, Any]:
    dc: dict[str, Any] = doc["datacenters"][i]
    return dc


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: _dc(d, 0)["clusters"][0]["rules"][0].update(vms=["app", "db"]),
     "datacenters.0.clusters.0.rules.0.vms: VM name 'app' is ambiguous (f1/app, team/ml/app)"),
    (lambda d: _dc(d, 0)["vms"][1].update(folder="f1"),
     "datacenters.0.vms.1.name: duplicate name 'app'"),
    (lambda d: _dc(d, 1)["vms"][0].update(host="a1"),
     "datacenters.1.vms.0.host: host 'a1' is in datacenter 'DC-A', not 'DC-B'"),
    (lambda d: _dc(d, 1)["clusters"][0]["hosts"][0].update(name="a1"),
     "datacenters.1.clusters.0.hosts.0.name: duplicate name 'a1'"),
    (lambda d: _dc(d, 1)["clusters"][0]["hosts"][0].pop("cpu_cores"),
     "datacenters.1.clusters.0.hosts.0.cpu_cores: required key is missing"),
    (lambda d: _dc(d, 0)["vms"][0].update(folder="/f1"), "datacenters.0.vms.0.folder:"),
    (lambda d: d.update(faults=[{"vm": "app"}]), "faults.0.vm: VM name 'app' is ambiguous"),
    (lambda d: d.update(faults=[{"vm": "/DC-B/vm/app", "effect": "land-on"}]), "land_on"),
    (lambda d: d.update(faults=[{"vm": "db", "effect": "reboot", "fault": "Timedout"}]),
     "either fault or effect"),
    (lambda d: d["users"].append({"username": "reader", "password": "x"}),
     "users.3.username: duplicate user 'reader'"),
    (lambda d: d["users"][0]["privileges"].append("not a privilege"), "is not a privilege id"),
    (lambda d: d.update(clusters=[]), "clusters: give either 'datacenters'"),
    (lambda d: _dc(d, 1).update(colour="red"), "datacenters.1.colour: unknown key"),
])
def test_bad_inventories_name_the_key_path(mutate: Any, expected: str) -> None:
    doc = copy.deepcopy(two_datacenters())
    mutate(doc)
    with pytest.raises(InventoryFileError) as err:
        parse_inventory(doc, "inv.yaml")
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_qualified_names_and_effects_are_accepted() -> None:
    doc = two_datacenters()
    doc["faults"] = [{"vm": "/DC-B/vm/app", "effect": "land-on", "land_on": "b1"},
                     {"vm": "team/ml/app", "effect": "reboot", "at_progress": 40}]
    spec = parse_inventory(doc)
    assert [f["vm"] for f in spec.to_sim_json()["faults"]] == ["/DC-B/vm/app",
                                                               "/DC-A/vm/team/ml/app"]
