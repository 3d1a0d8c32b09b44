"""host_evacuate and host_restore through ansible-playbook, and the fleet playbook.

The seed simulator of ``fleet_sim`` serves this module; 10.94.24.73 holds one
VM (ML-cpu-vm-02) and 10.94.24.70 five (one powered off, two tied by an
affinity rule).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_fixtures import BIN, REPO, Play, ansible_env

from vmcctl.sim.generate import generate_inventory
from vmcctl.sim.inventory import parse_inventory
from vmcctl.sim.server import SimServer

# ansible-playbook runs and simulators: longer than the suite's 60 s per-test bound
pytestmark = [pytest.mark.sim, pytest.mark.slow, pytest.mark.timeout(240)]

PLAYBOOK = REPO / "playbooks" / "ansible" / "fleet-maintenance.yml"


def changes(sim: Any, since: int) -> list[dict[str, Any]]:
    """The audit's entries after ``since`` that change something (log-ins are audited too)."""
    return [e for e in sim.control.audit()[since:] if e["method"] not in ("Login", "Logout")]


def relocations_by_vm(sim: Any, since: int) -> Counter[str]:
    return Counter(e["target"]["name"] for e in sim.control.audit()[since:]
                   if e["method"] == "RelocateVM_Task" and e.get("result") == "success")


def test_evacuate_check_mode_plans_writes_no_journal_moves_nothing(
        fleet_sim: Any, play: Play, tmp_path: Path) -> None:
    mark = len(fleet_sim.control.audit())
    journals = tmp_path / "journals"
    journals.mkdir()
    run = play([{"vmcctl.vsphere.host_evacuate": {
        "host": "10.94.24.73", "maintenance": True, "journal_dir": str(journals)},
        "register": "plan"}], sim=fleet_sim, args=("--check", "--diff"), registered=("plan",))
    assert run.code == 0, run.output
    plan = run["plan"]
    assert plan["changed"] is True and plan["dry_run"] is True
    assert [m["vm"] for m in plan["plan"]["actions"] if m["action"] == "move"] == [
        "ML-cpu-vm-02"]
    assert "-ML-cpu-vm-02: 10.94.24.73" in run.output
    assert changes(fleet_sim, mark) == []
    assert list(journals.iterdir()) == []


def test_evacuate_into_maintenance_then_restore_brings_every_vm_home(
        fleet_sim: Any, play: Play, tmp_path: Path) -> None:
    mark = len(fleet_sim.control.audit())
    where = {"journal_dir": str(tmp_path)}
    run = play([
        {"vmcctl.vsphere.host_evacuate": {"host": "10.94.24.70", "maintenance": True,
                                          "max_parallel": 2, "priority": "high", **where},
         "register": "out"},
        {"vmcctl.vsphere.host_restore": {"host": "10.94.24.70", "exit_maintenance": True,
                                         **where}, "register": "home"},
        {"vmcctl.vsphere.host_restore": {"host": "10.94.24.70", "exit_maintenance": True,
                                         **where}, "register": "again"},
    ], sim=fleet_sim, args=("--diff",), registered=("out", "home", "again"))
    assert run.code == 0, run.output
    out, home, again = run["out"], run["home"], run["again"]
    moved = {m["vm"] for m in out["moves"] if m["state"] == "done"}
    assert moved == {"ML-cpu-vm-04", "ML-cpu-vm-01", "web-01", "cache-01"}  # jump-01 is off
    assert out["changed"] is True and out["ok"] is True and out["maintenance"] == "entered"
    assert Path(out["journal"]).parent == tmp_path
    assert home["changed"] is True and home["maintenance"] == "exited"
    assert {m["vm"] for m in home["restore"]["moves"] if m["state"] == "done"} == moved
    assert again["changed"] is False and again["maintenance"] == "unchanged"
    audit = changes(fleet_sim, mark)
    assert relocations_by_vm(fleet_sim, mark) == {vm: 2 for vm in moved}
    assert [e["method"] for e in audit if "Maintenance" in e["method"]] == [
        "EnterMaintenanceMode_Task", "ExitMaintenanceMode_Task"]
    assert all(e["args"]["priority"] == "highPriority" for e in audit
               if e["method"] == "RelocateVM_Task" and e["args"]["source"] == "10.94.24.70")


