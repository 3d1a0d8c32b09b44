"""Where to connect and how: credentials belong to one URL.

``resolve_settings`` takes the CLI's flag values, a playbook's ``connection``
(``FileConnection``) and the environment as a mapping (tests pass a dict; the
CLI passes ``os.environ``) and returns a frozen ``ConnectionSettings``.

The URL comes from the first source that names one: ``--url``, then
``--context NAME``, then the playbook's ``connection.url``, then
``VMCCTL_CONTEXT``, then ``VMCCTL_URL``, then ``GOVC_URL``, then the config
file's ``current-context`` (``--url`` with ``--context`` is refused). The user
name, password and ``insecure`` come from the command line
(``--username``/``--password``/``--insecure``, which apply to whichever URL
was chosen) or from *that same source*, never from another one::

    URL source          user name / password from (besides the command line)
    --url               the user:pass@ of --url itself
    a context           its username / its own password_env, password_cmd or
                        keyring entry (``vmcctl.vsphere.contexts``), fetched
                        only when that context is the one chosen
    playbook url        connection.username / the variable named by
                        connection.password_env (never VMCCTL_*/GOVC_*)
    VMCCTL_URL          VMCCTL_USERNAME / VMCCTL_PASSWORD, its user:pass@
    GOVC_URL            GOVC_USERNAME / GOVC_PASSWORD, its user:pass@

Within a source an explicit user name or password beats the ``user:pass@`` of
its URL (as in govc). A playbook's ``insecure: true`` is refused unless the
command line says ``--insecure``; a context's own ``insecure: true`` (the
user wrote it with ``config set-context --insecure``) applies. CA files only
add trust (verification stays on): ``--ca-file``, then the URL source's own,
then ``VMCCTL_CA_FILE``, then ``GOVC_TLS_CA_CERTS``. The URL is normalised to ``scheme://host[:port]/path``
with the credentials removed, so it is safe to print; nothing here ever shows
the password.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from vmcctl.errors import ConfigError

if TYPE_CHECKING:  # ssl and the contexts module load only when used: `--help` stays fast
    import ssl

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
    origin: str = ""  # where the URL and its credentials came from, for messages

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
        import ssl

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


def credentials_hint(origin: str) -> str:
    """Where the credentials for a URL from ``origin`` were given, for a refused login."""
    if origin.startswith("context "):
        return (f"check the username and password source of {origin} "
                "(vmcctl config get-contexts)")
    return {
        "--url": "check --username/--password",
        "connection.url": "check --username/--password, or the playbook's "
                          "connection.username and the variable its password_env names",
        "VMCCTL_URL": "check VMCCTL_USERNAME/VMCCTL_PASSWORD (or --username/--password)",
        "GOVC_URL": "check GOVC_USERNAME/GOVC_PASSWORD or the user:password@ of GOVC_URL "
                    "(or --username/--password)",
    }.get(origin, "check the user name and password")


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




@dataclass(frozen=True)
class FileConnection:
    """A file's own connection (a playbook's ``connection:``). Its user name and the
    variable named by ``password_env`` go only with its ``url``."""

    origin: str  # "playbook FILE", for messages
    url: str | None = None
    username: str | None = None
    password_env: str | None = None
    insecure: bool | None = None
    ca_file: str | None = None


@dataclass(frozen=True)
class _Source:
    """One URL and what may be used with it."""

    name: str  # "--url", "connection.url", "VMCCTL_URL", "GOVC_URL"
    said: str  # how a message introduces the URL
    url: _Url
    username: str | None
    password: str | None
    insecure: bool | None
    ca_file: str | None
    fix: dict[str, str]  # "username"/"password" → how to give this source one


def _userinfo(raw: str | None) -> bool:
    """Does a raw URL carry ``user[:pass]@``? (Checked without parsing it.)"""
    if not raw:
        return False
    netloc = raw.split("://", 1)[-1].split("/", 1)[0]
    return "@" in netloc


def _env_bool(environ: Mapping[str, str], name: str) -> bool | None:
    return parse_bool(environ[name], name) if environ.get(name) is not None else None


def _env_source(prefix: str, environ: Mapping[str, str]) -> _Source | None:
    url_var = f"{prefix}_URL"
    raw = environ.get(url_var)
    if not raw:
        return None
    url = normalise_url(raw, url_var)
    insecure = _env_bool(environ, f"{prefix}_INSECURE")
    ca_var = "VMCCTL_CA_FILE" if prefix == "VMCCTL" else "GOVC_TLS_CA_CERTS"
    in_url = " (or user:password@ in GOVC_URL)" if prefix == "GOVC" else ""
    return _Source(
        name=url_var, said=f"{url_var} {url.url} has no {{what}} of its own", url=url,
        username=environ.get(f"{prefix}_USERNAME") or url.username,
        password=environ.get(f"{prefix}_PASSWORD") or url.password,
        insecure=insecure, ca_file=environ.get(ca_var) or None,
        fix={"username": f"set {prefix}_USERNAME{in_url}, or pass --username",
             "password": f"set {prefix}_PASSWORD{in_url}, or pass --password"})


def _check_file(file: FileConnection) -> None:
    """What a playbook may not say, whichever URL is used in the end."""
    if file.url is None:
        stray = [k for k in ("username", "password_env", "ca_file") if getattr(file, k)]
        if stray:
            raise ConfigError(
                f"{file.origin}: connection.{' and connection.'.join(stray)} without "
                "connection.url", hint="they go only with the playbook's own url: add url, "
                "or drop them and use --username/--password or VMCCTL_*")
    elif _userinfo(file.url) and ":" in file.url.split("://", 1)[-1].split("@", 1)[0]:
        raise ConfigError(f"{file.origin}: connection.url carries a password",
                          hint="a password does not belong in a playbook: declare "
                               "password_env: NAME and set NAME")
    if file.password_env is not None and file.password_env.startswith(("VMCCTL_", "GOVC_")):
        raise ConfigError(
            f"{file.origin}: connection.password_env names {file.password_env}",
            hint="a playbook's own vCenter needs its own variable (e.g. LAB_PASSWORD); "
                 "VMCCTL_*/GOVC_* go with the URLs set beside them")


def _file_source(file: FileConnection, environ: Mapping[str, str],
                 need_password: bool) -> _Source | None:
    if file.url is None:
        return None
    url = normalise_url(file.url, f"connection.url of {file.origin}")
    password = None
    if file.password_env is not None and need_password:
        password = environ.get(file.password_env)
        if password is None:
            raise ConfigError(f"{file.origin}: connection.password_env names "
                              f"{file.password_env}, which is not set",
                              hint=f"export {file.password_env}=... before running, "
                                   "or pass --password")
    return _Source(
        name="connection.url", url=url,
        said=f"connection.url {url.url} came from {file.origin}; no {{what}} for it",
        username=file.username or url.username, password=password,
        insecure=None, ca_file=file.ca_file,
        fix={"username": "pass --username, or set connection.username in the playbook",
             "password": "pass --password, or declare connection.password_env: NAME in the "
                         "playbook and set NAME"})


def _flag_source(url: str | None) -> _Source | None:
    if not url:
        return None
    parsed = normalise_url(url, "--url")
    return _Source(
        name="--url", url=parsed, username=parsed.username, password=parsed.password,
        said=f"--url {parsed.url} came from the command line; no {{what}} for it",
        insecure=None, ca_file=None,
        fix={w: f"pass --{w}, or set VMCCTL_URL with VMCCTL_USERNAME/VMCCTL_PASSWORD"
             for w in ("username", "password")})


def _context_source(name: str, how: str, environ: Mapping[str, str],
                    need_password: bool) -> _Source:
    """The context ``name`` of the config file; its password is fetched (a command may
    run) only when ``need_password``."""
    from vmcctl.vsphere import contexts

    store = contexts.load_contexts(contexts.config_path(environ))
    ctx = store.get(name, how)
    password = contexts.password_for(ctx, environ) if need_password else None
    return _Source(
        name=f"context {ctx.name}", url=_Url(ctx.url, ctx.username, None),
        said=f"context {ctx.name} ({how}) gives no {{what}}", username=ctx.username,
        password=password, insecure=ctx.insecure or None, ca_file=ctx.ca_file,
        fix={"username": f"vmcctl config set-context {ctx.name} --username ...",
             "password": f"pass --password, or give context {ctx.name} a password source"})


def _current_context_source(environ: Mapping[str, str], need_password: bool) -> _Source | None:
    from vmcctl.vsphere import contexts

    store = contexts.load_contexts(contexts.config_path(environ))
    if store.current is None:
        return None
    return _context_source(store.current, "current-context", environ, need_password)


def _others(chosen: _Source, what: str, environ: Mapping[str, str],
            file: FileConnection | None) -> str:
    """Names of other sources' values of ``what`` that were not used (never the values)."""
    names: list[str] = []
    for prefix in ("VMCCTL", "GOVC"):
        if chosen.name == f"{prefix}_URL":
            continue
        if environ.get(f"{prefix}_{what.upper()}"):
            names.append(f"{prefix}_{what.upper()}")
        if _userinfo(environ.get(f"{prefix}_URL")):
            names.append(f"{prefix}_URL's user:password@")
    if file is not None and chosen.name != "connection.url":
        value = file.username if what == "username" else file.password_env
        if value:
            names.append(f"{file.origin}'s connection")
    if not names:
        return ""
    return f" (not taken from {' or '.join(names)}: each goes only with its own URL)"


