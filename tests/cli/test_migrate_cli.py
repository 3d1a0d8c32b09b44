"""``vmcctl migrate`` end to end against the simulator."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from vmcctl.sim.inventory import load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY

pytestmark = pytest.mark.sim

ML = "ML-cpu-vm-04"
JSON_KEYS = {"vm", "source", "target", "source_fault_domain", "target_fault_domain",
             "priority", "task", "state", "seconds", "verified"}


def _where(vcsim: Any, run_cli: Any, vm: str) -> dict[str, Any]:
    rows = run_cli("inventory", "vms", "-o", "json", env=vcsim.env()).json()
    return next(r for r in rows if r["name"] == vm)


@pytest.fixture
def fast_sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(time_scale=20)


@pytest.mark.vmcctl_sim("the seed inventory")
def test_seed_move_high_priority_one_relocation_host_and_pool_only(fast_sim: Any,
                                                                   run_cli: Any) -> None:
    result = run_cli("migrate", ML, "--host", "10.94.24.85", "--priority", "high",
                     env=fast_sim.env())
    assert result.code == 0, result.err
    assert "10.94.24.70 (us-west-2b) -> 10.94.24.85 (us-west-2a)" in result.out
    assert "verified" in result.out
    relocations = fast_sim.control.relocations(ML)
    assert len(relocations) == 1
    args = relocations[0]["args"]
    assert args["priority"] == "highPriority"
    assert sorted(args["spec_fields"]) == ["host", "pool"]
    assert args["host"] == "10.94.24.85"
    row = _where(fast_sim, run_cli, ML)
    assert (row["host"], row["fault_domain"]) == ("10.94.24.85", "us-west-2a")


@pytest.mark.vmcctl_sim("the seed inventory")
def test_json_output_shape(fast_sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", ML, "--host", "10.94.24.86", "-o", "json", env=fast_sim.env())
    assert result.code == 0, result.err
    data = result.json()
    assert set(data) >= JSON_KEYS
    assert data["source"] == "10.94.24.70" and data["target"] == "10.94.24.86"
    assert data["source_fault_domain"] == "us-west-2b"
    assert data["target_fault_domain"] == "us-west-2a"
    assert data["state"] == "success" and data["verified"] is True
    assert data["seconds"] > 0


@pytest.mark.vmcctl_sim("the seed inventory")
def test_dry_run_submits_nothing(fast_sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", ML, "--host", "10.94.24.85", "--priority", "high",
                     "--dry-run", "-o", "json", env=fast_sim.env())
    assert result.code == 0, result.err
    data = result.json()
    assert data["dry_run"] is True
    assert data["submit"]["priority"] == "highPriority"
    assert set(data["submit"]["spec"]) == {"host", "pool", "pool_kind"}
    assert fast_sim.control.relocations() == []
    assert _where(fast_sim, run_cli, ML)["host"] == "10.94.24.70"


@pytest.mark.vmcctl_sim("the seed inventory")
def test_fault_domain_other_lands_on_least_loaded_host_of_us_west_2a(fast_sim: Any,
                                                                     run_cli: Any) -> None:
    result = run_cli("migrate", ML, "--fault-domain", "other", "--priority", "high",
                     env=fast_sim.env())
    assert result.code == 0, result.err
    assert "advisor chose 10.94.24.85" in result.err
    assert _where(fast_sim, run_cli, ML)["host"] == "10.94.24.85"


@pytest.mark.vmcctl_sim("the seed inventory")
def test_host_and_auto_together_is_a_usage_error(fast_sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", ML, "--host", "10.94.24.85", "--auto", env=fast_sim.env())
    assert result.code == 2
    assert "not both" in result.err
    assert fast_sim.control.relocations() == []


@pytest.mark.vmcctl_sim("the seed inventory")
def test_powered_off_vm_is_moved_cold_and_says_so(fast_sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", "jump-01", "--host", "10.94.24.71", env=fast_sim.env())
    assert result.code == 0, result.err
    assert "cold" in result.out
    assert _where(fast_sim, run_cli, "jump-01")["power_state"] == "poweredOff"


def test_injected_migration_fault_exits_1_and_vm_stays_on_source(fast_sim: Any,
                                                                 run_cli: Any) -> None:
    fast_sim.control.add_fault({"vm": ML, "method": "RelocateVM_Task",
                                "fault": "MigrationFault", "message": "vMotion network lost",
                                "at_progress": 40, "times": 1})
    result = run_cli("migrate", ML, "--host", "10.94.24.85", env=fast_sim.env())
    assert result.code == 1
    assert "MigrationFault" in result.err and "vMotion network lost" in result.err
    assert "is on 10.94.24.70" in result.err
    assert "Traceback" not in result.err
    assert _where(fast_sim, run_cli, ML)["host"] == "10.94.24.70"


def test_injected_fault_json_reports_current_host(fast_sim: Any, run_cli: Any) -> None:
    fast_sim.control.add_fault({"vm": ML, "fault": "MigrationFault", "message": "boom",
                                "at_progress": 10, "times": 1})
    result = run_cli("migrate", ML, "--host", "10.94.24.85", "-o", "json", env=fast_sim.env())
    assert result.code == 1
    data = result.json()
    assert data["state"] == "error" and data["fault"] == "MigrationFault"
    assert data["current_host"] == "10.94.24.70"


def test_session_expiring_during_the_wait_is_renewed_and_moves_once(vcsim_factory: Any,
                                                                    run_cli: Any) -> None:
    sim = vcsim_factory(time_scale=5)  # ~3.6 s move: time to expire the session mid-wait
    timer = threading.Timer(1.0, sim.control.expire_sessions)
    timer.start()
    try:
        result = run_cli("migrate", ML, "--host", "10.94.24.85", env=sim.env())
    finally:
        timer.cancel()
    assert result.code == 0, result.err
    assert len(sim.control.relocations(ML)) == 1
    assert _where(sim, run_cli, ML)["host"] == "10.94.24.85"


@pytest.mark.vmcctl_sim("its self-signed certificate (VMCCTL_CA_FILE)")
def test_default_tls_verification_fails_against_self_signed_sim(vcsim: Any,
                                                               run_cli: Any) -> None:
    env = vcsim.env()
    env.pop("VMCCTL_CA_FILE")
    result = run_cli("inventory", "hosts", env=env)
    assert result.code == 2
    assert "--ca-file" in result.err and "--insecure" in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.vmcctl_sim("its self-signed certificate (VMCCTL_CA_FILE)")
def test_ca_file_flag_and_insecure_flag_work(vcsim: Any, run_cli: Any) -> None:
    env = vcsim.env()
    ca = env.pop("VMCCTL_CA_FILE")
    assert run_cli("inventory", "hosts", "--ca-file", ca, env=env).code == 0
    insecure = run_cli("inventory", "hosts", "--insecure", env=env)
    assert insecure.code == 0
    assert insecure.err.count("verification is off") == 1


def test_wrong_password_is_one_line_exit_2(vcsim: Any, run_cli: Any) -> None:
    env = vcsim.env()
    env["VMCCTL_PASSWORD"] = "not-the-password"
    result = run_cli("inventory", "hosts", env=env)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "not-the-password" not in result.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["ML-cpu-vm-4", "--host", "10.94.24.85"], "did you mean ML-cpu-vm-04"),
        ([ML, "--host", "10.94.24.99"], "no host named '10.94.24.99'"),
        ([ML, "--host", "10.94.24.70"], "already on host 10.94.24.70"),
        ([ML, "--host", "10.94.24.90"], "maintenance"),
        ([ML, "--host", "10.94.24.91"], "disconnected"),
        ([ML, "--host", "10.94.24.92"], "does not mount datastore"),
        (["big-vm", "--host", "10.94.24.85"], "memory"),
    ],
)
def test_prechecks_are_one_line_exit_2_and_submit_nothing(
        vcsim_factory: Any, run_cli: Any, args: list[str], expected: str) -> None:
    spec = load_inventory(SEED_INVENTORY).model_dump()
    hosts = spec["clusters"][0]["hosts"]
    template = dict(hosts[5])
    hosts.append({**template, "name": "10.94.24.90", "maintenance": True})
    hosts.append({**template, "name": "10.94.24.91", "connected": False})
    hosts.append({**template, "name": "10.94.24.92"})
    for ds in spec["datastores"]:
        ds["hosts"] = [h["name"] for h in hosts if h["name"] != "10.94.24.92"]
    spec["datastores"].append({"name": "LocalOnly", "capacity_gb": 100, "free_gb": 100,
                               "hosts": ["10.94.24.92"]})
    spec["vms"].append({"name": "big-vm", "host": "10.94.24.70", "cpus": 8, "memory_gb": 500,
                        "cpu_usage_mhz": 100, "memory_usage_gb": 10,
                        "datastore": "WorkloadDatastore", "power": "on"})
    sim = vcsim_factory(spec)
    result = run_cli("migrate", *args, env=sim.env())
    assert result.code == 2, result.err
    assert expected in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert sim.control.relocations() == []