def test_failed_evacuation_fails_the_task_and_restore_brings_the_moved_ones_back(
        fleet_sim: Any, play: Play, tmp_path: Path) -> None:
    mark = len(fleet_sim.control.audit())
    fleet_sim.control.add_fault({"vm": "ML-cpu-vm-01", "method": "RelocateVM_Task",
                                 "fault": "MigrationFault", "at_progress": 20, "times": 9,
                                 "message": "injected: vMotion network dropped"})
    where = {"host": "10.94.24.70", "journal_dir": str(tmp_path)}
    run = play([
        {"vmcctl.vsphere.host_evacuate": {**where, "maintenance": True}, "register": "out",
         "ignore_errors": True},
        {"vmcctl.vsphere.host_restore": where, "register": "home"},
    ], sim=fleet_sim, registered=("out", "home"))
    assert run.code == 0, run.output
    out, home = run["out"], run["home"]
    assert out["failed"] is True and out["error"] == "EvacuationError"
    assert "ML-cpu-vm-01" in out["msg"] and "10.94.24.70" in out["msg"]
    assert out["maintenance"] != "entered"
    states = {m["vm"]: m["state"] for m in out["moves"]}
    assert states["ML-cpu-vm-01"] == "failed"
    assert out["changed"] is True  # the other VMs did move
    back = {m["vm"] for m in home["moves"] if m["state"] == "done"}
    assert back == {vm for vm, s in states.items() if s == "done"}
    assert all(n == 2 for n in relocations_by_vm(fleet_sim, mark).values())


def test_fleet_playbook_two_vcenters_in_parallel_every_vm_home(tmp_path: Path) -> None:
    """The shipped playbook on two generated simulators with their own credentials."""
    servers, hosts, homes = [], {}, {}
    try:
        for i in (1, 2):
            doc = generate_inventory(4, 12, 2, seed=7 + i)
            doc["credentials"] = {"username": f"fleet-{i}", "password": f"Fleet-{i}-pw-x8q"}
            for cluster in doc["clusters"]:
                cluster["rules"] = []  # nothing pinned: every VM of the host can leave
            spec = parse_inventory(doc)
            server = SimServer(spec, time_scale=20)
            servers.append(server)
            ep = server.start()
            busy = Counter(vm.host for vm in spec.vms if vm.power == "on").most_common(1)[0][0]
            hosts[f"vc{i}"] = {"vcenter_url": ep.url, "vcenter_username": ep.username,
                               "vcenter_password": ep.password,
                               "vcenter_ca_file": str(ep.cert_file), "maintenance_host": busy}
            homes[f"vc{i}"] = (ep, {vm.name: vm.host for vm in spec.vms})
        inventory = tmp_path / "fleet.yml"
        inventory.write_text(yaml.safe_dump({"vcenters": {
            "vars": {"ansible_connection": "local",
                     "ansible_python_interpreter": str(BIN / "python")},
            "hosts": hosts}}))
        proc = subprocess.run(
            [str(BIN / "ansible-playbook"), "-i", str(inventory), str(PLAYBOOK), "--forks", "2",
             "-e", f"fleet_journal_root={tmp_path / 'journals'}"],
            env=ansible_env(tmp_path / "ansible-home"), capture_output=True, text=True,
            check=False, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        for name, (ep, home) in homes.items():
            assert f"{name}: {hosts[name]['maintenance_host']} emptied" in proc.stdout
            assert ep.password not in proc.stdout + proc.stderr
            audit = ep.control.audit()
            moved = Counter(e["target"]["name"] for e in audit
                            if e["method"] == "RelocateVM_Task" and e["result"] == "success")
            assert moved and all(n == 2 for n in moved.values()), moved
            last = {}
            for e in audit:
                if e["method"] == "RelocateVM_Task" and e["result"] == "success":
                    last[e["target"]["name"]] = e["args"]["host"]
            assert all(last[vm] == home[vm] for vm in moved), last
            journals = sorted(p.name for p in (tmp_path / "journals" / name).iterdir())
            assert any(j.endswith(".restore.json") for j in journals), journals
            assert json.loads(next((tmp_path / "journals" / name).glob(
                "*.restore.json")).read_text())["status"] == "done"
    finally:
        for server in servers:
            server.stop()