def resolve_settings(
    *,
    url: str | None = None,
    username: str | None = None,
    password: str | None = None,
    insecure: bool | None = None,
    ca_file: str | None = None,
    env: Mapping[str, str] | None = None,
    file: FileConnection | None = None,
    context: str | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> ConnectionSettings:
    """Resolve the connection settings (module docstring: which credentials go with
    which URL); ``ConfigError`` naming the URL's source and what it lacks."""
    environ: Mapping[str, str] = env if env is not None else {}
    for name in ("VMCCTL_INSECURE", "GOVC_INSECURE"):  # a bad value is an error wherever
        _env_bool(environ, name)
    if file is not None:
        _check_file(file)
    if url and context:
        raise ConfigError("--url and --context both say which vCenter",
                          hint="give one of them")
    need_password = password is None
    chosen = _flag_source(url)
    if chosen is None and context:
        chosen = _context_source(context, "--context", environ, need_password)
    if chosen is None and file is not None:
        chosen = _file_source(file, environ, need_password=need_password)
    if chosen is None and environ.get("VMCCTL_CONTEXT"):
        chosen = _context_source(environ["VMCCTL_CONTEXT"], "VMCCTL_CONTEXT", environ,
                                 need_password)
    chosen = (chosen or _env_source("VMCCTL", environ) or _env_source("GOVC", environ)
              or _current_context_source(environ, need_password))
    if chosen is None:
        raise ConfigError("no vCenter URL given",
                          hint="pass --url or set VMCCTL_URL (or GOVC_URL), or use a "
                               "context: --context NAME, vmcctl config use-context NAME")

    user = username or chosen.username
    pwd = password if password is not None else chosen.password
    for what, missing in (("username", not user), ("password", pwd is None)):
        if missing:
            raise ConfigError(chosen.said.format(what=what)
                              + _others(chosen, what, environ, file), hint=chosen.fix[what])

    if insecure is not None:
        resolved_insecure = insecure
    elif file is not None and file.insecure:
        raise ConfigError(f"{file.origin} says insecure: true, and the command line does not",
                          hint="TLS verification is turned off only on purpose: pass "
                               "--insecure with it, or give the playbook a ca_file")
    elif file is not None and file.insecure is False:
        resolved_insecure = False
    else:
        resolved_insecure = bool(chosen.insecure)

    ca = (ca_file or chosen.ca_file or environ.get("VMCCTL_CA_FILE")
          or environ.get("GOVC_TLS_CA_CERTS") or None)
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
    return ConnectionSettings(url=chosen.url.url, username=user or "", password=pwd or "",
                              insecure=resolved_insecure,
                              ca_file=ca, connect_timeout=connect_timeout,
                              read_timeout=read_timeout, origin=chosen.name)
