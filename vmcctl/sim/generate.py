"""Deterministic synthetic inventories for the simulator, tests and benchmarks.

``generate_inventory(hosts, vms, fault_domains, seed)`` returns a plain document
in the YAML shape of ``vmcctl/sim/inventories/seed.yaml`` (``parse_inventory``
accepts it). The same arguments always give the same document: every random
choice comes from one ``random.Random(seed)``.

The shape: clusters of at most 96 hosts, hosts named by IP (``10.94.y.z``) and
i3.metal-like (36 cores x 2300 MHz, 512 GB), spread round-robin over fault
domains named like AWS availability zones (``us-west-2a`` ...). Each host gets
a CPU and a memory load target between 40 % and 60 % of capacity (background
included); the VMs placed on it share that target, so no host is ever over
capacity. A few DRS rules per cluster are chosen so that the generated
placement already satisfies them.
"""

from __future__ import annotations

import random
from typing import Any

CORES = 36
MHZ_PER_CORE = 2300
MEMORY_GB = 512
HOSTS_PER_CLUSTER = 96
LOAD_BAND = (0.40, 0.60)
REGION = "us-west-2"
PREFIXES = ("web", "app", "db", "cache", "ml", "build", "etl", "jump")
CPU_SHAPES = (1, 2, 4, 8, 16, 32)
MEMORY_SHAPES_GB = (2, 4, 8, 16, 32, 64, 128, 256)
VSAN_SHARE = 0.2  # share of VMs on the vSAN datastore rather than WorkloadDatastore


def fault_domain_names(count: int) -> list[str]:
    """``us-west-2a``, ``us-west-2b``, ... (``count`` <= 26)."""
    if not 0 <= count <= 26:
        raise ValueError("fault_domains must be between 0 and 26")
    return [f"{REGION}{chr(ord('a') + i)}" for i in range(count)]


def host_name(index: int) -> str:
    """The IP-style name of the ``index``-th generated host."""
    return f"10.94.{24 + index // 200}.{10 + index % 200}"


def generate_inventory(hosts: int, vms: int, fault_domains: int, seed: int = 0, *,
                       dense_host_vms: int = 0) -> dict[str, Any]:
    """A simulator inventory document with ``hosts`` hosts and ``vms`` VMs.

    ``dense_host_vms`` > 0 puts that many of the VMs on the first host (smaller
    ones, same load band), e.g. 1,024 for an evacuation at vSphere's per-host
    VM limit; the rest are spread evenly over the other hosts.
    """
    if hosts < 1:
        raise ValueError("hosts must be at least 1")
    if vms < 0 or not 0 <= dense_host_vms <= vms:
        raise ValueError("vms must be >= 0 and dense_host_vms between 0 and vms")
    if dense_host_vms and hosts == 1 and dense_host_vms != vms:
        raise ValueError("with one host, dense_host_vms must equal vms")
    rng = random.Random(seed)
    domains = fault_domain_names(fault_domains)
    names = [host_name(i) for i in range(hosts)]
    counts = _vm_counts(hosts, vms, dense_host_vms)

    host_docs: list[dict[str, Any]] = []
    vm_docs: list[dict[str, Any]] = []
    serial = 0
    for i, name in enumerate(names):
        background_cpu = rng.randrange(2000, 3001, 100)
        background_mem = float(rng.randrange(16, 25))
        host_docs.append({
            "name": name,
            "fault_domain": domains[i % len(domains)] if domains else "",
            "cpu_cores": CORES,
            "cpu_mhz_per_core": MHZ_PER_CORE,
            "memory_gb": MEMORY_GB,
            "background_cpu_mhz": background_cpu,
            "background_memory_gb": background_mem,
        })
        cpu_budget = rng.uniform(*LOAD_BAND) * CORES * MHZ_PER_CORE - background_cpu
        mem_budget = rng.uniform(*LOAD_BAND) * MEMORY_GB - background_mem
        for cpu_mhz, mem_gb in _split(rng, counts[i], cpu_budget, mem_budget):
            serial += 1
            vm_docs.append(_vm(rng, serial, name, cpu_mhz, mem_gb))

    clusters = []
    for c, start in enumerate(range(0, hosts, HOSTS_PER_CLUSTER)):
        members = host_docs[start:start + HOSTS_PER_CLUSTER]
        member_names = {h["name"] for h in members}
        cluster_vms = [v for v in vm_docs if v["host"] in member_names]
        clusters.append({
            "name": f"Cluster-{c + 1}",
            "hosts": members,
            "rules": _rules(rng, cluster_vms, [h["name"] for h in members]),
        })
    datastores: list[dict[str, Any]] = [
        {"name": "WorkloadDatastore", "capacity_gb": 20480.0, "free_gb": 12000.0},
        {"name": "vsanDatastore", "capacity_gb": 40960.0, "free_gb": 30000.0},
    ]
    return {"datacenter": "SDDC-Datacenter", "clusters": clusters,
            "datastores": datastores, "vms": vm_docs}


