"""The ``cluster_maintenance`` step: a rolling window, through ``vmcctl.ops.rolling``.

A dry run plans the window against the playbook's (projected) inventory and
moves nothing; a real run writes the window journal (default
``vmcctl-window-CLUSTER.json`` in the journal folder) and stops the playbook
on a failed ``each`` (the host stays in maintenance; ``resume: true`` goes on).
"""

from __future__ import annotations

from pathlib import Path

from vmcctl.errors import VmcctlError
from vmcctl.executor.runner import RunOptions
from vmcctl.executor.schedule import Limits
from vmcctl.executor.window import WindowJournal, default_window_path
from vmcctl.ops.rolling import ClusterMaintenanceOptions, maintain_cluster
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.rolling import WindowOptions
from vmcctl.playbook.context import RunContext
from vmcctl.playbook.host_steps import _Notes
from vmcctl.playbook.outcome import StepOutput
from vmcctl.playbook.schema import ClusterMaintenanceAction


def _unfinished(path: Path) -> bool:
    """A resumed playbook stopped in this step: is its window journal there, unfinished?"""
    try:
        return WindowJournal.load(path).status != "done"
    except (OSError, ValueError, KeyError, VmcctlError):
        return False


def run_cluster_maintenance(ctx: RunContext, action: ClusterMaintenanceAction) -> StepOutput:
    journal = (ctx.journal_path(action.journal, "") if action.journal is not None
               else default_window_path(action.cluster, ctx.journal_dir))
    options = ClusterMaintenanceOptions(
        window=WindowOptions(max_down=action.max_down, restore=action.restore,
                             priority=action.priority,
                             placement=PlacementOptions(fault_domain=action.fault_domain,
                                                        max_cpu_pct=action.max_cpu,
                                                        max_mem_pct=action.max_mem)),
        hosts=tuple(action.hosts or ()), fault_domain=action.only_fault_domain,
        each=action.each,
        run=RunOptions(limits=Limits(max_parallel=action.max_parallel),
                       timeout=action.timeout),
        journal=journal, dry_run=ctx.dry_run,
        resume=action.resume or (ctx.resuming and _unfinished(journal)))
    inventory = ctx.inventory() if ctx.dry_run else None
    report = maintain_cluster(ctx.client(), action.cluster, options, _Notes(ctx),
                              inventory=inventory)
    if ctx.dry_run:
        plan = report.plan
        assert plan is not None
        return StepOutput(f"would service {sum(len(g) for g in plan.groups)} host(s) of "
                          f"{plan.cluster} in {len(plan.steps)} step(s): {plan.relocations} "
                          f"relocations (lower bound {plan.lower_bound})", plan.to_dict())
    if report.interrupted:
        ctx.note(f"interrupted; finish with: vmcctl cluster maintenance {report.cluster} "
                 f"--resume --journal {journal}")
        raise KeyboardInterrupt
    error = report.error()
    if error is not None:
        raise error
    relocations = report.journal.relocations if report.journal is not None else 0
    return StepOutput(f"serviced {report.cluster}: {relocations} relocation(s) "
                      f"(journal {journal})", report.to_dict())
