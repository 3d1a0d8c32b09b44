"""Builders of small simulator inventories for tests that need their own few hosts and VMs.

``tests/`` is on ``sys.path`` (its conftest.py is loaded first), so any test can
``from small_inventory import host, vm``. The defaults are a modest host (8 cores
at 2 GHz, 64 GB) and a small VM (1 vCPU, 2 GB, 300 MHz and 1 GB in use) on
datastore ``ds``; every key can be overridden.
"""

from __future__ import annotations

from typing import Any


def host(name: str, background: int | None = None, **extra: Any) -> dict[str, Any]:
    """A host; ``background`` is its CPU load in MHz from outside the inventory's VMs."""
    spec: dict[str, Any] = {"name": name, "cpu_cores": 8, "cpu_mhz_per_core": 2000,
                            "memory_gb": 64}
    if background is not None:
        spec["background_cpu_mhz"] = background
    return {**spec, **extra}


def vm(name: str, host: str = "h1", pool: str | None = None, **extra: Any) -> dict[str, Any]:
    """A powered-on VM on ``host``; ``pool`` a pool or vApp path (default the root pool)."""
    spec: dict[str, Any] = {"name": name, "host": host, "cpus": 1, "memory_gb": 2,
                            "datastore": "ds", "cpu_usage_mhz": 300, "memory_usage_gb": 1}
    if pool is not None:
        spec["pool"] = pool
    return {**spec, **extra}
