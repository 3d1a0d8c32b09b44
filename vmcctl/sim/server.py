"""Start and stop the simulators from Python.

``SimServer`` validates nothing itself: it takes an ``InventorySpec`` (already
validated), writes the normalised JSON the Go program reads, starts the
binary, and waits for the SDK URL on its first stdout line and the
certificate path on stderr. ``StockSimServer`` does the same for govmomi's
stock simulator (its default VPX model, no inventory file, no vmcctl
extensions).
"""

from __future__ import annotations

import json
import queue
import ssl
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import urlsplit

from vmcctl.errors import SimulatorError
from vmcctl.sim.build import STOCK_BINARY_NAME, ensure_binary
from vmcctl.sim.control import SimControl
from vmcctl.sim.inventory import InventorySpec

CERT_PREFIX = "certificate: "


@dataclass(frozen=True)
class SimEndpoint:
    """Where a running simulator listens and how to log in."""

    url: str
    username: str
    password: str
    cert_file: Path | None
    inventory: InventorySpec | None

    def __repr__(self) -> str:  # never show the password
        return (f"SimEndpoint(url={self.url!r}, username={self.username!r}, "
                f"cert_file={self.cert_file!r})")

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def plain_http(self) -> bool:
        return urlsplit(self.url).scheme == "http"

    def ssl_context(self) -> ssl.SSLContext:
        """A context that verifies the simulator's own certificate."""
        if self.cert_file is None:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx
        return ssl.create_default_context(cafile=str(self.cert_file))

    @property
    def control(self) -> SimControl:
        return SimControl(self.url, verify=str(self.cert_file) if self.cert_file else True)


class _SimProcess:
    """A simulator binary run as a child process; use as a context manager."""

    def __init__(self, *, port: int, plain_http: bool, listen_host: str,
                 on_log: Callable[[str], None] | None) -> None:
        self.port = port
        self.plain_http = plain_http
        self.listen_host = listen_host
        self._on_log = on_log
        self._proc: subprocess.Popen[str] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._lines: queue.Queue[tuple[str, str | None]] = queue.Queue()
        self.endpoint: SimEndpoint | None = None

    def _command(self, work: Path) -> list[str]:
        raise NotImplementedError

    def _endpoint(self, url: str, cert: Path | None) -> SimEndpoint:
        raise NotImplementedError

    def start(self, timeout: float = 60.0) -> SimEndpoint:
        self._workdir = tempfile.TemporaryDirectory(prefix="vmcctl-sim-")
        try:
            cmd = self._command(Path(self._workdir.name))
        except BaseException:
            self.stop()
            raise
        cmd += ["-listen", f"{self.listen_host}:{self.port}", "-cert-dir", self._workdir.name]
        if self.plain_http:
            cmd.append("-plain-http")
        try:
            self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          stdin=subprocess.DEVNULL, text=True, bufsize=1)
        except OSError as exc:
            raise SimulatorError(f"cannot start the simulator: {exc}") from None
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._pump(self._proc.stdout, "stdout")
        self._pump(self._proc.stderr, "stderr")
        self.endpoint = self._await_ready(timeout)
        return self.endpoint

    def _pump(self, stream: IO[str], name: str) -> None:
        def run() -> None:
            for line in stream:
                self._lines.put((name, line.rstrip("\n")))
                if name == "stderr" and self._on_log is not None:
                    self._on_log(line.rstrip("\n"))
            self._lines.put((name, None))

        threading.Thread(target=run, name=f"vcsim-{name}", daemon=True).start()

    def _await_ready(self, timeout: float) -> SimEndpoint:
        url: str | None = None
        cert: Path | None = None
        closed: set[str] = set()
        errors: list[str] = []
        while url is None or (cert is None and not self.plain_http):
            try:
                name, line = self._lines.get(timeout=timeout)
            except queue.Empty:
                self.stop()
                raise SimulatorError(
                    f"the simulator did not start within {timeout:.0f} s") from None
            if line is None:
                closed.add(name)
                if len(closed) == 2:
                    self.stop()
                    detail = "; ".join(errors[-5:]) or "no output"
                    raise SimulatorError(f"the simulator exited during start-up: {detail}")
                continue
            if name == "stdout" and url is None:
                url = line.strip()
            elif name == "stderr" and line.startswith(CERT_PREFIX):
                cert = Path(line[len(CERT_PREFIX):].strip())
            elif name == "stderr":
                errors.append(line)
        return self._endpoint(url, cert)

    def wait(self) -> int:
        """Block until the process ends; its exit code."""
        if self._proc is None:
            return 0
        return self._proc.wait()

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> SimEndpoint:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class SimServer(_SimProcess):
    """vmcctl's simulator on an inventory; use as a context manager."""

    def __init__(self, inventory: InventorySpec, *, port: int = 0, time_scale: float = 1.0,
                 plain_http: bool = False, listen_host: str = "127.0.0.1",
                 on_log: Callable[[str], None] | None = None) -> None:
        if time_scale <= 0:
            raise SimulatorError("time scale must be positive")
        super().__init__(port=port, plain_http=plain_http, listen_host=listen_host,
                         on_log=on_log)
        self.inventory = inventory
        self.time_scale = time_scale

    def _command(self, work: Path) -> list[str]:
        binary = ensure_binary()
        inv_file = work / "inventory.json"
        inv_file.write_text(json.dumps(self.inventory.to_sim_json()), encoding="utf-8")
        return [str(binary), "-inventory", str(inv_file), "-time-scale", repr(self.time_scale)]

    def _endpoint(self, url: str, cert: Path | None) -> SimEndpoint:
        creds = self.inventory.credentials
        return SimEndpoint(url=url, username=creds.username, password=creds.password,
                           cert_file=cert, inventory=self.inventory)


@dataclass(frozen=True)
class StockModel:
    """The counts of govmomi's VPX model, as govmomi's vcsim flags name them."""

    datacenters: int = 1  # -dc
    clusters: int = 1  # -cluster, per datacenter
    hosts: int = 3  # -host, per cluster
    standalone_hosts: int = 1  # -standalone-host, per datacenter
    vms: int = 2  # -vm, per resource pool (and per standalone host)

    def flags(self) -> list[str]:
        return ["-dc", str(self.datacenters), "-cluster", str(self.clusters),
                "-host", str(self.hosts), "-standalone-host", str(self.standalone_hosts),
                "-vm", str(self.vms)]


class StockSimServer(_SimProcess):
    """govmomi's stock simulator (its VPX model, no vmcctl extensions).

    Only ``username``/``password`` log in (govmomi's own default would take
    any non-empty login).
    """

    def __init__(self, model: StockModel | None = None, *, port: int = 0,
                 plain_http: bool = False, listen_host: str = "127.0.0.1",
                 username: str = "user", password: str = "pass",
                 on_log: Callable[[str], None] | None = None) -> None:
        if not username or not password:
            raise SimulatorError("the stock simulator needs a username and a password")
        super().__init__(port=port, plain_http=plain_http, listen_host=listen_host,
                         on_log=on_log)
        self.model = model or StockModel()
        self.username = username
        self.password = password

    def _command(self, work: Path) -> list[str]:
        binary = ensure_binary(STOCK_BINARY_NAME)
        return [str(binary), *self.model.flags(),
                "-username", self.username, "-password", self.password]

    def _endpoint(self, url: str, cert: Path | None) -> SimEndpoint:
        return SimEndpoint(url=url, username=self.username, password=self.password,
                           cert_file=cert, inventory=None)
