"""``vmcctl inventory`` reports what plain pyVmomi reads, object for object."""

from __future__ import annotations

from typing import Any

import pytest

from vmcctl.sim.plugin import SimHandle

pytestmark = [pytest.mark.sim, pytest.mark.contract]


def test_inventory_vms_names_every_vm_with_its_host(server: SimHandle, look: Any,
                                                    run_cli: Any) -> None:
    world = look()
    result = run_cli("inventory", "vms", "-o", "json", env=server.env())
    assert result.code == 0, result.err
    rows = {row["moid"]: row for row in result.json()}
    assert set(rows) == set(world.vms)
    for moid, vm in world.vms.items():
        assert rows[moid]["name"] == vm.name
        assert rows[moid]["host_moid"] == vm.host_moid
        assert (rows[moid]["power_state"] == "poweredOn") == vm.powered_on


def test_inventory_hosts_names_every_host_and_its_state(server: SimHandle, look: Any,
                                                        run_cli: Any) -> None:
    world = look()
    result = run_cli("inventory", "hosts", "-o", "json", env=server.env())
    assert result.code == 0, result.err
    rows = {row["moid"]: row for row in result.json()}
    assert set(rows) == set(world.hosts)
    for moid, host in world.hosts.items():
        assert rows[moid]["name"] == host.name
        assert (rows[moid]["cluster"] is not None) == host.in_cluster
        assert rows[moid]["vms"] == len(world.on_host(moid, powered_on=False))
