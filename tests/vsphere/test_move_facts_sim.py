"""Issue 12 through the snapshot: what the simulator reports as vCenter does
is read into the model, and the advisor decides on it."""

from __future__ import annotations

from typing import Any

import pytest

from vmcctl.errors import NotMovableError, PrecheckError
from vmcctl.placement import rank_hosts
from vmcctl.placement.evacuation import plan_evacuation
from vmcctl.vsphere.connection import connect
from vmcctl.vsphere.relocate import plan_move
from vmcctl.vsphere.snapshot import take_snapshot

pytestmark = pytest.mark.sim


def _host(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "cpu_cores": 36, "cpu_mhz_per_core": 2300, "memory_gb": 512, **extra}


def _vm(name: str, host: str = "h1", **extra: Any) -> dict[str, Any]:
    return {"name": name, "host": host, "cpus": 8, "memory_gb": 64, "datastore": "ds",
            "cpu_usage_mhz": 100, "memory_usage_gb": 4, **extra}


def test_memory_case_plans_within_the_limit_in_consumed_memory(vcsim_factory: Any,
                                                               settings_for: Any) -> None:
    """Eight 64 GB VMs with 4 GB active each: planned at "59 % -> 62 %" in active
    memory, 109 % in consumed memory before issue 12."""
    spec = {"clusters": [{"name": "C1", "hosts": [
                _host("h1"), _host("h2", background_memory_gb=300),
                _host("h3", background_memory_gb=300)]}],
            "datastores": [{"name": "ds", "capacity_gb": 1000, "free_gb": 500}],
            "vms": [_vm(f"big-{i}", memory_active_gb=4, memory_consumed_gb=62)
                    for i in range(8)]}
    sim = vcsim_factory(spec, time_scale=50)
    with connect(settings_for(sim)) as client:
        inv = take_snapshot(client)
    big = inv.find_vm("big-0")
    assert (big.memory_usage_mb, big.memory_active_mb) == (62 * 1024, 4 * 1024)
    plan = plan_evacuation(inv, "h1")
    consumed = {"h2": 300 * 1024, "h3": 300 * 1024}
    for move in plan.moves:
        consumed[move.target] += 62 * 1024
    assert all(mb <= 0.80 * 512 * 1024 for mb in consumed.values()), consumed
    assert len(plan.moves) == 2 and len(plan.unplaceable) == 6


def test_hosts_that_cannot_receive_and_vms_that_cannot_move(vcsim_factory: Any,
                                                            settings_for: Any) -> None:
    spec = {"clusters": [{"name": "C1", "hosts": [
                _host("h1"), _host("h2", background_cpu_mhz=40000, background_memory_gb=200),
                _host("h3", power="standby"), _host("h4", quarantine=True)],
                "rules": [{"name": "apart", "type": "vm-anti-affinity",
                           "vms": ["app", "db"]}]}],
            "datastores": [{"name": "ds", "capacity_gb": 1000, "free_gb": 500}],
            "vms": [_vm("app"), _vm("db", "h2", memory_usage_gb=1),
                    _vm("gpu", devices=["passthrough"]), _vm("cd", devices=["cdrom-host"]),
                    _vm("ft", ft="secondary"), _vm("lost", connection="orphaned"),
                    _vm("tmpl", template=True, power="off")]}
    sim = vcsim_factory(spec, time_scale=50)
    with connect(settings_for(sim)) as client:
        inv = take_snapshot(client)
    h3, h4 = inv.find_host("h3"), inv.find_host("h4")
    assert (h3.power_state, h3.standby_mode, h4.in_quarantine) == ("standBy", "in", True)
    # the VM-VM rule comes back from vCenter with mandatory false; DRS keeps it anyway
    rule = inv.clusters[0].rules[0]
    assert rule.kind == "vm-anti-affinity" and rule.mandatory
    rec = rank_hosts(inv, "app")
    rejected = {r.host: [x.code for x in r.reasons] for r in rec.rejected}
    assert rejected == {"h1": ["current-host"], "h2": ["anti-affinity-rule"],
                        "h3": ["standby"], "h4": ["quarantine"]}
    assert rec.candidates == ()
    expected = {"gpu": "passthrough-device", "cd": "host-device", "ft": "fault-tolerance",
                "lost": "vm-not-connected", "tmpl": "template"}
    for name, code in expected.items():
        with pytest.raises(NotMovableError) as err:
            plan_move(inv, name, "h2")
        assert err.value.codes == (code,), name
    with pytest.raises(PrecheckError, match="standby"):
        plan_move(inv, "db", "h3")
    plan = plan_evacuation(inv, "h1", include_powered_off=True)
    assert {b.vm: b.codes for b in plan.blocked} == {n: (c,) for n, c in expected.items()}
    assert sim.control.relocations() == []
