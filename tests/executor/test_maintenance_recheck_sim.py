"""Maintenance that cannot hang (issue 11, item 4): re-read the host right before
EnterMaintenanceMode_Task; move VMs that appeared, or stop naming them; Ctrl-C
cancels the vCenter task."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from pyVmomi import vim

from vmcctl import ops
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import MoveRecord
from vmcctl.executor.maintenance import in_maintenance
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.snapshot import take_snapshot
from vmcctl.vsphere.tasks import wait_for_task

pytestmark = pytest.mark.sim

HOST = "10.94.24.70"
LATECOMER = "jump-01"  # powered off on HOST in the seed: not part of the plan


def power_on(client: Client, vm_name: str) -> None:
    """Another admin powers a VM on (plain pyVmomi)."""
    vm = vim.VirtualMachine(take_snapshot(client).find_vm(vm_name).moid, client.si._stub)
    wait_for_task(client, vm.PowerOnVM_Task())


class PowerOnDuringMoves(ExecutorEvents):
    def __init__(self, client: Client) -> None:
        self.client = client
        self.done = False

    def move_ended(self, rec: MoveRecord) -> None:
        if not self.done:
            self.done = True
            power_on(self.client, LATECOMER)


@pytest.mark.vmcctl_sim("the seed inventory, and maintenance that waits for VMs")
def test_a_vm_powered_on_during_the_moves_is_moved_too(vcsim_factory: Any, client_for: Any,
                                                       tmp_path: Path) -> None:
    """Defect: the enter task waited forever on a VM powered on meanwhile."""
    sim = vcsim_factory(time_scale=20)
    client = client_for(sim)
    options = ops.EvacuateOptions(maintenance=True, journal=tmp_path / "j.json",
                                  enter_timeout=30)
    report = ops.evacuate_host(client, HOST, options, PowerOnDuringMoves(client_for(sim)))
    assert report.ok, report.to_dict()
    assert report.maintenance == "entered"
    assert in_maintenance(client, report.host_moid)
    after = take_snapshot(client)
    late = after.find_vm(LATECOMER)
    assert late.host_name != HOST and late.powered_on
    assert len(sim.control.relocations(LATECOMER)) == 1


@pytest.mark.vmcctl_sim("the seed inventory, and maintenance that waits for VMs")
def test_without_re_planning_the_run_stops_naming_the_vm(vcsim_factory: Any, client_for: Any,
                                                         tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    client = client_for(sim)
    options = ops.EvacuateOptions(maintenance=True, journal=tmp_path / "j.json",
                                  replan_rounds=0)
    report = ops.evacuate_host(client, HOST, options, PowerOnDuringMoves(client_for(sim)))
    assert not report.ok and report.maintenance == "not-entered"
    error = report.error()
    assert error is not None and error.exit_code == 1 and LATECOMER in str(error)
    assert not [e for e in sim.control.audit() if e["method"] == "EnterMaintenanceMode_Task"]
    assert not in_maintenance(client, report.host_moid)


@pytest.mark.vmcctl_sim("the seed inventory, and maintenance that waits for VMs")
def test_ctrl_c_while_entering_cancels_the_task_and_resume_finishes(
        vcsim_factory: Any, client_for: Any, run_cli: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect: Ctrl-C was swallowed and the host was left "entering maintenance"."""
    sim = vcsim_factory(time_scale=20)
    other = client_for(sim)
    journal = tmp_path / "j.json"
    from vmcctl.executor import evacuate as executor_evacuate

    real = executor_evacuate.powered_on_vm_refs

    def race(client: Client, host_moid: str) -> list[tuple[str, str]]:
        found = real(client, host_moid)  # empty: the host looks ready ...
        power_on(other, LATECOMER)  # ... and another admin powers a VM on right then
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        monkeypatch.setattr(executor_evacuate, "powered_on_vm_refs", real)
        return found

    monkeypatch.setattr(executor_evacuate, "powered_on_vm_refs", race)
    result = run_cli("host", "maintenance", "enter", HOST, "--evacuate", "--timeout", "0",
                     "--journal", str(journal), env=sim.env())
    assert result.code == 130, result.err
    assert "cancelled" in result.err and "--resume" in result.err
    enters = [e for e in sim.control.audit() if e["method"] == "EnterMaintenanceMode_Task"]
    assert [(e["result"], e.get("fault")) for e in enters] == [("error", "RequestCanceled")]
    saved = json.loads(journal.read_text())
    assert saved["maintenance"] == "cancelled" and saved["status"] == "interrupted"
    assert saved["maintenance_task"] == enters[0]["task"]
    assert not in_maintenance(other, saved["host_moid"])

    resumed = run_cli("host", "maintenance", "enter", HOST, "--resume", "--journal",
                      str(journal), env=sim.env())
    assert resumed.code == 0, resumed.err
    assert in_maintenance(other, saved["host_moid"])
    assert take_snapshot(other).find_vm(LATECOMER).host_name != HOST  # re-planned, then entered
