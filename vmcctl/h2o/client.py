"""The H2O REST seam: a small Protocol, the real client over the ``h2o`` package, and where H2O is.

The watcher only needs three calls (``jobs()``, ``job(key)``, ``cloud()``), so
tests hand it a fake that implements :class:`H2OClient`; the real
:class:`RestClient` uses the ``h2o`` package's own connection object
(``H2OConnection.open`` - what ``h2o.connect`` does, without replacing the
process-wide connection a training script in the same process may use).
Every failure surfaces as :class:`~vmcctl.errors.WatcherError`.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote, urlsplit, urlunsplit

from vmcctl.errors import ConfigError, WatcherError
from vmcctl.log import get_logger

DEFAULT_PORT = 54321
AUTO = "auto"
ENV_URL = "VMCCTL_H2O_URL"
ENV_USER = "VMCCTL_H2O_USER"
ENV_PASSWORD = "VMCCTL_H2O_PASSWORD"

#: H2O job states. CANCEL_PENDING counts as cancelled; MISSING is ours: a
#: followed job that H2O no longer lists.
RUNNING_STATES = frozenset({"CREATED", "RUNNING"})
DONE = "DONE"
MISSING = "MISSING"
FAILED_STATES = frozenset({"FAILED", "CANCELLED", "CANCEL_PENDING", MISSING})

log = get_logger(__name__)


@dataclass(frozen=True)
class JobInfo:
    """One H2O job as ``GET /3/Jobs`` describes it."""

    key: str
    status: str
    progress: float
    description: str = ""
    msec: int = 0
    exception: str | None = None


@dataclass(frozen=True)
class CloudInfo:
    """Cluster health as ``GET /3/Cloud`` describes it."""

    name: str
    healthy: bool
    size: int
    bad_nodes: int = 0
    version: str = ""


@runtime_checkable
class H2OClient(Protocol):
    """What the watcher needs from an H2O cluster."""

    def jobs(self) -> list[JobInfo]: ...

    def job(self, key: str) -> JobInfo: ...

    def cloud(self) -> CloudInfo: ...


@dataclass(frozen=True)
class H2OEndpoint:
    """Where an H2O cluster listens, and how to log in. The password never shows in repr."""

    url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def safe_url(self) -> str:
        """The URL without any user:password part, fit for logs and reports."""
        return redact_url(self.url)

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.username and self.password is not None:
            return (self.username, self.password)
        return None

    @classmethod
    def resolve(cls, url: str | None = None, username: str | None = None,
                password: str | None = None, *, guest_ip: str | None = None,
                environ: Mapping[str, str] | None = None,
                allow_auto: bool = True, flag: str = "--h2o-url") -> H2OEndpoint:
        """Options first, then ``VMCCTL_H2O_*``; ``auto`` becomes ``http://<guest_ip>:54321``.

        The CLI looks the guest IP up in vCenter and passes it as ``guest_ip``;
        callers with no VM to look up (``h2o status``) pass ``allow_auto=False``.
        ``flag`` is the caller's own option for the URL, which messages name
        (``migrate`` has ``--watch-h2o URL``, not ``--h2o-url``).
        """
        env = os.environ if environ is None else environ
        url = url or env.get(ENV_URL)
        username = username or env.get(ENV_USER) or None
        password = password if password is not None else env.get(ENV_PASSWORD)
        if not url:
            raise ConfigError("no H2O URL given",
                              hint=f"pass {flag} URL (or auto), or set {ENV_URL}")
        if url == AUTO and not allow_auto:
            raise ConfigError("--h2o-url auto only works with `vmcctl migrate --watch-h2o`, "
                              "where it means the migrated VM's guest IP",
                              hint=f"pass --h2o-url http://HOST:{DEFAULT_PORT} "
                                   f"or set {ENV_URL}")
        if url == AUTO:
            if not guest_ip:
                raise ConfigError(f"{flag} auto needs the VM's guest IP; vCenter reports none",
                                  hint=f"is VMware Tools running in the VM? or pass {flag} URL")
            host = f"[{guest_ip}]" if ":" in guest_ip else guest_ip
            url = f"http://{host}:{DEFAULT_PORT}"
        if "://" not in url:
            url = f"http://{url}"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"not an H2O URL: {redact_url(url)!r}",
                              hint="expected http://HOST:PORT or https://HOST:PORT")
        if parts.username and not username:
            username = parts.username
            password = parts.password if password is None else password
        if password and not username:
            raise ConfigError("an H2O password was given without a user",
                              hint=f"pass --h2o-user or set {ENV_USER}")
        port = parts.port or DEFAULT_PORT
        clean = urlunsplit((parts.scheme, f"{_host_for_url(parts.hostname)}:{port}",
                            parts.path.rstrip("/"), "", ""))
        return cls(url=clean, username=username, password=password)


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def redact_url(url: str) -> str:
    """Drop ``user:password@`` from a URL."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@contextlib.contextmanager
