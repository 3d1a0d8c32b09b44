"""Fixtures for the cassette tests: a stoppable vCenter and a short pyVmomi session."""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from vmcctl.sim.inventory import load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY, SimFactory
from vmcctl.sim.server import SimServer
from vmcctl.testing.credentials import with_recording_credentials


@dataclass
class Target:
    """Where to connect, and how to stop the server mid-test."""

    host: str
    port: int
    protocol: str
    username: str
    password: str
    ssl_context: ssl.SSLContext | None
    stop: Callable[[], None]


@pytest.fixture
def live_target(vcsim_factory: SimFactory) -> Iterator[Target]:
    """A running simulator with distinct credentials (or the one VCSIM_URL names)."""
    if os.environ.get("VCSIM_URL"):
        handle = vcsim_factory()
        endpoint = handle.endpoint
        stop: Callable[[], None] = lambda: None  # noqa: E731 - not ours to stop
        server = None
    else:
        # Distinct credentials: a user called "user" is found in every <userName> tag.
        spec = with_recording_credentials(load_inventory(SEED_INVENTORY))
        server = SimServer(spec)
        endpoint = server.start()
        stop = server.stop
    try:
        yield Target(host=endpoint.host, port=endpoint.port,
                     protocol="http" if endpoint.plain_http else "https",
                     username=endpoint.username, password=endpoint.password,
                     ssl_context=None if endpoint.plain_http else endpoint.ssl_context(),
                     stop=stop)
    finally:
        if server is not None:
            server.stop()


@pytest.fixture
def dead_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a TCP connection fails the test."""

    def refuse(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"replay tried to connect to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


SessionRunner = Callable[..., dict[str, Any]]


@pytest.fixture
def run_session() -> SessionRunner:
    """The short pyVmomi session the cassette tests record and replay."""
    return pyvmomi_session


def pyvmomi_session(*, host: str, port: int, protocol: str, user: str, pwd: str,
                    ssl_context: ssl.SSLContext | None) -> dict[str, Any]:
    """Connect, RetrieveContent, one RetrievePropertiesEx through a ContainerView, log out.

    Returns what the session saw, as plain data to compare runs, and under
    ``"secrets"`` the session cookie and key the client was given.
    """
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim, vmodl

    kwargs: dict[str, Any] = {"host": host, "port": port, "user": user, "pwd": pwd,
                              "protocol": protocol}
    if protocol == "https":
        kwargs["sslContext"] = ssl_context or ssl._create_unverified_context()
    si = SmartConnect(**kwargs)
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder,
                                                       [vim.VirtualMachine], True)
        pc = vmodl.query.PropertyCollector
        spec = pc.FilterSpec(
            objectSet=[pc.ObjectSpec(obj=view, skip=True, selectSet=[
                pc.TraversalSpec(name="view", path="view", type=vim.view.ContainerView)])],
            propSet=[pc.PropertySpec(type=vim.VirtualMachine,
                                     pathSet=["name", "runtime.powerState", "runtime.host"])])
        result = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        objects = list(result.objects)
        while result.token:
            result = content.propertyCollector.ContinueRetrievePropertiesEx(result.token)
            objects.extend(result.objects)
        vms = sorted(
            ({"moid": obj.obj._moId}
             | {p.name: (p.val._moId if hasattr(p.val, "_moId") else p.val)
                for p in obj.propSet} for obj in objects),
            key=lambda vm: str(vm["moid"]))
        view.DestroyView()
        session_key = content.sessionManager.currentSession.key
        cookie_value = str(si._stub.cookie).split("=", 1)[-1].split(";", maxsplit=1)[0]
        return {"about": content.about.fullName, "instance": content.about.instanceUuid,
                "root": content.rootFolder._moId, "vms": vms,
                "secrets": [session_key, cookie_value.strip('"')]}
    finally:
        Disconnect(si)
