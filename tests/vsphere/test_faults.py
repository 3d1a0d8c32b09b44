"""Every vSphere fault is a named error: map_fault on constructed pyVmomi faults."""

from __future__ import annotations

import http.client
import socket
from typing import Any

import pytest
from pyVmomi import vim, vmodl

from vmcctl.errors import (
    AuthenticationError,
    HostCommunicationError,
    InputError,
    InvalidRequestError,
    InvalidStateError,
    ObjectGoneError,
    OperationError,
    PermissionDeniedError,
    RequestCanceledError,
    SessionExpiredError,
    VCenterConnectionError,
    VCenterFaultError,
    VCenterTimeoutError,
    VmcctlError,
    VSphereFaultError,
)
from vmcctl.vsphere.faults import map_fault, translate

VM = vim.VirtualMachine("vm-42")
HOST = vim.HostSystem("host-12")
POOL = vim.ResourcePool("resgroup-9")


@pytest.mark.parametrize(("fault", "error", "code", "needles"), [
    (vmodl.fault.ManagedObjectNotFound(obj=VM, msg="The object has already been deleted"),
     ObjectGoneError, 1,
     ["the object VirtualMachine vm-42 no longer exists (deleted or moved by someone else?)",
      "vmcctl inventory vms"]),
    (vim.fault.NoPermission(privilegeId="Resource.HotMigrate", object=VM, msg="denied"),
     PermissionDeniedError, 2,
     ["user 'alice' lacks the privilege Resource.HotMigrate on VirtualMachine vm-42",
      "a role with Resource.HotMigrate"]),
    (vim.fault.InvalidLogin(msg="Cannot complete login"), AuthenticationError, 2,
     ["refused the login for user 'alice'"]),
    (vim.fault.NotAuthenticated(msg="session gone"), SessionExpiredError, 1,
     ["session ended", "run the command again"]),
    (vim.fault.InvalidState(msg="The operation is not allowed in the current state."),
     InvalidStateError, 1, ["not in a state that allows it", "InvalidState: The operation"]),
    (vim.fault.InvalidPowerState(existingState="poweredOff", requestedState="poweredOn",
                                 msg="x"),
     InvalidStateError, 1, ["the VM is poweredOff, the operation needs it poweredOn"]),
    (vim.fault.InvalidHostState(host=HOST, msg="not connected"), InvalidStateError, 1,
     ["HostSystem host-12 is not in a state that allows it"]),
    (vim.fault.TaskInProgress(task=vim.Task("task-7"), msg="busy"), InvalidStateError, 1,
     ["another task (Task task-7) is still running"]),
    (vmodl.fault.HostNotConnected(msg="Unable to communicate with the remote host"),
     HostCommunicationError, 1, ["the host is not connected to vCenter", "inventory hosts"]),
    (vmodl.fault.HostNotReachable(msg="unreachable"), HostCommunicationError, 1,
     ["vCenter cannot reach the host"]),
    (vmodl.fault.HostCommunication(msg="lost"), HostCommunicationError, 1,
     ["vCenter cannot reach the host"]),
    (vmodl.fault.InvalidArgument(invalidProperty="spec.pool",
                                 msg="A specified parameter was not correct: spec.pool"),
     InvalidRequestError, 2, ["vCenter refused the value of spec.pool"]),
    (vmodl.fault.RequestCanceled(msg="canceled"), RequestCanceledError, 1,
     ["cancelled in vCenter"]),
    (vim.fault.Timedout(msg="Operation timed out."), VCenterTimeoutError, 1,
     ["vCenter gave up", "Timedout: Operation timed out."]),
    (vmodl.fault.SystemError(reason="vpxd restarted", msg="A general system error occurred"),
     VCenterFaultError, 1, ["SystemError: A general system error occurred: vpxd restarted"]),
    (vmodl.fault.NotSupported(msg="not supported"), VCenterFaultError, 1,
     ["does not support this operation"]),
    (vmodl.RuntimeFault(msg="odd"), VCenterFaultError, 1, ["RuntimeFault: odd"]),
    (vim.fault.MigrationFault(msg="vMotion failed"), VCenterFaultError, 1,
     ["MigrationFault: vMotion failed"]),
])
def test_each_fault_has_its_named_error(fault: Any, error: type[VmcctlError], code: int,
                                        needles: list[str]) -> None:
    mapped = map_fault(fault, user="alice")
    assert type(mapped) is error
    assert mapped.exit_code == code
    text = str(mapped)
    assert "\n" not in text
    assert "internal error" not in text
    for needle in needles:
        assert needle in text
    if isinstance(mapped, VSphereFaultError):
        assert mapped.fault is fault
        assert mapped.fault_type == type(fault).__name__.rsplit(".", 1)[-1]
    assert isinstance(mapped, InputError if code == 2 else OperationError)


def test_no_permission_names_every_missing_privilege_and_no_user_when_unknown() -> None:
    entry = vim.fault.NoPermission.EntityPrivileges
    fault = vim.fault.NoPermission(
        msg="denied", privilegeId="Resource.HotMigrate", object=VM,
        missingPrivileges=[entry(entity=VM, privilegeIds=["Resource.HotMigrate"]),
                           entry(entity=POOL, privilegeIds=["Resource.AssignVMToPool"])])
    mapped = map_fault(fault)
    assert isinstance(mapped, PermissionDeniedError)
    assert mapped.privileges == (("Resource.HotMigrate", "VirtualMachine vm-42"),
                                 ("Resource.AssignVMToPool", "ResourcePool resgroup-9"))
    assert mapped.user is None
    assert str(mapped).startswith(
        "the vCenter account in use lacks the privilege Resource.HotMigrate on VirtualMachine "
        "vm-42, Resource.AssignVMToPool on ResourcePool resgroup-9")


def test_no_permission_without_a_privilege_still_names_the_object() -> None:
    mapped = map_fault(vim.fault.NoPermission(object=HOST, msg="Permission denied"), user="bob")
    assert isinstance(mapped, PermissionDeniedError)
    assert "vCenter denied user 'bob' permission on HostSystem host-12" in str(mapped)


def test_a_task_error_is_unwrapped() -> None:
    """A task's ``info.error`` is a LocalizedMethodFault around the real fault."""
    inner = vmodl.fault.ManagedObjectNotFound(obj=VM, msg="gone")
    wrapped = vmodl.LocalizedMethodFault(fault=inner, localizedMessage="gone")
    mapped = map_fault(wrapped)
    assert isinstance(mapped, ObjectGoneError) and mapped.moid == "vm-42"


@pytest.mark.parametrize("exc", [
    ConnectionResetError(104, "Connection reset by peer"),
    http.client.RemoteDisconnected("Remote end closed connection without response"),
    TimeoutError("timed out"),
    socket.gaierror(-2, "Name or service not known"),
])
def test_network_errors_are_connection_errors(exc: BaseException) -> None:
    mapped = translate(exc)
    assert isinstance(mapped, VCenterConnectionError)
    assert mapped.exit_code == 1
    assert "network connection failed" in str(mapped)


@pytest.mark.parametrize("exc", [KeyError("x"), ValueError("bad"), FileNotFoundError("f")])
def test_real_bugs_stay_unmapped(exc: BaseException) -> None:
    assert translate(exc) is None
