"""make fleet-demo: the fleet playbook on four simulators, in parallel and one after another.

    python playbooks/ansible/fleet_demo.py [--vcenters 4] [--hosts 6] [--vms 40]
                                           [--time-scale 3] [--keep]

1. Generates one inventory per vCenter (``generate_inventory`` with its own
   seed) with its own user name and a random password, and picks on each a
   host the advisor (offline) can empty completely, with about the same
   longest vMotion on every vCenter (the same work, so that parallel and
   sequential compare); starts a simulator per inventory.
2. Writes an Ansible inventory (0600: it holds the passwords) with one host
   per vCenter, ``connection: local``.
3. Runs ``fleet-maintenance.yml`` with ``--forks N`` (parallel), checks every
   simulator, then runs it again with ``--forks 1`` (the same work, one
   vCenter after another) and checks again. The check: every VM is on the
   host it started on (read from the simulator's inventory) and the audit of
   the run shows each moved VM relocated exactly twice (out and home), one
   EnterMaintenanceMode_Task and one ExitMaintenanceMode_Task on the host.
4. Prints the wall times and their ratio (goal: parallel <= 0.4 x sequential),
   writes ``fleet-demo.json`` into the work folder, stops the simulators.

Exit 0 when both runs passed their checks and the goal was met, else 1.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from vmcctl.placement.evacuation import plan_evacuation
from vmcctl.sim.generate import generate_inventory
from vmcctl.sim.inventory import InventorySpec, parse_inventory
from vmcctl.sim.offline import inventory_from_spec
from vmcctl.sim.server import SimEndpoint, SimServer

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PLAYBOOK = HERE / "fleet-maintenance.yml"
GOAL = 0.4


@dataclass
class VCenter:
    name: str
    spec: InventorySpec
    host: str  # the host each run evacuates
    planned_moves: int
    server: SimServer | None = None
    endpoint: SimEndpoint | None = None
    audit_mark: int = 0

    @property
    def homes(self) -> dict[str, str]:
        return {vm.name: vm.host for vm in self.spec.vms}


@dataclass
class RunResult:
    label: str
    forks: int
    seconds: float
    code: int
    problems: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    host: str
    moves: int
    seconds: float  # the longest planned vMotion: the evacuation's makespan, about


def make_spec(index: int, hosts: int, vms: int) -> InventorySpec:
    doc = generate_inventory(hosts, vms, 2, seed=100 + index)
    doc["credentials"] = {"username": f"fleet-admin-{index + 1}",
                          "password": secrets.token_urlsafe(18)}
    return parse_inventory(doc)


def candidates(spec: InventorySpec) -> list[Candidate]:
    """Hosts the advisor can empty completely (offline), with their longest move."""
    inv = inventory_from_spec(spec)
    memory = {vm.name: vm.memory_gb for vm in spec.vms}
    model = spec.migration
    found = []
    for h in sorted(inv.hosts, key=lambda h: h.name):
        plan = plan_evacuation(inv, h.name)
        if plan.error() is None and plan.moves:
            longest = max(model.seconds(memory[m.vm]) for m in plan.moves)
            found.append(Candidate(h.name, len(plan.moves), longest))
    return found


def make_fleet(count: int, hosts: int, vms: int) -> list[VCenter]:
    """Generated vCenters, each evacuating the host whose makespan is nearest the median.

    The same work on every vCenter makes "in parallel" and "one after another"
    comparable: one vCenter with a 256 GB VM would otherwise set the parallel
    time alone.
    """
    specs = [make_spec(i, hosts, vms) for i in range(count)]
    options = [candidates(spec) for spec in specs]
    if not all(options):
        raise SystemExit("a generated vCenter has no host the advisor can empty")
    seconds = sorted(c.seconds for found in options for c in found)
    median = seconds[len(seconds) // 2]
    fleet = []
    for i, (spec, found) in enumerate(zip(specs, options, strict=True)):
        pick = min(found, key=lambda c: (abs(c.seconds - median), -c.moves, c.host))
        fleet.append(VCenter(f"vc{i + 1}", spec, pick.host, pick.moves))
    return fleet


def write_inventory(fleet: list[VCenter], path: Path) -> None:
    hosts: dict[str, Any] = {}
    for vc in fleet:
        assert vc.endpoint is not None
        hosts[vc.name] = {
            "vcenter_url": vc.endpoint.url, "vcenter_username": vc.endpoint.username,
            "vcenter_password": vc.endpoint.password,
            "vcenter_ca_file": str(vc.endpoint.cert_file), "maintenance_host": vc.host}
    doc = {"vcenters": {"vars": {"ansible_connection": "local",
                                 "ansible_python_interpreter": sys.executable},
                        "hosts": hosts}}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)


def placement(endpoint: SimEndpoint) -> tuple[dict[str, str], set[str]]:
    """{VM: host name} and the hosts in maintenance mode, read with pyVmomi itself."""
    si = SmartConnect(host=endpoint.host, port=endpoint.port, user=endpoint.username,
                      pwd=endpoint.password, sslContext=endpoint.ssl_context())
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder,
                                                       [vim.HostSystem], True)
        in_maintenance = {h.name for h in view.view if h.runtime.inMaintenanceMode}
        where = {vm.name: host.name for host in view.view for vm in host.vm}
        view.Destroy()
        return where, in_maintenance
    finally:
        Disconnect(si)


def check(vc: VCenter) -> tuple[list[str], int]:
    """Every VM home (inventory) and the run's audit: two relocations per moved VM."""
    assert vc.endpoint is not None
    problems: list[str] = []
    where, in_maintenance = placement(vc.endpoint)
    for vm, home in sorted(vc.homes.items()):
        if where.get(vm) != home:
            problems.append(f"{vc.name}: {vm} is on {where.get(vm)}, not {home}")
    if vc.host in in_maintenance:
        problems.append(f"{vc.name}: {vc.host} is still in maintenance mode")
    audit = vc.endpoint.control.audit()[vc.audit_mark:]
    vc.audit_mark += len(audit)
    relocations = Counter(e["target"]["name"] for e in audit
                          if e["method"] == "RelocateVM_Task" and e.get("result") == "success")
    odd = {vm: n for vm, n in relocations.items() if n != 2}
    if odd:
        problems.append(f"{vc.name}: VMs not moved exactly twice (out and home): {odd}")
    if not relocations:
        problems.append(f"{vc.name}: nothing was moved")
    for method in ("EnterMaintenanceMode_Task", "ExitMaintenanceMode_Task"):
        calls = [e for e in audit if e["method"] == method and e["target"]["name"] == vc.host]
        if len(calls) != 1:
            problems.append(f"{vc.name}: {len(calls)} {method} calls on {vc.host}, not 1")
    return problems, len(relocations)


