"""Simulator sessions for the executor tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from vmcctl.vsphere.connection import Client, connect
from vmcctl.vsphere.settings import resolve_settings

ClientFor = Callable[[Any], Client]


@pytest.fixture
def client_for() -> Iterator[ClientFor]:
    """``client_for(handle)``: a logged-in client for a simulator, closed after the test."""
    clients: list[Client] = []

    def make(sim: Any) -> Client:
        kwargs: dict[str, Any] = {"url": sim.url, "username": sim.username,
                                  "password": sim.password, "env": {}}
        if sim.cert_file is not None:
            kwargs["ca_file"] = str(sim.cert_file)
        else:
            kwargs["insecure"] = True
        client = connect(resolve_settings(**kwargs))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
