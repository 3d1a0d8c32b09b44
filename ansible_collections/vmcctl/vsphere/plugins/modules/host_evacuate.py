"""vmcctl.vsphere.host_evacuate: move every powered-on VM off a host, journaled."""

from __future__ import annotations

DOCUMENTATION = r"""
module: host_evacuate
short_description: Move every powered-on VM off a host (and enter maintenance mode), journaled
version_added: 0.1.0
description:
  - The vmcctl evacuate use case, the one C(vmcctl host evacuate) and
    C(vmcctl host maintenance enter --evacuate) run; returns the keys of their
    C(--output json).
  - The advisor plans a target for every powered-on VM (largest first, on a projected
    inventory, within O(fault_domain) and the headroom limits); the moves run in parallel
    within O(max_parallel) overall and O(max_per_host) per host, each re-checked before it
    is submitted, retried on transient faults and verified after.
  - Every state change goes to a journal (O(journal)); an unfinished run is refused unless
    O(resume) is set, a finished one is kept next to the new one. The journal, and the
    C(vmcctl.origin) attribute on each moved VM, are the way home for
    M(vmcctl.vsphere.host_restore).
  - With O(maintenance) the host enters maintenance mode once every VM moved (it is read
    again first; VMs that appeared meanwhile are moved too).
  - A VM that could not be moved fails the task (naming the VMs and how to bring the moved
    ones back); the others stay where they went and are in RV(moves).
  - In check mode nothing is submitted and no journal is written; RV(plan) is the plan.
  - With C(--diff) it shows every VM's host before and after.
author:
  - vmcctl maintainers (@vmcctl)
options:
  host:
    description:
      - The host to empty, by name, managed object id or inventory path.
    type: str
    required: true
  maintenance:
    description:
      - Enter maintenance mode once every VM moved.
    type: bool
    default: false
  journal:
    description:
      - The journal file. Default C(vmcctl-journal-HOST.json) in O(journal_dir).
      - Host names repeat across vCenters; give each vCenter its own O(journal_dir).
    type: path
  journal_dir:
    description:
      - Where a relative O(journal) (or the default name) is written, and where
        M(vmcctl.vsphere.host_restore) looks for every earlier run.
      - Default the module's working directory.
    type: path
  resume:
    description:
      - Finish the unfinished run recorded in the journal instead of planning a new one.
    type: bool
    default: false
  fault_domain:
    description:
      - Where the VMs may go. V(any), V(same) (each VM's current fault domain), V(other) or
        a fault domain's name.
    type: str
    default: any
  max_cpu_pct:
    description:
      - A target host must stay at or under this CPU percentage after the moves.
    type: float
    default: 80.0
  max_mem_pct:
    description:
      - A target host must stay at or under this memory percentage after the moves.
    type: float
    default: 80.0
  priority:
    description:
      - The vMotion priority of every move.
    type: str
    choices: [low, default, high]
    default: default
  max_parallel:
    description:
      - At most this many vMotions at once.
    type: int
    default: 8
  max_per_host:
    description:
      - At most this many vMotions at once from or to any one host.
    type: int
    default: 8
  timeout:
    description:
      - Seconds for the whole run; then nothing new is submitted, the moves in flight are
        followed, and the task fails saying to resume.
    type: float
  enter_timeout:
    description:
      - Seconds C(EnterMaintenanceMode_Task) may take (0 waits forever).
    type: float
    default: 900
  include_powered_off:
    description:
      - Move powered-off VMs too. Without it they stay on the host and are listed in
        RV(plan) as staying.
    type: bool
    default: false
  partial:
    description:
      - When a VM cannot be moved (a passthrough device, a template, ...) or placed (a
        must-rule, no room), move the others and never enter maintenance mode. Without it
        the task fails before anything moves, naming those VMs.
    type: bool
    default: false
extends_documentation_fragment:
  - vmcctl.vsphere.connection
  - vmcctl.vsphere.run
attributes:
  check_mode:
    support: full
    description: Plans the evacuation, moves nothing, writes no journal.
  diff_mode:
    support: full
    description: Every VM's host before and after.
seealso:
  - module: vmcctl.vsphere.host_restore
"""

EXAMPLES = r"""
- name: Empty a host and put it into maintenance mode
  vmcctl.vsphere.host_evacuate:
    hostname: vcenter.example
    username: automation@vsphere.local
    password: "{{ vcenter_password }}"
    host: 10.94.24.70
    maintenance: true
    fault_domain: same
    max_parallel: 4
    journal_dir: "/var/lib/vmcctl/{{ inventory_hostname }}"
  register: evacuation

- name: Finish an evacuation that was stopped
  vmcctl.vsphere.host_evacuate:
    host: 10.94.24.70
    maintenance: true
    resume: true
    journal_dir: "/var/lib/vmcctl/{{ inventory_hostname }}"
"""

