"""vCenter's own compatibility check for one planned move: ``CheckRelocate_Task``.

    verdict = check_relocation(client, vm_moid="vm-42", host_moid="host-7", pool_moid="resgroup-9")
    verdict.status        # "ok" | "warnings" | "errors" | "unavailable"
    verdict.errors        # vCenter's messages (fault type + text), e.g. FeatureRequirementsNotMet
    verdict.warnings

One ``CheckRelocate_Task`` on ``ServiceContent.vmProvisioningChecker`` with the
spec vmcctl would submit (host + pool, storage unset), followed to its end
through the task waiter, then one read of ``info.result`` (``CheckResult[]``:
vm, host, warning[], error[]). Two SOAP calls per checked move when the task
is done by the time its ``info`` is read (the call, one read; vCenter and the
simulator usually are), else the task waiter's private collector too. A
vCenter (or simulator) without the checker or the method answers
"unavailable": never a silent pass (``ops.vcheck`` says it once per run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pyVmomi import vim, vmodl

from vmcctl.errors import TaskFailedError, TaskTimeoutError
from vmcctl.log import get_logger
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.faults import map_fault
from vmcctl.vsphere.relocate import pool_reference
from vmcctl.vsphere.tasks import fault_type_and_message, wait_for_task

log = get_logger(__name__)

CheckStatus = Literal["ok", "warnings", "errors", "unavailable"]
# How long one check may take before it counts as unavailable (seconds).
CHECK_TIMEOUT_S = 60.0
# Faults that mean "this vCenter cannot run the check", not "the move is bad".
_UNAVAILABLE = (vmodl.fault.NotImplemented, vmodl.fault.MethodNotFound,
                vmodl.fault.ManagedObjectNotFound, vmodl.fault.NotSupported)


@dataclass(frozen=True)
class CompatVerdict:
    """vCenter's answer for one VM and one target host."""

    vm_moid: str
    host_moid: str
    status: CheckStatus
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    why_unavailable: str | None = None
    fault_type: str | None = None  # the first error's fault type (e.g. FeatureRequirementsNotMet)

    @property
    def rejected(self) -> bool:
        return self.status == "errors"

    def message(self) -> str:
        """vCenter's errors as one sentence (what a reason code's detail shows)."""
        return "; ".join(self.errors)

    def to_dict(self) -> dict[str, Any]:
        return {"vm_moid": self.vm_moid, "host_moid": self.host_moid, "status": self.status,
                "errors": list(self.errors), "warnings": list(self.warnings),
                "why_unavailable": self.why_unavailable}


def _text(fault: Any) -> str:
    kind, message = fault_type_and_message(fault)
    return f"{kind}: {message}"


def _unavailable(vm_moid: str, host_moid: str, why: str) -> CompatVerdict:
    # front-ends say it once (ops.vcheck's warnings); here only for --debug
    log.debug("vCenter's compatibility check is unavailable", vm=vm_moid, host=host_moid,
              why=why)
    return CompatVerdict(vm_moid, host_moid, "unavailable", why_unavailable=why)


def check_relocation(client: Client, *, vm_moid: str, host_moid: str,
                     pool_moid: str | None = None, pool_kind: str = "ResourcePool",
                     timeout: float = CHECK_TIMEOUT_S) -> CompatVerdict:
    """Ask vCenter whether ``vm_moid`` may move to ``host_moid`` (compute only).

    ``PermissionDeniedError`` if the account may not run the check; a vCenter
    that lacks the checker or the method gives ``status == "unavailable"``
    (``ops.vcheck`` says it once per run).
    """
    stub = client.si._stub
    checker = getattr(client.content, "vmProvisioningChecker", None)
    if checker is None:
        return _unavailable(vm_moid, host_moid, "vCenter has no vmProvisioningChecker")
    vm = vim.VirtualMachine(vm_moid, stub)
    spec = vim.vm.RelocateSpec(host=vim.HostSystem(host_moid, stub))
    if pool_moid:
        spec.pool = pool_reference(pool_moid, pool_kind, stub)
    try:
        task = client.call(lambda: checker.CheckRelocate_Task(vm=vm, spec=spec))
        info = client.read(lambda _content: task.info)  # usually done already
        if info.state not in ("success", "error"):
            wait_for_task(client, task, timeout=timeout)
            info = client.read(lambda _content: task.info)
        elif info.state == "error":
            kind, message = fault_type_and_message(info.error)
            raise TaskFailedError(kind, message)
        results = info.result or []
    except _UNAVAILABLE as fault:
        return _unavailable(vm_moid, host_moid, _text(fault))
    except (vim.fault.NoPermission, vmodl.fault.SecurityError) as fault:
        raise map_fault(fault, user=client.settings.username) from None
    except TaskFailedError as exc:
        return _unavailable(vm_moid, host_moid, f"{exc.fault_type}: {exc.fault_message}")
    except TaskTimeoutError:
        return _unavailable(vm_moid, host_moid, f"no answer within {timeout:g} s")
    faults = [f for r in results for f in (r.error or ())]
    errors = tuple(_text(f) for f in faults)
    warnings = tuple(_text(f) for r in results for f in (r.warning or ()))
    status: CheckStatus = "errors" if errors else "warnings" if warnings else "ok"
    log.debug("vCenter's compatibility check", vm=vm_moid, host=host_moid, status=status,
              errors=list(errors), warnings=list(warnings))
    return CompatVerdict(vm_moid, host_moid, status, errors, warnings,
                         fault_type=fault_type_and_message(faults[0])[0] if faults else None)
