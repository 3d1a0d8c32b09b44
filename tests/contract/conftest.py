"""Contract tests: vmcctl against govmomi's stock simulator (or ``VCSIM_URL``).

They assume no particular inventory: each reads what the server holds with
plain pyVmomi (``contract_world``), picks a VM or a host from it, runs vmcctl
and checks the outcome with a second plain reading.
"""

from __future__ import annotations

from typing import Any

import pytest
from contract_world import World, disconnect_host_devices, read_world

from vmcctl.sim.plugin import SimHandle


@pytest.fixture
def server(stock_vcsim: SimHandle) -> SimHandle:
    """The stock simulator, its VMs' host-backed devices disconnected (so they can move)."""
    disconnect_host_devices(stock_vcsim.connect())
    return stock_vcsim


@pytest.fixture
def look(server: SimHandle) -> Any:
    """``look()``: the server's hosts and VMs as plain pyVmomi reads them now."""
    si = server.connect()

    def read() -> World:
        return read_world(si)

    return read
