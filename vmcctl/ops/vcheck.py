"""vCenter's compatibility check on the chosen targets: the one place migrate and evacuation use.

    summary = VCenterCheck(client)                      # or VCenterCheck(None): skipped
    verdict = summary.check(vm_moid, host_moid, pool_moid)
    summary.rejects          # (vm, host, message) for PlacementOptions.vcenter_rejects
    summary.status           # "ok" | "warnings" | "unavailable" | "skipped" (refusals: rejects)

Only the chosen target of each VM is checked (``vsphere.compat.check_relocation``,
one CheckRelocate task each). An error rejects that host for that VM with
reason code ``vcenter-check``: the advisor places again without it (``migrate
--auto``, evacuation), an explicit ``--host`` is a ``PrecheckError`` (exit 2).
Each VM is checked at most ``MAX_CHECKS_PER_VM`` times, so the cost is bounded.
After the first "unavailable" answer the rest are not asked (one warning).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import MoveRecord
from vmcctl.model import Inventory
from vmcctl.ops.report import HostReport
from vmcctl.vsphere.compat import CompatVerdict, check_relocation
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.privileges import Need, migrate_needs, require_privileges

T = TypeVar("T")
MAX_CHECKS_PER_VM = 4
UNAVAILABLE_WARNING = ("vCenter's compatibility check (CheckRelocate_Task) is unavailable "
                       "on this vCenter: moves were not checked by vCenter before submission")


@dataclass
class VCenterCheck:
    """The checks of one run; ``client`` None means ``--no-vcenter-check`` (skipped)."""

    client: Client | None
    verdicts: dict[tuple[str, str], CompatVerdict] = field(default_factory=dict)
    unavailable: str | None = None  # why, once vCenter said it cannot check
    asked: dict[str, int] = field(default_factory=dict)  # checks per VM moid

    def check(self, vm_moid: str, host_moid: str, pool_moid: str | None,
              pool_kind: str = "ResourcePool") -> CompatVerdict | None:
        """vCenter's verdict for this move (cached); None when skipped or unavailable."""
        if self.client is None or self.unavailable is not None:
            return None
        key = (vm_moid, host_moid)
        if key in self.verdicts:
            return self.verdicts[key]
        self.asked[vm_moid] = self.asked.get(vm_moid, 0) + 1
        verdict = check_relocation(self.client, vm_moid=vm_moid, host_moid=host_moid,
                                   pool_moid=pool_moid, pool_kind=pool_kind)
        if verdict.status == "unavailable":
            self.unavailable = verdict.why_unavailable or "unavailable"
            return None
        self.verdicts[key] = verdict
        return verdict

    def exhausted(self, vm_moid: str) -> bool:
        """This VM was checked as often as allowed."""
        return self.asked.get(vm_moid, 0) >= MAX_CHECKS_PER_VM

    @property
    def rejects(self) -> tuple[tuple[str, str, str], ...]:
        return tuple((v.vm_moid, v.host_moid, v.message())
                     for v in self.verdicts.values() if v.rejected)

    def placement_rejects(self, host_moids: list[str]) -> tuple[tuple[str, str, str], ...]:
        """``rejects``, plus every other host for a VM checked as often as allowed
        (the advisor then reports it unplaceable instead of asking vCenter forever)."""
        out = list(self.rejects)
        asked = set(self.verdicts)  # refused ones and accepted ones alike
        for vm, n in self.asked.items():
            if n < MAX_CHECKS_PER_VM:
                continue
            for host in host_moids:
                if (vm, host) not in asked:
                    out.append((vm, host, f"not asked: vCenter refused {n} hosts for this VM "
                                          "already"))
        return tuple(out)

    @property
    def status(self) -> str:
        if self.client is None:
            return "skipped"
        if self.unavailable is not None:
            return "unavailable"
        if any(v.warnings for v in self.verdicts.values() if not v.rejected):
            return "warnings"
        return "ok"

    def warnings(self, names: dict[str, str] | None = None) -> list[str]:
        """One line per vCenter warning (``names``: moid → name), plus unavailability."""
        names = names or {}
        out = [f"vCenter warns about {names.get(v.vm_moid, v.vm_moid)} on "
               f"{names.get(v.host_moid, v.host_moid)}: {w}"
               for v in self.verdicts.values() for w in v.warnings]
        if self.unavailable is not None:
            out.append(f"{UNAVAILABLE_WARNING} ({self.unavailable})")
        return out

    def to_dict(self, names: dict[str, str] | None = None) -> dict[str, Any]:
        names = names or {}
        return {"status": self.status, "warnings": self.warnings(names),
                "rejected": [{"vm": names.get(vm, vm), "vm_moid": vm,
                              "host": names.get(host, host), "host_moid": host,
                              "message": message} for vm, host, message in self.rejects]}


