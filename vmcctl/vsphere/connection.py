"""A vCenter session: connect with an explicit TLS context, count SOAP calls,
renew an expired session for reads, log out on close.

    with connect(settings) as client:
        inv = client.read(lambda content: ...)      # renewed once on NotAuthenticated
        task = client.call(lambda: vm.RelocateVM_Task(spec, prio))  # never retried

Connecting turns pyVmomi faults and socket errors into vmcctl's errors:
certificate failure → ``TLSVerificationError``, ``InvalidLogin`` →
``AuthenticationError``, unreachable / broken connection →
``VCenterConnectionError``. ``read``/``call`` pass every other vSphere fault
through raw: relocation, task waits and the executor handle particular faults
themselves. Where a fault would leave vmcctl unhandled it is mapped by
``vmcctl.vsphere.faults.map_fault`` (the CLI session, the playbook runner).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, TypeVar

from pyVim.connect import SmartConnect
from pyVmomi import vim

from vmcctl.errors import (
    AuthenticationError,
    ConfigError,
    TLSVerificationError,
    VCenterConnectionError,
)
from vmcctl.log import get_logger
from vmcctl.testing.cassettes import active_recording
from vmcctl.vsphere.settings import ConnectionSettings, credentials_hint

log = get_logger(__name__)

T = TypeVar("T")

_TLS_HINT = ("pass --ca-file with the vCenter's CA certificate (or VMCCTL_CA_FILE), "
             "or --insecure to skip verification")

# Errors that mean "the connection broke or never came up", not "vCenter said no".
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError, http.client.HTTPException, socket.timeout)


def connection_error(exc: BaseException, settings: ConnectionSettings) -> Exception:
    """Translate a socket/TLS exception into vmcctl's error (does not raise)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or str(exc)
        return TLSVerificationError(
            f"the certificate of {settings.host}:{settings.port} could not be verified "
            f"({reason})", hint=_TLS_HINT)
    if isinstance(exc, ssl.SSLError) and exc.reason == "WRONG_VERSION_NUMBER":
        # the answer was not TLS at all: a plain-HTTP port; CA files cannot help
        return ConfigError(
            f"{settings.host}:{settings.port} does not speak TLS on that port "
            "(TLS handshake failed: WRONG_VERSION_NUMBER)",
            hint=f"try http://{settings.host}:{settings.port} if it serves plain HTTP, "
                 "or the port vCenter serves HTTPS on (443)")
    if isinstance(exc, ssl.SSLError):
        return TLSVerificationError(
            f"TLS handshake with {settings.host}:{settings.port} failed ({exc.reason})",
            hint=_TLS_HINT)
    if isinstance(exc, TimeoutError | socket.timeout):
        return VCenterConnectionError(
            f"vCenter at {settings.url} did not answer in time",
            hint="check the URL and network, or raise the timeout")
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return VCenterConnectionError(f"cannot reach vCenter at {settings.url}: {reason}",
                                  hint="check --url / VMCCTL_URL and the network")


