"""The ``advise`` and ``migrate`` steps, over ``placement.advisor`` and ``vsphere.relocate``."""

from __future__ import annotations

from typing import Any

from vmcctl.placement.advisor import advise
from vmcctl.placement.request import PlacementOptions
from vmcctl.playbook.context import RunContext
from vmcctl.playbook.outcome import StepOutput
from vmcctl.playbook.schema import AdviseAction, MigrateAction


def _fd(name: str | None) -> str:
    return name or "no fault domain"


def run_advise(ctx: RunContext, action: AdviseAction) -> StepOutput:
    """Rank the hosts; fails (``NoPlacementError``) when none qualifies."""
    options = PlacementOptions(fault_domain=action.fault_domain, max_cpu_pct=action.max_cpu,
                               max_mem_pct=action.max_mem)
    rec = advise(ctx.inventory(), action.vm, options)
    best = rec.best
    saves = {action.save_as: best.host} if action.save_as else {}
    kept = f"; saved as ${{{action.save_as}}}" if action.save_as else ""
    return StepOutput(
        summary=(f"best host for {action.vm} (on {rec.source}, {_fd(rec.source_fault_domain)})"
                 f": {best.host} ({_fd(best.fault_domain)}), {len(rec.candidates)} eligible, "
                 f"{len(rec.rejected)} rejected{kept}"),
        details=rec.to_dict(top=5), saves=saves)


def run_migrate(ctx: RunContext, action: MigrateAction) -> StepOutput:
    """Move one VM (compute only), verified; a VM already on the target is left alone."""
    from vmcctl.ops.migrate import MigrateRequest, prepare_migration, run_migration

    request = MigrateRequest(vm=action.vm, host=action.host,
                             fault_domain=(action.fault_domain or "any")
                             if action.host is None else None,
                             max_cpu_pct=action.max_cpu, max_mem_pct=action.max_mem,
                             priority=action.priority, pool=action.pool)
    # a dry run's inventory is projected: vCenter's checks only make sense on the live one
    prepared = prepare_migration(ctx.inventory(), request, already_there_ok=True,
                                 client=None if ctx.dry_run else ctx.client())
    if prepared.recommendation is not None:
        ctx.note(f"advisor chose {prepared.recommendation.why()}")
    if prepared.check is not None:
        for line in prepared.check.warnings():
            ctx.note(f"warning: {line}")
    plan = prepared.plan
    if plan is None:
        vm, target = prepared.vm, prepared.target.name
        return StepOutput(summary=f"{vm.name} is already on {target}; nothing to do",
                          details={"vm": vm.name, "vm_moid": vm.moid, "source": target,
                                   "target": target, "moved": False})
    route = (f"{plan.source} ({_fd(plan.source_fault_domain)}) -> {plan.target} "
             f"({_fd(plan.target_fault_domain)})")
    if ctx.dry_run:
        ctx.project_move(plan.vm_moid, plan.target_moid)
        details: dict[str, Any] = {
            "vm": plan.vm, "vm_moid": plan.vm_moid, "source": plan.source,
            "target": plan.target, "source_fault_domain": plan.source_fault_domain,
            "target_fault_domain": plan.target_fault_domain, "priority": plan.priority,
            "cold": plan.cold, "submit": plan.spec()}
        return StepOutput(summary=f"would move {plan.vm}: {route}, priority {plan.priority}",
                          details=details)
    seen: set[tuple[str, int]] = set()

    def progress(state: Any) -> None:
        key = (state.state, (state.progress or 0) // 25 * 25)  # a note per state and quarter
        if key not in seen:
            seen.add(key)
            pct = "" if state.progress is None else f" {state.progress}%"
            ctx.note(f"{plan.vm}: {state.state}{pct}")

    result = run_migration(ctx.client(), plan, timeout=action.timeout, on_update=progress,
                           events=ctx.executor_events)
    return StepOutput(summary=(f"moved {plan.vm}: {route} in {result.seconds:.1f} s, priority "
                               f"{plan.priority}, verified"),
                      details={**result.to_dict(), "moved": True})
