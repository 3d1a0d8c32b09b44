"""vmcctl.vsphere.advise: where a VM should go, and why every other host lost."""

from __future__ import annotations

DOCUMENTATION = r"""
module: advise
short_description: Rank the hosts that could take a VM and explain every rejection
version_added: 0.1.0
description:
  - Reads the vCenter inventory once and asks vmcctl's placement advisor where O(vm)
    should go, like C(vmcctl advise --output json).
  - Returns every eligible host ranked best first (DRS-like balance of CPU and memory
    after the move) and every rejected host with all its reasons and the option that
    relaxes each.
  - Never changes anything; C(changed) is always false.
  - Fails (naming the constraint that eliminated the most hosts and the option that
    relaxes it) when no host qualifies; the ranking and rejections are still returned.
author:
  - vmcctl maintainers (@vmcctl)
options:
  vm:
    description:
      - The VM, by name, managed object id (C(vm-123)) or inventory path
        (C(/DC/vm/folder/name)). A name shared by several VMs is refused with the list of
        matches.
    type: str
    required: true
  fault_domain:
    description:
      - Which fault domains (availability zones) may take the VM.
      - V(any), V(same) (as now), V(other) (any but the current one) or a fault domain's name.
    type: str
    default: any
  max_cpu_pct:
    description:
      - A target host must stay at or under this share of its CPU capacity after the move.
    type: float
    default: 80.0
  max_mem_pct:
    description:
      - A target host must stay at or under this share of its memory after the move.
    type: float
    default: 80.0
  top:
    description:
      - Return only the best O(top) candidates (the rejections are always complete).
    type: int
extends_documentation_fragment:
  - vmcctl.vsphere.connection
attributes:
  check_mode:
    support: full
    description: Read-only; check mode changes nothing.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
"""

EXAMPLES = r"""
- name: Where could ML-cpu-vm-04 go outside its availability zone?
  vmcctl.vsphere.advise:
    hostname: vcenter.example
    username: automation@vsphere.local
    password: "{{ vcenter_password }}"
    vm: ML-cpu-vm-04
    fault_domain: other
    top: 3
  register: advice

- name: Show the winner
  ansible.builtin.debug:
    msg: "{{ advice.best }} ({{ advice.candidates[0].fault_domain }})"
"""

RETURN = r"""
best:
  description: The best host's name (null when none qualifies).
  returned: always
  type: str
  sample: 10.94.24.85
vm:
  description: The VM's name.
  returned: always
  type: str
  sample: ML-cpu-vm-04
vm_moid:
  description: The VM's managed object id.
  returned: always
  type: str
  sample: vm-42
source:
  description: The host the VM is on now.
  returned: always
  type: str
  sample: 10.94.24.70
source_moid:
  description: That host's managed object id.
  returned: always
  type: str
source_fault_domain:
  description: That host's fault domain.
  returned: always
  type: str
  sample: us-west-2b
options:
  description: The placement options the advisor used.
  returned: always
  type: dict
candidates:
  description:
    - Eligible hosts, best first, with CPU and memory percent now and after the move,
      the score and the should-rules a host would break.
  returned: always
  type: list
  elements: dict
rejected:
  description: Every host that cannot take the VM, with all its reasons.
  returned: always
  type: list
  elements: dict
rejected_by_reason:
  description: Host names grouped by rejection reason, in filter order.
  returned: always
  type: dict
  sample: {"same fault domain": ["10.94.24.71", "10.94.24.72"]}
"""

try:
    from vmcctl.placement.advisor import rank_hosts
    from vmcctl.placement.request import PlacementOptions
    from vmcctl.vsphere.snapshot import take_snapshot
except ImportError:
    pass  # vcenter_session reports the missing library

from ansible_collections.vmcctl.vsphere.plugins.module_utils.session import (  # noqa: E402
    VmcctlError,
    fail,
    new_module,
    vcenter_session,
)


def main() -> None:
    module = new_module({
        "vm": {"type": "str", "required": True},
        "fault_domain": {"type": "str", "default": "any"},
        "max_cpu_pct": {"type": "float", "default": 80.0},
        "max_mem_pct": {"type": "float", "default": 80.0},
        "top": {"type": "int"},
    })
    p = module.params
    with vcenter_session(module) as client:
        inv = take_snapshot(client)
    try:
        options = PlacementOptions(fault_domain=p["fault_domain"], max_cpu_pct=p["max_cpu_pct"],
                                   max_mem_pct=p["max_mem_pct"])
        rec = rank_hosts(inv, p["vm"], options)
    except VmcctlError as exc:
        fail(module, exc)
    result = rec.to_dict(p["top"])
    result["best"] = rec.candidates[0].host if rec.candidates else None
    if not rec.candidates:
        fail(module, rec.error(), changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
