"""Run a validated playbook's steps in order; stop at the first failure.

    playbook = load_playbook("playbooks/maintenance-window.yaml", {"host": "10.94.24.71"})
    run = run_playbook(playbook, RunContext(connect=..., dry_run=True))
    run.failed            # None, or the StepResult that stopped the run

Each step is resolved just before it runs (so a value saved by an earlier
``advise`` step is real), handed to its handler, and recorded with its
outcome and duration. Before step 1, every literal VM and host name is
checked against one inventory snapshot (``vmcctl.playbook.names``): an
unknown one refuses the whole run with a ``PlaybookError``. A ``VmcctlError``
(or a vSphere fault, as its named error from ``vmcctl.vsphere.faults``) fails
the step and the steps after it are recorded as ``not-run``;
``KeyboardInterrupt`` propagates. Nothing is printed: progress goes to
``RunContext.events``.

With a ``PlayState`` (``vmcctl.playbook.resume``) the run records itself
step by step: the step it is in, the steps done with their results and saved
variables, the journals each step wrote (and, on Ctrl-C or a crash, where it
stopped). Given a resumed state, the steps done are skipped (their recorded
results stand) and the step it stopped in gets its journals in
``RunContext.resume_journals``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyVmomi import vmodl

from vmcctl.errors import VmcctlError
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal
from vmcctl.ops.events import Fanout
from vmcctl.playbook.cluster_step import run_cluster_maintenance
from vmcctl.playbook.context import RunContext
from vmcctl.playbook.host_steps import run_evacuate, run_maintenance, run_restore
from vmcctl.playbook.load import Playbook, Step
from vmcctl.playbook.names import check_names, literal_names
from vmcctl.playbook.outcome import PlaybookRun, StepOutput, StepResult, StepStatus
from vmcctl.playbook.resume import PlayState
from vmcctl.playbook.vm_steps import run_advise, run_migrate
from vmcctl.playbook.wait_step import run_wait

Handler = Callable[[RunContext, Any], StepOutput]

HANDLERS: dict[str, Handler] = {
    "migrate": run_migrate, "advise": run_advise, "evacuate": run_evacuate,
    "maintenance": run_maintenance, "restore": run_restore, "wait": run_wait,
    "cluster_maintenance": run_cluster_maintenance,
}


READ_ONLY_STEPS = frozenset({"advise", "wait"})


def changes(playbook: Playbook) -> list[str]:
    """The steps that change vCenter, one line each (empty: nothing to confirm)."""
    return [f"{step.label}: {step.kind}" for step in playbook.steps
            if step.kind not in READ_ONLY_STEPS]


def run_step(ctx: RunContext, step: Step, values: dict[str, object],
             source: str) -> tuple[StepResult, dict[str, str]]:
    """One step's result and the variables it saved."""
    started = ctx.clock()
    ctx.label = step.label
    try:
        action = step.resolve(values, source)
        out = HANDLERS[step.kind](ctx, action)
    except (VmcctlError, vmodl.MethodFault) as raised:  # a fault: its named error
        exc = raised if isinstance(raised, VmcctlError) else ctx.fault_error(raised)
        return StepResult(index=step.index, name=step.name, action=step.kind, status="failed",
                          summary=str(exc), seconds=ctx.clock() - started, error=str(exc),
                          error_type=type(exc).__name__), {}
    status: StepStatus = "planned" if ctx.dry_run else "ok"
    return StepResult(index=step.index, name=step.name, action=step.kind, status=status,
                      summary=out.summary, seconds=ctx.clock() - started,
                      details=out.details), out.saves


class _Journals(ExecutorEvents):
    """Records in the play's state every journal the running step writes."""

    def __init__(self, state: PlayState, step: int) -> None:
        self.state, self.step = state, step

    def planned(self, journal: Journal) -> None:
        if journal.path is not None:
            self.state.wrote(self.step, journal.path.resolve())


def _done_before(step: Step, state: PlayState) -> StepResult:
    prior = state.results.get(str(step.index), {})
    return StepResult(index=step.index, name=step.name, action=step.kind, status="ok",
                      summary=f"done before the run was resumed: {prior.get('summary', '')}",
                      seconds=float(prior.get("seconds", 0.0)),
                      details={**(prior.get("details") or {}), "resumed": True})


def _record(state: PlayState, result: StepResult, saves: dict[str, str]) -> None:
    if result.status == "ok":
        state.done.append(result.index)
        state.results[str(result.index)] = result.to_dict()
        state.values.update(saves)
    else:
        state.status = "failed"
    state.save()


def _run_recorded(ctx: RunContext, step: Step, values: dict[str, object], source: str,
                  state: PlayState | None) -> tuple[StepResult, dict[str, str]]:
    """``run_step``, recording in ``state`` (if any) the step, its journals and its end."""
    if state is None:
        return run_step(ctx, step, values, source)
    base = ctx.executor_events
    recorder = _Journals(state, step.index)
    ctx.executor_events = recorder if base is None else Fanout(recorder, base)
    ctx.resume_journals = state.journals_of(step.index)
    ctx.resuming = state.resumed > 0 and state.step == step.index
    state.step = step.index
    state.save()
    try:
        result, saves = run_step(ctx, step, values, source)
    except BaseException:  # Ctrl-C, or a crash: the record says where the run stopped
        state.status = "interrupted"
        state.save()
        raise
    finally:
        ctx.executor_events, ctx.resume_journals, ctx.resuming = base, [], False
    _record(state, result, saves)
    return result, saves


def run_playbook(playbook: Playbook, ctx: RunContext,
                 state: PlayState | None = None) -> PlaybookRun:
    """Every step in order; after a failed step the rest are recorded as ``not-run``.

    ``PlaybookError`` before any step runs if a literal VM or host name is unknown.
    ``state``: record the run there (and skip the steps it records as done).
    """
    if next(literal_names(playbook), None) is not None:
        check_names(playbook, ctx.inventory())
    values: dict[str, object] = dict(playbook.values)
    if state is not None:
        values.update(state.values)
    results: list[StepResult] = []
    failed = False
    total = len(playbook.steps)
    for step in playbook.steps:
        if failed:
            results.append(StepResult(index=step.index, name=step.name, action=step.kind,
                                      status="not-run", summary="not run: an earlier step "
                                      "failed"))
            continue
        if state is not None and step.index in state.done:
            results.append(_done_before(step, state))
            continue
        ctx.events.step_started(step, total)
        result, saves = _run_recorded(ctx, step, values, playbook.source, state)
        values.update(saves)
        results.append(result)
        ctx.events.step_ended(result)
        failed = result.status == "failed"
    if state is not None and not failed:
        state.status = "done"
        state.save()
    return PlaybookRun(name=playbook.name, source=playbook.source, dry_run=ctx.dry_run,
                       results=tuple(results), values=values)
