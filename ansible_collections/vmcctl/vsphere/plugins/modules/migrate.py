"""vmcctl.vsphere.migrate: compute-only vMotion of one VM, checked and verified."""

from __future__ import annotations

DOCUMENTATION = r"""
module: migrate
short_description: Move a VM to another host (compute only), checked and verified
version_added: 0.1.0
description:
  - The vmcctl migrate use case, the one C(vmcctl migrate) runs; returns the keys of
    C(vmcctl migrate --output json).
  - The target is O(host), or the advisor's best host with O(auto) or O(fault_domain).
  - Checks the move first (VM and host exist, the VM is not already there, target connected,
    out of maintenance, mounting the VM's datastores, with the memory to spare), submits
    C(RelocateVM_Task) with only host and pool set (storage stays), follows it and verifies
    the VM is on the target with the same power state and boot time.
  - C(changed) is false when the VM already is on the host asked for (or the host the
    advisor chose).
  - In check mode nothing is submitted; the module returns the checked move
    (RV(dry_run) true, RV(submit) the call that would be made).
  - With C(--diff) it shows the VM's host before and after.
author:
  - vmcctl maintainers (@vmcctl)
options:
  vm:
    description:
      - The VM, by name, managed object id (C(vm-123)) or inventory path.
    type: str
    required: true
  host:
    description:
      - The target host, by name, managed object id or inventory path.
      - Not with O(auto) or O(fault_domain).
    type: str
  auto:
    description:
      - Let the advisor pick the target host.
    type: bool
    default: false
  fault_domain:
    description:
      - Let the advisor pick a host in these fault domains.
      - V(any), V(same), V(other) or a fault domain's name.
    type: str
  max_cpu_pct:
    description:
      - With O(auto)/O(fault_domain), a target must stay at or under this CPU percentage.
    type: float
    default: 80.0
  max_mem_pct:
    description:
      - With O(auto)/O(fault_domain), a target must stay at or under this memory percentage.
    type: float
    default: 80.0
  priority:
    description:
      - The vMotion priority (C(MovePriority)).
    type: str
    choices: [low, default, high]
    default: default
  timeout:
    description:
      - Give up waiting after this many seconds (the task keeps running in vCenter) and fail.
    type: float
extends_documentation_fragment:
  - vmcctl.vsphere.connection
attributes:
  check_mode:
    support: full
    description: Resolves and checks the move, submits nothing.
  diff_mode:
    support: full
    description: The VM's host before and after.
"""

EXAMPLES = r"""
- name: Move the training VM to the other availability zone, high priority
  vmcctl.vsphere.migrate:
    hostname: vcenter.example
    username: automation@vsphere.local
    password: "{{ vcenter_password }}"
    vm: ML-cpu-vm-04
    fault_domain: other
    priority: high
  register: moved

- name: Bring it back to a named host (nothing to do when it is there already)
  vmcctl.vsphere.migrate:
    vm: ML-cpu-vm-04
    host: 10.94.24.70
    timeout: 600
"""

RETURN = r"""
vm:
  description: The VM's name.
  returned: always
  type: str
  sample: ML-cpu-vm-04
source:
  description: The host the VM was on.
  returned: always
  type: str
  sample: 10.94.24.70
target:
  description: The host asked for (or chosen by the advisor).
  returned: always
  type: str
  sample: 10.94.24.85
source_fault_domain:
  description: The source host's fault domain.
  returned: always
  type: str
target_fault_domain:
  description: The target host's fault domain.
  returned: always
  type: str
priority:
  description: The vMotion priority.
  returned: always
  type: str
  sample: high
task:
  description: The relocation task's managed object id.
  returned: when a task was submitted
  type: str
  sample: task-101
state:
  description:
    - The task's end state (V(success), V(error)), V(already-there) when nothing was needed,
      or V(running) when O(timeout) expired (the task goes on in vCenter; RV(task) names it).
  returned: unless in check mode
  type: str
seconds:
  description: How long the move took.
  returned: when a task was submitted
  type: float
verified:
  description: The VM is on the target with its power state and boot time unchanged.
  returned: unless in check mode
  type: bool
cold:
  description: The VM is powered off (a cold migration).
  returned: always
  type: bool
dry_run:
  description: True in check mode.
  returned: in check mode
  type: bool
submit:
  description: The call that would be submitted (method, spec, priority).
  returned: in check mode
  type: dict
fault:
  description: The vCenter fault type of a failed relocation.
  returned: on a failed relocation
  type: str
  sample: MigrationFault
message:
  description: The vCenter fault message of a failed relocation.
  returned: on a failed relocation
  type: str
current_host:
  description: Where the VM is after a failed relocation (null when unknown).
  returned: on a failed relocation
  type: str
advisor:
  description: Why the advisor chose the target (with O(auto) or O(fault_domain)).
  returned: when the advisor chose
  type: str
"""

