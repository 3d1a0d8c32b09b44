"""The advise and migrate modules, run by ansible-playbook against a seed simulator.

One simulator serves the whole module (``fleet_sim``); a test that moves a
VM brings it back, so the order of the tests does not matter.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from ansible_fixtures import BIN, REPO, Play, ansible_env, connection_vars

# ansible-playbook runs and simulators: longer than the suite's 60 s per-test bound
pytestmark = [pytest.mark.sim, pytest.mark.slow, pytest.mark.timeout(240)]

ML = "ML-cpu-vm-04"
HOME, AWAY = "10.94.24.70", "10.94.24.85"
COLLECTION = REPO / "ansible_collections" / "vmcctl" / "vsphere"
MODULES = sorted(p.stem for p in (COLLECTION / "plugins" / "modules").glob("*.py")
                 if not p.name.startswith("_"))
CONNECTION_OPTIONS = {"hostname", "port", "username", "password", "validate_certs", "ca_file"}


def host_of(sim: Any, vm: str) -> str:
    """Where the simulator says ``vm`` is now (read through pyVmomi, not the module)."""
    from pyVmomi import vim

    content = sim.connect().RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        return str(next(v.runtime.host.name for v in view.view if v.name == vm))
    finally:
        view.Destroy()


def test_every_module_has_documentation_ansible_doc_can_read(tmp_path: Any) -> None:
    assert {"advise", "migrate"} <= set(MODULES)
    proc = subprocess.run([str(BIN / "ansible-doc"), "--json",
                           *(f"vmcctl.vsphere.{m}" for m in MODULES)],
                          env=ansible_env(tmp_path), capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert sorted(docs) == [f"vmcctl.vsphere.{m}" for m in MODULES]
    for name, doc in docs.items():
        options = doc["doc"]["options"]
        assert set(options) >= CONNECTION_OPTIONS, name
        assert options["validate_certs"]["default"] is True, name
        assert doc["examples"].strip() and doc["return"], name
        assert "vmcctl" in doc["doc"]["requirements"], name


def test_advise_ranks_other_fault_domain_and_explains_rejections(fleet_sim: Any,
                                                                  play: Play) -> None:
    run = play([{"vmcctl.vsphere.advise": {"vm": ML, "fault_domain": "other", "top": 3},
                 "register": "advice"}], sim=fleet_sim, registered=("advice",))
    assert run.code == 0, run.output
    advice = run["advice"]
    assert advice["changed"] is False
    assert advice["best"] == AWAY
    assert len(advice["candidates"]) == 3
    assert {c["fault_domain"] for c in advice["candidates"]} == {"us-west-2a"}
    assert sorted(advice["rejected_by_reason"]["same fault domain"]) == [
        HOME, "10.94.24.71", "10.94.24.72", "10.94.24.73"]
    assert fleet_sim.control.relocations() == []


def test_advise_with_no_qualifying_host_fails_naming_the_constraint(fleet_sim: Any,
                                                                    play: Play) -> None:
    run = play([{"vmcctl.vsphere.advise": {"vm": "licensed-app-01"}, "register": "advice"}],
               sim=fleet_sim, registered=("advice",))
    assert run.code == 2
    advice = run["advice"]
    assert advice["failed"] is True and advice["error"] == "NoPlacementError"
    assert "no host qualifies for licensed-app-01" in advice["msg"]
    assert advice["candidates"] == [] and advice["rejected"]


def test_migrate_check_mode_submits_nothing_and_diff_shows_the_placement(
        fleet_sim: Any, play: Play) -> None:
    run = play([{"vmcctl.vsphere.migrate": {"vm": ML, "fault_domain": "other",
                                            "priority": "high"}, "register": "plan"}],
               sim=fleet_sim, args=("--check", "--diff"), registered=("plan",))
    assert run.code == 0, run.output
    plan = run["plan"]
    assert plan["changed"] is True and plan["dry_run"] is True
    assert (plan["source"], plan["target"]) == (HOME, AWAY)
    assert plan["submit"]["priority"] == "highPriority"
    assert "advisor" in plan
    assert f"-{ML}: {HOME}" in run.output and f"+{ML}: {AWAY}" in run.output
    assert fleet_sim.control.relocations() == []
    assert host_of(fleet_sim, ML) == HOME


def test_migrate_moves_then_is_unchanged_then_goes_home(fleet_sim: Any, play: Play) -> None:
    move = {"vmcctl.vsphere.migrate": {"vm": ML, "host": AWAY, "priority": "high"}}
    run = play([{**move, "register": "first"}, {**move, "register": "again"},
                {"vmcctl.vsphere.migrate": {"vm": ML, "host": HOME}, "register": "home"}],
               sim=fleet_sim, registered=("first", "again", "home"))
    assert run.code == 0, run.output
    first, again, home = run["first"], run["again"], run["home"]
    assert first["changed"] is True and first["verified"] is True
    # the keys of `vmcctl migrate --output json`
    assert {"vm", "source", "target", "source_fault_domain", "target_fault_domain", "priority",
            "task", "state", "seconds", "verified", "cold"} <= set(first)
    assert (first["source"], first["target"], first["state"]) == (HOME, AWAY, "success")
    assert again["changed"] is False and again["state"] == "already-there"
    assert home["changed"] is True and home["target"] == HOME
    relocations = fleet_sim.control.relocations(ML)
    assert len(relocations) == 2  # the unchanged run submitted nothing
    assert relocations[0]["args"]["priority"] == "highPriority"
    assert host_of(fleet_sim, ML) == HOME


def test_failing_move_fails_the_task_with_vmcctls_message(fleet_sim: Any, play: Play) -> None:
    vm = "ML-cpu-vm-01"
    fleet_sim.control.add_fault({"vm": vm, "method": "RelocateVM_Task",
                                 "fault": "MigrationFault", "at_progress": 30,
                                 "message": "injected: vMotion network dropped"})
    run = play([{"vmcctl.vsphere.migrate": {"vm": vm, "host": AWAY}, "register": "moved"}],
               sim=fleet_sim, registered=("moved",))
    assert run.code == 2, run.output  # ansible-playbook: a task failed
    moved = run["moved"]
    assert moved["failed"] is True and moved["changed"] is False
    assert moved["msg"] == ("MigrationFault: injected: vMotion network dropped; "
                            f"{vm} is on {HOME}")
    assert (moved["fault"], moved["current_host"], moved["state"]) == (
        "MigrationFault", HOME, "error")
    assert f"Module failed: {moved['msg']}" in run.output
    assert host_of(fleet_sim, vm) == HOME


def test_password_never_appears_at_vvv(fleet_sim: Any, play: Play) -> None:
    """From module_defaults, from the controller's environment, and in a refused login.

    (The ``environment:`` task keyword is no place for a password: ansible
    prints it on the module's command line at -vvv; docs/scale.md says so.)
    """
    env = {"VMCCTL_URL": fleet_sim.url, "VMCCTL_USERNAME": fleet_sim.username,
           "VMCCTL_PASSWORD": fleet_sim.password, "VMCCTL_CA_FILE": str(fleet_sim.cert_file)}
    given = {**connection_vars(fleet_sim), "password": "{{ vc_password }}"}
    wrong = "Wrong-Pw-7fz2k"
    run = play([
        {"vmcctl.vsphere.advise": {"vm": ML, **given}, "register": "from_options"},
        {"vmcctl.vsphere.migrate": {"vm": ML, "host": AWAY}, "check_mode": True,
         "register": "from_env"},
        {"vmcctl.vsphere.advise": {"vm": ML, **given, "password": wrong}, "register": "refused",
         "ignore_errors": True},
    ], args=("-vvv",), env=env, play_vars={"vc_password": fleet_sim.password},
        registered=("from_options", "from_env", "refused"))
    assert run.code == 0, run.output
    assert run["from_options"]["best"]
    assert run["from_env"]["target"] == AWAY  # logged in with the VMCCTL_* variables alone
    assert run["refused"]["error"] == "AuthenticationError"
    assert "module_args" in run.output  # -vvv really showed the invocations
    for secret in (fleet_sim.password, wrong):
        assert secret not in run.output
        assert secret.lower() not in run.output.lower()


def test_missing_vmcctl_is_reported_as_a_missing_library(fleet_sim: Any, play: Play) -> None:
    """A Python without vmcctl/pyVmomi (the system one) gets missing_required_lib."""
    probe = subprocess.run(["/usr/bin/python3", "-c", "import pyVmomi"], capture_output=True,
                           check=False)
    if probe.returncode == 0:
        pytest.skip("the system Python has pyVmomi; no interpreter without it here")
    run = play([{"vmcctl.vsphere.advise": {"vm": ML}, "register": "advice"}], sim=fleet_sim,
               play_vars={"ansible_python_interpreter": "/usr/bin/python3"},
               registered=("advice",))
    assert run.code == 2
    assert "Failed to import the required Python library (pyVmomi)" in run["advice"]["msg"]


def test_connection_options_are_community_vmware_names(fleet_sim: Any, play: Play) -> None:
    """hostname + port for a bare address, validate_certs false without a CA file."""
    conn = connection_vars(fleet_sim)
    run = play([{"vmcctl.vsphere.advise": {
        "vm": ML, "hostname": fleet_sim.host, "port": fleet_sim.port,
        "username": conn["username"], "password": "{{ pw }}", "validate_certs": False},
        "register": "advice"}], play_vars={"pw": conn["password"]}, registered=("advice",))
    assert run.code == 0, run.output
    assert run["advice"]["best"] == AWAY
