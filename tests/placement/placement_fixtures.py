"""Small inline inventories for the placement tests, built as simulator specs.

``inventory(...)`` takes compact host and VM descriptions, fills in the
i3.metal-like defaults and goes through ``parse_inventory`` and
``inventory_from_spec``, so every test inventory is one the simulator accepts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vmcctl.model import Inventory
from vmcctl.sim.inventory import load_inventory, parse_inventory
from vmcctl.sim.offline import inventory_from_spec

SEED = Path(__file__).resolve().parents[2] / "vmcctl" / "sim" / "inventories" / "seed.yaml"
CPU_CAP = 36 * 2300  # 82,800 MHz
MEM_CAP_MB = 512 * 1024


def seed_inventory() -> Inventory:
    return inventory_from_spec(load_inventory(SEED))


def host(name: str, fault_domain: str = "us-west-2a", **extra: Any) -> dict[str, Any]:
    return {"name": name, "fault_domain": fault_domain, "cpu_cores": 36,
            "cpu_mhz_per_core": 2300, "memory_gb": 512, **extra}


def vm(name: str, on: str, cpu: int = 10000, mem_gb: float = 40, **extra: Any) -> dict[str, Any]:
    return {"name": name, "host": on, "cpus": 8, "memory_gb": 64, "cpu_usage_mhz": cpu,
            "memory_usage_gb": mem_gb, "datastore": "ds1", **extra}


def inventory(hosts: list[dict[str, Any]], vms: list[dict[str, Any]],
              rules: list[dict[str, Any]] | None = None,
              datastores: list[dict[str, Any]] | None = None,
              clusters: dict[str, str] | None = None) -> Inventory:
    """``clusters`` maps host name -> cluster name (default: everything in Cluster-1)."""
    clusters = clusters or {}
    by_cluster: dict[str, list[dict[str, Any]]] = {}
    for h in hosts:
        by_cluster.setdefault(clusters.get(h["name"], "Cluster-1"), []).append(h)
    doc = {
        "clusters": [{"name": name, "hosts": members,
                      "rules": (rules or []) if name == "Cluster-1" else []}
                     for name, members in by_cluster.items()],
        "datastores": datastores or [{"name": "ds1", "capacity_gb": 1000, "free_gb": 500}],
        "vms": vms,
    }
    return inventory_from_spec(parse_inventory(doc))


def three_hosts(**overrides: dict[str, Any]) -> list[dict[str, Any]]:
    """h1 (us-west-2a, runs the VM), h2 and h3 (us-west-2b); ``overrides`` per host name."""
    base = {"h1": host("h1", "us-west-2a"), "h2": host("h2", "us-west-2b"),
            "h3": host("h3", "us-west-2b")}
    return [{**spec, **overrides.get(name, {})} for name, spec in base.items()]
