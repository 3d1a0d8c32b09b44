"""Bring home every VM any recorded run moved off a host.

Where each VM's home is comes from two places, merged per VM (newest move
wins, each VM at most once):

- every journal in the journal folder (``ops.history``): evacuations say
  "moved off HOST", restores say "brought back";
- the ``vmcctl.origin`` custom attribute in vCenter (``ops.attribute``),
  which works with no journal at hand.

A VM whose newest origin is ``host`` and that is not there now goes back
(powered-on ones; others are listed with the reason), unless vCenter's
compatibility check refuses it there: it then fails before anything moves and
keeps its way home. Moved VMs have their attribute cleared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vmcctl.errors import ConfigError
from vmcctl.executor.control import RunControl
from vmcctl.executor.evacuate import run_journal
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal, load_journal
from vmcctl.executor.prepare import homecoming_journal
from vmcctl.executor.runner import RunOptions
from vmcctl.model import Inventory
from vmcctl.ops import resolve
from vmcctl.ops.attribute import OriginTags, read_origin_values
from vmcctl.ops.history import (
    UNFINISHED,
    Origin,
    history_files,
    journal_path,
    load_history,
    newest_origins,
    restore_path,
    start_new_run,
)
from vmcctl.ops.report import HostReport
from vmcctl.ops.tagging import TaggingEvents
from vmcctl.ops.vcheck import VCenterCheck, fail_refused, publish, require_move_privileges
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.snapshot import take_snapshot


@dataclass(frozen=True)
class RestoreOptions:
    run: RunOptions = field(default_factory=RunOptions)
    journal: Path | None = None  # the evacuation journal [default: ./vmcctl-journal-HOST.json]
    journal_dir: Path | None = None
    dry_run: bool = False
    use_attributes: bool = True  # also read vmcctl.origin from vCenter
    tag_origin: bool = True  # clear vmcctl.origin on VMs brought home
    vcenter_check: bool = True  # ask vCenter's CheckRelocate_Task about each VM's home first


@dataclass
class WayHome:
    """Every VM's newest origin, and what could not be read on the way."""

    origins: dict[str, Origin]
    journals: int = 0
    attributes: int = 0
    warnings: list[str] = field(default_factory=list)


def way_home(client: Client | None, journal_files: Sequence[Path],
             extra: Sequence[Journal] = (), *, use_attributes: bool = True) -> WayHome:
    """Merge the journals' and vCenter's records: newest origin per VM moid."""
    journals, warnings = load_history(journal_files)
    journals.extend(extra)
    origins = newest_origins(journals)
    result = WayHome(origins=origins, journals=len(journals), warnings=warnings)
    if client is None or not use_attributes:
        return result
    values, problem = read_origin_values(client)
    if problem:
        result.warnings.append(problem)
    for moid, value in values.items():
        result.attributes += 1
        known = origins.get(moid)
        if known is not None and known.at >= value.at:
            continue
        origins[moid] = Origin(vm_moid=moid, vm=known.vm if known else moid,
                               home_moid=value.home_moid, home=value.home_moid,
                               run_id=value.run_id, at=value.at, source="attribute")
    return result


def away_from(origins: dict[str, Origin], inv: Inventory,
              home_moid: str | None = None) -> list[Origin]:
    """VMs whose newest origin is not where they are now (only ``home_moid``'s, if given)."""
    out = []
    for origin in origins.values():
        if origin.returned or (home_moid is not None and origin.home_moid != home_moid):
            continue
        vm = inv.vms_by_moid.get(origin.vm_moid)
        home = inv.hosts_by_moid.get(origin.home_moid)
        if vm is not None and home is not None and vm.host_moid == home.moid:
            continue  # home already
        out.append(origin)
    return sorted(out, key=lambda o: (o.home_moid, o.vm))


def restore_host(client: Client, host: str, options: RestoreOptions | None = None,
                 events: ExecutorEvents | None = None, *, control: RunControl | None = None,
                 inventory: Inventory | None = None,
                 planned: Sequence[Journal] = (),
                 on_start: Callable[[HostReport], None] | None = None,
                 approve: Callable[[HostReport], None] | None = None) -> HostReport:
    """Bring home to ``host`` every VM whose newest recorded origin is ``host``.

    ``planned``: journals a dry run would have written (a playbook's earlier
    steps). An unfinished restore in the journal folder is resumed first.
    ``approve(report)`` is called with the new run's plan before anything is
    written or moved (a front-end asks for confirmation there; it may raise).
    """
    options = options or RestoreOptions()
    events = events or ExecutorEvents()
    inv = inventory if inventory is not None else take_snapshot(client)
    home = resolve.host(inv, host)
    path = journal_path(home.name, options.journal, options.journal_dir)
    rpath = restore_path(path)
    report = HostReport(action="restore", host=home.name, host_moid=home.moid,
                        dry_run=options.dry_run)
    journal = load_journal(rpath) if rpath.exists() and not options.dry_run else None
    if journal is None or journal.status not in UNFINISHED:
        # a dry run reads the attributes too: it must say what the real run would do
        found = way_home(client, history_files(path.parent, path), planned,
                         use_attributes=options.use_attributes)
        report.warnings.extend(found.warnings)
        away = away_from(found.origins, inv, home.moid)
        report.sources = {"journal": sum(o.source == "journal" for o in away),
                          "attribute": sum(o.source == "attribute" for o in away)}
        if not found.journals and not found.attributes and not planned:
            raise ConfigError(f"no journal at {path} (nor any other in {path.parent}) and no "
                              f"VM carries the vmcctl.origin attribute: nothing says which "
                              f"VMs came from {home.name}",
                              hint="pass --journal FILE (the evacuation prints where it "
                                   "wrote it)")
        journal = homecoming_journal(inv, home, [(o.vm_moid, o.vm, o.priority) for o in away],
                                     path=rpath, options=options.run.limits.to_dict())
        report.journal = journal
        if options.dry_run:
            return report
        # the target is the VM's home: a VM vCenter refuses there fails now, nothing moves
        check = VCenterCheck(client if options.vcenter_check else None)
        fail_refused(check, journal.moves)
        publish(check, inv, report, events)
        require_move_privileges(client, journal.moves, action=f"bring VMs home to {home.name}")
        if approve is not None:
            approve(report)  # may raise (DeclinedError): nothing written, nothing moved
        report.archived = start_new_run(journal, rpath,
                                        resume_with=f"vmcctl host restore {home.name}")
    else:
        require_move_privileges(client, journal.moves, action=f"bring VMs home to {home.name}")
    report.journal = journal
    if on_start is not None:
        on_start(report)
    tags = OriginTags(client) if options.tag_origin else None
    if tags is not None:
        for rec in journal.moves:
            if rec.state == "skipped" and (rec.reason or "").startswith("already on"):
                tags.clear(rec.vm_moid)  # home by other means: the tag is stale
    report.run = run_journal(client, journal, options.run,
                             TaggingEvents(events, tags, journal), control=control)
    if tags is not None and tags.disabled:
        report.warnings.append(tags.disabled)
    return report