def quiet_stdout() -> Iterator[io.StringIO]:
    """Keep the ``h2o`` package's banners and warnings off stdout; they go to the debug log.

    ``redirect_stdout`` is process-wide: use it only around one-off calls
    (connect, init, shutdown), never in a polling thread.
    """
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield buffer
    finally:
        text = buffer.getvalue().strip()
        if text:
            log.debug("h2o output", text=text)


class RestClient:
    """:class:`H2OClient` over the ``h2o`` package's connection.

    ``timeout`` bounds every request, so a hung cluster makes a poll fail
    instead of freezing the watcher. Use as a context manager or call
    :meth:`close` (it ends the H2O session; the cluster and its jobs go on).
    """

    def __init__(self, endpoint: H2OEndpoint, *, timeout: float = 5.0,
                 verify_tls: bool = True) -> None:
        self.endpoint = endpoint
        try:
            from h2o.backend.connection import H2OConnection
        except ImportError as exc:  # pragma: no cover - h2o is a declared dependency
            raise WatcherError("the h2o package is not installed",
                               hint="pip install 'vmcctl[h2o]'") from exc
        try:
            with quiet_stdout():
                self._conn: Any = H2OConnection.open(
                    url=endpoint.url, auth=endpoint.auth, verbose=False,
                    verify_ssl_certificates=verify_tls, strict_version_check=False,
                    # loopback: the h2o package bypasses proxies itself; elsewhere
                    # use the environment's proxy settings without its warning.
                    proxy=None if _is_loopback(endpoint.url) else "(default)")
        except Exception as exc:
            raise WatcherError(f"cannot reach H2O at {endpoint.safe_url}: {_first_line(exc)}",
                               hint="is the cluster up, and are the URL and credentials right?"
                               ) from exc
        self._conn.timeout_interval = timeout

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with quiet_stdout(), contextlib.suppress(Exception):
            self._conn.close()

    def request(self, endpoint: str, data: Mapping[str, Any] | None = None) -> Any:
        """One raw REST call (``"GET /3/Jobs"``); errors become :class:`WatcherError`."""
        # No stdout redirection here: it swaps sys.stdout for the whole process,
        # and requests run in the watcher's thread while the CLI prints.
        try:
            return self._conn.request(endpoint, data=dict(data) if data else None)
        except Exception as exc:
            what = endpoint.split("?", maxsplit=1)[0]
            raise WatcherError(f"H2O {what} failed: {_first_line(exc)}") from exc

    def jobs(self) -> list[JobInfo]:
        response = self.request("GET /3/Jobs")
        return [parse_job(j) for j in response["jobs"]]

    def job(self, key: str) -> JobInfo:
        response = self.request(f"GET /3/Jobs/{quote(key, safe='$')}")
        jobs = response["jobs"]
        if not jobs:
            raise WatcherError(f"H2O knows no job {key!r}")
        return parse_job(jobs[0])

    def cloud(self) -> CloudInfo:
        return parse_cloud(self.request("GET /3/Cloud"))

    def cancel(self, key: str) -> None:
        """``POST /3/Jobs/{key}/cancel`` (used by tests and demos)."""
        self.request(f"POST /3/Jobs/{quote(key, safe='$')}/cancel")


def parse_job(raw: Mapping[str, Any]) -> JobInfo:
    """A ``JobV3`` dict (or the h2o package's response object) → :class:`JobInfo`."""
    try:
        key = raw["key"]
        name = key if isinstance(key, str) else key["name"]
        exception = raw.get("exception") or None
        return JobInfo(key=str(name), status=str(raw["status"]),
                       progress=float(raw.get("progress") or 0.0),
                       description=str(raw.get("description") or ""),
                       msec=int(raw.get("msec") or 0),
                       exception=_first_line(exception) if exception else None)
    except (KeyError, TypeError, ValueError) as exc:
        raise WatcherError(f"unexpected job record from H2O: {exc!r}") from exc


def parse_cloud(raw: Any) -> CloudInfo:
    """``GET /3/Cloud`` (a dict or the h2o package's ``H2OCluster``) → :class:`CloudInfo`."""
    try:
        return CloudInfo(name=str(raw["cloud_name"]), healthy=bool(raw["cloud_healthy"]),
                         size=int(raw["cloud_size"]), bad_nodes=int(raw["bad_nodes"] or 0),
                         version=str(raw["version"] or ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise WatcherError(f"unexpected cloud record from H2O: {exc!r}") from exc


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")
