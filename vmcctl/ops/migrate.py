"""Migrate one VM: resolve, choose the target, check, move, verify.

    request = MigrateRequest(vm="ML-cpu-vm-04", fault_domain="other", priority="high")
    prepared = prepare_migration(inv, request)          # pure: selectors, advisor, prechecks
    result = run_migration(client, prepared, on_update=bar.update)   # submit, wait, verify

Every front-end (``vmcctl migrate``, the playbook's ``migrate`` step, the
Ansible module) goes through these two functions, so the rules live here once:
the VM and host are resolved by selector (name, moid or inventory path; an
ambiguous name is refused), ``--host`` excludes ``--auto``/``--fault-domain``,
the advisor explains its choice, and a move whose verification fails (wrong
host, power state or boot time changed) is an error even though the task
succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vmcctl.errors import (
    ConfigError,
    MigrationFailedError,
    NoPlacementError,
    PrecheckError,
    VerificationError,
)
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal, MoveRecord, now_iso
from vmcctl.model import Host, Inventory, Vm
from vmcctl.ops.vcheck import VCenterCheck
from vmcctl.placement.advisor import advise
from vmcctl.placement.request import DEFAULT_MAX_PCT, PlacementOptions
from vmcctl.placement.result import Recommendation
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.privileges import Need, migrate_needs, require_privileges
from vmcctl.vsphere.relocate import (
    MovePlan,
    MoveResult,
    check_priority,
    find_relocate_info,
    plan_checked_move,
    relocate,
)
from vmcctl.vsphere.tasks import TaskState, UpdateCallback


@dataclass(frozen=True)
class MigrateRequest:
    """What the user asked: a VM selector and either a host selector or advisor options."""

    vm: str
    host: str | None = None
    auto: bool = False
    fault_domain: str | None = None
    max_cpu_pct: float = DEFAULT_MAX_PCT
    max_mem_pct: float = DEFAULT_MAX_PCT
    priority: str = "default"
    pool: str | None = None  # the target cluster's pool (name, moid or path); see vsphere.pools
    vcenter_check: bool = True  # run vCenter's CheckRelocate_Task on the target (ops.vcheck)


@dataclass(frozen=True)
class PreparedMigration:
    """The checked move, or ``plan`` None when the VM already is where it was asked to be."""

    vm: Vm
    target: Host
    plan: MovePlan | None
    recommendation: Recommendation | None = None  # the advisor's answer, when it chose
    check: VCenterCheck | None = None  # vCenter's compatibility check (None: no client given)

    @property
    def already_there(self) -> bool:
        return self.plan is None


def choose_target(inv: Inventory, vm: Vm, request: MigrateRequest,
                  rejects: tuple[tuple[str, str, str], ...] = ()
                  ) -> tuple[Host, Recommendation | None]:
    """``--host`` as given (resolved), else the advisor's best host for the VM."""
    if request.host is not None:
        if request.auto or request.fault_domain is not None:
            raise ConfigError("give either --host or --auto/--fault-domain, not both")
        return inv.find_host(request.host), None
    if not request.auto and request.fault_domain is None:
        raise ConfigError("say where to: --host HOST, --auto, or --fault-domain other|NAME")
    options = PlacementOptions(fault_domain=request.fault_domain or "any",
                               max_cpu_pct=request.max_cpu_pct, max_mem_pct=request.max_mem_pct,
                               vcenter_rejects=rejects)
    rec = advise(inv, vm.moid, options)
    return inv.host(rec.best.host_moid), rec


