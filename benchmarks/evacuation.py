"""Evacuation benchmark: makespan against the ideal, SOAP calls per migration.

    python -m benchmarks.evacuation [--vms 64] [--targets 8] [--max-per-host 8]
                                    [--max-parallel 8] [--time-scale 4] [--seed 1]

Starts the simulator on an inline inventory: one host with ``--vms`` powered-on
VMs of 4 to 64 GB, ``--targets`` empty hosts (the simulator's own vMotion limit
is 8 per host), the simulator's duration model ``(base_seconds + seconds_per_gb
x memory_gb) / time_scale``. Plans the evacuation with the advisor and runs it
with the executor (limits ``--max-per-host`` / ``--max-parallel``), then prints:

- wall time (executor run: first read to last verification) and the audit's
  makespan (first relocation queued to last one ended, simulator clock);
- the ideal makespan as the lower bound ``max(sum(d) / k, max(d))`` with ``k``
  the slots every move shares (the evacuated host's limit, capped by
  ``--max-parallel``) and, for reference, the makespan of an LPT list schedule
  on ``k`` slots (achievable, so never below the bound);
- SOAP calls per migration beyond RelocateVM_Task itself (everything the run
  sent: re-reads, task filters, waits, verification), and separately the
  planning snapshot's calls.

Goals: wall / ideal <= 1.1, calls per migration <= 3. Not a timed test.
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

from vmcctl.executor.evacuate import run_journal
from vmcctl.executor.prepare import evacuation_journal
from vmcctl.executor.runner import RunOptions
from vmcctl.executor.schedule import Limits
from vmcctl.placement import plan_evacuation
from vmcctl.sim.inventory import parse_inventory
from vmcctl.sim.server import SimServer
from vmcctl.vsphere.connection import connect
from vmcctl.vsphere.settings import resolve_settings
from vmcctl.vsphere.snapshot import take_snapshot

BASE_SECONDS = 2.0
SECONDS_PER_GB = 0.25
SOURCE = "10.1.0.1"


def inventory(vms: int, targets: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    host = {"cpu_cores": 36, "cpu_mhz_per_core": 2300, "memory_gb": 4096, "max_vmotions": 8}
    hosts = [{"name": f"10.1.0.{i + 1}", **host} for i in range(targets + 1)]
    return {
        "clusters": [{"name": "Cluster-1", "hosts": hosts}],
        "datastores": [{"name": "WorkloadDatastore", "capacity_gb": 204800, "free_gb": 100000}],
        "vms": [{"name": f"vm-{i:03d}", "host": SOURCE, "cpus": 2,
                 "memory_gb": rng.choice((4, 8, 16, 24, 32, 48, 64)), "cpu_usage_mhz": 500,
                 "memory_usage_gb": 2, "datastore": "WorkloadDatastore"} for i in range(vms)],
        "migration": {"base_seconds": BASE_SECONDS, "seconds_per_gb": SECONDS_PER_GB},
    }


def lower_bound(durations: list[float], slots: int) -> float:
    return max(sum(durations) / slots, *durations)


def lpt_makespan(durations: list[float], slots: int) -> float:
    heap = [0.0] * slots
    for d in sorted(durations, reverse=True):
        heapq.heappush(heap, heapq.heappop(heap) + d)
    return max(heap)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.evacuation")
    parser.add_argument("--vms", type=int, default=64)
    parser.add_argument("--targets", type=int, default=8)
    parser.add_argument("--max-per-host", type=int, default=8)
    parser.add_argument("--max-parallel", type=int, default=8)
    parser.add_argument("--time-scale", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    spec = parse_inventory(inventory(args.vms, args.targets, args.seed))
    durations = [(BASE_SECONDS + SECONDS_PER_GB * v.memory_gb) / args.time_scale
                 for v in spec.vms]
    slots = min(args.max_per_host, args.max_parallel)
    ideal, lpt = lower_bound(durations, slots), lpt_makespan(durations, slots)
    print(f"{args.vms} VMs on {SOURCE}, {args.targets} targets, limits {args.max_per_host}/host "
          f"and {args.max_parallel} overall, time scale {args.time_scale:g}")
    print(f"modelled durations: {min(durations):.2f}-{max(durations):.2f} s, "
          f"sum {sum(durations):.1f} s")

    server = SimServer(spec, time_scale=args.time_scale)
    endpoint = server.start()
    try:
        settings = resolve_settings(url=endpoint.url, username=endpoint.username,
                                    password=endpoint.password,
                                    ca_file=str(endpoint.cert_file) if endpoint.cert_file
                                    else None, env={})
        with connect(settings) as client, tempfile.TemporaryDirectory() as tmp:
            calls0 = client.soap_calls
            inv = take_snapshot(client)
            plan = plan_evacuation(inv, SOURCE)
            planning_calls = client.soap_calls - calls0
            journal = evacuation_journal(inv, plan, path=Path(tmp) / "journal.json")
            options = RunOptions(limits=Limits(args.max_parallel, args.max_per_host))
            report = run_journal(client, journal, options)
            audit = endpoint.control.relocations()
    finally:
        server.stop()

    if not report.ok:
        print(f"evacuation failed: {report.problem_rows()}", file=sys.stderr)
        return 1
    moves = len(audit)
    audit_span = max(float(r["end"]) for r in audit) - min(float(r["queued_at"]) for r in audit)
    wall = report.outcome.seconds
    extra = (report.outcome.soap_calls - moves) / moves
    print(f"ideal makespan (lower bound max(sum/k, max), k={slots}): {ideal:.2f} s; "
          f"LPT list schedule: {lpt:.2f} s")
    print(f"wall time (executor run): {wall:.2f} s -> {wall / ideal:.3f}x ideal "
          f"(goal <= 1.1); audit makespan {audit_span:.2f} s -> {audit_span / ideal:.3f}x")
    print(f"SOAP calls: {report.outcome.soap_calls} for {moves} migrations -> "
          f"{extra:.2f} per migration beyond RelocateVM_Task (goal <= 3); "
          f"planning snapshot: {planning_calls} calls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
