"""Records and inventories shared by the executor tests."""

from __future__ import annotations

from typing import Any

from vmcctl.executor.journal import MoveRecord


def record(vm: str, origin: str = "h0", target: str = "h1", *, memory_mb: int = 1024,
           state: str = "pending", task: str | None = None) -> MoveRecord:
    return MoveRecord(vm=vm, vm_moid=f"vm-{vm}", origin=origin, origin_moid=f"host-{origin}",
                      target=target, target_moid=f"host-{target}", pool_moid="resgroup-1",
                      memory_mb=memory_mb, state=state, task=task)  # type: ignore[arg-type]


def wide_inventory(vms: int = 12, targets: int = 3, *, memory_gb: int = 8,
                   max_vmotions: int = 8) -> dict[str, Any]:
    """One source host with ``vms`` VMs and ``targets`` empty hosts, one cluster."""
    host = {"cpu_cores": 36, "cpu_mhz_per_core": 2300, "memory_gb": 512,
            "max_vmotions": max_vmotions}
    hosts = [{"name": f"10.0.0.{i + 1}", **host} for i in range(targets + 1)]
    return {
        "clusters": [{"name": "Cluster-1", "hosts": hosts}],
        "datastores": [{"name": "WorkloadDatastore", "capacity_gb": 20480, "free_gb": 12000}],
        "vms": [{"name": f"vm-{i:02d}", "host": "10.0.0.1", "cpus": 2,
                 "memory_gb": memory_gb + (i % 3) * 4, "cpu_usage_mhz": 1000,
                 "memory_usage_gb": 4, "datastore": "WorkloadDatastore"} for i in range(vms)],
        "migration": {"base_seconds": 2, "seconds_per_gb": 0.25},
    }
