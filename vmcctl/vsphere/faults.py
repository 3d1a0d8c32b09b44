"""The one mapping from vSphere faults (pyVmomi ``vmodl.MethodFault``) to vmcctl's errors.

    try:
        ...
    except vmodl.MethodFault as fault:
        raise map_fault(fault, user=client.settings.username) from fault

Each error has a one-line message that says what happened and what to do
next, and the exit code of its class (see ``vmcctl.errors``):

    fault (and its subclasses)                error                    exit
    InvalidLogin                              AuthenticationError      2
    NotAuthenticated                          SessionExpiredError      1
    NoPermission, SecurityError               PermissionDeniedError    2
    InvalidArgument                           InvalidRequestError      2
    ManagedObjectNotFound                     ObjectGoneError          1
    InvalidState (InvalidPowerState,
      InvalidHostState, …), TaskInProgress    InvalidStateError        1
    HostCommunication (HostNotConnected,
      HostNotReachable)                       HostCommunicationError   1
    RequestCanceled                           RequestCanceledError     1
    Timedout                                  VCenterTimeoutError      1
    SystemError, NotSupported, any other      VCenterFaultError        1

``NoPermission`` is exit 2 like a wrong password: nothing was changed by the
refused call, and running it again cannot help; another account (or a role
with the privilege) can. Library code that handles particular faults itself
(relocation, task waits, the executor) still sees the raw pyVmomi fault from
``Client.read``/``Client.call``; the mapping is applied where a fault would
otherwise leave vmcctl: the CLI's session (``open_session``), the playbook
runner, and ``run_guarded`` as the last net (``translate``).
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable
from typing import Any

from pyVmomi import vim, vmodl

from vmcctl.errors import (
    AuthenticationError,
    HostCommunicationError,
    InvalidRequestError,
    InvalidStateError,
    ObjectGoneError,
    PermissionDeniedError,
    RequestCanceledError,
    SessionExpiredError,
    VCenterConnectionError,
    VCenterFaultError,
    VCenterTimeoutError,
    VmcctlError,
)
from vmcctl.vsphere.tasks import fault_type_and_message

_RETRY_HINT = "run the command again; vmcctl re-reads vCenter before it acts"


def describe_ref(ref: Any) -> str:
    """``VirtualMachine vm-42`` for a managed object reference; ``?`` for none."""
    moid = getattr(ref, "_moId", None)
    if moid is None:
        return str(ref) if ref else "?"
    kind = type(ref).__name__.rsplit(".", 1)[-1]
    return f"{kind} {moid}"


def _moid(ref: Any) -> str | None:
    moid = getattr(ref, "_moId", None)
    return str(moid) if moid is not None else None


def _privileges(fault: Any) -> list[tuple[str, str]]:
    """(privilege, object) pairs: ``missingPrivileges`` first (vSphere 7+), else the
    fault's own ``privilegeId`` and ``object``."""
    pairs: list[tuple[str, str]] = []
    for entry in getattr(fault, "missingPrivileges", None) or ():
        for privilege in entry.privilegeIds or ():
            pairs.append((str(privilege), describe_ref(entry.entity)))
    privilege = getattr(fault, "privilegeId", None)
    if privilege and not any(p == privilege for p, _ in pairs):
        pairs.insert(0, (str(privilege), describe_ref(getattr(fault, "object", None))))
    return pairs


