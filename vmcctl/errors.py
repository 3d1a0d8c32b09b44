"""The one exception hierarchy of vmcctl.

Library code raises these; only the CLI turns them into messages and exit
codes. Every message says what happened and, where it can, what to do next.

    VmcctlError                      base; ``exit_code`` 1
    ├── InputError                   the user's input is wrong; exit 2
    │   ├── ConfigError              missing or contradictory options / env
    │   ├── NotFoundError            unknown VM, host, fault domain … (with suggestions)
    │   ├── AmbiguousError           a name matches several objects (lists paths and moids)
    │   ├── PrecheckError            a move or step refused before anything was submitted
    │   │   └── NotMovableError      the VM itself cannot move (template, FT, devices, ...)
    │   ├── InventoryFileError       a simulator inventory file is invalid
    │   ├── PlaybookError            a playbook file is invalid
    │   ├── AuthenticationError      vCenter refused the credentials (InvalidLogin)
    │   ├── TLSVerificationError     the server certificate could not be verified
    │   ├── PermissionDeniedError    * NoPermission: names the privilege, the object, the user
    │   └── InvalidRequestError      * InvalidArgument: vCenter refused a value we sent
    └── OperationError               something was tried and did not work; exit 1
        ├── VCenterConnectionError   vCenter could not be reached or the connection broke
        ├── TaskFailedError          a vCenter task ended in error (fault type + message)
        │   └── MigrationFailedError a relocation failed; says where the VM is now
        ├── TaskTimeoutError         a task did not end within the allowed time
        ├── VerificationError        a task succeeded but the result is not what was asked
        ├── NoPlacementError         no host qualifies for a VM (names the strongest constraint)
        ├── EvacuationError          some VMs could not be moved off a host
        ├── DeclinedError            the operator answered "no" to a plan; nothing changed
        ├── WatcherError             the H2O cluster could not be watched
        ├── VerdictFailedError       the watched workload's verdict is FAIL
        ├── SimulatorError           the local simulator could not be built or started
        ├── CassetteError            a replayed call has no answer in the recorded cassette
        ├── ObjectGoneError          * ManagedObjectNotFound: deleted (or moved) by someone else
        ├── InvalidStateError        * InvalidState (power, host state), TaskInProgress
        ├── HostCommunicationError   * HostCommunication: vCenter cannot talk to the host
        ├── SessionExpiredError      * NotAuthenticated that a new login did not cure
        ├── RequestCanceledError     * RequestCanceled: the call or task was cancelled
        ├── VCenterTimeoutError      * Timedout: vCenter gave up on the operation
        └── VCenterFaultError        * SystemError, NotSupported and every other vSphere fault

    * also a ``VSphereFaultError`` (``fault_type``, ``fault``): the error made from a
      pyVmomi fault by ``vmcctl.vsphere.faults.map_fault`` (the one mapping).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class VmcctlError(Exception):
    """Base of every error vmcctl raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class InputError(VmcctlError):
    """The user's input (options, names, files) is wrong; exit 2."""

    exit_code = 2


class ConfigError(InputError):
    """Missing or contradictory options or environment variables."""


class NotFoundError(InputError):
    """A named object does not exist; ``suggestions`` holds close names."""

    def __init__(self, kind: str, name: str, suggestions: Sequence[str] = ()) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"did you mean {', '.join(self.suggestions)}?" if self.suggestions else None
        super().__init__(f"no {kind} named {name!r}", hint=hint)


class AmbiguousError(InputError):
    """A name matches more than one object; ``matches`` lists each as ``path (moid)``."""

    def __init__(self, kind: str, name: str, matches: Sequence[str], *,
                 flag: str | None = None) -> None:
        self.kind = kind
        self.name = name
        self.matches = tuple(matches)
        listed = "; ".join(self.matches)
        super().__init__(f"{len(self.matches)} {kind}s are named {name!r}: {listed}",
                         hint="name one by its inventory path or managed object id"
                              + (f" ({flag})" if flag else ""))


class PrecheckError(InputError):
    """A move or step was refused before anything was submitted to vCenter."""


