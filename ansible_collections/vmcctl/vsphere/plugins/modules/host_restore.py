"""vmcctl.vsphere.host_restore: bring home every VM an evacuation moved off a host."""

from __future__ import annotations

DOCUMENTATION = r"""
module: host_restore
short_description: Bring home every VM an evacuation moved off a host (after maintenance)
version_added: 0.1.0
description:
  - The vmcctl restore use case, the one C(vmcctl host restore) and
    C(vmcctl host maintenance exit --restore) run; returns the keys of their
    C(--output json).
  - Where each VM's home is comes from every journal in the journal folder (the
    evacuations of M(vmcctl.vsphere.host_evacuate)) and from the C(vmcctl.origin)
    attribute on the VMs in vCenter, newest move first; a VM whose newest origin is
    O(host) and that is elsewhere goes back. VMs already home are left alone (C(changed)
    false when nothing moved).
  - With O(exit_maintenance) the host leaves maintenance mode first.
  - An unfinished restore in the journal folder is resumed.
  - In check mode nothing is moved and maintenance mode is not changed.
  - With C(--diff) it shows every VM's host before and after.
author:
  - vmcctl maintainers (@vmcctl)
options:
  host:
    description:
      - The VMs' home host, by name, managed object id or inventory path.
    type: str
    required: true
  exit_maintenance:
    description:
      - Take the host out of maintenance mode first (nothing happens if it is not in it).
    type: bool
    default: false
  journal:
    description:
      - The evacuation journal. Default C(vmcctl-journal-HOST.json) in O(journal_dir);
        every other journal in its folder is read too.
    type: path
  journal_dir:
    description:
      - Where a relative O(journal) (or the default name) is, as given to
        M(vmcctl.vsphere.host_evacuate). Default the module's working directory.
    type: path
  use_attributes:
    description:
      - Also read the C(vmcctl.origin) attribute of the VMs in vCenter (works with no
        journal at hand).
    type: bool
    default: true
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
      - Seconds for the moves; then nothing new is submitted and the task fails.
    type: float
  vcenter_check:
    description:
      - Ask vCenter's compatibility check (C(CheckRelocate_Task)) about each VM on its home
        first. A VM it refuses is not sent, is listed as failed with vCenter's message
        (the task fails) and keeps its way home; the others come home. The command line's
        C(--no-vcenter-check) is V(false) here.
    type: bool
    default: true
extends_documentation_fragment:
  - vmcctl.vsphere.connection
attributes:
  check_mode:
    support: full
    description: Finds the way home, moves nothing, leaves maintenance mode as it is.
  diff_mode:
    support: full
    description: Every VM's host before and after.
seealso:
  - module: vmcctl.vsphere.host_evacuate
"""

EXAMPLES = r"""
- name: Out of maintenance and every VM back home
  vmcctl.vsphere.host_restore:
    hostname: vcenter.example
    username: automation@vsphere.local
    password: "{{ vcenter_password }}"
    host: 10.94.24.70
    exit_maintenance: true
    journal_dir: "/var/lib/vmcctl/{{ inventory_hostname }}"
  register: homecoming
"""

RETURN = r"""
action:
  description: V(restore), or V(maintenance-exit) with O(exit_maintenance).
  returned: always
  type: str
host:
  description: The home host's name.
  returned: always
  type: str
ok:
  description: Nothing failed (VMs skipped for a reason are listed in RV(moves)).
  returned: always
  type: bool
maintenance:
  description: What happened to maintenance mode (V(exited), V(unchanged), V(not-requested)).
  returned: always
  type: str
journal:
  description: The restore journal of this run.
  returned: always
  type: str
moves:
  description:
    - One entry per VM that was away, with C(vm), C(origin) (where it was), C(target)
      (home), C(state), C(task) and C(reason).
  returned: always
  type: list
  elements: dict
counts:
  description: Moves per end state.
  returned: always
  type: dict
sources:
  description: How many VMs' homes came from journals and from the attribute.
  returned: when VMs were found away
  type: dict
restore:
  description: With O(exit_maintenance), the restore's own report (the same keys).
  returned: with O(exit_maintenance)
  type: dict
"""

from pathlib import Path  # noqa: E402

try:
    from vmcctl import ops
    from vmcctl.executor.runner import RunOptions
    from vmcctl.executor.schedule import Limits
except ImportError:
    pass  # vcenter_session reports the missing library

from ansible_collections.vmcctl.vsphere.plugins.module_utils.host_report import (  # noqa: E402
    finish,
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
        "exit_maintenance": {"type": "bool", "default": False},
        "journal": {"type": "path"},
        "journal_dir": {"type": "path"},
        "use_attributes": {"type": "bool", "default": True},
        "max_parallel": {"type": "int", "default": 8},
        "max_per_host": {"type": "int", "default": 8},
        "timeout": {"type": "float"},
        "vcenter_check": {"type": "bool", "default": True},
    })
    p = module.params
    with vcenter_session(module) as client:
        try:
            restore = ops.RestoreOptions(
                run=RunOptions(limits=Limits(max_parallel=p["max_parallel"],
                                             max_per_host=p["max_per_host"]),
                               timeout=p["timeout"]),
                journal=_path(p["journal"]), journal_dir=_path(p["journal_dir"]),
                dry_run=module.check_mode, use_attributes=p["use_attributes"],
                vcenter_check=p["vcenter_check"])
            if p["exit_maintenance"]:
                report = ops.exit_maintenance(client, p["host"], ops.ExitOptions(
                    dry_run=module.check_mode, restore=restore))
            else:
                report = ops.restore_host(client, p["host"], restore)
        except VmcctlError as exc:
            fail(module, exc)
    finish(module, report)


if __name__ == "__main__":
    main()
