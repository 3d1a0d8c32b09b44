"""A connection idle longer than POOL_IDLE_S is not reused: servers close idle keep-alive
connections, and reusing one failed the call after a playbook's 60 s `wait` step."""

from __future__ import annotations

import time
from typing import Any

import pytest
from wiretap import WireTap

from vmcctl.vsphere import connection
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.settings import resolve_settings


def _root_name(client: Client) -> str:
    return str(client.read(lambda content: content.rootFolder.name))


@pytest.mark.vmcctl_sim("plain HTTP behind a TCP tap that counts connections")
def test_an_idle_connection_is_replaced_and_a_busy_one_reused(
        vcsim_factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sim = vcsim_factory(plain_http=True)
    monkeypatch.setattr(connection, "POOL_IDLE_S", 1)
    with WireTap(sim.host, sim.port) as tap:
        settings = resolve_settings(url=tap.url(), username=sim.username,
                                    password=sim.password, env={})
        with Client(settings) as client:
            _root_name(client)
            opened = tap.connections
            _root_name(client)  # busy: the pooled connection is reused
            assert tap.connections == opened
            time.sleep(1.5)
            assert _root_name(client)  # idle past POOL_IDLE_S: a new connection
            assert tap.connections == opened + 1
