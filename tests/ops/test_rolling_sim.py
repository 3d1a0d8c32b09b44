"""`vmcctl cluster maintenance` against the simulator: every host serviced, every VM home."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from vmcctl.sim.generate import generate_inventory
from vmcctl.sim.inventory import InventorySpec

pytestmark = [pytest.mark.sim, pytest.mark.vmcctl_sim("the seed inventory")]

PINNED = "10.94.24.71"  # the seed's licensed-on-71 must-rule keeps licensed-app-01 there


def scaled(doc: dict[str, Any], factor: float) -> dict[str, Any]:
    """The generated inventory with every VM's load times ``factor``."""
    for vm in doc["vms"]:
        vm["cpu_usage_mhz"] = max(1, int(vm["cpu_usage_mhz"] * factor))
        vm["memory_usage_gb"] = max(0.01, round(vm["memory_usage_gb"] * factor, 2))
    return doc


def generated_8() -> InventorySpec:
    return InventorySpec.model_validate(scaled(generate_inventory(8, 80, 2, seed=3), 0.55))


def generated_5() -> InventorySpec:
    """Enough for the stop/resume and other-actor cases, in half the time of 8 hosts."""
    return InventorySpec.model_validate(scaled(generate_inventory(5, 30, 2, seed=3), 0.55))


def _placement(run_cli: Any, sim: Any) -> dict[str, str]:
    rows = run_cli("inventory", "vms", "-o", "json", env=sim.env()).json()
    return {r["name"]: r["host"] for r in rows}


def _entries(sim: Any) -> list[dict[str, Any]]:
    return [e for e in sim.control.audit() if e.get("method") == "EnterMaintenanceMode_Task"]


def _window(run_cli: Any, sim: Any, tmp_path: Path, *extra: str) -> Any:
    return run_cli("cluster", "maintenance", "Cluster-1", "--restore", "--journal",
                   str(tmp_path / "window.json"), *extra, env=sim.env())


def _check_cycle(run_cli: Any, sim: Any, tmp_path: Path, hosts: set[str], *extra: str) -> None:
    before = _placement(run_cli, sim)
    on = {v.name for v in sim.inventory.vms if v.host in hosts and v.power == "on"}
    result = _window(run_cli, sim, tmp_path, "--each", "true", *extra)
    assert result.code == 0, result.err
    assert _placement(run_cli, sim) == before
    entered = _entries(sim)
    assert {e["target"]["name"] for e in entered} == hosts
    assert all(e["args"]["poweredOnVmsAtCall"] == 0 for e in entered), entered
    moves = Counter(e["target"]["name"] for e in sim.control.relocations())
    assert set(moves) == on
    assert all(n == 2 for n in moves.values()), moves  # the lower bound: away once, home once


def test_seed_window_services_every_host_and_brings_every_vm_home(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=40)
    hosts = {h.name for c in sim.inventory.clusters for h in c.hosts} - {PINNED}
    _check_cycle(run_cli, sim, tmp_path, hosts, "--hosts", ",".join(sorted(hosts)))


def test_seed_host_pinned_by_a_must_rule_is_refused_before_anything_moves(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=40)
    result = _window(run_cli, sim, tmp_path, "--each", "true")
    assert result.code == 2
    assert "licensed-on-71" in result.err and PINNED in result.err
    assert not sim.control.relocations() and not _entries(sim)


def test_generated_8_host_window_with_two_down(vcsim_factory: Any, run_cli: Any,
                                               tmp_path: Path) -> None:
    sim = vcsim_factory(generated_8(), time_scale=40)
    hosts = {h.name for c in sim.inventory.clusters for h in c.hosts}
    _check_cycle(run_cli, sim, tmp_path, hosts, "--max-down", "2")


def test_admission_refusal_names_the_numbers(vcsim_factory: Any, run_cli: Any,
                                             tmp_path: Path) -> None:
    sim = vcsim_factory(generated_8(), time_scale=40)
    result = _window(run_cli, sim, tmp_path, "--max-down", "4", "--max-cpu", "40")
    assert result.code == 2, result.err
    assert "admission refused" in result.err
    assert "GHz needed" in result.err and "GHz available" in result.err
    assert not sim.control.relocations()