Planner = Callable[[tuple[tuple[str, str, str], ...]], T]


def vet_moves(check: VCenterCheck, host_moids: list[str], plan: Planner[T],
              moves: Callable[[T], list[MoveRecord]]) -> T:
    """Plan, ask vCenter about each planned move's target, plan again without the refused ones.

    ``plan(rejects)`` plans with ``PlacementOptions.vcenter_rejects=rejects`` (a
    journal, a phase's records ...); ``moves(planned)`` lists its move records.
    Ends when a plan brings no new refusal: a planner that cannot avoid a refused
    host (a VM going home) gives the same plan again, which is returned with that
    move in it (``fail_refused`` then fails it). Each VM is asked at most
    ``MAX_CHECKS_PER_VM`` times (then it is unplaceable), so the loop is bounded.
    """
    planned = plan(())
    if check.client is None:
        return planned
    while True:
        known = len(check.rejects)
        list(_verdicts(check, moves(planned)))  # ask about every planned target
        if len(check.rejects) == known:
            return planned
        planned = plan(check.placement_rejects(host_moids))


def _verdicts(check: VCenterCheck,
              moves: list[MoveRecord]) -> Iterator[tuple[MoveRecord, CompatVerdict | None]]:
    """vCenter's verdict on each pending move that has a target (asked once per VM and
    host: ``VCenterCheck`` keeps the answers)."""
    for rec in moves:
        if rec.state == "pending" and rec.target_moid:
            yield rec, check.check(rec.vm_moid, rec.target_moid, rec.pool_moid or None,
                                   rec.pool_kind)


def require_move_privileges(client: Client, moves: list[MoveRecord], *, action: str,
                            extra: list[Need] | None = None) -> None:
    """``PermissionDeniedError`` (exit 2) before ``action`` when this user lacks a privilege
    one of the pending ``moves`` needs (or one of ``extra``, e.g. maintenance)."""
    needs: list[Need] = list(extra or ())
    for rec in moves:
        if rec.state == "pending":
            needs += migrate_needs(rec.vm_moid, rec.vm, pool_moid=rec.pool_moid or None,
                                   pool_kind=rec.pool_kind,
                                   powered_on=rec.power_state == "poweredOn")
    require_privileges(client, needs, action=action)


def fail_refused(check: VCenterCheck, moves: list[MoveRecord]) -> None:
    """Ask vCenter about each pending move whose target cannot change (a VM going home).

    One it refuses is ``failed`` before anything moves, with vCenter's message and
    fault, and without a target (``executor.decide.ended_for_good``: no run submits it,
    ``--resume`` included); the run reports it, and its way home is kept for a later
    ``host restore``, which asks vCenter again."""
    for rec, verdict in _verdicts(check, moves):
        if verdict is not None and verdict.rejected:
            rec.state, rec.target_moid, rec.fault = "failed", "", verdict.fault_type
            rec.reason = (f"vCenter's compatibility check refuses {rec.target}: "
                          f"{verdict.message()}")


def publish(check: VCenterCheck, inv: Inventory, report: HostReport,
            events: ExecutorEvents) -> None:
    """The check's summary in ``report`` (``vcenter_check``), its warnings in the report
    and the event stream."""
    names = {**{h.moid: h.name for h in inv.hosts}, **{v.moid: v.name for v in inv.vms}}
    report.vcenter_check = check.to_dict(names)
    for line in check.warnings(names):
        report.warnings.append(line)
        events.warning(line)