from typing import Any  # noqa: E402

try:
    from vmcctl.errors import MigrationFailedError, TaskTimeoutError, VerificationError
    from vmcctl.ops.migrate import MigrateRequest, prepare_migration, run_migration
    from vmcctl.vsphere.snapshot import take_snapshot
except ImportError:
    pass  # vcenter_session reports the missing library

from ansible_collections.vmcctl.vsphere.plugins.module_utils.session import (  # noqa: E402
    VmcctlError,
    fail,
    new_module,
    vcenter_session,
)


def _diff(vm: str, before: str, after: str) -> dict[str, str]:
    return {"before_header": f"{vm} placement", "after_header": f"{vm} placement",
            "before": f"{vm}: {before}\n", "after": f"{vm}: {after}\n"}


def _planned(plan: Any) -> dict[str, Any]:
    """The checked move's keys (check mode, and a move that failed before a result)."""
    return {"vm": plan.vm, "source": plan.source, "target": plan.target,
            "source_fault_domain": plan.source_fault_domain,
            "target_fault_domain": plan.target_fault_domain, "priority": plan.priority,
            "cold": plan.cold}


def main() -> None:
    module = new_module({
        "vm": {"type": "str", "required": True},
        "host": {"type": "str"},
        "auto": {"type": "bool", "default": False},
        "fault_domain": {"type": "str"},
        "max_cpu_pct": {"type": "float", "default": 80.0},
        "max_mem_pct": {"type": "float", "default": 80.0},
        "priority": {"type": "str", "choices": ["low", "default", "high"], "default": "default"},
        "timeout": {"type": "float"},
    })
    p = module.params
    results: list[Any] = []
    with vcenter_session(module) as client:
        try:
            request = MigrateRequest(vm=p["vm"], host=p["host"], auto=p["auto"],
                                     fault_domain=p["fault_domain"],
                                     max_cpu_pct=p["max_cpu_pct"],
                                     max_mem_pct=p["max_mem_pct"], priority=p["priority"])
            prepared = prepare_migration(take_snapshot(client), request, already_there_ok=True)
        except VmcctlError as exc:
            fail(module, exc)
        extra = {}
        if prepared.recommendation is not None:
            extra["advisor"] = prepared.recommendation.why()
        plan = prepared.plan
        if plan is None:  # already where it was asked to be
            here = prepared.target
            module.exit_json(changed=False, vm=prepared.vm.name, source=here.name,
                             target=here.name, source_fault_domain=here.fault_domain,
                             target_fault_domain=here.fault_domain, priority=p["priority"],
                             state="already-there", verified=True,
                             cold=not prepared.vm.powered_on, **extra)
        diff = _diff(plan.vm, plan.source, plan.target)
        if module.check_mode:
            module.exit_json(changed=True, diff=diff, dry_run=True, submit=plan.spec(),
                             **_planned(plan), **extra)
        try:
            run_migration(client, plan, timeout=p["timeout"], on_result=results.append)
        except MigrationFailedError as exc:
            where = exc.current_host or "unknown"
            module.fail_json(
                msg=f"{exc}; {plan.vm} is on {where}", error=type(exc).__name__, exit_code=1,
                changed=exc.current_host is not None and exc.current_host != plan.source,
                task=exc.task, state="error", fault=exc.fault_type, message=exc.fault_message,
                current_host=exc.current_host, verified=False, **_planned(plan), **extra)
        except VerificationError as exc:
            fail(module, exc, changed=True, **results[0].to_dict(), **extra)
        except TaskTimeoutError as exc:  # submitted and still running in vCenter
            fail(module, exc, changed=True, task=exc.task, state="running", **_planned(plan),
                 **extra)
        except VmcctlError as exc:
            fail(module, exc, changed=False, **_planned(plan), **extra)
        module.exit_json(changed=True, diff=diff, **results[0].to_dict(), **extra)


if __name__ == "__main__":
    main()
