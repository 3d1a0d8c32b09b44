"""Rolling window benchmark: relocations vs the lower bound, wall time vs the serial loop.

    python -m benchmarks.rolling [--sleep 3] [--time-scale 10] [--max-down 2] [--seed 3]

On a generated cluster of 8 hosts in 2 fault domains with 80 VMs (VM load
scaled to about 30 % of the hosts), each on a fresh simulator with the same
time scale:

- the window: ``vmcctl cluster maintenance Cluster-1 --restore --max-down 2
  --each "sleep S"``;
- the serial loop vmcctl offered before: per host ``host maintenance enter
  --evacuate``, ``sleep S``, ``host maintenance exit --restore``.

Prints relocations of both (from the simulator's audit) against the lower
bound (2 per powered-on VM), both wall times and their ratio, and the time
to plan a 32-host / 640-VM window. Goals: relocations = bound, window /
serial <= 0.5, planning <= 2 s. Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from vmcctl.placement.rolling import WindowOptions, plan_window
from vmcctl.sim.generate import generate_inventory
from vmcctl.sim.inventory import InventorySpec
from vmcctl.sim.offline import inventory_from_spec
from vmcctl.sim.server import SimEndpoint, SimServer

LOAD_SCALE = 0.55  # the generator's VMs fill 40-50 % of a host; this brings hosts near 30 %


def scaled(doc: dict[str, Any], factor: float) -> dict[str, Any]:
    for vm in doc["vms"]:
        vm["cpu_usage_mhz"] = max(1, int(vm["cpu_usage_mhz"] * factor))
        vm["memory_usage_gb"] = max(0.01, round(vm["memory_usage_gb"] * factor, 2))
    return doc


def spec(hosts: int, vms: int, seed: int) -> InventorySpec:
    return InventorySpec.model_validate(scaled(generate_inventory(hosts, vms, 2, seed=seed),
                                               LOAD_SCALE))


def _env(ep: SimEndpoint) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VMCCTL_", "GOVC_"))}
    env.update({"VMCCTL_URL": ep.url, "VMCCTL_USERNAME": ep.username,
                "VMCCTL_PASSWORD": ep.password})
    if ep.cert_file is not None:
        env["VMCCTL_CA_FILE"] = str(ep.cert_file)
    return env


def _vmcctl(env: dict[str, str], cwd: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "vmcctl", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"vmcctl {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")


def _relocations(ep: SimEndpoint) -> int:
    return len(ep.control.relocations())


def run_window(inv: InventorySpec, args: argparse.Namespace) -> tuple[float, int]:
    with SimServer(inv, time_scale=args.time_scale) as ep, \
            tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        _vmcctl(_env(ep), Path(tmp), "cluster", "maintenance", "Cluster-1", "--restore",
                "--max-down", str(args.max_down), "--each", f"sleep {args.sleep}")
        return time.perf_counter() - start, _relocations(ep)


def run_serial(inv: InventorySpec, args: argparse.Namespace) -> tuple[float, int]:
    hosts = [h.name for c in inv.clusters for h in c.hosts]
    with SimServer(inv, time_scale=args.time_scale) as ep, \
            tempfile.TemporaryDirectory() as tmp:
        env = _env(ep)
        start = time.perf_counter()
        for host in hosts:
            _vmcctl(env, Path(tmp), "host", "maintenance", "enter", host, "--evacuate")
            subprocess.run(["sleep", str(args.sleep)], check=True)
            _vmcctl(env, Path(tmp), "host", "maintenance", "exit", host, "--restore")
        return time.perf_counter() - start, _relocations(ep)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sleep", type=float, default=3.0)
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--max-down", type=int, default=2)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)

    inv = spec(8, 80, args.seed)
    offline = inventory_from_spec(inv)
    cluster = offline.clusters[0]
    load = sum(h.cpu_pct for h in offline.hosts) / len(offline.hosts)
    mem = sum(h.memory_pct for h in offline.hosts) / len(offline.hosts)
    plan = plan_window(offline, cluster.moid, list(cluster.host_moids),
                       WindowOptions(max_down=args.max_down, restore=True))
    print(f"cluster: 8 hosts, 80 VMs, 2 fault domains, CPU {load:.0f} %, memory {mem:.0f} %")
    print(f"plan: {len(plan.steps)} steps ({'overlapped' if plan.overlap else 'serial'}), "
          f"{plan.relocations} relocations, lower bound {plan.lower_bound}")

    window_s, window_moves = run_window(inv, args)
    serial_s, serial_moves = run_serial(inv, args)
    print(f"window: {window_s:.1f} s, {window_moves} relocations "
          f"({window_moves / plan.lower_bound:.2f}x the lower bound)")
    print(f"serial loop: {serial_s:.1f} s, {serial_moves} relocations")
    print(f"window / serial wall time: {window_s / serial_s:.2f}")

    big = spec(32, 640, args.seed)
    big_inv = inventory_from_spec(big)
    big_cluster = big_inv.clusters[0]
    start = time.perf_counter()
    big_plan = plan_window(big_inv, big_cluster.moid, list(big_cluster.host_moids),
                           WindowOptions(max_down=args.max_down, restore=True))
    planning = time.perf_counter() - start
    print(f"planning 32 hosts / 640 VMs: {planning:.2f} s ({big_plan.relocations} "
          f"relocations, lower bound {big_plan.lower_bound}, "
          f"{len(big_cluster.host_moids)} hosts in the cluster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
