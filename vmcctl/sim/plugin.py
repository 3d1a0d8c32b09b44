"""pytest plugin: fixtures that run the vmcctl simulator.

Registered through the ``pytest11`` entry point, so any project that installs
vmcctl can use it:

- ``vcsim``: a simulator on the seed inventory, fresh for each test.
- ``vcsim_factory(inventory=..., time_scale=..., plain_http=...)``: start one
  on another inventory (a path, a dict or an ``InventorySpec``).

- ``stock_vcsim``: govmomi's stock simulator (its default VPX model, no
  vmcctl extensions), fresh for each test; ``stock_vcsim_factory(model=...,
  plain_http=..., username=..., password=...)`` starts one with other counts
  (a ``StockModel``) or credentials.

All yield a ``SimHandle`` (``.url``, ``.username``, ``.password``,
``.cert_file``, ``.inventory``, ``.control``, ``.connect()``).

With ``VCSIM_URL`` set (for instance govmomi's stock vcsim, ``vmcctl sim
serve --stock``), every fixture uses that server instead
(``VCSIM_USERNAME``/``VCSIM_PASSWORD``, default ``user``/``pass``;
``VCSIM_CA_FILE`` or no verification). A test marked
``@pytest.mark.vmcctl_sim("why")`` needs vmcctl's own simulator (its seed
inventory, ``/_sim/`` control endpoints, certificate, paging, users ...):
the fixtures skip it then, with that reason, before anything starts.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vmcctl.sim.control import SimControl
from vmcctl.sim.inventory import InventorySpec, load_inventory, parse_inventory
from vmcctl.sim.server import SimEndpoint, SimServer, StockModel, StockSimServer

SEED_INVENTORY = Path(__file__).resolve().parent / "inventories" / "seed.yaml"
OWN_SIM_MARKER = "vmcctl_sim"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{OWN_SIM_MARKER}(reason): needs vmcctl's own simulator (seed inventory, "
        "control endpoints, certificate, paging ...); skipped with VCSIM_URL")


class SimHandle:
    """A running simulator as a test sees it."""

    def __init__(self, endpoint: SimEndpoint, *, external: bool = False) -> None:
        self.endpoint = endpoint
        self.external = external
        self._sessions: list[Any] = []

    @property
    def url(self) -> str:
        return self.endpoint.url

    @property
    def host(self) -> str:
        return self.endpoint.host

    @property
    def port(self) -> int:
        return self.endpoint.port

    @property
    def username(self) -> str:
        return self.endpoint.username

    @property
    def password(self) -> str:
        return self.endpoint.password

    @property
    def cert_file(self) -> Path | None:
        return self.endpoint.cert_file

    @property
    def inventory(self) -> InventorySpec:
        if self.endpoint.inventory is None:
            pytest.skip("this simulator's inventory is not known to the test "
                        "(VCSIM_URL or govmomi's stock simulator)")
        return self.endpoint.inventory

    @property
    def control(self) -> SimControl:
        control = self.endpoint.control
        if self.external and not control.available():
            pytest.skip("this simulator has no /_sim/ control endpoints "
                        "(needs vmcctl's own simulator)")
        return control

    def env(self) -> dict[str, str]:
        """VMCCTL_* variables pointing the CLI at this simulator."""
        env = {"VMCCTL_URL": self.url, "VMCCTL_USERNAME": self.username,
               "VMCCTL_PASSWORD": self.password}
        if self.cert_file is not None:
            env["VMCCTL_CA_FILE"] = str(self.cert_file)
        elif self.url.startswith("https"):
            env["VMCCTL_INSECURE"] = "1"
        return env

    def connect(self, username: str | None = None, password: str | None = None) -> Any:
        """A pyVmomi ServiceInstance, TLS verified against the simulator's certificate;
        logged in with the inventory's credentials unless a user is given."""
        from pyVim.connect import SmartConnect

        e = self.endpoint
        kwargs: dict[str, Any] = {"host": e.host, "port": e.port,
                                  "user": username if username is not None else e.username,
                                  "pwd": password if password is not None else e.password}
        if e.plain_http:
            kwargs["protocol"] = "http"
        else:
            kwargs["protocol"] = "https"
            kwargs["sslContext"] = e.ssl_context()
        si = SmartConnect(**kwargs)
        self._sessions.append(si)
        return si

    def close(self) -> None:
        from pyVim.connect import Disconnect

        for si in self._sessions:
            with contextlib.suppress(Exception):  # the session may be gone already
                Disconnect(si)
        self._sessions.clear()


