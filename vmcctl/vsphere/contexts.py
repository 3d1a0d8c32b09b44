"""Named contexts: which vCenter, as whom, and where its password comes from.

The file is YAML, ``$VMCCTL_CONFIG`` or ``$XDG_CONFIG_HOME/vmcctl/config.yaml``
(``~/.config/vmcctl/config.yaml`` when XDG_CONFIG_HOME is unset)::

    current-context: lab
    contexts:
      lab:
        url: https://vc-lab.example/sdk
        username: administrator@vsphere.local
        password_cmd: pass show vcenter/lab      # or password_env: LAB_PASSWORD, or keyring: true
        ca_file: /etc/ssl/lab-ca.pem             # or insecure: true

A password is never stored here: a context names where to get it, and only
for its own URL (``password_for``):

- ``password_env: VAR``: the environment variable VAR (never VMCCTL_*/GOVC_*,
  which go with the URLs set beside them);
- ``password_cmd: PROGRAM ARGS``: split like a shell would (``shlex``) but run
  *without* a shell (no pipes, ``$VAR`` or ``~``: write ``sh -c '...'`` for
  that); its stdout with the trailing line break removed; its stderr goes to
  the terminal (a passphrase prompt works);
- ``keyring: true``: the system keyring through the optional ``keyring``
  package, service ``vmcctl:URL``, user name the context's.

Which source wins when several name a vCenter is decided in
``vmcctl.vsphere.settings``. The file is written atomically with mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmcctl.errors import ConfigError

CONFIG_ENV = "VMCCTL_CONFIG"
CONTEXT_ENV = "VMCCTL_CONTEXT"
KEYRING_SERVICE_PREFIX = "vmcctl:"
PASSWORD_CMD_TIMEOUT_S = 120.0  # long enough to type a passphrase into a prompt
_KEYS = frozenset({"url", "username", "password_env", "password_cmd", "keyring", "ca_file",
                   "insecure"})
_HEADER = ("# vmcctl contexts: written by `vmcctl config set-context`. No password belongs\n"
           "# here: each context says where to get it (password_env, password_cmd, keyring).\n")


@dataclass(frozen=True)
class Context:
    """One named vCenter: its URL, user name and where its password comes from."""

    name: str
    url: str
    username: str
    password_env: str | None = None
    password_cmd: str | None = None
    keyring: bool = False
    ca_file: str | None = None
    insecure: bool = False

    @property
    def password_from(self) -> str:
        """Where the password comes from, for tables and messages (never the password)."""
        if self.password_env:
            return f"env {self.password_env}"
        if self.password_cmd:
            return f"cmd {self.password_cmd}"
        return "keyring" if self.keyring else "-"

    @property
    def keyring_service(self) -> str:
        return KEYRING_SERVICE_PREFIX + self.url

    def to_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"url": self.url, "username": self.username}
        for key in ("password_env", "password_cmd", "ca_file"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.keyring:
            data["keyring"] = True
        if self.insecure:
            data["insecure"] = True
        return data


def make_context(name: str, data: Mapping[str, Any], where: str) -> Context:
    """A checked ``Context`` from a mapping (the file's entry, or set-context's options)."""
    from vmcctl.vsphere.settings import normalise_url

    said = f"{where}: context {name!r}"
    if not name or any(c.isspace() for c in name):
        raise ConfigError(f"{where}: context name {name!r} is empty or has spaces")
    if "password" in data:
        raise ConfigError(f"{said} has a password", hint="a password never goes in the config "
                          "file: use password_env, password_cmd or keyring")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(f"{said}: unknown key(s) {', '.join(unknown)}",
                          hint=f"known keys: {', '.join(sorted(_KEYS))}")
    for key in ("url", "username", "password_env", "password_cmd", "ca_file"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ConfigError(f"{said}: {key} must be a string")
    for key in ("keyring", "insecure"):
        if data.get(key) is not None and not isinstance(data[key], bool):
            raise ConfigError(f"{said}: {key} must be true or false")
    raw_url = data.get("url") or ""
    if not raw_url:
        raise ConfigError(f"{said} has no url")
    url = normalise_url(raw_url, f"{said}: url")
    if url.password is not None:
        raise ConfigError(f"{said}: the url carries a password",
                          hint="use password_env, password_cmd or keyring instead")
    username = data.get("username") or url.username
    if not username:
        raise ConfigError(f"{said} has no username")
    sources = [k for k in ("password_env", "password_cmd", "keyring") if data.get(k)]
    if len(sources) != 1:
        raise ConfigError(f"{said} needs exactly one of password_env, password_cmd, keyring"
                          + (f" (has {' and '.join(sources)})" if sources else ""))
    env = data.get("password_env")
    if env and env.startswith(("VMCCTL_", "GOVC_")):
        raise ConfigError(f"{said}: password_env names {env}",
                          hint="a context needs its own variable (e.g. LAB_PASSWORD): "
                               "VMCCTL_*/GOVC_* go with the URLs set beside them")
    if data.get("password_cmd") is not None:
        _split_command(data["password_cmd"], said)
    if data.get("ca_file") and data.get("insecure"):
        raise ConfigError(f"{said} has both ca_file and insecure: true", hint="keep one")
    return Context(name=name, url=url.url, username=username, password_env=env or None,
                   password_cmd=data.get("password_cmd") or None,
                   keyring=bool(data.get("keyring")), ca_file=data.get("ca_file") or None,
                   insecure=bool(data.get("insecure")))


@dataclass
class ContextFile:
    """The contexts of one config file (empty when the file does not exist yet)."""

    path: Path
    contexts: dict[str, Context] = field(default_factory=dict)
    current: str | None = None

    def get(self, name: str, how: str) -> Context:
        """The context ``name`` (``how`` says who asked for it: ``--context``, ...)."""
        try:
            return self.contexts[name]
        except KeyError:
            known = ", ".join(sorted(self.contexts)) or "none"
            raise ConfigError(f"{how} {name}: no such context in {self.path} (known: {known})",
                              hint="vmcctl config get-contexts lists them; "
                                   "vmcctl config set-context adds one") from None

    def save(self) -> None:
        """Write the file atomically, readable by its owner only (0600)."""
        import yaml

        doc: dict[str, Any] = {}
        if self.current:
            doc["current-context"] = self.current
        doc["contexts"] = {name: ctx.to_yaml() for name, ctx in sorted(self.contexts.items())}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".yaml", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                os.fchmod(out.fileno(), 0o600)
                out.write(_HEADER)
                yaml.safe_dump(doc, out, sort_keys=False, default_flow_style=False)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def config_path(environ: Mapping[str, str]) -> Path | None:
    """``VMCCTL_CONFIG``, else ``$XDG_CONFIG_HOME`` or ``$HOME/.config``, + vmcctl/config.yaml.

    Read from ``environ`` only (no HOME: no default file), so a test's dict is hermetic.
    """
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or (
        str(Path(environ["HOME"]) / ".config") if environ.get("HOME") else "")
    return Path(base) / "vmcctl" / "config.yaml" if base else None


def load_contexts(path: Path | None) -> ContextFile:
    """Read and check the config file; a file that does not exist has no contexts."""
    import yaml

    if path is None:
        return ContextFile(Path("config.yaml"))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ContextFile(path)
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("contexts") or {}, dict):
        raise ConfigError(f"{path}: expected a mapping with current-context and contexts")
    unknown = sorted(set(doc) - {"current-context", "contexts"})
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(map(str, unknown))}",
                          hint="the file has current-context and contexts only")
    contexts: dict[str, Context] = {}
    for name, data in (doc.get("contexts") or {}).items():
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: context {name!r} must be a mapping")
        contexts[str(name)] = make_context(str(name), data, str(path))
    current = doc.get("current-context")
    return ContextFile(path, contexts, str(current) if current else None)


def _split_command(command: str, said: str) -> list[str]:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{said}: password_cmd cannot be split: {exc}") from None
    if not argv:
        raise ConfigError(f"{said}: password_cmd is empty")
    return argv


def password_for(context: Context, environ: Mapping[str, str]) -> str:
    """The context's password, from its own source only; ``ConfigError`` saying which
    source failed (never showing what it printed)."""
    said = f"context {context.name!r}"
    if context.password_env:
        value = environ.get(context.password_env)
        if value is None:
            raise ConfigError(f"{said}: password_env names {context.password_env}, "
                              "which is not set", hint=f"export {context.password_env}=...")
        return value
    if context.password_cmd:
        return _run_password_cmd(context.password_cmd, said, environ)
    if context.keyring:
        return _keyring_password(context, said)
    raise ConfigError(f"{said} says nowhere where its password comes from")


def _run_password_cmd(command: str, said: str, environ: Mapping[str, str]) -> str:
    argv = _split_command(command, said)
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              env=dict(environ), timeout=PASSWORD_CMD_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise ConfigError(f"{said}: password_cmd program not found: {argv[0]}",
                          hint="it runs without a shell: give the program's path, "
                               "or write sh -c '...'") from None
    except PermissionError:
        raise ConfigError(f"{said}: password_cmd program is not executable: {argv[0]}") \
            from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{said}: password_cmd gave no answer within "
                          f"{PASSWORD_CMD_TIMEOUT_S:g} s") from None
    if done.returncode != 0:
        raise ConfigError(f"{said}: password_cmd exited with {done.returncode}",
                          hint="run it yourself to see why (its output is not shown here)")
    try:
        password = done.stdout.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise ConfigError(f"{said}: password_cmd printed something that is not UTF-8") \
            from None
    if not password:
        raise ConfigError(f"{said}: password_cmd printed no password")
    return password


def keyring_module() -> Any:
    """The optional ``keyring`` package, or a ``ConfigError`` saying how to get it."""
    try:
        import keyring
    except ImportError:
        raise ConfigError("this context keeps its password in the system keyring, and the "
                          "keyring package is not installed",
                          hint="pip install 'vmcctl[keyring]', or use --password-env / "
                               "--password-cmd") from None
    return keyring


def _keyring_password(context: Context, said: str) -> str:
    try:
        value = keyring_module().get_password(context.keyring_service, context.username)
    except ConfigError:
        raise
    except Exception as exc:  # keyring backends raise their own errors (no backend, locked)
        raise ConfigError(f"{said}: the system keyring failed: {type(exc).__name__}: {exc}") \
            from None
    if value is None:
        raise ConfigError(f"{said}: the keyring has no password for {context.username} at "
                          f"service {context.keyring_service}",
                          hint=f"vmcctl config set-context {context.name} ... --keyring asks "
                               f"for it, or: keyring set {shlex.quote(context.keyring_service)} "
                               f"{shlex.quote(context.username)}")
    return str(value)
