"""Where to connect and how: flags, then ``VMCCTL_*``, then govc's ``GOVC_*``.

``resolve_settings`` takes the CLI's flag values and the environment as a
mapping (tests pass a dict; the CLI passes ``os.environ``) and returns a
frozen ``ConnectionSettings``. Each value is taken from the first tier that
sets it::

    flag          VMCCTL_*            GOVC_*
    --url         VMCCTL_URL          GOVC_URL (may carry user:pass@; bare host ok)
    --username    VMCCTL_USERNAME     GOVC_USERNAME
    --password    VMCCTL_PASSWORD     GOVC_PASSWORD
    --insecure    VMCCTL_INSECURE     GOVC_INSECURE
    --ca-file     VMCCTL_CA_FILE      GOVC_TLS_CA_CERTS

Within a tier an explicit user name or password beats the ``user:pass@`` of
that tier's URL (as in govc). The URL is normalised to
``scheme://host[:port]/path`` with the credentials removed, so it is safe to
print; nothing here ever shows the password.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from vmcctl.errors import ConfigError

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 120.0

_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"", "0", "false", "no", "off", "n", "f"})


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything needed to open a vCenter session. ``password`` never appears in repr."""

    url: str  # scheme://host[:port]/path, no credentials
    username: str
    password: str = field(repr=False)
    insecure: bool = False
    ca_file: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT

    def __str__(self) -> str:
        return f"{self.username}@{self.url}"

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/sdk"

    def ssl_context(self) -> ssl.SSLContext:
        """The explicit TLS context pyVmomi must always be given.

        Verifies against the system store (plus ``ca_file``) by default; with
        ``insecure`` it verifies nothing.
        """
        if self.insecure:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx
        ctx = ssl.create_default_context()
        for ca in _ca_files(self.ca_file):
            try:
                ctx.load_verify_locations(cafile=ca)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(f"cannot load the CA file {ca}: {exc}",
                                  hint="--ca-file / VMCCTL_CA_FILE must name a PEM file") from None
        return ctx


def _ca_files(value: str | None) -> list[str]:
    # GOVC_TLS_CA_CERTS may list several files separated like PATH.
    return [p for p in (value or "").split(os.pathsep) if p]


def parse_bool(value: str, name: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean", hint="use 1/0, true/false, yes/no")


@dataclass(frozen=True)
class _Url:
    url: str
    username: str | None
    password: str | None


def normalise_url(raw: str, source: str) -> _Url:
    """``host``, ``host:port``, ``user:pass@host`` or a full URL → https://host/sdk form."""
    text = raw.strip()
    if not text:
        raise ConfigError(f"{source} is empty")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"{source}: unsupported scheme {parts.scheme!r}",
                          hint="use https://host/sdk")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{source}: invalid port in the URL") from None
    host = parts.hostname
    if not host:
        raise ConfigError(f"{source}: no host in the URL")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = parts.path if parts.path not in ("", "/") else "/sdk"
    user = unquote(parts.username) if parts.username else None
    pwd = unquote(parts.password) if parts.password is not None else None
    return _Url(f"{parts.scheme}://{netloc}{path}", user, pwd)


def resolve_settings(
    *,
    url: str | None = None,
    username: str | None = None,
    password: str | None = None,
    insecure: bool | None = None,
    ca_file: str | None = None,
    env: Mapping[str, str] | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> ConnectionSettings:
    """Resolve the connection settings; ``ConfigError`` naming flag and variable if missing."""
    environ: Mapping[str, str] = env if env is not None else {}

    def tiers(flag: str | None, suffix: str, govc: str) -> list[tuple[str | None, str]]:
        return [(flag, "flag"), (environ.get(f"VMCCTL_{suffix}"), f"VMCCTL_{suffix}"),
                (environ.get(govc), govc)]

    # URL: the first tier that names one; its user:pass@ ranks just after its own tier's
    # explicit variables.
    url_tiers = tiers(url, "URL", "GOVC_URL")
    parsed: list[_Url | None] = [
        normalise_url(v, "--url" if src == "flag" else src) if v else None
        for v, src in url_tiers]
    chosen = next((p for p in parsed if p is not None), None)
    if chosen is None:
        raise ConfigError("no vCenter URL given",
                          hint="pass --url or set VMCCTL_URL (or GOVC_URL)")

    def credential(flag: str | None, suffix: str, govc: str, attr: str) -> str | None:
        for (value, _src), tier_url in zip(tiers(flag, suffix, govc), parsed, strict=True):
            if value:
                return value
            from_url = getattr(tier_url, attr) if tier_url is not None else None
            if from_url:
                return str(from_url)
        return None

    user = credential(username, "USERNAME", "GOVC_USERNAME", "username")
    if not user:
        raise ConfigError("no vCenter user name given",
                          hint="pass --username or set VMCCTL_USERNAME (or GOVC_USERNAME)")
    pwd = credential(password, "PASSWORD", "GOVC_PASSWORD", "password")
    if pwd is None:
        raise ConfigError("no vCenter password given",
                          hint="pass --password or set VMCCTL_PASSWORD (or GOVC_PASSWORD)")

    resolved_insecure = False
    if insecure is not None:
        resolved_insecure = insecure
    else:
        for name in ("VMCCTL_INSECURE", "GOVC_INSECURE"):
            if environ.get(name) is not None:
                resolved_insecure = parse_bool(environ[name], name)
                break

    ca = ca_file or environ.get("VMCCTL_CA_FILE") or environ.get("GOVC_TLS_CA_CERTS") or None
    if ca and not resolved_insecure:
        for f in _ca_files(ca):
            if Path(f).is_dir():
                raise ConfigError(f"CA file {f} is a directory",
                                  hint="--ca-file / VMCCTL_CA_FILE must name a PEM file, "
                                       "not a directory")
            if not Path(f).is_file():
                raise ConfigError(f"CA file not found: {f}",
                                  hint="--ca-file / VMCCTL_CA_FILE must name a PEM file")
    if connect_timeout <= 0 or read_timeout <= 0:
        raise ConfigError("timeouts must be positive")
    return ConnectionSettings(url=chosen.url, username=user, password=pwd,
                              insecure=resolved_insecure, ca_file=ca,
                              connect_timeout=connect_timeout, read_timeout=read_timeout)
