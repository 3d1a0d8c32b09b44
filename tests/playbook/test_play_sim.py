"""Both shipped playbooks, dry runs and failures, against the simulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vmcctl.model import Inventory
from vmcctl.vsphere.connection import connect
from vmcctl.vsphere.settings import resolve_settings
from vmcctl.vsphere.snapshot import take_snapshot

pytestmark = pytest.mark.sim

ML = "ML-cpu-vm-04"
SEED_HOST = "10.94.24.70"
PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
MUTATING = ("RelocateVM_Task", "EnterMaintenanceMode_Task", "ExitMaintenanceMode_Task")


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(time_scale=50)


def inventory(sim: Any) -> Inventory:
    env = sim.env()
    settings = resolve_settings(url=env["VMCCTL_URL"], username=env["VMCCTL_USERNAME"],
                                password=env["VMCCTL_PASSWORD"],
                                ca_file=env.get("VMCCTL_CA_FILE"),
                                insecure=True if env.get("VMCCTL_INSECURE") else None, env={})
    with connect(settings) as client:
        return take_snapshot(client)


def mutations(sim: Any) -> list[dict[str, Any]]:
    return [e for e in sim.control.audit() if e.get("method") in MUTATING]


@pytest.mark.vmcctl_sim("the seed inventory")
def test_seed_ml_vmotion_goes_to_the_other_fault_domain_and_back(sim: Any, play: Any) -> None:
    result = play(str(PLAYBOOKS / "seed-ml-vmotion.yaml"), "--var", "pause=0", "-o", "json",
                  env=sim.env())
    assert result.code == 0, result.err
    steps = result.json()
    assert [s["status"] for s in steps] == ["ok"] * 4
    assert [s["action"] for s in steps] == ["advise", "migrate", "wait", "migrate"]
    chosen = steps[0]["details"]["candidates"][0]["host"]
    relocations = sim.control.relocations(ML)
    assert [r["args"]["host"] for r in relocations] == [chosen, SEED_HOST]
    assert {r["args"]["priority"] for r in relocations} == {"highPriority"}
    inv = inventory(sim)
    assert inv.find_host(chosen).fault_domain == "us-west-2a"  # the other side of us-west-2b
    assert inv.find_vm(ML).host_name == SEED_HOST
    assert steps[1]["details"]["verified"] and steps[3]["details"]["verified"]
    assert "step 4/4 \"bring it home\": migrate" in result.err  # progress: stderr only


@pytest.mark.vmcctl_sim("the seed inventory")
def test_maintenance_window_brings_every_vm_home(sim: Any, play: Any, tmp_path: Path) -> None:
    before = {v.moid: v.host_moid for v in inventory(sim).vms}
    journal = tmp_path / "window.json"
    result = play(str(PLAYBOOKS / "maintenance-window.yaml"), "--var", "pause=0",
                  "--var", f"journal={journal}", env=sim.env())
    assert result.code == 0, result.err
    for name in ("evacuate", "enter maintenance", "hardware work", "exit maintenance",
                 "bring the VMs home"):
        assert name in result.out
    inv = inventory(sim)
    assert {v.moid: v.host_moid for v in inv.vms} == before
    assert not inv.find_host(SEED_HOST).in_maintenance
    done = mutations(sim)
    moved = [e["target"]["name"] for e in done if e["method"] == "RelocateVM_Task"]
    assert sorted(set(moved)) == ["ML-cpu-vm-01", ML, "cache-01", "web-01"]
    assert all(moved.count(vm) == 2 for vm in set(moved))  # out once, home once
    methods = [e["method"] for e in done]
    enter, leave = (methods.index("EnterMaintenanceMode_Task"),
                    methods.index("ExitMaintenanceMode_Task"))
    assert methods[:enter] == ["RelocateVM_Task"] * 4  # every VM left before maintenance
    assert enter < leave and methods[leave + 1:] == ["RelocateVM_Task"] * 4
    assert journal.exists() and journal.with_name("window.restore.json").exists()


@pytest.mark.vmcctl_sim("the seed inventory")
@pytest.mark.parametrize("playbook", ["seed-ml-vmotion.yaml", "maintenance-window.yaml"])
def test_dry_run_submits_nothing(sim: Any, play: Any, tmp_path: Path, playbook: str) -> None:
    result = play(str(PLAYBOOKS / playbook), "--dry-run", "-o", "json", env=sim.env())
    assert result.code == 0, result.err
    steps = result.json()
    assert {s["status"] for s in steps} == {"planned"}
    assert mutations(sim) == []
    assert list(tmp_path.glob("*.json")) == []  # no journal written either
    summaries = " | ".join(s["summary"] for s in steps)
    if playbook == "seed-ml-vmotion.yaml":
        # step 4 is planned against step 2's projection: back from us-west-2a to .70
        assert steps[3]["details"]["source_fault_domain"] == "us-west-2a"
        assert steps[3]["details"]["target"] == SEED_HOST
        assert steps[3]["details"]["submit"]["priority"] == "highPriority"
    else:
        assert "would move 4 VM(s) off 10.94.24.70" in summaries
        assert "would bring 4 VM(s) back to 10.94.24.70" in summaries
        plan = steps[0]["details"]["plan"]
        assert plan["complete"] and len(plan["actions"]) == 5  # 4 moves + enter maintenance


@pytest.mark.vmcctl_sim("the seed inventory")
def test_unplaceable_vm_stops_the_window_before_maintenance(sim: Any, play: Any,
                                                            tmp_path: Path) -> None:
    # licensed-app-01 must run on 10.94.24.71 (a vm-host-must rule): it cannot leave.
    result = play(str(PLAYBOOKS / "maintenance-window.yaml"), "--var", "host=10.94.24.71",
                  "--var", "pause=0", "-o", "json", env=sim.env())
    assert result.code == 1
    steps = result.json()
    assert [s["status"] for s in steps] == ["failed"] + ["not-run"] * 4
    assert steps[0]["error_type"] == "EvacuationError"
    assert result.error_lines == [result.error_lines[0]]
    assert result.error_lines[0].startswith('error: step 1 "evacuate" (evacuate) failed:')
    assert "licensed-app-01" in result.error_lines[0]
    inv = inventory(sim)
    assert not inv.find_host("10.94.24.71").in_maintenance
    assert inv.find_vm("licensed-app-01").host_name == "10.94.24.71"
    # the run stops before moving anything (issue 12): the movable db-01 stays too
    assert inv.find_vm("db-01").host_name == "10.94.24.71"
    assert mutations(sim) == []
    assert "licensed-on-71" in result.error_lines[0]  # the rule that pins it is named
    assert not (tmp_path / "vmcctl-journal-10.94.24.71.json").exists()


@pytest.mark.vmcctl_sim("the seed inventory")
def test_partial_moves_the_others_and_never_enters_maintenance(
        sim: Any, play: Any, write: Callable[[str], Path]) -> None:
    path = write("""
        name: partial
        steps:
          - name: evacuate what can go
            evacuate: {host: 10.94.24.71, partial: true}
        """)
    result = play(str(path), env=sim.env())
    assert result.code == 1  # licensed-app-01 stayed: the host is not empty
    inv = inventory(sim)
    assert inv.find_vm("licensed-app-01").host_name == "10.94.24.71"
    assert inv.find_vm("db-01").host_name != "10.94.24.71"
    assert not inv.find_host("10.94.24.71").in_maintenance
    assert "EnterMaintenanceMode_Task" not in {e["method"] for e in mutations(sim)}


@pytest.mark.vmcctl_sim("the seed inventory")
def test_dry_run_also_stops_at_the_step_that_would_fail(sim: Any, play: Any) -> None:
    result = play(str(PLAYBOOKS / "maintenance-window.yaml"), "--dry-run",
                  "--var", "host=10.94.24.71", env=sim.env())
    assert result.code == 1
    assert "licensed-app-01" in result.err
    assert mutations(sim) == []


@pytest.mark.vmcctl_sim("the seed inventory")
def test_maintenance_refused_while_vms_run_and_migrate_is_idempotent(
        sim: Any, play: Any, write: Callable[[str], Path]) -> None:
    path = write(f"""
        name: careless
        steps:
          - name: already home
            migrate: {{vm: {ML}, host: {SEED_HOST}}}
          - maintenance: enter
            host: {SEED_HOST}
          - wait: 0
        """)
    result = play(str(path), "-o", "json", env=sim.env())
    assert result.code == 1
    steps = result.json()
    assert [s["status"] for s in steps] == ["ok", "failed", "not-run"]
    assert "already on 10.94.24.70; nothing to do" in steps[0]["summary"]
    assert "still runs 4 powered-on VM(s)" in steps[1]["error"]
    assert "evacuate it first" in steps[1]["error"]
    assert mutations(sim) == []
    assert not inventory(sim).find_host(SEED_HOST).in_maintenance


def test_wrong_password_is_a_usage_error_before_any_step(sim: Any, play: Any) -> None:
    env = {**sim.env(), "VMCCTL_PASSWORD": "wrong"}
    result = play(str(PLAYBOOKS / "seed-ml-vmotion.yaml"), env=env)
    assert result.code == 2
    assert "step" not in result.err
    assert "wrong" not in result.err
    assert sim.control.relocations() == []


@pytest.mark.vmcctl_sim("the seed inventory")
def test_connection_from_the_playbook_with_the_password_from_the_environment(
        sim: Any, play: Any, write: Callable[[str], Path]) -> None:
    env = sim.env()
    tls = (f"ca_file: {env['VMCCTL_CA_FILE']}" if "VMCCTL_CA_FILE" in env
           else "insecure: true")
    path = write(f"""
        name: own-connection
        vars: {{url: "https://nowhere.invalid/sdk"}}
        connection:
          url: ${{url}}
          username: {sim.username}
          password_env: PLAYBOOK_VC_PASSWORD
          {tls}
        steps:
          - advise: {{vm: {ML}, fault_domain: other}}
        """)
    # only the playbook says where vCenter is (no VMCCTL_* in the environment);
    # its insecure: true counts only with the command line's --insecure
    flags = ["--insecure"] if "insecure" in tls else []
    missing = play(str(path), "--var", f"url={sim.url}", *flags)
    assert missing.code == 2
    assert "password_env names PLAYBOOK_VC_PASSWORD, which is not set" in missing.err
    ok = play(str(path), "--var", f"url={sim.url}", *flags,
              env={"PLAYBOOK_VC_PASSWORD": sim.password})
    assert ok.code == 0, ok.err
    assert "10.94.24.85" in ok.out
    assert sim.password not in ok.out + ok.err