def _no_permission(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    who = f"user {user!r}" if user else "the vCenter account in use"
    pairs = _privileges(fault)
    if pairs:
        what = ", ".join(f"{p} on {obj}" for p, obj in pairs)
        privileges = sorted({p for p, _ in pairs})
        text = f"{who} lacks the privilege {what}"
        hint = (f"ask a vCenter administrator for a role with {', '.join(privileges)} on that "
                "object (or a parent), or use an account that has it")
    else:
        obj = getattr(fault, "object", None)
        on = f" on {describe_ref(obj)}" if obj is not None else ""
        text = f"vCenter denied {who} permission{on} ({name}: {message})"
        hint = "ask a vCenter administrator which privilege the role lacks"
    return PermissionDeniedError(text, fault_type=name, fault=fault, hint=hint,
                                 privileges=pairs, user=user)


def _object_gone(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    obj = getattr(fault, "obj", None)
    return ObjectGoneError(
        f"the object {describe_ref(obj)} no longer exists (deleted or moved by someone else?)",
        fault_type=name, fault=fault, moid=_moid(obj),
        hint="look again with `vmcctl inventory vms` / `inventory hosts`, then re-run")


def _invalid_state(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    if isinstance(fault, vim.fault.InvalidPowerState) and fault.existingState:
        what = (f"the VM is {fault.existingState}"
                + (f", the operation needs it {fault.requestedState}"
                   if fault.requestedState else ""))
    elif isinstance(fault, vim.fault.InvalidHostState) and fault.host is not None:
        what = f"{describe_ref(fault.host)} is not in a state that allows it"
    elif isinstance(fault, vim.fault.TaskInProgress):
        task = getattr(fault, "task", None)
        what = f"another task ({describe_ref(task)}) is still running on the object"
    else:
        what = "the object is not in a state that allows it"
    return InvalidStateError(f"vCenter refused the operation: {what} ({name}: {message})",
                             fault_type=name, fault=fault,
                             hint="check the VM/host state (vmcctl inventory vms / hosts), "
                                  "wait for other tasks to end, then re-run")


def _host_communication(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    what = ("the host is not connected to vCenter"
            if isinstance(fault, vmodl.fault.HostNotConnected)
            else "vCenter cannot reach the host")
    return HostCommunicationError(f"{what} ({name}: {message})", fault_type=name, fault=fault,
                                  hint="check the host's connection state "
                                       "(vmcctl inventory hosts) and re-run once it is connected")


def _not_authenticated(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    return SessionExpiredError(
        "the vCenter session ended (expired or logged out) and logging in again did not help",
        fault_type=name, fault=fault, hint=_RETRY_HINT)


def _invalid_login(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    who = f" for user {user!r}" if user else ""
    return AuthenticationError(f"vCenter refused the login{who}",
                               hint="check the user name and password given for this URL")


def _invalid_argument(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    prop = getattr(fault, "invalidProperty", None)
    which = f" {prop}" if prop else ""
    return InvalidRequestError(f"vCenter refused the value of{which or ' an argument'} "
                               f"({name}: {message})", fault_type=name, fault=fault,
                               hint="check the names and values given; if they are right, "
                                    "re-run with --debug and report it")


def _canceled(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    return RequestCanceledError(f"the operation was cancelled in vCenter ({name}: {message})",
                                fault_type=name, fault=fault,
                                hint="someone (or a CancelTask) stopped it; re-run if that "
                                     "was not meant")


def _timed_out(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    return VCenterTimeoutError(f"vCenter gave up on the operation ({name}: {message})",
                               fault_type=name, fault=fault,
                               hint="vCenter or the host may be busy; re-run later")


def _system_error(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    reason = getattr(fault, "reason", None)
    detail = f"{message}: {reason}" if reason and reason not in message else message
    return VCenterFaultError(f"vCenter reported an error of its own ({name}: {detail})",
                             fault_type=name, fault=fault,
                             hint="re-run later; if it persists, check vCenter's health")


def _not_supported(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    return VCenterFaultError(f"vCenter does not support this operation here ({name}: {message})",
                             fault_type=name, fault=fault,
                             hint="the host or vCenter version may not offer it")


def _other(fault: Any, name: str, message: str, user: str | None) -> VmcctlError:
    return VCenterFaultError(f"vCenter refused the call ({name}: {message})",
                             fault_type=name, fault=fault,
                             hint="vCenter's message says why; --debug shows the whole fault")


_Maker = Callable[[Any, str, str, "str | None"], VmcctlError]

# Most specific first: NotAuthenticated is a NoPermission, NoPermission a SecurityError.
_TABLE: tuple[tuple[type[Any], _Maker], ...] = (
    (vim.fault.InvalidLogin, _invalid_login),
    (vim.fault.NotAuthenticated, _not_authenticated),
    (vim.fault.NoPermission, _no_permission),
    (vmodl.fault.SecurityError, _no_permission),
    (vmodl.fault.ManagedObjectNotFound, _object_gone),
    (vim.fault.InvalidState, _invalid_state),
    (vim.fault.TaskInProgress, _invalid_state),
    (vmodl.fault.HostCommunication, _host_communication),
    (vmodl.fault.InvalidArgument, _invalid_argument),
    (vmodl.fault.RequestCanceled, _canceled),
    (vim.fault.Timedout, _timed_out),
    (vmodl.fault.SystemError, _system_error),
    (vmodl.fault.NotSupported, _not_supported),
    (vmodl.fault.NotImplemented, _not_supported),
)


def map_fault(fault: BaseException, *, user: str | None = None) -> VmcctlError:
    """vmcctl's error for a pyVmomi fault (never raises; ``fault`` is kept on the error).

    ``user`` is the vCenter user name of the session, named in permission errors.
    A ``LocalizedMethodFault`` (a task's ``info.error``) is unwrapped first.
    """
    inner = getattr(fault, "fault", None)
    if isinstance(fault, vmodl.LocalizedMethodFault) and inner is not None:
        fault = inner
    name, message = fault_type_and_message(fault)
    for kind, make in _TABLE:
        if isinstance(fault, kind):
            return make(fault, name, message, user)
    return _other(fault, name, message, user)


def _network_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (
        http.client.HTTPException, ConnectionError, TimeoutError, socket.gaierror,
        socket.herror, ssl.SSLError)
    try:
        from requests import RequestException  # H2O's client; a network error too
    except ImportError:  # pragma: no cover - requests comes with the h2o extra
        return errors
    return (*errors, RequestException)


NETWORK_ERRORS = _network_errors()


def translate(exc: BaseException, *, user: str | None = None) -> VmcctlError | None:
    """vmcctl's error for a vSphere fault or a network failure; ``None`` for anything else
    (a real bug, which the CLI reports as an internal error)."""
    if isinstance(exc, vmodl.MethodFault):
        return map_fault(exc, user=user)
    if isinstance(exc, NETWORK_ERRORS):
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return VCenterConnectionError(f"a network connection failed: {reason}",
                                      hint="check the URL and the network, then re-run")
    return None
