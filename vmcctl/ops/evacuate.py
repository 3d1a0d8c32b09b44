"""Evacuate a host (and enter maintenance if asked): the one implementation.

    report = evacuate_host(client, "10.94.24.70", EvacuateOptions(maintenance=True), events)
    report.ok, report.error(), report.to_dict()

Resolves the host, plans with the advisor, guards the journal (an
unfinished run is refused, a finished one archived: ``ops.history``), runs
the executor, tags each moved VM with its origin in vCenter
(``ops.attribute``), re-reads the host right before entering maintenance
and moves VMs that appeared since the plan (at most ``replan_rounds``
times; then it stops naming them), and returns a ``HostReport``. It never
prints and never exits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from vmcctl.errors import ConfigError
from vmcctl.executor.control import RunControl
from vmcctl.executor.evacuate import run_journal
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal, MoveRecord, load_journal
from vmcctl.executor.prepare import evacuation_journal
from vmcctl.executor.runner import RunOptions
from vmcctl.executor.vsan import object_action
from vmcctl.model import Host, Inventory
from vmcctl.ops import resolve
from vmcctl.ops.attribute import OriginTags
from vmcctl.ops.history import journal_path, start_new_run
from vmcctl.ops.report import HostReport, Maintenance
from vmcctl.ops.tagging import TaggingEvents
from vmcctl.ops.vcheck import VCenterCheck, publish, require_move_privileges, vet_moves
from vmcctl.placement.evacuation import plan_evacuation
from vmcctl.placement.plan import EvacuationPlan
from vmcctl.placement.request import PlacementOptions
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.privileges import maintenance_needs
from vmcctl.vsphere.snapshot import take_snapshot
from vmcctl.vsphere.vmc import refuse_vmc_maintenance

# EnterMaintenanceMode_Task's timeout when none is given (seconds); 0 waits forever.
DEFAULT_ENTER_TIMEOUT = 900.0


@dataclass(frozen=True)
class EvacuateOptions:
    placement: PlacementOptions = field(default_factory=PlacementOptions)
    priority: str = "default"
    include_powered_off: bool = False
    run: RunOptions = field(default_factory=RunOptions)
    journal: Path | None = None  # the journal file [default: ./vmcctl-journal-HOST.json]
    journal_dir: Path | None = None  # relative journal paths start here [default: cwd]
    maintenance: bool = False  # enter maintenance once every VM moved
    enter_timeout: float | None = DEFAULT_ENTER_TIMEOUT  # None or 0: wait forever
    dry_run: bool = False
    resume: bool = False  # finish the unfinished run in the journal
    replan_rounds: int = 2  # how often VMs that appeared before maintenance are moved too
    tag_origin: bool = True  # write vmcctl.origin on moved VMs
    # A VM that cannot move or be placed stops the run before anything moves; with
    # ``partial`` the others move and the host never enters maintenance.
    partial: bool = False
    vcenter_check: bool = True  # ask vCenter's CheckRelocate_Task about each planned target
    vsan_mode: str | None = None  # maintenance: vsanMode.objectAction (None: vCenter's default)
    evacuate_powered_off: bool = False  # maintenance: the task's evacuatePoweredOffVms

    def __post_init__(self) -> None:
        object_action(self.vsan_mode)  # an unknown mode is refused before anything moves
        if not self.maintenance and (self.vsan_mode or self.evacuate_powered_off):
            raise ConfigError("vsan_mode and evacuate_powered_off only apply when the host "
                              "enters maintenance",
                              hint="maintenance: true, or `vmcctl host maintenance enter "
                                   "--evacuate`")


def maintenance_outcome(journal: Journal) -> Maintenance:
    state = journal.maintenance
    if state in ("entered", "not-entered", "cancelled"):
        return state
    if state in ("pending", "entering"):
        return "not-entered"
    return "not-requested"


def _plan(inv: Inventory, host: Host, options: EvacuateOptions,
          rejects: tuple[tuple[str, str, str], ...] = ()) -> EvacuationPlan:
    placement = replace(options.placement, vcenter_rejects=rejects) if rejects else \
        options.placement
    return plan_evacuation(inv, host.moid, placement,
                           include_powered_off=options.include_powered_off,
                           priority=options.priority)  # type: ignore[arg-type]


def _journal_options(options: EvacuateOptions) -> dict[str, object]:
    maintenance: dict[str, object] = {}
    if options.vsan_mode is not None:
        maintenance["vsan_mode"] = options.vsan_mode
    if options.evacuate_powered_off:
        maintenance["evacuate_powered_off"] = True
    return {**options.run.limits.to_dict(), **options.placement.to_dict(),
            "priority": options.priority, "include_powered_off": options.include_powered_off,
            "partial": options.partial, **maintenance}


def _resume_journal(path: Path, host: Host, maintenance: bool) -> Journal:
    journal = load_journal(path)
    same = journal.host_moid == host.moid if journal.host_moid else journal.host == host.name
    if journal.kind != "evacuate" or not same:
        raise ConfigError(f"journal {path} records a {journal.kind} of {journal.host}, "
                          f"not an evacuation of {host.name}")
    if journal.status == "done":
        # nothing to finish; reporting the journal's old result would describe a
        # host that may have changed since (e.g. exited maintenance, VMs restored)
        raise ConfigError(f"journal {path} records a finished evacuation of {host.name}: "
                          "nothing to resume",
                          hint="run without --resume to evacuate the host again")
    if maintenance and journal.maintenance == "not-requested":
        journal.maintenance = "pending"
    return journal


def _require_privileges(client: Client, journal: Journal, host: Host,
                        maintenance: bool) -> None:
    """``PermissionDeniedError`` before anything moves when a privilege is missing."""
    require_move_privileges(
        client, journal.moves, extra=maintenance_needs(host.moid, host.name) if maintenance
        else None, action=f"evacuate host {host.name}"
        + (" and enter maintenance mode" if maintenance else ""))


def evacuate_host(client: Client, host: str, options: EvacuateOptions | None = None,
                  events: ExecutorEvents | None = None, *, control: RunControl | None = None,
                  inventory: Inventory | None = None,
                  on_start: Callable[[HostReport], None] | None = None,
                  approve: Callable[[HostReport], None] | None = None) -> HostReport:
    """Move every (powered-on) VM off ``host``; then maintenance if ``options.maintenance``.

    ``inventory``: plan against this one instead of a fresh read (a playbook's
    projected dry run). ``on_start(report)`` is called once the journal is
    written, before the first move (a front-end shows the plan there).
    ``approve(report)`` is called once the plan is made, before anything is
    written or moved (a front-end asks for confirmation there; it may raise).
    Raises ``InputError`` for bad input or a guarded journal, and
    ``EvacuationError`` before anything moves when a VM cannot be moved or placed
    (``plan.blocked``/``plan.unplaceable``) unless ``options.partial``; a VM that
    failed while moving is in the report, not an exception.
    """
    options = options or EvacuateOptions()
    events = events or ExecutorEvents()
    inv = inventory if inventory is not None else take_snapshot(client)
    target = resolve.host(inv, host)
    if options.maintenance:
        refuse_vmc_maintenance(inv, target, "maintenance enter --evacuate")
    path = journal_path(target.name, options.journal, options.journal_dir)
    report = HostReport(action="maintenance-enter" if options.maintenance else "evacuate",
                        host=target.name, host_moid=target.moid, dry_run=options.dry_run)
    resume_with = f"vmcctl host evacuate {target.name} --resume --journal {path}"
    if options.resume:
        journal = _resume_journal(path, target, options.maintenance)
    else:
        # vCenter's compatibility check (ops.vcheck) on each planned target; not on a dry
        # run, whose inventory may be a projection
        live = None if options.dry_run else client
        check = VCenterCheck(live if options.vcenter_check else None)
        plans: list[EvacuationPlan] = []

        def planned(rejects: tuple[tuple[str, str, str], ...]) -> Journal:
            plans.append(_plan(inv, target, options, rejects))
            return evacuation_journal(inv, plans[-1], path=path,
                                      maintenance=options.maintenance,
                                      options=_journal_options(options))

        journal = vet_moves(check, [h.moid for h in inv.hosts], planned, lambda j: j.moves)
        plan = report.plan = plans[-1]
        report.journal = journal
        if options.dry_run:
            return report
        publish(check, inv, report, events)
        blocked = plan.error()
        if blocked is not None and not options.partial:
            # like kubectl drain: every VM that would stay behind, before anything moves
            raise blocked
        _require_privileges(client, journal, target, options.maintenance)
        if approve is not None:
            approve(report)  # may raise (DeclinedError): nothing written, nothing moved
        report.archived = start_new_run(journal, path, resume_with=resume_with)
    if options.resume:
        _require_privileges(client, journal, target, options.maintenance)
    report.journal = journal
    if on_start is not None:
        on_start(report)
    tags = OriginTags(client) if options.tag_origin else None
    wrapped = TaggingEvents(events, tags, journal)

    def replan(current: Journal, appeared: list[tuple[str, str]]) -> list[MoveRecord]:
        fresh = take_snapshot(client)
        wanted = {moid for moid, _ in appeared}
        extra = evacuation_journal(fresh, _plan(fresh, resolve.host(fresh, target.moid),
                                                options))
        return [rec for rec in extra.moves if rec.vm_moid in wanted]

    report.run = run_journal(client, journal, options.run, wrapped,
                             maintenance_timeout=options.enter_timeout, control=control,
                             replan=replan, replan_rounds=options.replan_rounds)
    report.maintenance = maintenance_outcome(journal)
    report.maintenance_reason = journal.maintenance_reason
    if tags is not None and tags.disabled:
        report.warnings.append(tags.disabled)
    return report