def run_playbook(inventory: Path, journals: Path, forks: int, log: Path) -> tuple[int, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VMCCTL_", "GOVC_"))}
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(REPO), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_HOME": str(journals / ".ansible")})
    ansible = Path(sys.executable).parent / "ansible-playbook"
    cmd = [str(ansible), "-i", str(inventory), str(PLAYBOOK), "--forks", str(forks),
           "-e", f"fleet_journal_root={journals}"]
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    return proc.returncode, time.monotonic() - start


def one_run(label: str, fleet: list[VCenter], inventory: Path, work: Path,
            forks: int) -> RunResult:
    print(f"\n== {label}: ansible-playbook --forks {forks} on {len(fleet)} vCenters", flush=True)
    code, seconds = run_playbook(inventory, work / f"journals-{label}", forks,
                                 work / f"ansible-{label}.log")
    result = RunResult(label, forks, seconds, code)
    if code != 0:
        result.problems.append(f"ansible-playbook exited {code} (see {work}/ansible-{label}.log)")
    for vc in fleet:
        problems, moved = check(vc)
        result.problems.extend(problems)
        result.moved[vc.name] = moved
    verdict = "all VMs home" if not result.problems else "; ".join(result.problems)
    print(f"   wall {seconds:.1f} s; moved and brought home: "
          + ", ".join(f"{k} {v}" for k, v in result.moved.items()) + f"; {verdict}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vcenters", type=int, default=4)
    parser.add_argument("--hosts", type=int, default=6, help="hosts per vCenter")
    parser.add_argument("--vms", type=int, default=40, help="VMs per vCenter")
    parser.add_argument("--time-scale", type=float, default=3.0,
                        help="simulated vMotions run this many times faster than modelled")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (inventory, journals, logs)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="vmcctl-fleet-"))
    fleet = make_fleet(args.vcenters, args.hosts, args.vms)
    try:
        for vc in fleet:
            vc.server = SimServer(vc.spec, time_scale=args.time_scale)
            vc.endpoint = vc.server.start()
            vc.audit_mark = len(vc.endpoint.control.audit())
            print(f"{vc.name}: {vc.endpoint.url} as {vc.endpoint.username}, "
                  f"{len(vc.spec.hosts)} hosts, {len(vc.spec.vms)} VMs; evacuating {vc.host} "
                  f"({vc.planned_moves} VMs planned)", flush=True)
        inventory = work / "fleet-inventory.yml"
        write_inventory(fleet, inventory)
        parallel = one_run("parallel", fleet, inventory, work, forks=len(fleet))
        sequential = one_run("sequential", fleet, inventory, work, forks=1)
    finally:
        for vc in fleet:
            if vc.server is not None:
                vc.server.stop()
    ratio = parallel.seconds / sequential.seconds
    met = ratio <= GOAL
    print(f"\nparallel {parallel.seconds:.1f} s vs sequential {sequential.seconds:.1f} s: "
          f"{ratio:.2f}x (goal <= {GOAL}x: {'met' if met else 'MISSED'})")
    summary = {"vcenters": len(fleet), "hosts_per_vcenter": args.hosts,
               "vms_per_vcenter": args.vms, "time_scale": args.time_scale,
               "runs": [{"label": r.label, "forks": r.forks, "seconds": round(r.seconds, 2),
                         "exit_code": r.code, "moved": r.moved, "problems": r.problems}
                        for r in (parallel, sequential)],
               "ratio": round(ratio, 3), "goal": GOAL}
    (work / "fleet-demo.json").write_text(json.dumps(summary, indent=2))
    ok = met and not parallel.problems and not sequential.problems
    if args.keep or not ok:
        print(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