RETURN = r"""
action:
  description: V(evacuate), or V(maintenance-enter) with O(maintenance).
  returned: always
  type: str
host:
  description: The evacuated host's name.
  returned: always
  type: str
host_moid:
  description: Its managed object id.
  returned: always
  type: str
ok:
  description: Every VM moved (and maintenance entered, if asked).
  returned: always
  type: bool
journal:
  description: The journal file of this run.
  returned: always
  type: str
archived:
  description: Where the journal of the previous, finished run was kept (or null).
  returned: always
  type: str
maintenance:
  description:
    - What happened to maintenance mode (V(entered), V(not-entered), V(not-requested)).
  returned: always
  type: str
maintenance_reason:
  description: Why maintenance mode was not entered.
  returned: always
  type: str
counts:
  description: Moves per end state.
  returned: always
  type: dict
  sample: {"done": 4}
moves:
  description:
    - One entry per VM with C(vm), C(origin), C(target), C(state) (V(done), V(failed),
      V(skipped), ...), C(task), C(attempts), C(reason) and C(fault).
  returned: always
  type: list
  elements: dict
seconds:
  description: Wall time of the moves.
  returned: when VMs were moved
  type: float
plan:
  description: The advisor's plan (moves, unplaceable VMs, target loads).
  returned: when a new plan was made
  type: dict
stays:
  description:
    - Powered-off or suspended VMs left on the host (without O(include_powered_off)),
      each with C(vm), C(vm_moid), C(power_state) and C(message).
  returned: always
  type: list
  elements: dict
vcenter_check:
  description:
    - vCenter's compatibility check of the planned targets, with C(status) (V(ok),
      V(warnings), V(unavailable), V(skipped)), C(warnings) and C(rejected) (each refused
      VM and host with vCenter's message).
  returned: when moves were checked
  type: dict
dry_run:
  description: True in check mode.
  returned: always
  type: bool
"""

from pathlib import Path  # noqa: E402

try:
    from vmcctl import ops
    from vmcctl.executor.runner import RunOptions
    from vmcctl.executor.schedule import Limits
    from vmcctl.placement.request import PlacementOptions
except ImportError:
    pass  # vcenter_session reports the missing library

from ansible_collections.vmcctl.vsphere.plugins.module_utils.host_report import (  # noqa: E402
    finish,
)
from ansible_collections.vmcctl.vsphere.plugins.module_utils.run_hooks import (  # noqa: E402
    RUN_SPEC,
    run_hooks,
)
from ansible_collections.vmcctl.vsphere.plugins.module_utils.session import (  # noqa: E402
    VmcctlError,
    fail,
    new_module,
    vcenter_session,
)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def main() -> None:
    module = new_module({
        "host": {"type": "str", "required": True},
        "maintenance": {"type": "bool", "default": False},
        "journal": {"type": "path"},
        "journal_dir": {"type": "path"},
        "resume": {"type": "bool", "default": False},
        "fault_domain": {"type": "str", "default": "any"},
        "max_cpu_pct": {"type": "float", "default": 80.0},
        "max_mem_pct": {"type": "float", "default": 80.0},
        "priority": {"type": "str", "choices": ["low", "default", "high"], "default": "default"},
        "max_parallel": {"type": "int", "default": 8},
        "max_per_host": {"type": "int", "default": 8},
        "timeout": {"type": "float"},
        "enter_timeout": {"type": "float", "default": 900.0},
        "include_powered_off": {"type": "bool", "default": False},
        "partial": {"type": "bool", "default": False},
        **RUN_SPEC,
    })
    p = module.params
    with run_hooks(module, "host evacuate") as hooks:
        with vcenter_session(module) as client:
            try:
                options = ops.EvacuateOptions(
                    placement=PlacementOptions(fault_domain=p["fault_domain"],
                                               max_cpu_pct=p["max_cpu_pct"],
                                               max_mem_pct=p["max_mem_pct"]),
                    priority=p["priority"], include_powered_off=p["include_powered_off"],
                    run=RunOptions(limits=Limits(max_parallel=p["max_parallel"],
                                                 max_per_host=p["max_per_host"]),
                                   timeout=p["timeout"], gate=hooks.gate),
                    journal=_path(p["journal"]), journal_dir=_path(p["journal_dir"]),
                    maintenance=p["maintenance"], enter_timeout=p["enter_timeout"],
                    dry_run=module.check_mode, resume=p["resume"], partial=p["partial"],
                    **hooks.check_options)
                report = ops.evacuate_host(client, p["host"], options, hooks.events)
            except VmcctlError as exc:
                fail(module, exc)
        if report.dry_run and report.plan is not None:
            error = report.plan.error()
            if error is not None:  # as `vmcctl host evacuate --dry-run`: a VM has nowhere to go
                fail(module, error, changed=False, **report.to_dict())
        finish(module, report)


if __name__ == "__main__":
    main()