def _vm_counts(hosts: int, vms: int, dense: int) -> list[int]:
    if dense:
        rest = vms - dense
        others = hosts - 1
        return [dense] + [rest // others + (1 if i < rest % others else 0) for i in range(others)]
    return [vms // hosts + (1 if i < vms % hosts else 0) for i in range(hosts)]


def _split(rng: random.Random, count: int, cpu_budget: float,
           mem_budget: float) -> list[tuple[int, float]]:
    """``count`` (cpu MHz, memory GB) usages whose sums stay within the budgets."""
    if count == 0:
        return []
    # Heavy-tailed weights: a few big VMs and many small ones, as in real clusters.
    weights = [rng.paretovariate(2.5) for _ in range(count)]
    mem_weights = [w * rng.uniform(0.5, 1.5) for w in weights]
    total, mem_total = sum(weights), sum(mem_weights)
    cap_cpu = CPU_SHAPES[-1] * MHZ_PER_CORE * 0.85
    cap_mem = MEMORY_SHAPES_GB[-1] * 0.8
    return [(max(1, min(int(cpu_budget * w / total), int(cap_cpu))),
             max(0.01, min(round(mem_budget * m / mem_total - 0.005, 2), cap_mem)))
            for w, m in zip(weights, mem_weights, strict=True)]


def _vm(rng: random.Random, serial: int, host: str, cpu_mhz: int, mem_gb: float) -> dict[str, Any]:
    # Configured sizes are what the owner asked for, at least what the usage needs.
    cpus = max(next(c for c in CPU_SHAPES if c * MHZ_PER_CORE * 0.85 >= cpu_mhz),
               rng.choice(CPU_SHAPES[:5]))
    memory = max(next(m for m in MEMORY_SHAPES_GB if m * 0.8 >= mem_gb),
                 rng.choice(MEMORY_SHAPES_GB[:7]))
    doc: dict[str, Any] = {
        "name": f"{PREFIXES[serial % len(PREFIXES)]}-{serial:05d}",
        "host": host,
        "cpus": cpus,
        "memory_gb": float(memory),
        "cpu_usage_mhz": cpu_mhz,
        "memory_usage_gb": mem_gb,
        "datastore": "vsanDatastore" if rng.random() < VSAN_SHARE else "WorkloadDatastore",
    }
    if rng.random() < 0.05:
        doc["power"] = "off"
    return doc


def _rules(rng: random.Random, vms: list[dict[str, Any]],
           hosts: list[str]) -> list[dict[str, Any]]:
    """A few rules that the generated placement already satisfies."""
    by_host: dict[str, list[str]] = {}
    for v in vms:
        by_host.setdefault(v["host"], []).append(v["name"])
    busy = [h for h in hosts if by_host.get(h)]
    rules: list[dict[str, Any]] = []
    if len(busy) >= 2:
        a, b = rng.sample(busy, 2)
        rules.append({"name": "db-apart", "type": "vm-anti-affinity",
                      "vms": [rng.choice(by_host[a]), rng.choice(by_host[b])]})
    pairs = [h for h in busy if len(by_host[h]) >= 2]
    if pairs:
        h = rng.choice(pairs)
        rules.append({"name": "web-with-cache", "type": "vm-affinity",
                      "vms": rng.sample(by_host[h], 2)})
    if len(busy) >= 2:
        h, other = rng.sample(busy, 2)
        rules.append({"name": "licensed-hosts", "type": "vm-host-must",
                      "vms": [rng.choice(by_host[h])], "hosts": sorted([h, other])})
        h, other = rng.sample(busy, 2)
        rules.append({"name": "etl-prefers", "type": "vm-host-should",
                      "vms": [rng.choice(by_host[h])], "hosts": sorted([h, other])})
    return rules