def prepare_migration(inv: Inventory, request: MigrateRequest, *,
                      already_there_ok: bool = False,
                      client: Client | None = None) -> PreparedMigration:
    """Resolve and check the move against a snapshot, then ask vCenter.

    Without ``client`` it is pure (no SOAP call). With one, vCenter is asked
    before anything moves: does this session hold the privileges the move needs
    (``PermissionDeniedError``, exit 2, naming privilege, object and user), and
    does ``CheckRelocate_Task`` accept the target (unless
    ``request.vcenter_check`` is off)? A refused ``--host`` is a
    ``PrecheckError`` with vCenter's message; an advisor's choice that vCenter
    refuses is replaced by the next candidate (reason code ``vcenter-check``).

    ``already_there_ok``: a VM already on the chosen host gives a prepared
    migration without a plan (a playbook step that is already satisfied)
    instead of a ``PrecheckError``.
    """
    priority = check_priority(request.priority)
    vm = inv.find_vm(request.vm)
    check = None if client is None else VCenterCheck(client if request.vcenter_check else None)
    granted: set[Need] = set()  # asked already: a refused candidate's next one needs no repeat
    while True:
        target, rec = choose_target(inv, vm, request, check.rejects if check else ())
        if already_there_ok and vm.host_moid == target.moid:
            return PreparedMigration(vm, target, None, rec, check)
        plan = plan_checked_move(inv, vm, target, priority, pool=request.pool)
        if client is None or check is None:
            return PreparedMigration(vm, target, plan, rec)
        needs = [n for n in migrate_needs(vm.moid, vm.name, powered_on=vm.powered_on,
                                          pool_moid=plan.pool_moid or None,
                                          pool_name=plan.pool_label, pool_kind=plan.pool_kind)
                 if n not in granted]
        if needs:
            require_privileges(client, needs, action=f"move VM {vm.name} to {target.name}")
            granted.update(needs)
        verdict = check.check(vm.moid, target.moid, plan.pool_moid or None, plan.pool_kind)
        if verdict is None or not verdict.rejected:
            return PreparedMigration(vm, target, plan, rec, check)
        if request.host is not None:
            raise PrecheckError(f"vCenter's compatibility check refuses VM {vm.name} on host "
                                f"{target.name}: {verdict.message()}",
                                hint="choose another host (or --auto), or skip vCenter's "
                                     "check with --no-vcenter-check")
        if check.exhausted(vm.moid):
            raise NoPlacementError(
                f"vCenter's compatibility check refused {len(check.rejects)} host(s) the "
                f"advisor chose for VM {vm.name}; last: {target.name}: {verdict.message()}",
                hint="choose a host with --host, or skip vCenter's check with "
                     "--no-vcenter-check",
                reasons=[("vcenter-check", host) for _, host, _ in check.rejects])


def move_record(plan: MovePlan) -> MoveRecord:
    """The executor's record of a single move, for ``ExecutorEvents`` listeners."""
    return MoveRecord(vm=plan.vm, vm_moid=plan.vm_moid, origin=plan.source,
                      origin_moid=plan.source_moid, target=plan.target,
                      target_moid=plan.target_moid, pool_moid=plan.pool_moid,
                      pool_kind=plan.pool_kind, priority=plan.priority,
                      power_state=plan.power_state)


def refuse_if_moving(client: Client, plan: MovePlan) -> None:
    """``PrecheckError`` (exit 2) naming the task when the VM already has a relocation
    queued or running in vCenter (ours, another admin's, DRS's): a second one would
    only fail with ``TaskInProgress``, or land the VM somewhere nobody asked for."""
    info = find_relocate_info(client, plan)
    if info is None:
        return
    task = str(info.task._moId)
    raise PrecheckError(f"VM {plan.vm} ({plan.vm_moid}) already has a relocation "
                        f"{info.state} in vCenter: {task}",
                        hint=f"follow it with `vmcctl task {task} --watch`, or cancel it "
                             f"with `vmcctl task {task} --cancel`")


def run_migration(client: Client, plan: MovePlan, *, wait: bool = True,
                  timeout: float | None = None, on_update: UpdateCallback | None = None,
                  on_result: Callable[[MoveResult], None] | None = None,
                  events: ExecutorEvents | None = None) -> MoveResult:
    """Refuse a VM already moving, then submit, follow and verify the move.

    Ctrl-C while waiting raises ``WaitInterrupted`` and ``timeout`` a
    ``TaskTimeoutError``, both naming the task that goes on in vCenter.
    ``on_result`` sees the result before a failed verification is raised as
    ``VerificationError`` (so a front-end can still show where the VM went).
    ``events`` hears the move as the executor would tell it: planned,
    submitted, progress and its end (done or failed, with the task id).
    """
    refuse_if_moving(client, plan)
    rec = move_record(plan)
    if events is not None:
        events.planned(Journal(kind="migrate", host=plan.source, host_moid=plan.source_moid,
                               moves=[rec]))

    def update(state: TaskState) -> None:
        if events is not None:
            if rec.task is None:
                rec.task, rec.state, rec.submitted_at = state.task, "running", now_iso()
                events.move_started(rec)
            events.move_progress(rec, state)
        if on_update is not None:
            on_update(state)

    def ended(state: str, reason: str | None, fault: str | None) -> None:
        if events is not None:
            rec.state, rec.reason, rec.fault = state, reason, fault  # type: ignore[assignment]
            rec.ended_at = now_iso()
            events.move_ended(rec)

    try:
        result = relocate(client, plan, wait=wait, timeout=timeout, on_update=update)
    except MigrationFailedError as exc:
        if rec.task is None and exc.task:
            rec.task, rec.submitted_at = exc.task, now_iso()
            if events is not None:
                events.move_started(rec)
        ended("failed", exc.fault_message, exc.fault_type)
        raise
    if rec.task is None and events is not None:
        rec.task, rec.submitted_at = result.task, now_iso()
        events.move_started(rec)
    if on_result is not None:
        on_result(result)
    if wait and not result.verified:
        ended("failed", "; ".join(result.problems), "VerificationError")
        raise VerificationError(f"{plan.vm}: the task succeeded but: "
                                + "; ".join(result.problems))
    if wait:
        ended("done", None, None)
    return result
