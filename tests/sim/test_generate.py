"""The deterministic inventory generator."""

from __future__ import annotations

import ipaddress

import pytest
import yaml

from vmcctl.model import Inventory
from vmcctl.sim.generate import generate_inventory
from vmcctl.sim.inventory import parse_inventory
from vmcctl.sim.offline import inventory_from_spec


def _inventory(*args: int, **kwargs: int) -> Inventory:
    return inventory_from_spec(parse_inventory(generate_inventory(*args, **kwargs)))


def test_same_arguments_same_document_other_seed_other_document() -> None:
    assert generate_inventory(12, 300, 2, seed=7) == generate_inventory(12, 300, 2, seed=7)
    assert generate_inventory(12, 300, 2, seed=7) != generate_inventory(12, 300, 2, seed=8)


def test_document_is_plain_yaml_the_schema_accepts() -> None:
    doc = generate_inventory(10, 200, 3, seed=1)
    again = yaml.safe_load(yaml.safe_dump(doc))
    spec = parse_inventory(again)
    assert len(spec.hosts) == 10 and len(spec.vms) == 200
    assert 1 <= len(spec.datastores) <= 2
    assert spec.clusters[0].rules


def test_hosts_are_ips_in_named_fault_domains() -> None:
    inv = _inventory(9, 90, 3, seed=2)
    for h in inv.hosts:
        assert ipaddress.ip_address(h.name) in ipaddress.ip_network("10.0.0.0/8")
        assert h.cpu_capacity_mhz == 36 * 2300 and h.memory_capacity_mb == 512 * 1024
    assert inv.fault_domains() == ("us-west-2a", "us-west-2b", "us-west-2c")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_moderately_loaded_and_never_over_capacity(seed: int) -> None:
    inv = _inventory(24, 2400, 2, seed=seed)
    cpu = [h.cpu_pct for h in inv.hosts]
    mem = [h.memory_pct for h in inv.hosts]
    assert max(cpu) <= 60.0 and max(mem) <= 60.0
    # Powered-off VMs (about 5 %) use nothing, so a host can sit a little under 40 %.
    assert min(cpu) >= 30.0 and min(mem) >= 30.0
    mean = sum(cpu) / len(cpu)
    assert 40.0 <= mean <= 55.0
    sizes = {v.num_cpu for v in inv.vms}
    assert len(sizes) >= 3


def test_generated_rules_hold_in_the_generated_placement() -> None:
    inv = _inventory(20, 400, 2, seed=3)
    where = {v.moid: v.host_moid for v in inv.vms}
    kinds = set()
    for rule in inv.clusters[0].rules:
        kinds.add((rule.kind, rule.mandatory))
        hosts = {where[v] for v in rule.vm_moids}
        if rule.kind == "vm-affinity":
            assert len(hosts) == 1
        elif rule.kind == "vm-anti-affinity":
            assert len(hosts) == len(rule.vm_moids)
        elif rule.kind == "vm-host":
            assert hosts <= set(rule.host_moids)
    assert {("vm-affinity", True), ("vm-anti-affinity", True), ("vm-host", True),
            ("vm-host", False)} <= kinds


def test_large_inventories_split_into_clusters_of_96() -> None:
    doc = generate_inventory(100, 200, 2)
    assert [len(c["hosts"]) for c in doc["clusters"]] == [96, 4]
    parse_inventory(doc)


def test_dense_host_holds_the_asked_number_of_vms_within_the_band() -> None:
    inv = _inventory(8, 2000, 2, seed=4, dense_host_vms=1024)
    counts = sorted((len(h.vm_moids) for h in inv.hosts), reverse=True)
    assert counts[0] == 1024 and sum(counts) == 2000
    dense = max(inv.hosts, key=lambda h: len(h.vm_moids))
    assert dense.cpu_pct <= 60.0 and dense.memory_pct <= 60.0


@pytest.mark.parametrize("args", [(0, 10, 2), (4, -1, 2), (4, 10, 27)])
def test_bad_arguments(args: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError):
        generate_inventory(*args)
