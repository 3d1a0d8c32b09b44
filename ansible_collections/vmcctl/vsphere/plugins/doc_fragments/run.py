"""Documentation of the options the acting modules share: vCenter's checks, the gate, events."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  vcenter_check:
    description:
      - Ask vCenter's compatibility check (C(CheckRelocate_Task)) about each planned target
        before anything moves; a host it refuses is planned away. The command line's
        C(--no-vcenter-check) is V(false) here.
    type: bool
    default: true
  vsan_mode:
    description:
      - What happens to vSAN data when a host enters maintenance mode, one of
        V(ensure-accessibility), V(evacuate-all) or V(no-action) (the maintenance spec's
        C(vsanMode.objectAction)). Unset, no spec is sent and vCenter's own default applies.
      - An unknown mode fails the task before anything moves.
    type: str
  evacuate_powered_off:
    description:
      - Ask vCenter to move powered-off VMs off a host entering maintenance too
        (C(evacuatePoweredOffVms)).
    type: bool
    default: false
  gate_cmd:
    description:
      - The continuity gate. Shell commands that exit 0 while the workload is healthy; they
        are run before each batch of moves, and while one fails nothing new is submitted
        (moves in flight finish).
    type: list
    elements: str
    default: []
  gate_interval:
    description:
      - Seconds between checks while the gate is closed.
    type: float
    default: 5.0
  gate_timeout:
    description:
      - The task fails (resumable with O(resume)) once the gate was closed this long.
    type: float
    default: 600.0
  events:
    description:
      - Write the run's events to this file as JSON lines, C(run.start) first and
        C(run.end) last (the schema of vmcctl's C(--events); see docs/events.md).
    type: path
"""
