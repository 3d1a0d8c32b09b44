"""What a host use case returns: plain data for people (CLI, playbook) and JSON."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from vmcctl.errors import EvacuationError, VmcctlError
from vmcctl.executor.evacuate import Report
from vmcctl.executor.journal import Journal
from vmcctl.placement.plan import EvacuationPlan

Action = Literal["evacuate", "maintenance-enter", "maintenance-exit", "restore"]
# maintenance: what happened to the host's maintenance mode in this call
Maintenance = Literal["entered", "exited", "unchanged", "not-entered", "cancelled", "would-enter",
                      "would-exit", "not-requested"]


def _some(names: Iterable[str], shown: int = 8) -> str:
    """``a, b, c`` or ``a, b, … and 12 more``."""
    items = list(names)
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


@dataclass
class HostReport:
    """The outcome of one use case on one host.

    ``run`` is the executor's report when VMs were (or would have been) moved;
    ``restore`` the nested report of ``maintenance exit --restore``.
    """

    action: Action
    host: str
    host_moid: str
    dry_run: bool = False
    plan: EvacuationPlan | None = None
    journal: Journal | None = None
    run: Report | None = None
    maintenance: Maintenance = "not-requested"
    maintenance_reason: str | None = None
    archived: str | None = None  # the earlier journal this run moved aside
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)  # restore: VMs found per source
    restore: HostReport | None = None
    vcenter_check: dict[str, Any] | None = None  # ops.vcheck's summary, when moves were checked

    @property
    def stays(self) -> list[dict[str, Any]]:
        """Powered-off/suspended VMs the evacuation leaves on the host (from the plan)."""
        if self.plan is not None:
            return [s.to_dict() for s in self.plan.stays]
        if self.journal is not None:
            return list(self.journal.plan.get("stays") or [])
        return []

    def changes(self) -> list[str]:
        """What running this (planned or dry-run) report would change, one line each; empty:
        nothing to change, so nothing to confirm."""
        out: list[str] = []
        moves = ([m for m in self.journal.moves if m.state == "pending"]
                 if self.journal is not None else [])
        if moves and self.action == "restore":
            out.append(f"move {len(moves)} VM(s) back to {self.host}: "
                       + _some(m.vm for m in moves))
        elif moves:
            out.append(f"move {len(moves)} VM(s) off {self.host}: "
                       + _some(f"{m.vm} -> {m.target}" for m in moves))
        entering = (self.action == "maintenance-enter" and self.maintenance != "unchanged"
                    and (self.plan is None or self.plan.complete))
        if entering or self.maintenance == "would-enter":
            out.append(f"put {self.host} into maintenance mode")
        if self.maintenance == "would-exit":
            out.append(f"take {self.host} out of maintenance mode")
        if self.restore is not None:
            out.extend(self.restore.changes())
        return out

    @property
    def interrupted(self) -> bool:
        return (self.maintenance == "cancelled" or (self.run is not None and self.run.interrupted)
                or (self.restore is not None and self.restore.interrupted))

    @property
    def ok(self) -> bool:
        if self.interrupted:
            return False
        if self.run is not None and not self.dry_run and not self.run.ok:
            return False
        if self.maintenance in ("not-entered", "cancelled"):
            return False
        return self.restore is None or self.restore.ok

    def error(self) -> VmcctlError | None:
        """The error a front-end raises for this outcome (None when ok or interrupted)."""
        if self.ok or self.interrupted:
            return None
        if self.run is not None and not self.dry_run:
            error = self.run.error()
            if error is not None:
                return error
        if self.maintenance == "not-entered":
            return EvacuationError(f"host {self.host} did not enter maintenance mode: "
                                   f"{self.maintenance_reason}")
        return self.restore.error() if self.restore is not None else None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.run.to_dict() if self.run is not None else {
            "kind": self.action, "host": self.host, "ok": self.ok,
            # a dry run's moves are the planned ones (a restore's homecoming journal)
            "moves": [m.to_dict() for m in self.journal.moves]
            if self.dry_run and self.journal is not None else [],
            "counts": {}, "journal": str(self.journal.path) if self.journal and
            self.journal.path else None}
        data.update({"action": self.action, "host": self.host, "host_moid": self.host_moid,
                     "ok": self.ok, "interrupted": self.interrupted, "dry_run": self.dry_run,
                     "warnings": list(self.warnings), "archived": self.archived})
        data["maintenance"] = self.maintenance
        data["maintenance_reason"] = self.maintenance_reason
        if self.plan is not None:
            data["plan"] = self.plan.to_dict()
        if self.action in ("evacuate", "maintenance-enter"):
            data["stays"] = self.stays
        if self.sources:
            data["sources"] = dict(self.sources)
        if self.vcenter_check is not None:
            data["vcenter_check"] = self.vcenter_check
        if self.restore is not None:
            data["restore"] = self.restore.to_dict()
        return data