@contextlib.contextmanager
def _default_socket_timeout(seconds: float) -> Iterator[None]:
    """SmartConnect's version discovery opens connections without a timeout of its own."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _preflight(settings: ConnectionSettings) -> None:
    """Open and close one TCP connection within the connect timeout.

    pyVmomi has one timeout for connect and read; this gives an unreachable
    vCenter a short, clear failure without shortening reads.
    """
    try:
        with socket.create_connection((settings.host, settings.port),
                                      timeout=settings.connect_timeout):
            pass
    except OSError as exc:
        raise connection_error(exc, settings) from None


# pyVmomi reuses pooled HTTP connections for 900 s by default, but servers close idle
# keep-alive connections sooner (our simulator after 30 s; proxies in front of vCenter may): the
# next call on such a connection fails with SSLEOFError / a reset (a playbook's `wait` step
# of 60 s then broke the step after it). Idle longer than this, a connection is not reused.
POOL_IDLE_S = 20
# Logging out is a courtesy (vCenter ends an idle session on its own): a vCenter that
# does not answer it must not hold a finished command, or a Ctrl-C, for longer than this.
LOGOUT_WAIT_S = 5.0


class Client:
    """One vCenter session. Use ``connect(settings)`` to make one."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self._si: Any = None
        self._content: Any = None
        self._lock = threading.Lock()
        self._calls = 0
        self._renewals = 0

    def __repr__(self) -> str:
        state = "open" if self._si is not None else "closed"
        return f"Client({self.settings.username}@{self.settings.url}, {state})"

    # --- life cycle -------------------------------------------------------------------

    def open(self) -> Client:
        s = self.settings
        replaying = active_recording()
        if replaying is None or not replaying.replay_only:  # a replay has no server to probe
            _preflight(s)
        try:
            with _default_socket_timeout(s.read_timeout):
                si = SmartConnect(host=s.host, port=s.port, user=s.username, pwd=s.password,
                                  protocol=s.scheme, path=s.path, sslContext=s.ssl_context(),
                                  httpConnectionTimeout=s.read_timeout,
                                  connectionPoolTimeout=POOL_IDLE_S)
        except vim.fault.InvalidLogin:
            raise AuthenticationError(
                f"vCenter at {s.url} refused the login for user {s.username!r}",
                hint=credentials_hint(s.origin)) from None
        except CONNECTION_ERRORS as exc:
            raise connection_error(exc, s) from None
        except Exception as exc:
            # pyVmomi's own words when the URL answers but is no vSphere SDK endpoint
            if "not a VIM server" not in str(exc):
                raise
            raise ConfigError(f"no vSphere API at {s.url}",
                              hint="expected https://VCENTER/sdk; check the scheme, "
                                   "port and path of --url / VMCCTL_URL") from None
        log.info("logged in", url=s.url, user=s.username, verify_tls=not s.insecure)
        self._si = si
        self._install_counter(si._stub)
        self._content = si.RetrieveContent()
        return self

    def _install_counter(self, stub: Any) -> None:
        # Every SOAP request, lazy property fetches included (InvokeAccessor calls
        # self.InvokeMethod), goes through the stub's InvokeMethod: count there.
        original = stub.InvokeMethod

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count_call()
            return original(*args, **kwargs)

        stub.InvokeMethod = counted

    def close(self) -> None:
        """Log out and drop the connections; safe to call twice."""
        si, self._si = self._si, None
        self._content = None
        if si is None:
            return

        def logout() -> None:
            with contextlib.suppress(Exception):  # the session may already be gone
                si.content.sessionManager.Logout()

        ending = threading.Thread(target=logout, name="vmcctl-logout", daemon=True)
        ending.start()
        ending.join(LOGOUT_WAIT_S)
        if ending.is_alive():
            log.warning("vcenter_logout_unanswered", waited_s=LOGOUT_WAIT_S)
            return  # its connection is still in use: the process ends without it
        si._stub.DropConnections()

    def __enter__(self) -> Client:
        if self._si is None:  # ``with Client(settings) as c`` opens; ``with connect(...)`` too
            self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- accessors --------------------------------------------------------------------

    @property
    def si(self) -> Any:
        if self._si is None:
            raise VCenterConnectionError("the vCenter session is closed")
        return self._si

    @property
    def content(self) -> Any:
        """The ``ServiceContent`` (read once at connect)."""
        if self._content is None:
            raise VCenterConnectionError("the vCenter session is closed")
        return self._content

    @property
    def soap_calls(self) -> int:
        """SOAP requests sent since connect (renewal logins included)."""
        return self._calls

    @property
    def renewals(self) -> int:
        """How many times an expired session was renewed."""
        return self._renewals

    def count_call(self) -> None:
        """Count one SOAP request sent past the stub's ``InvokeMethod`` (the
        snapshot's fast collector reads); the stub's own calls count themselves."""
        with self._lock:
            self._calls += 1

    def reset_soap_calls(self) -> None:
        with self._lock:
            self._calls = 0

    # --- calls ------------------------------------------------------------------------

    def renew(self) -> None:
        """Log in again on the same stub (after ``NotAuthenticated``)."""
        s = self.settings
        log.info("vCenter session expired; logging in again", url=s.url)
        try:
            self.content.sessionManager.Login(s.username, s.password)
        except vim.fault.InvalidLogin:
            raise AuthenticationError(
                f"vCenter at {s.url} refused the login for user {s.username!r} "
                "when renewing the session") from None
        except CONNECTION_ERRORS as exc:
            raise connection_error(exc, s) from None
        self._renewals += 1

    def read(self, fn: Callable[[Any], T]) -> T:
        """Run a read-only ``fn(content)``; renew the session and retry once if it expired.

        ``fn`` must be safe to run twice (it must not change anything in vCenter
        except short-lived objects it cleans up, such as a ContainerView).
        """
        try:
            return self._guard(fn)
        except vim.fault.NotAuthenticated:
            self.renew()
        return self._guard(fn)

    def call(self, fn: Callable[[], T]) -> T:
        """Run a mutating call once. Faults propagate as pyVmomi faults, except
        broken connections (``VCenterConnectionError``). Never retried here."""
        return self._guard(lambda _content: fn())

    def _guard(self, fn: Callable[[Any], T]) -> T:
        content = self.content
        try:
            return fn(content)
        except vim.fault.NotAuthenticated:
            raise
        except CONNECTION_ERRORS as exc:
            raise connection_error(exc, self.settings) from exc


def connect(settings: ConnectionSettings) -> Client:
    """Open a session; the returned client is a context manager that logs out."""
    return Client(settings).open()

