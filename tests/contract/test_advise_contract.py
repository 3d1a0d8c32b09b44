"""``vmcctl advise`` offers only the other usable hosts of the VM's own cluster."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vmcctl.sim.plugin import SimHandle
from vmcctl.sim.server import StockModel

pytestmark = [pytest.mark.sim, pytest.mark.contract]


def _advise_matches_the_cluster(server: SimHandle, look: Callable[[], Any],
                                run_cli: Any) -> None:
    world = look()
    vm = world.movable_vm()
    result = run_cli("advise", vm.moid, "-o", "json", env=server.env())
    assert result.code == 0, result.err
    report = result.json()
    assert report["vm_moid"] == vm.moid
    assert report["source_moid"] == vm.host_moid
    candidates = {c["host_moid"] for c in report["candidates"]}
    assert candidates == world.peers(vm.host_moid)  # identical load: every peer qualifies
    rejected = {r["host_moid"]: [reason["code"] for reason in r["reasons"]]
                for r in report["rejected"]}
    assert "current-host" in rejected[vm.host_moid]
    assert candidates | set(rejected) == set(world.hosts)


def test_advise_offers_exactly_the_peers_in_the_cluster(server: SimHandle, look: Any,
                                                        run_cli: Any) -> None:
    _advise_matches_the_cluster(server, look, run_cli)


def test_advise_never_crosses_datacenters(stock_vcsim_factory: Callable[..., SimHandle],
                                          run_cli: Any) -> None:
    from contract_world import disconnect_host_devices, read_world

    server = stock_vcsim_factory(StockModel(datacenters=2), plain_http=True)
    si = server.connect()
    disconnect_host_devices(si)
    _advise_matches_the_cluster(server, lambda: read_world(si), run_cli)
