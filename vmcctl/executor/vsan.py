"""vSAN data on maintenance: the mode names users type and what vCenter calls them.

No pyVmomi here: the command line's ``--vsan-mode`` choices and the use cases'
up-front check (``object_action``) read the same table as the maintenance call.
"""

from __future__ import annotations

from vmcctl.errors import ConfigError

# ``--vsan-mode`` values → HostMaintenanceSpec.vsanMode.objectAction
VSAN_MODES = {"ensure-accessibility": "ensureObjectAccessibility",
              "evacuate-all": "evacuateAllData", "no-action": "noAction"}


def object_action(vsan_mode: str | None) -> str | None:
    """vCenter's ``objectAction`` for ``vsan_mode`` (a ``VSAN_MODES`` key, or vCenter's own
    name); None for None; ``ConfigError`` naming the modes for anything else."""
    if vsan_mode is None:
        return None
    action = VSAN_MODES.get(vsan_mode, vsan_mode)
    if action not in VSAN_MODES.values():
        raise ConfigError(f"unknown vSAN mode {vsan_mode!r}",
                          hint="use " + ", ".join(VSAN_MODES))
    return action
