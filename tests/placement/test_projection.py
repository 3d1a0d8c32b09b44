"""The advisor's working copy: indexes, names, loads and which hosts run VMs, checked
value by value (the filters read nothing else)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from placement_fixtures import CPU_CAP, MEM_CAP_MB, host, inventory, vm

from vmcctl.model import Inventory
from vmcctl.placement.state import Projection, vm_load


def _inv() -> Inventory:
    return inventory([host("h2", "us-west-2b"), host("h1"), host("h3", "us-west-2b")],
                     [vm("app", "h1", cpu=10000, mem_gb=40),
                      vm("off", "h1", cpu=500, mem_gb=2, power="off"),
                      vm("web", "h2", cpu=2000, mem_gb=8)])


def test_hosts_are_indexed_by_name_and_loads_are_the_hosts_own() -> None:
    inv = _inv()
    p = Projection.from_inventory(inv)
    assert p.names == ["h1", "h2", "h3"] and len(p) == 3
    assert [p.index[m] for m in p.moids] == [0, 1, 2]
    assert p.fault_domain == ["us-west-2a", "us-west-2b", "us-west-2b"]
    assert p.cpu_cap == [CPU_CAP] * 3 and p.mem_cap == [MEM_CAP_MB] * 3
    assert p.cpu_used == [inv.find_host(n).cpu_usage_mhz for n in p.names]
    assert p.mem_used == [inv.find_host(n).memory_usage_mb for n in p.names]
    app, web = inv.find_vm("app"), inv.find_vm("web")
    assert (p.location[app.moid], p.location[web.moid]) == (0, 1)
    assert (p.host_name(p.moids[2]), p.host_name("host-nope")) == ("h3", "host-nope")
    assert (p.vm_name(app.moid), p.vm_name("vm-nope")) == ("app", "vm-nope")
    assert p.hosts_of([app.moid, web.moid, "vm-nope"]) == {0, 1}
    assert p.hosts_of([app.moid, inv.find_vm("off").moid]) == {0}


def test_a_vms_load_is_its_usage_only_while_it_runs() -> None:
    inv = _inv()
    app = inv.find_vm("app")
    assert vm_load(app) == (app.cpu_usage_mhz, app.memory_usage_mb) == (10000, 40 * 1024)
    assert vm_load(inv.find_vm("off")) == (0, 0)


def test_apply_moves_the_load_from_source_to_target_only() -> None:
    inv = _inv()
    p = Projection.from_inventory(inv)
    cpu, mem = list(p.cpu_used), list(p.mem_used)
    app = inv.find_vm("app")
    p.apply(app.moid, 2)
    assert p.cpu_used == [cpu[0] - 10000, cpu[1], cpu[2] + 10000]
    assert p.mem_used == [mem[0] - 40960, mem[1], mem[2] + 40960]
    assert p.location[app.moid] == 2
    assert inv.find_host("h1").cpu_usage_mhz == cpu[0]  # the inventory is not changed
    p.apply(inv.find_vm("off").moid, 1)  # a powered-off VM moves without load
    assert (p.cpu_used[1], p.mem_used[1]) == (cpu[1], mem[1])
    del p.location[app.moid]  # a VM with no known host only adds to its target
    p.apply(app.moid, 1)
    assert p.cpu_used == [cpu[0] - 10000, cpu[1] + 10000, cpu[2] + 10000]


def test_percentages_with_and_without_an_extra_load() -> None:
    p = Projection.from_inventory(_inv())
    p.cpu_used[0], p.mem_used[0] = CPU_CAP // 4, MEM_CAP_MB // 2
    assert p.cpu_pct(0) == pytest.approx(25.0)
    assert p.cpu_pct(0, CPU_CAP // 4) == pytest.approx(50.0)
    assert p.mem_pct(0) == pytest.approx(50.0)
    assert p.mem_pct(0, MEM_CAP_MB // 4) == pytest.approx(75.0)
    p.cpu_cap[1] = p.mem_cap[1] = 0  # no capacity read: as full
    assert (p.cpu_pct(1), p.mem_pct(1)) == (100.0, 100.0)


@pytest.mark.parametrize(("change", "runs"), [
    ({}, True),
    ({"connection_state": "disconnected"}, False),
    ({"power_state": "standBy"}, False),
    ({"standby_mode": "in"}, False),
    ({"standby_mode": "entering"}, False),
    ({"standby_mode": "exiting"}, True),
    ({"standby_mode": "none"}, True),
    ({"in_maintenance": True}, False),
])
def test_which_hosts_run_vms(change: dict[str, object], runs: bool) -> None:
    inv = _inv()
    hosts = tuple(replace(h, **change) if h.name == "h3" else h  # type: ignore[arg-type]
                  for h in inv.hosts)
    p = Projection.from_inventory(replace(inv, hosts=hosts))
    assert p.runs_vms(2) is runs
    assert p.runs_vms(0)
