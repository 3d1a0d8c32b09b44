"""Rolling maintenance of a cluster: the one implementation behind CLI and playbooks.

    report = maintain_cluster(client, "Cluster-1", WindowOptions(...), events, control=c)
    report.ok, report.interrupted, report.error(), report.to_dict()

Plans the whole window (``placement.rolling.plan_window``: admission refused →
``PrecheckError``, exit 2), writes the window journal, then runs it step by
step. Before every phase of moves it reads vCenter again and decides that
phase's moves from what is there (VMs that appeared, moved or vanished are
re-planned by the same planner); a host enters maintenance only once it runs
no powered-on VM (read right before); ``--each`` runs on every host of the
step while the next moves go on; a failing ``--each`` stops the window with
that host left in maintenance (the step's group: never more than
``max_down`` hosts). Ctrl-C stops after the running vMotions; ``resume``
goes on from the journal.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vmcctl.errors import ConfigError, EvacuationError, PrecheckError, VmcctlError
from vmcctl.executor import maintenance as mm
from vmcctl.executor.control import RunControl
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import MoveRecord
from vmcctl.executor.prepare import move_record
from vmcctl.executor.runner import MoveRunner, RunOptions
from vmcctl.executor.vsan import object_action
from vmcctl.executor.window import (
    STAGES,
    PhaseJournal,
    WindowJournal,
    default_window_path,
)
from vmcctl.model import Inventory
from vmcctl.ops.attribute import OriginTags
from vmcctl.ops.tagging import TaggingEvents
from vmcctl.ops.vcheck import VCenterCheck, fail_refused, vet_moves
from vmcctl.placement.rolling import WindowOptions, WindowPlan, phase_moves, plan_window
from vmcctl.placement.rolling import window_context as make_context
from vmcctl.placement.state import Projection
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.privileges import maintenance_needs, migrate_needs, require_privileges
from vmcctl.vsphere.snapshot import take_snapshot
from vmcctl.vsphere.vmc import refuse_vmc_window


@dataclass(frozen=True)
class ClusterMaintenanceOptions:
    window: WindowOptions = field(default_factory=WindowOptions)
    hosts: tuple[str, ...] = ()  # selectors; empty: every host (of fault_domain, if given)
    fault_domain: str | None = None  # service only this fault domain's hosts
    each: str | None = None  # shell command run per host while it is in maintenance
    run: RunOptions = field(default_factory=RunOptions)
    journal: Path | None = None  # [default: ./vmcctl-window-CLUSTER.json]
    enter_timeout: float | None = 900.0
    dry_run: bool = False
    resume: bool = False
    vcenter_check: bool = True  # ask vCenter's CheckRelocate_Task about each planned target
    vsan_mode: str | None = None  # each host's maintenanceSpec.vsanMode.objectAction
    evacuate_powered_off: bool = False  # each EnterMaintenanceMode_Task's evacuatePoweredOffVms
    tag_origin: bool = True  # vmcctl.origin on VMs away from home (``host restore`` finds them)

    def __post_init__(self) -> None:
        object_action(self.vsan_mode)  # an unknown mode is refused before anything moves


class _WindowTagging(TaggingEvents):
    """``vmcctl.origin`` set when a VM leaves its home, cleared when it is back."""

    def __init__(self, inner: ExecutorEvents, tags: OriginTags | None,
                 phase: PhaseJournal) -> None:
        super().__init__(inner, tags, phase)
        self.window = phase.window

    def move_ended(self, rec: MoveRecord) -> None:
        if self.tags is not None and (rec.state == "done" or rec.left_origin):
            home = self.window.homes.get(rec.vm_moid)
            if rec.target_moid == home:
                self.tags.clear(rec.vm_moid)
            elif rec.origin_moid == home:
                self.tags.mark(rec, self.window.run_id)
        self.inner.move_ended(rec)


@dataclass
class WindowReport:
    cluster: str
    dry_run: bool = False
    plan: WindowPlan | None = None
    journal: WindowJournal | None = None
    interrupted: bool = False
    failed_host: str | None = None
    error_text: str | None = None
    hint: str | None = None

    @property
    def ok(self) -> bool:
        return not self.interrupted and self.error_text is None

    def error(self) -> VmcctlError | None:
        if self.ok or self.interrupted:
            return None
        return EvacuationError(self.error_text or "the window failed", hint=self.hint)

    def changes(self) -> list[str]:
        """What the planned window would change (empty: nothing to confirm)."""
        plan = self.plan
        if plan is None or not plan.groups:
            return []
        hosts = [h for group in plan.groups for h in group]
        back = ", then bring the VMs home" if plan.restore else ""
        return [f"put {len(hosts)} host(s) of {plan.cluster} into maintenance mode in turn "
                f"({', '.join(hosts)}), with {plan.relocations} relocation(s){back}"]

    def to_dict(self) -> dict[str, Any]:
        j = self.journal
        return {"cluster": self.cluster, "ok": self.ok, "dry_run": self.dry_run,
                "interrupted": self.interrupted, "failed_host": self.failed_host,
                "error": self.error_text,
                "journal": str(j.path) if j is not None and j.path else None,
                "relocations": j.relocations if j is not None else 0,
                "status": j.status if j is not None else None,
                "plan": self.plan.to_dict() if self.plan is not None else None}


def _hosts(inv: Inventory, cluster_moid: str, options: ClusterMaintenanceOptions) -> list[str]:
    cluster = inv.cluster(cluster_moid)
    if options.hosts and options.fault_domain:
        raise ConfigError("--hosts and --fault-domain both choose hosts: give one")
    if options.hosts:
        return [inv.find_host(h).moid for h in options.hosts]
    members = [inv.host(h) for h in cluster.host_moids]
    if options.fault_domain:
        chosen = [h.moid for h in members if h.fault_domain == options.fault_domain]
        if not chosen:
            known = sorted({h.fault_domain or "" for h in members} - {""})
            raise ConfigError(f"no host of {cluster.name} is in fault domain "
                              f"{options.fault_domain}", hint=f"known: {', '.join(known)}")
        return chosen
    return [h.moid for h in members if not h.in_maintenance]


def maintain_cluster(client: Client, cluster: str, options: ClusterMaintenanceOptions,
                     events: ExecutorEvents | None = None, *,
                     control: RunControl | None = None, inventory: Inventory | None = None,
                     on_start: Callable[[WindowReport], None] | None = None) -> WindowReport:
    """Service every chosen host of ``cluster`` (name, moid or path), or resume."""
    events = events or ExecutorEvents()
    inv = inventory if inventory is not None else take_snapshot(client)
    target = inv.find_cluster(cluster)
    refuse_vmc_window(inv, target)
    path = options.journal or default_window_path(target.name)
    report = WindowReport(cluster=target.name, dry_run=options.dry_run)
    if options.resume:
        journal = WindowJournal.load(path)
        if journal.cluster_moid != target.moid:
            raise ConfigError(f"{path} records a window of {journal.cluster}, not {target.name}")
        if journal.status == "done":
            raise ConfigError(f"{path} records a finished window: nothing to resume")
        journal.each = options.each if options.each is not None else journal.each
    else:
        plan = plan_window(inv, target.moid, _hosts(inv, target.moid, options), options.window)
        report.plan = plan
        if plan.unplaced:
            raise PrecheckError(f"no host can take {', '.join(plan.unplaced[:5])} during the "
                                "window", hint="relax --max-cpu/--max-mem/--fault-domain-"
                                               "policy or lower --max-down")
        if options.dry_run:
            return report
        _require_privileges(client, inv, [h for g in plan.groups for h in g], target.name)
        if path.exists():
            old = WindowJournal.load(path)
            if old.status not in ("done",):
                raise ConfigError(f"{path} records an unfinished window ({old.status})",
                                  hint="finish it with --resume, or pass another --journal")
        journal = WindowJournal(
            cluster=target.name, cluster_moid=target.moid,
            groups=[list(g) for g in plan.groups],
            host_names={h.moid: h.name for h in inv.hosts}, homes=dict(plan.homes),
            overlap=plan.overlap, restore=plan.restore, each=options.each,
            options={"max_down": options.window.max_down,
                     **options.window.placement.to_dict(), **options.run.limits.to_dict(),
                     "priority": options.window.priority},
            plan={"relocations": plan.relocations, "lower_bound": plan.lower_bound},
            path=path)
        journal.save()
    report.journal = journal
    if on_start is not None:
        on_start(report)
    _Window(client, journal, options, events, control, report).run()
    return report


def _require_privileges(client: Client, inv: Inventory, hosts: list[str], cluster: str) -> None:
    """Maintenance on every host of the window, moving their powered-on VMs (own pools)."""
    needs = [n for h in hosts for n in maintenance_needs(h, inv.host_name(h))]
    for h in hosts:
        needs += [n for vm in inv.vms_on(h) if vm.powered_on and vm.resource_pool
                  for n in migrate_needs(vm.moid, vm.name, powered_on=True,
                                         pool_moid=vm.resource_pool)]
    require_privileges(client, needs, action=f"run a maintenance window on cluster {cluster}")


class _Window:
    def __init__(self, client: Client, journal: WindowJournal,
                 options: ClusterMaintenanceOptions, events: ExecutorEvents,
                 control: RunControl | None, report: WindowReport) -> None:
        self.client, self.j, self.options = client, journal, options
        self.events, self.control, self.report = events, control, report
        self.wopts = replace(options.window, restore=journal.restore)
        self.tags = OriginTags(client) if options.tag_origin else None
        self.check = VCenterCheck(client if options.vcenter_check else None)
        self.said: set[str] = set()

    def run(self) -> None:
        j = self.j
        j.status, j.reason = "running", None
        j.save()
        try:
            while j.step < len(j.groups):
                for stage in STAGES[STAGES.index(j.stage):]:
                    j.stage = stage
                    j.save()
                    if not getattr(self, f"_{stage}")():
                        return
                j.step, j.stage, j.each_state = j.step + 1, "before", {}
                j.save()
        except KeyboardInterrupt:
            self._stop_interrupted()
            return
        except VmcctlError as exc:  # a maintenance task failed, vCenter broke off …
            self._fail(f"step {j.step + 1} ({j.stage}): {exc}", None)
            return
        finally:
            if self.control is not None:
                self.control.enter_phase("idle")
        j.status = "done"
        j.save()

    # --- stages: each returns False to stop the window -------------------------------

    def _before(self) -> bool:
        return self._moves("before")

    def _after(self) -> bool:
        return self._moves("after")

    def _enter(self) -> bool:
        for host in self.j.groups[self.j.step]:
            if mm.in_maintenance(self.client, host):
                continue
            name = self.j.host_name(host)
            running = mm.powered_on_vm_refs(self.client, host)
            # VMs that appeared since the phase's plan: move them, then read again
            if running and (not self._moves("before", evacuate=(self.j.step,))
                            or mm.powered_on_vm_refs(self.client, host)):
                return self._fail(f"{name} still runs powered-on VMs: "
                                  f"{', '.join(n for _, n in running)}", name)
            self.events.maintenance(name, "entering")
            if self.control is not None:
                self.control.enter_phase("maintenance")
            mm.enter_maintenance(self.client, host, timeout=self.options.enter_timeout,
                                 host_name=name, vsan_mode=self.options.vsan_mode,
                                 evacuate_powered_off=self.options.evacuate_powered_off)
            if self.control is not None:
                self.control.enter_phase("idle")
            self.events.maintenance(name, "entered")
        return True

    def _during(self) -> bool:
        group = self.j.groups[self.j.step]
        procs = {h: self._start_each(h) for h in group
                 if self.j.each and self.j.each_state.get(h) != "ok"}
        try:
            moved = self._moves("during")
            for host, (proc, _log) in procs.items():
                code = proc.wait()
                self.j.each_state[host] = "ok" if code == 0 else f"exit {code}"
                self.j.save()
        except KeyboardInterrupt:
            for proc, _ in procs.values():
                proc.terminate()
            raise
        finally:
            for _, log in procs.values():
                log.close()
        if not moved:
            return False
        failed = [h for h in group if self.j.each_state.get(h, "ok") != "ok"]
        if failed:
            name = self.j.host_name(failed[0])
            return self._fail(f"--each failed on {name} ({self.j.each_state[failed[0]]}); "
                              f"{name} is left in maintenance mode", name,
                              hint=f"fix it, then resume with --resume (log: "
                                   f"{self._log_path(failed[0])})")
        return True

    def _exit(self) -> bool:
        for host in self.j.groups[self.j.step]:
            name = self.j.host_name(host)
            if not mm.in_maintenance(self.client, host):
                continue
            self.events.maintenance(name, "exiting")
            mm.exit_maintenance(self.client, host)
            self.events.maintenance(name, "exited")
        return True

    # --- helpers ----------------------------------------------------------------------

    def _log_path(self, host: str) -> Path:
        base = self.j.path or Path("window.json")
        safe = "".join(c if c.isalnum() or c in ".-_" else "_" for c in self.j.host_name(host))
        return base.with_name(f"{base.stem}.each-{safe}.log")

    def _start_each(self, host: str) -> tuple[subprocess.Popen[bytes], Any]:
        env = {**os.environ, "VMCCTL_HOST": self.j.host_name(host), "VMCCTL_HOST_MOID": host}
        log = self._log_path(host).open("ab")
        proc = subprocess.Popen(self.j.each or "true", shell=True, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        self.j.each_state[host] = "running"
        self.j.save()
        return proc, log

    def _moves(self, phase: str, *, evacuate: tuple[int, ...] = ()) -> bool:
        """Run (or resume) this phase's moves; False if the window must stop."""
        j = self.j
        if not j.moves:
            inv = take_snapshot(self.client)

            def plan(rejects: tuple[tuple[str, str, str], ...]) -> tuple[Any, Any, list[Any]]:
                wopts = replace(self.wopts, placement=replace(
                    self.wopts.placement, vcenter_rejects=rejects)) if rejects else self.wopts
                ctx = make_context(j.groups, j.homes, wopts, j.overlap)
                planned = phase_moves(Projection.from_inventory(inv), ctx, j.step,
                                      phase, evacuate=evacuate)  # type: ignore[arg-type]
                return ctx, planned, [move_record(inv, inv.vm(m.vm_moid),
                                                  inv.host(m.target_moid), m.priority)
                                      for m in planned.moves]

            ctx, planned, records = vet_moves(self.check, [h.moid for h in inv.hosts], plan,
                                              lambda p: p[2])
            fail_refused(self.check, records)  # a VM vCenter refuses at home stays away
            j.homes = ctx.homes  # VMs that appeared on a serviced host are at home there
            for line in self.check.warnings():
                if line not in self.said:  # once per window, not once per phase
                    self.said.add(line)
                    self.events.warning(line)
            if planned.unplaced:
                return self._fail(f"no host can take {', '.join(planned.unplaced)} in step "
                                  f"{j.step + 1}", None)
            j.moves.extend(records)
            j.save()
        if not j.moves:
            return True
        phase_journal = PhaseJournal(j, f"step {j.step + 1} {phase}")
        runner = MoveRunner(self.client, phase_journal, self.options.run,
                            _WindowTagging(self.events, self.tags, phase_journal))
        if self.control is not None:
            self.control.moves(runner)
        outcome = runner.run()
        if self.control is not None:
            self.control.enter_phase("idle")
        for rec in j.moves:
            if rec.state == "done":
                j.moved[rec.vm_moid] = j.moved.get(rec.vm_moid, 0) + 1
        if outcome.gate_timed_out and j.gate_periods:
            j.moves = [r for r in j.moves if r.state != "done"]
            last = j.gate_periods[-1]
            return self._fail(f"the continuity gate stayed closed for {last.seconds:.0f} s in "
                              f"step {j.step + 1} ({last.why}); no new moves were submitted",
                              None)
        if outcome.interrupted or outcome.timed_out:
            j.moves = [r for r in j.moves if r.state != "done"]
            if outcome.timed_out:  # moves in flight go on in vCenter; the journal has them
                return self._fail(f"--timeout reached in step {j.step + 1} with moves left",
                                  None)
            self._stop_interrupted()
            return False
        problems = [r for r in j.moves if r.state != "done"]
        j.moves = []
        j.save()
        if problems:
            names = ", ".join(f"{r.vm} ({r.reason})" for r in problems[:5])
            return self._fail(f"{len(problems)} VM(s) could not be moved in step "
                              f"{j.step + 1}: {names}", None)
        return True

    def _fail(self, text: str, host: str | None, hint: str | None = None) -> bool:
        self.j.status, self.j.reason = "failed", text
        self.j.save()
        self.report.error_text, self.report.failed_host = text, host
        self.report.hint = hint or f"resume with --resume --journal {self.j.path}"
        return False

    def _stop_interrupted(self) -> None:
        self.j.status = "interrupted"
        self.j.save()
        self.report.interrupted = True
