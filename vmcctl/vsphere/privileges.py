"""Ask vCenter up front whether this session may do what a command needs.

    needs = [Need("Resource.HotMigrate", "VirtualMachine", "vm-42", "app"),
             Need("Resource.AssignVMToPool", "ResourcePool", "resgroup-9", "Resources")]
    require_privileges(client, needs)    # PermissionDeniedError (exit 2) naming what is missing

One ``AuthorizationManager.HasPrivilegeOnEntities`` call for the session's own
key (read from ``sessionManager.currentSession``): every entity, every
privilege asked, then only the pairs needed are judged. A vCenter that cannot
answer (the method missing, as on govmomi's stock simulator, or the question
itself refused) is skipped with a debug log: vCenter still refuses the
changing call itself with ``NoPermission``, which ``faults.map_fault`` names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pyVmomi import vim, vmodl

from vmcctl.errors import PermissionDeniedError
from vmcctl.log import get_logger
from vmcctl.vsphere.connection import Client

log = get_logger(__name__)

_KINDS: dict[str, Any] = {"VirtualMachine": vim.VirtualMachine, "HostSystem": vim.HostSystem,
                          "ResourcePool": vim.ResourcePool, "VirtualApp": vim.VirtualApp,
                          "ClusterComputeResource": vim.ClusterComputeResource}
_LABELS = {"VirtualMachine": "VM", "HostSystem": "host", "ResourcePool": "resource pool",
           "VirtualApp": "vApp", "ClusterComputeResource": "cluster"}


@dataclass(frozen=True)
class Need:
    """One privilege a command needs on one object (``kind`` is its vSphere type)."""

    privilege: str
    kind: str
    moid: str
    name: str

    def describe(self) -> str:
        kind = _LABELS.get(self.kind, self.kind)
        if self.name == self.moid:
            return f"{self.privilege} on {kind} {self.moid}"
        return f"{self.privilege} on {kind} {self.name} ({self.moid})"


def migrate_needs(vm_moid: str, vm_name: str, *, powered_on: bool, pool_moid: str | None,
                  pool_name: str | None = None, pool_kind: str = "ResourcePool") -> list[Need]:
    """What ``RelocateVM_Task`` needs: Hot/ColdMigrate on the VM, AssignVMToPool on the pool
    (none when ``spec.pool`` stays unset: vCenter keeps the VM's own pool)."""
    migrate = "Resource.HotMigrate" if powered_on else "Resource.ColdMigrate"
    needs = [Need(migrate, "VirtualMachine", vm_moid, vm_name)]
    if pool_moid:
        kind = "VirtualApp" if pool_kind == "VirtualApp" else "ResourcePool"
        needs.append(Need("Resource.AssignVMToPool", kind, pool_moid, pool_name or pool_moid))
    return needs


def maintenance_needs(host_moid: str, host_name: str) -> list[Need]:
    """What ``EnterMaintenanceMode_Task`` / ``ExitMaintenanceMode_Task`` need."""
    return [Need("Host.Config.Maintenance", "HostSystem", host_moid, host_name)]


def missing_privileges(client: Client, needs: Sequence[Need]) -> list[Need] | None:
    """The needs this session lacks; ``None`` when vCenter could not be asked."""
    if not needs:
        return []
    stub = client.si._stub
    entities: dict[str, Any] = {}
    for n in needs:
        entities.setdefault(n.moid, _KINDS.get(n.kind, vim.ManagedEntity)(n.moid, stub))
    privs = sorted({n.privilege for n in needs})

    def ask(content: Any) -> Any:
        session = content.sessionManager.currentSession
        if session is None:
            return None
        return content.authorizationManager.HasPrivilegeOnEntities(
            entity=list(entities.values()), sessionId=session.key, privId=privs)

    try:
        answer = client.read(ask)
    except vmodl.MethodFault as fault:
        log.debug("vCenter could not say which privileges this session holds; "
                  "vCenter will refuse what is not allowed when it is tried",
                  fault=type(fault).__name__)
        return None
    if answer is None:
        log.debug("no current session to ask about privileges")
        return None
    granted = {(str(ep.entity._moId), pa.privId)
               for ep in answer for pa in ep.privAvailability or () if pa.isGranted}
    return [n for n in _unique(needs) if (n.moid, n.privilege) not in granted]


def _unique(needs: Iterable[Need]) -> list[Need]:
    seen: dict[tuple[str, str], Need] = {}
    for n in needs:
        seen.setdefault((n.moid, n.privilege), n)
    return list(seen.values())


def require_privileges(client: Client, needs: Sequence[Need], *, action: str) -> None:
    """``PermissionDeniedError`` (exit 2) before ``action`` when a privilege is missing."""
    missing = missing_privileges(client, needs)
    if not missing:
        return
    user = client.settings.username
    listed = "; ".join(n.describe() for n in missing[:5])
    more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
    raise PermissionDeniedError(
        f"user {user!r} may not {action}: missing {listed}{more}; nothing was changed",
        fault_type="NoPermission", user=user,
        privileges=[(n.privilege, f"{n.name} ({n.moid})") for n in missing],
        hint="ask a vCenter administrator for a role with these privileges, "
             "or run as another user")
