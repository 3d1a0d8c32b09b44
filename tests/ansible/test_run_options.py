"""The acting modules take what the command line takes: a context, vCenter's checks, the
maintenance spec, --partial, the continuity gate and the event stream.

One small simulator: h1 holds ``app`` (movable), ``gpu`` (a passthrough device:
vCenter would refuse to move it) and ``off`` (powered off); h2 and h3 are empty.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_fixtures import Play
from events_check import read, validate
from small_inventory import host as _host
from small_inventory import vm as _vm

pytestmark = [pytest.mark.sim, pytest.mark.slow, pytest.mark.timeout(240),
              pytest.mark.vmcctl_sim("its own inventory, users and audit")]

USER, SECRET = "ansible-ctx", "Ansible-Ctx-Secret-2071"


INVENTORY = {
    "credentials": {"username": USER, "password": SECRET},
    "clusters": [{"name": "C1", "hosts": [_host("h1"), _host("h2"), _host("h3")]}],
    "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
    "vms": [_vm("app"), _vm("gpu", devices=["passthrough"]), _vm("off", power="off")],
}


def _lab(vcsim_factory: Any, tmp_path: Path,
         inventory: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """A simulator, and the environment of a config file whose context ``lab`` points at
    it, its password from a ``password_cmd`` that does not contain it."""
    sim = vcsim_factory(inventory, time_scale=50)
    vault = tmp_path / "vault.txt"
    vault.write_text(SECRET + "\n", encoding="utf-8")
    script = tmp_path / "get-password.py"
    script.write_text(f"print(open({str(vault)!r}).read().strip())\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"contexts": {"lab": {
        "url": sim.url, "username": USER, "ca_file": str(sim.cert_file),
        "password_cmd": shlex.join([sys.executable, str(script)])}}}), encoding="utf-8")
    config.chmod(0o600)
    return sim, {"VMCCTL_CONFIG": str(config)}


@pytest.fixture
def lab(vcsim_factory: Any, tmp_path: Path) -> tuple[Any, dict[str, str]]:
    return _lab(vcsim_factory, tmp_path, INVENTORY)


def _calls(sim: Any, method: str) -> list[dict[str, Any]]:
    return [c for c in sim.control.calls() if c["method"] == method]


def test_a_stuck_vm_stops_the_evacuation_before_anything_moves_then_partial_moves_the_rest(
        lab: tuple[Any, dict[str, str]], play: Play, tmp_path: Path) -> None:
    sim, env = lab
    task = {"host": "h1", "maintenance": True, "context": "lab",
            "journal_dir": str(tmp_path)}
    run = play([{"vmcctl.vsphere.host_evacuate": task, "register": "out",
                 "ignore_errors": True},
                {"vmcctl.vsphere.host_evacuate": {**task, "partial": True,
                                                  "events": str(tmp_path / "e.jsonl")},
                 "register": "partial", "ignore_errors": True}],
               env=env, args=("-vvv",), registered=("out", "partial"))
    assert run.code == 0, run.output
    out, partial = run["out"], run["partial"]
    assert out["failed"] is True and "gpu" in out["msg"] and "passthrough" in out["msg"]
    # the second run moved app and nothing else, and never entered maintenance
    [moved] = [e for e in sim.control.relocations() if e.get("result") == "success"]
    assert moved["target"]["name"] == "app"
    assert _calls(sim, "EnterMaintenanceMode_Task") == []
    assert partial["failed"] is True and partial["maintenance"] != "entered"
    assert {m["vm"]: m["state"] for m in partial["moves"]}["app"] == "done"
    lines = read(tmp_path / "e.jsonl")
    validate(lines)
    assert lines[0]["command"] == "host evacuate"
    assert lines[-1]["status"] == "failed"
    assert [e["vm"] for e in lines if e["type"] == "move.done"] == ["app"]
    assert SECRET not in run.output  # -vvv: the password_cmd's answer is never shown


def test_cluster_maintenance_sends_the_vsan_mode_and_consults_the_gate(
        vcsim_factory: Any, play: Play, tmp_path: Path) -> None:
    movable = {**INVENTORY, "vms": [_vm("app"), _vm("off", power="off")]}
    sim, env = _lab(vcsim_factory, tmp_path, movable)
    probe = tmp_path / "gate-checked"
    task = {"cluster": "C1", "hosts": ["h1"], "context": "lab", "restore": True,
            "vsan_mode": "evacuate-all", "evacuate_powered_off": True,
            "gate_cmd": [f"touch {shlex.quote(str(probe))}"],
            "journal": str(tmp_path / "window.json"), "events": str(tmp_path / "w.jsonl")}
    run = play([{"vmcctl.vsphere.cluster_maintenance": task, "register": "out"}],
               env=env, registered=("out",))
    assert run.code == 0, run.output
    assert run["out"]["ok"] is True
    [entered] = _calls(sim, "EnterMaintenanceMode_Task")
    assert entered["args"]["vsanMode"] == "evacuateAllData"
    assert entered["args"]["evacuatePoweredOffVms"] is True
    assert probe.exists()  # the gate was asked before app left (and before it came home)
    assert [e["target"]["name"] for e in sim.control.relocations()] == ["app", "app"]
    lines = read(tmp_path / "w.jsonl")
    validate(lines)
    assert lines[0]["command"] == "cluster maintenance" and lines[-1]["status"] == "ok"


def test_bad_options_fail_before_anything_and_the_events_say_error_2(
        lab: tuple[Any, dict[str, str]], play: Play, tmp_path: Path) -> None:
    sim, env = lab
    window = {"cluster": "C1", "hosts": ["h2"], "context": "lab",
              "journal": str(tmp_path / "window.json")}
    run = play([
        {"vmcctl.vsphere.cluster_maintenance": {
            **window, "vsan_mode": "evacuate-everything", "events": str(tmp_path / "e.jsonl")},
         "register": "vsan", "ignore_errors": True},
        {"vmcctl.vsphere.cluster_maintenance": {**window, "gate_cmd": ["true"],
                                                "gate_interval": 0},
         "register": "gate", "ignore_errors": True},
        {"vmcctl.vsphere.host_evacuate": {"host": "h1", "context": "lab",
                                          "hostname": "vcenter.example"},
         "register": "both", "ignore_errors": True},
        {"vmcctl.vsphere.host_evacuate": {"host": "h1", "context": "lab",
                                          "vsan_mode": "no-action"},
         "register": "vsan_alone", "ignore_errors": True},
    ], env=env, registered=("vsan", "gate", "both", "vsan_alone"))
    assert run.code == 0, run.output
    vsan, gate, both, alone = (run[k] for k in ("vsan", "gate", "both", "vsan_alone"))
    assert vsan["failed"] is True and "evacuate-everything" in vsan["msg"]
    assert vsan["exit_code"] == 2
    lines = read(tmp_path / "e.jsonl")
    validate(lines)
    assert (lines[-1]["status"], lines[-1]["exit_code"]) == ("error", 2)  # as the CLI's
    assert gate["failed"] is True and "gate_interval" in gate["msg"]
    assert both["failed"] is True and "mutually exclusive" in both["msg"]
    assert alone["failed"] is True and "maintenance: true" in alone["msg"]
    assert sim.control.calls() == []  # nothing changed in vCenter (log-ins aside)