def test_each_failing_on_the_third_host_stops_then_resume_finishes(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(generated_5(), time_scale=40)
    before = _placement(run_cli, sim)
    marker = tmp_path / "count"
    # fails on the third host it runs for, once (the resume succeeds)
    each = (f'n=$(cat {marker} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {marker}; '
            f'echo "$VMCCTL_HOST $VMCCTL_HOST_MOID" >> {tmp_path}/seen; test $n -ne 3')
    failed = _window(run_cli, sim, tmp_path, "--each", each)
    assert failed.code == 1, failed.err
    third = (tmp_path / "seen").read_text().splitlines()[2].split()[0]
    assert f"--each failed on {third}" in failed.err
    hosts = run_cli("inventory", "hosts", "-o", "json", env=sim.env()).json()
    assert [h["name"] for h in hosts if h["maintenance"]] == [third]

    resumed = _window(run_cli, sim, tmp_path, "--each", each, "--resume")
    assert resumed.code == 0, resumed.err
    assert _placement(run_cli, sim) == before
    assert not any(h["maintenance"] for h in
                   run_cli("inventory", "hosts", "-o", "json", env=sim.env()).json())
    seen = [line.split()[0] for line in (tmp_path / "seen").read_text().splitlines()]
    assert seen.count(third) == 2 and len(set(seen)) == 5
    journal = json.loads((tmp_path / "window.json").read_text())
    assert journal["status"] == "done"
    assert all(n == 2 for n in Counter(
        e["target"]["name"] for e in sim.control.relocations()).values())


def test_a_vm_moved_by_someone_else_mid_window_is_replanned_and_still_goes_home(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    """During step 1's --each another admin moves a VM onto a host of step 2: the window
    reads vCenter again, moves it off before step 2 enters maintenance, and at the end
    the VM is on the host it was on when the window began."""
    sim = vcsim_factory(generated_5(), time_scale=40)
    dry = _window(run_cli, sim, tmp_path, "--dry-run", "-o", "json")
    assert dry.code == 0, dry.err
    steps = dry.json()["plan"]["steps"]
    first, second, last = steps[0]["hosts"][0], steps[1]["hosts"][0], steps[-1]["hosts"]
    vm = next(v.name for v in sim.inventory.vms if v.host in last and v.power == "on")
    before = _placement(run_cli, sim)
    each = (f'if [ "$VMCCTL_HOST" = "{first}" ]; then '
            f'{sys.executable} -m vmcctl migrate {vm} --host {second} --max-cpu 100 '
            f'--max-mem 100; fi')
    result = _window(run_cli, sim, tmp_path, "--each", each)
    assert result.code == 0, result.err
    assert _placement(run_cli, sim) == before
    assert all(e["args"]["poweredOnVmsAtCall"] == 0 for e in _entries(sim))
    hops = [(e["args"]["source"], e["args"]["host"]) for e in sim.control.relocations(vm)]
    assert hops[0][1] == second  # the other admin's move
    assert hops[1][0] == second  # moved off before the second step's maintenance
    assert hops[-1][1] == before[vm]  # and home at the end


def test_fault_domain_selects_hosts_and_the_dry_run_moves_nothing(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=40)
    result = _window(run_cli, sim, tmp_path, "--fault-domain", "us-west-2a", "--max-down", "2",
                     "--dry-run", "-o", "json")
    assert result.code == 0, result.err
    plan = result.json()["plan"]
    wanted = {h.name for c in sim.inventory.clusters for h in c.hosts
              if h.fault_domain == "us-west-2a"}
    assert {h for s in plan["steps"] for h in s["hosts"]} == wanted
    assert all(1 <= len(s["hosts"]) <= 2 for s in plan["steps"])
    assert plan["relocations"] == plan["lower_bound"]
    assert not sim.control.relocations() and not (tmp_path / "window.json").exists()
    both = _window(run_cli, sim, tmp_path, "--fault-domain", "us-west-2a", "--hosts",
                   "10.94.24.84", "--dry-run")
    assert both.code == 2 and "--hosts and --fault-domain" in both.err
