"""What every vmcctl.vsphere module shares: connection options, the session, errors.

    module = AnsibleModule(argument_spec=argument_spec(vm=dict(type="str", required=True)),
                           supports_check_mode=True)
    with vcenter_session(module) as client:
        inv = take_snapshot(client)
        ...

The modules are thin: arguments -> one vmcctl library call -> result. The
rules (how a URL, user name and password are found, what a move must pass,
what an evacuation does) live in the library; here only Ansible's side:

- the connection options under community.vmware's names (``hostname``,
  ``username``, ``password`` with ``no_log``, ``validate_certs`` default true,
  ``port``) plus ``ca_file`` and ``context`` (a named context of vmcctl's config
  file); unset ones fall back to ``VMCCTL_*`` and then ``GOVC_*`` through
  ``vmcctl.vsphere.settings.resolve_settings`` itself;
- ``missing_required_lib`` when vmcctl or pyVmomi cannot be imported;
- a vmcctl error becomes ``fail_json`` with vmcctl's one-line message, its
  class name (``error``) and the CLI's exit code (``exit_code``: 1 operation
  failed, 2 bad input).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from typing import Any, NoReturn

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

# vmcctl needs pyVmomi: name it when it is missing (not only "vmcctl cannot be imported")
PYVMOMI_IMPORT_ERROR = None if find_spec("pyVmomi") else "No module named 'pyVmomi'"

try:
    from vmcctl import log as vmcctl_log
    from vmcctl.errors import ConfigError, VmcctlError
    from vmcctl.vsphere.connection import Client
    from vmcctl.vsphere.settings import resolve_settings
except ImportError:
    VMCCTL_IMPORT_ERROR = traceback.format_exc()
    VmcctlError = Exception  # never raised: the modules stop at check_libraries first
else:
    VMCCTL_IMPORT_ERROR = None

CONNECTION_SPEC = {
    "hostname": {"type": "str"},
    "port": {"type": "int"},
    "username": {"type": "str", "aliases": ["user"]},
    "password": {"type": "str", "aliases": ["pass", "pwd"], "no_log": True},
    "validate_certs": {"type": "bool", "default": True},
    "ca_file": {"type": "path"},
    "context": {"type": "str"},
}


def argument_spec(**options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The connection options plus a module's own ``options``."""
    spec = {name: dict(value) for name, value in CONNECTION_SPEC.items()}
    spec.update(options)
    return spec


def check_libraries(module: AnsibleModule) -> None:
    """``fail_json`` with ``missing_required_lib`` when pyVmomi or vmcctl is missing."""
    if PYVMOMI_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("pyVmomi"), exception=PYVMOMI_IMPORT_ERROR)
    if VMCCTL_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib(
            "vmcctl", reason="the vmcctl.vsphere modules call the vmcctl library"),
            exception=VMCCTL_IMPORT_ERROR)


def _url(hostname: str | None, port: int | None) -> str | None:
    """``hostname`` as given (host, host:port or URL); ``port`` joins a bare host name."""
    if hostname is None or port is None:
        return hostname
    if "://" in hostname:
        return hostname
    host = f"[{hostname}]" if ":" in hostname and not hostname.startswith("[") else hostname
    return f"{host}:{port}"


def settings(module: AnsibleModule) -> Any:
    """``ConnectionSettings`` from the module's options, then ``VMCCTL_*`` / ``GOVC_*``."""
    p = module.params
    if p["port"] is not None and not p["hostname"]:
        raise ConfigError("port is set but hostname is not: give hostname too")
    return resolve_settings(url=_url(p["hostname"], p["port"]), username=p["username"],
                            password=p["password"], insecure=not p["validate_certs"],
                            ca_file=p["ca_file"], context=p["context"], env=os.environ)


def fail(module: AnsibleModule, exc: BaseException, **result: Any) -> NoReturn:
    """``fail_json`` with vmcctl's one-line message; ``result`` keeps what is known.

    ``msg``, ``error`` (the class name) and ``exit_code`` are this failure's, also when
    ``result`` (a report's keys) has its own under those names: its text is in ``msg``.
    """
    code = getattr(exc, "exit_code", 1)
    module.vmcctl_exit_code = code  # run_hooks' run.end event says the same
    module.fail_json(**{**result, "msg": str(exc), "error": type(exc).__name__,
                        "exit_code": code})
    raise AssertionError("fail_json returned")  # it exits; this keeps NoReturn honest


def interrupted(module: AnsibleModule, msg: str, **result: Any) -> NoReturn:
    """``fail_json`` for a run stopped by a signal (exit code 130, as the CLI's)."""
    module.vmcctl_exit_code = 130
    module.fail_json(msg=msg, exit_code=130, **result)
    raise AssertionError("fail_json returned")


def failure_code(module: AnsibleModule) -> int:
    """The exit code of the failure the module ended with (1 unless ``fail`` said)."""
    return int(getattr(module, "vmcctl_exit_code", 1))


@contextmanager
def vcenter_session(module: AnsibleModule) -> Iterator[Any]:
    """Check the libraries, log in, yield the ``Client``, log out.

    A ``VmcctlError`` raised inside (or while logging in) ends the module with
    ``fail_json``; any other exception is a bug and keeps its traceback.
    """
    check_libraries(module)
    # vmcctl logs to stderr (stdout carries the module's JSON); warnings only.
    vmcctl_log.configure(fmt="json", verbosity=0)
    try:
        with Client(settings(module)) as client:
            yield client
    except VmcctlError as exc:
        fail(module, exc)


def new_module(options: dict[str, dict[str, Any]], **kwargs: Any) -> AnsibleModule:
    """An ``AnsibleModule`` with the connection options and check mode supported."""
    return AnsibleModule(argument_spec=argument_spec(**options), supports_check_mode=True,
                         mutually_exclusive=[("context", "hostname")], **kwargs)