def _to_spec(inventory: str | Path | dict[str, Any] | InventorySpec | None) -> InventorySpec:
    if inventory is None:
        return load_inventory(SEED_INVENTORY)
    if isinstance(inventory, InventorySpec):
        return inventory
    if isinstance(inventory, dict):
        return parse_inventory(inventory)
    return load_inventory(inventory)


def _external_endpoint() -> SimEndpoint | None:
    url = os.environ.get("VCSIM_URL")
    if not url:
        return None
    ca = os.environ.get("VCSIM_CA_FILE")
    return SimEndpoint(url=url, username=os.environ.get("VCSIM_USERNAME", "user"),
                       password=os.environ.get("VCSIM_PASSWORD", "pass"),
                       cert_file=Path(ca) if ca else None, inventory=None)


def _skip_if_own_sim_needed(request: pytest.FixtureRequest) -> None:
    """With VCSIM_URL set, skip a test marked ``vmcctl_sim`` with its reason."""
    marker = request.node.get_closest_marker(OWN_SIM_MARKER)
    if marker is None or not os.environ.get("VCSIM_URL"):
        return
    reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
    pytest.skip(f"needs vmcctl's own simulator{': ' + reason if reason else ''} "
                "(VCSIM_URL is set)")


SimFactory = Callable[..., SimHandle]


class _Started:
    """The simulators one fixture started and the handles it gave out: closed at teardown."""

    def __init__(self) -> None:
        self.servers: list[SimServer | StockSimServer] = []
        self.handles: list[SimHandle] = []

    def keep(self, handle: SimHandle) -> SimHandle:
        self.handles.append(handle)
        return handle

    def serve(self, server: SimServer | StockSimServer, *, external: bool = False) -> SimHandle:
        self.servers.append(server)
        return self.keep(SimHandle(server.start(), external=external))

    def close(self) -> None:
        for handle in self.handles:
            handle.close()
        for server in self.servers:
            server.stop()


@pytest.fixture
def vcsim_factory(request: pytest.FixtureRequest) -> Iterator[SimFactory]:
    """Start simulators on demand; all are stopped at the end of the test."""
    _skip_if_own_sim_needed(request)
    started = _Started()

    def start(inventory: str | Path | dict[str, Any] | InventorySpec | None = None, *,
              time_scale: float = 1.0, plain_http: bool = False) -> SimHandle:
        external = _external_endpoint()
        if external is not None:
            if inventory is not None:
                pytest.skip("VCSIM_URL simulator serves its own inventory")
            return started.keep(SimHandle(external, external=True))
        return started.serve(SimServer(_to_spec(inventory), time_scale=time_scale,
                                       plain_http=plain_http))

    try:
        yield start
    finally:
        started.close()


@pytest.fixture
def vcsim(vcsim_factory: SimFactory) -> SimHandle:
    """A simulator on the seed inventory, fresh for this test."""
    return vcsim_factory()


@pytest.fixture
def stock_vcsim_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., SimHandle]]:
    """Start govmomi's stock simulator on demand (``VCSIM_URL`` wins when set)."""
    _skip_if_own_sim_needed(request)
    started = _Started()

    def start(model: StockModel | None = None, *, plain_http: bool = False,
              username: str = "user", password: str = "pass") -> SimHandle:
        external = _external_endpoint()
        if external is not None:
            if model is not None:
                pytest.skip("VCSIM_URL simulator serves its own inventory")
            if (username, password) != ("user", "pass"):
                pytest.skip("VCSIM_URL simulator has its own credentials")
            return started.keep(SimHandle(external, external=True))
        # no /_sim/ control endpoints: the handle treats it like an external one
        return started.serve(StockSimServer(model, plain_http=plain_http, username=username,
                                            password=password), external=True)

    try:
        yield start
    finally:
        started.close()


@pytest.fixture
def stock_vcsim(stock_vcsim_factory: Callable[..., SimHandle]) -> SimHandle:
    """govmomi's stock simulator (default VPX model, HTTPS), fresh for this test."""
    return stock_vcsim_factory()
