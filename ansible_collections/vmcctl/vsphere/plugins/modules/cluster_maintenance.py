"""vmcctl.vsphere.cluster_maintenance: a rolling maintenance window over a cluster."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cluster_maintenance
short_description: Service every host of a cluster, a few at a time, each VM moved the fewest times
version_added: 0.2.0
description:
  - The vmcctl rolling window use case, the one C(vmcctl cluster maintenance) runs;
    returns the keys of its C(--output json).
  - The whole window is planned first. Admission is refused (with the numbers) when the
    cluster cannot hold its load with O(max_down) hosts away at the headroom limit.
  - Hosts of one fault domain go down together, at most O(max_down); each powered-on VM
    leaves its host once and, with O(restore), comes home once, as soon as its host is
    serviced.
  - O(each) runs for every host while it is in maintenance (C(VMCCTL_HOST) and
    C(VMCCTL_HOST_MOID) set); a non-zero exit fails the task with that host left in
    maintenance; O(resume) goes on from the journal.
  - In check mode nothing is submitted and no journal is written; RV(plan) is the window.
author:
  - vmcctl maintainers (@vmcctl)
options:
  cluster:
    description:
      - The cluster, by name, managed object id or inventory path.
    type: str
    required: true
  hosts:
    description:
      - Service only these hosts (names, moids or paths). Default every host of the cluster.
    type: list
    elements: str
  only_fault_domain:
    description:
      - Service only the hosts of this fault domain.
    type: str
  max_down:
    description:
      - Hosts in maintenance at once.
    type: int
    default: 1
  each:
    description:
      - Shell command run for each host while it is in maintenance.
    type: str
  restore:
    description:
      - Bring every VM back to its host as soon as that host is serviced.
    type: bool
    default: false
  fault_domain:
    description:
      - Where VMs may wait. V(any), V(same), V(other) or a fault domain's name.
    type: str
    default: any
  max_cpu_pct:
    description:
      - Headroom limit for CPU, in percent, for admission and every move.
    type: float
    default: 80.0
  max_mem_pct:
    description:
      - Headroom limit for memory, in percent, for admission and every move.
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
  journal:
    description:
      - The window journal. Default C(vmcctl-window-CLUSTER.json) in the working directory.
    type: path
  resume:
    description:
      - Finish the window recorded in the journal.
    type: bool
    default: false
extends_documentation_fragment:
  - vmcctl.vsphere.connection
  - vmcctl.vsphere.run
attributes:
  check_mode:
    support: full
    description: Plans the window, moves nothing, writes no journal.
  diff_mode:
    support: none
    description: Not supported.
seealso:
  - module: vmcctl.vsphere.host_evacuate
"""

EXAMPLES = r"""
- name: Patch every host of Cluster-1, two at a time, VMs home at the end
  vmcctl.vsphere.cluster_maintenance:
    cluster: Cluster-1
    max_down: 2
    restore: true
    each: /usr/local/bin/patch-host
    journal: /var/lib/vmcctl/window-Cluster-1.json
"""

RETURN = r"""
cluster:
  description: The cluster's name.
  returned: always
  type: str
ok:
  description: Every host serviced.
  returned: always
  type: bool
failed_host:
  description: The host left in maintenance by a failed O(each), or null.
  returned: always
  type: str
relocations:
  description: Relocations done by this window so far.
  returned: always
  type: int
journal:
  description: The window journal.
  returned: always
  type: str
plan:
  description: The window (steps, moves, relocations and the lower bound, admission numbers).
  returned: when a new plan was made
  type: dict
dry_run:
  description: True in check mode.
  returned: always
  type: bool
"""

from pathlib import Path  # noqa: E402

try:
    from vmcctl.executor.runner import RunOptions
    from vmcctl.executor.schedule import Limits
    from vmcctl.ops.rolling import ClusterMaintenanceOptions, maintain_cluster
    from vmcctl.placement.request import PlacementOptions
    from vmcctl.placement.rolling import WindowOptions
except ImportError:
    pass  # vcenter_session reports the missing library

from ansible_collections.vmcctl.vsphere.plugins.module_utils.run_hooks import (  # noqa: E402
    RUN_SPEC,
    run_hooks,
)
from ansible_collections.vmcctl.vsphere.plugins.module_utils.session import (  # noqa: E402
    VmcctlError,
    fail,
    interrupted,
    new_module,
    vcenter_session,
)


def main() -> None:
    module = new_module({
        "cluster": {"type": "str", "required": True},
        "hosts": {"type": "list", "elements": "str"},
        "only_fault_domain": {"type": "str"},
        "max_down": {"type": "int", "default": 1},
        "each": {"type": "str"},
        "restore": {"type": "bool", "default": False},
        "fault_domain": {"type": "str", "default": "any"},
        "max_cpu_pct": {"type": "float", "default": 80.0},
        "max_mem_pct": {"type": "float", "default": 80.0},
        "priority": {"type": "str", "choices": ["low", "default", "high"], "default": "default"},
        "max_parallel": {"type": "int", "default": 8},
        "max_per_host": {"type": "int", "default": 8},
        "journal": {"type": "path"},
        "resume": {"type": "bool", "default": False},
        **RUN_SPEC,
    })
    p = module.params
    with run_hooks(module, "cluster maintenance") as hooks:
        with vcenter_session(module) as client:
            try:
                options = ClusterMaintenanceOptions(
                    window=WindowOptions(
                        max_down=p["max_down"], restore=p["restore"], priority=p["priority"],
                        placement=PlacementOptions(fault_domain=p["fault_domain"],
                                                   max_cpu_pct=p["max_cpu_pct"],
                                                   max_mem_pct=p["max_mem_pct"])),
                    hosts=tuple(p["hosts"] or ()), fault_domain=p["only_fault_domain"],
                    each=p["each"],
                    run=RunOptions(limits=Limits(max_parallel=p["max_parallel"],
                                                 max_per_host=p["max_per_host"]),
                                   gate=hooks.gate),
                    journal=Path(p["journal"]) if p["journal"] else None,
                    dry_run=module.check_mode, resume=p["resume"], **hooks.check_options)
                report = maintain_cluster(client, p["cluster"], options, hooks.events)
            except VmcctlError as exc:
                fail(module, exc)
        result = report.to_dict()
        error = report.error()
        if report.interrupted:
            interrupted(module, "interrupted; run again with resume: true", changed=True,
                        **result)
        if error is not None:
            fail(module, error, changed=True, **result)
        module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