class NotMovableError(PrecheckError):
    """The VM itself cannot be moved (template, FT, passthrough device, ...);
    ``codes`` are the reason codes of docs/placement.md."""

    def __init__(self, message: str, *, codes: Sequence[str] = (),
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.codes = tuple(codes)


class InventoryFileError(InputError):
    """A simulator inventory file is invalid; the message names the key path."""


class PlaybookError(InputError):
    """A playbook file is invalid; the message names the step and the field."""


class AuthenticationError(InputError):
    """vCenter refused the user name or password."""


class TLSVerificationError(InputError):
    """The server's TLS certificate could not be verified."""


class OperationError(VmcctlError):
    """Something was tried and did not work; exit 1."""


class VCenterConnectionError(OperationError):
    """vCenter could not be reached, or the connection broke."""


class TaskFailedError(OperationError):
    """A vCenter task ended in error."""

    def __init__(self, fault_type: str, fault_message: str, *, task: str | None = None) -> None:
        self.fault_type = fault_type
        self.fault_message = fault_message
        self.task = task
        super().__init__(f"{fault_type}: {fault_message}")


class MigrationFailedError(TaskFailedError):
    """A relocation ended in error; ``current_host`` is where the VM is now (None: unknown)."""

    def __init__(self, fault_type: str, fault_message: str, *, vm: str,
                 current_host: str | None, task: str | None = None) -> None:
        super().__init__(fault_type, fault_message, task=task)
        self.vm = vm
        self.current_host = current_host


class TaskTimeoutError(OperationError):
    """A task did not end within the allowed time; ``task`` names it when there is one
    (it goes on in vCenter)."""

    def __init__(self, message: str, *, hint: str | None = None,
                 task: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.task = task


class WaitInterrupted(KeyboardInterrupt):
    """Ctrl-C while waiting for a vCenter task that goes on without us.

    A ``KeyboardInterrupt`` (every ``except KeyboardInterrupt`` still sees it),
    carrying what a front-end needs to say the truth: ``task`` (moid, None if
    the submission itself was interrupted), ``vm`` and ``what`` (for people).
    """

    def __init__(self, what: str, *, task: str | None, vm: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.task = task
        self.vm = vm


class VerificationError(OperationError):
    """A task reported success but the observed state is not what was asked."""


class NoPlacementError(OperationError):
    """No host qualifies for a VM."""

    def __init__(self, message: str, *, hint: str | None = None,
                 reasons: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message, hint=hint)
        self.reasons = tuple(reasons)


class EvacuationError(OperationError):
    """Some VMs could not be moved off a host."""


class DeclinedError(OperationError):
    """The operator declined the plan at the confirmation prompt; nothing was changed."""


class WatcherError(OperationError):
    """The H2O cluster could not be watched."""


class VerdictFailedError(OperationError):
    """The watched workload did not come through the migration (verdict FAIL)."""


class SimulatorError(OperationError):
    """The local simulator could not be built or started."""


class CassetteError(OperationError):
    """A replayed vCenter call has no recorded answer in the cassette."""


# --- vSphere faults (made by vmcctl.vsphere.faults.map_fault, the one mapping) -----------


class VSphereFaultError(VmcctlError):
    """vCenter answered a call with a fault; each subclass is also an Input/OperationError.

    ``fault_type`` is the fault's short name (``NoPermission``); ``fault`` the pyVmomi
    fault object itself, for callers that want its fields.
    """

    def __init__(self, message: str, *, fault_type: str, fault: Any = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.fault_type = fault_type
        self.fault = fault


class PermissionDeniedError(InputError, VSphereFaultError):
    """The account lacks a privilege (``NoPermission``); exit 2: re-running cannot help,
    another account or role can. ``privileges`` pairs each privilege with its object."""

    def __init__(self, message: str, *, fault_type: str, fault: Any = None,
                 hint: str | None = None, privileges: Iterable[tuple[str, str]] = (),
                 user: str | None = None) -> None:
        super().__init__(message, fault_type=fault_type, fault=fault, hint=hint)
        self.privileges = tuple(privileges)
        self.user = user


class InvalidRequestError(InputError, VSphereFaultError):
    """vCenter refused a value in the request before acting (``InvalidArgument``)."""


class ObjectGoneError(OperationError, VSphereFaultError):
    """The object no longer exists (``ManagedObjectNotFound``); ``moid`` names it."""

    def __init__(self, message: str, *, fault_type: str, fault: Any = None,
                 hint: str | None = None, moid: str | None = None) -> None:
        super().__init__(message, fault_type=fault_type, fault=fault, hint=hint)
        self.moid = moid


class InvalidStateError(OperationError, VSphereFaultError):
    """The object is not in a state that allows the operation (``InvalidState`` family)."""


class HostCommunicationError(OperationError, VSphereFaultError):
    """vCenter cannot talk to the host (``HostNotConnected``, ``HostNotReachable``)."""


class SessionExpiredError(OperationError, VSphereFaultError):
    """The session ended (``NotAuthenticated``) and logging in again did not cure it."""


class RequestCanceledError(OperationError, VSphereFaultError):
    """The call or its task was cancelled (``RequestCanceled``)."""


class VCenterTimeoutError(OperationError, VSphereFaultError):
    """vCenter itself gave up on the operation (``Timedout``)."""


class VCenterFaultError(OperationError, VSphereFaultError):
    """Any other vSphere fault (``SystemError``, ``NotSupported``, a ``RuntimeFault``)."""
