"""``vmcctl migrate``: compute-only vMotion of one VM, checked, watched and verified."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, NoReturn

import click

from vmcctl.cli.advise import placement_options
from vmcctl.cli.complete import complete_host, complete_placement, complete_vm
from vmcctl.cli.confirm import confirm, yes_option
from vmcctl.cli.connect import connection_options, open_session, snapshot
from vmcctl.cli.errors import EXIT_INTERRUPTED
from vmcctl.cli.render import emit_json, output_option, say, show, table
from vmcctl.cli.runflags import current_stream, events_option
from vmcctl.cli.watch import MigrationWatch, collect_watch_options, watch_options
from vmcctl.errors import (
    ConfigError,
    MigrationFailedError,
    TaskTimeoutError,
    VerdictFailedError,
    VerificationError,
    WaitInterrupted,
)


def _fd(name: str | None) -> str:
    return name or "no fault domain"


def _pool(plan: Any) -> str:
    if not plan.pool_moid:
        return "unchanged (spec.pool unset: vCenter keeps the VM's pool)"
    return f"{plan.pool_label} ({plan.pool_kind} {plan.pool_moid})"


def _vcenter_check(prepared: Any) -> dict[str, Any]:
    """The ``vcenter_check`` JSON fields: status (ok, warnings, unavailable, skipped), warnings,
    and the hosts vCenter refused before the advisor's final choice."""
    check = prepared.check
    data: dict[str, Any] = check.to_dict(_names(prepared)) if check is not None else {
        "status": "skipped", "warnings": [], "rejected": []}
    return {"vcenter_check": data["status"], "vcenter_warnings": data["warnings"],
            "vcenter_rejected": data["rejected"]}


def _say_why(prepared: Any) -> None:
    """On stderr: the advisor's choice, then vCenter's warnings (or its unavailable check)."""
    if prepared.recommendation is not None:
        click.echo(f"advisor chose {prepared.recommendation.why()}", err=True)
    for line in _vcenter_check(prepared)["vcenter_warnings"]:
        click.echo(f"warning: {line}", err=True)


def _names(prepared: Any) -> dict[str, str]:
    names = {prepared.vm.moid: prepared.vm.name, prepared.target.moid: prepared.target.name}
    if prepared.plan is not None:
        names.update(prepared.plan.host_names)
    return names


def _dry_run(plan: Any, output: str, prepared: Any) -> None:
    data = {**_planned(plan), "submit": plan.spec(), "dry_run": True, **_vcenter_check(prepared)}
    if output == "json":
        emit_json(data)
        return
    kind = "cold migration (VM is powered off)" if plan.cold else "compute-only vMotion"
    show(table(
        f"Dry run: nothing submitted. Would do a {kind}:", ["", ""],
        [["VM", plan.vm],
         ["from", f"{plan.source} ({_fd(plan.source_fault_domain)})"],
         ["to", f"{plan.target} ({_fd(plan.target_fault_domain)})"],
         ["priority", plan.priority],
         ["pool", _pool(plan)],
         ["call", f"RelocateVM_Task(spec=RelocateSpec(host={plan.target_moid}, "
                  f"pool={plan.pool_kind + ':' + plan.pool_moid if plan.pool_moid else 'unset'}"
                  f"), priority={plan.vim_priority})"],
         ["storage", "stays where it is (spec.datastore unset)"]]))


def _report(result: Any, output: str, prepared: Any,
            watch: MigrationWatch | None = None) -> None:
    if output == "json":
        data = {**result.to_dict(), **_vcenter_check(prepared)}
        if watch is not None:
            data["h2o"] = watch.to_dict()
        emit_json(data)
        return
    kind = "cold-migrated (powered off)" if result.cold else "moved"
    if result.state not in ("success",):
        say(f"{result.vm}: submitted as {result.task} ({result.state}); not waiting")
        return
    say(f"{result.vm} {kind}: {result.source} ({_fd(result.source_fault_domain)}) -> "
        f"{result.target} ({_fd(result.target_fault_domain)}) in {result.seconds:.1f} s, "
        f"priority {result.priority}, task {result.task}")
    if result.verified:
        say("verified: on the target host, power state and boot time unchanged")
    if watch is not None:
        watch.render()


@click.command(short_help="Move a VM to another host (compute only).")
@click.argument("vm", shell_complete=complete_vm)
@click.option("--host", metavar="HOST", shell_complete=complete_host,
              help="Target host: name, moid or path (not with --auto/--fault-domain).")
@click.option("--auto", is_flag=True, help="Let the advisor pick the target host.")
@click.option("--fault-domain", default=None, metavar="any|same|other|NAME",
              shell_complete=complete_placement,
              help="Let the advisor pick a host in these fault domains.")
@placement_options
@click.option("--pool", default=None, metavar="NAME|moid|path",
              help="Resource pool (or vApp) of the target host's cluster to put the VM in: "
                   "name, moid, path under the root pool (a/b) or inventory path. Default: "
                   "its own pool within a cluster, the same-named pool across clusters.")
@click.option("--priority", type=click.Choice(["high", "default", "low"]), default="default",
              show_default=True, help="vMotion priority (MovePriority).")
@click.option("--dry-run", is_flag=True, help="Show what would be submitted; submit nothing.")
@click.option("--no-wait", is_flag=True, help="Submit and return without following the task.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Give up waiting after this long (the task keeps running in vCenter).")
@click.option("--no-vcenter-check", is_flag=True,
              help="Do not ask vCenter's compatibility check (CheckRelocate_Task) first.")
@yes_option
@watch_options
@connection_options
@output_option
@events_option
def migrate(vm: str, host: str | None, auto: bool, fault_domain: str | None, max_cpu: float,
            max_mem: float, pool: str | None, priority: str, dry_run: bool, no_wait: bool,
            timeout: float | None, no_vcenter_check: bool, output: str, yes: bool,
            **watch_kwargs: Any) -> None:
    """Move VM to another host, compute only: its storage stays where it is.

    VM and HOST are names, managed object ids (vm-123, host-45) or inventory
    paths (/DC/vm/folder/name); a name shared by several VMs is refused with
    the list of matches.

    Checks the move first (VM and host exist, VM not already there, target
    connected, out of maintenance, mounting the VM's datastores, with the
    memory to spare, a resource pool: the VM's own within its cluster, the
    same-named one across clusters, or --pool), asks vCenter whether this user
    holds the privileges the move needs and whether its compatibility check
    (CheckRelocate_Task) accepts the target (--no-vcenter-check skips the
    latter), submits RelocateVM_Task, follows its progress, then verifies the
    VM is on the target with the same power state and boot time.

    With --watch-h2o it also watches the H2O training job(s) on the VM before,
    during and after the move and exits 1 when the verdict is FAIL.

    \b
    Examples:
      vmcctl migrate ML-cpu-vm-04 --host 10.94.24.85
      vmcctl migrate ML-cpu-vm-04 --auto --dry-run
      vmcctl migrate web-02 --fault-domain other --priority high -o json
      vmcctl migrate db-02 --auto --no-wait     # print the task id, return
      vmcctl migrate ML-cpu-vm-04 --auto --watch-h2o --report ./report
    """
    from vmcctl.cli.progress import TaskProgress
    from vmcctl.ops.migrate import (
        MigrateRequest,
        prepare_migration,
        refuse_if_moving,
        run_migration,
    )

    opts = collect_watch_options(watch_kwargs)
    if opts.enabled and no_wait:
        raise ConfigError("--watch-h2o needs the move to be followed; drop --no-wait")
    request = MigrateRequest(vm=vm, host=host, auto=auto, fault_domain=fault_domain,
                             max_cpu_pct=max_cpu, max_mem_pct=max_mem, priority=priority,
                             pool=pool, vcenter_check=not no_vcenter_check)
    ctx = click.get_current_context()
    results: list[Any] = []
    verification: VerificationError | None = None
    with open_session(ctx) as session:
        inv = snapshot(session)
        prepared = prepare_migration(inv, request, client=session)
        _say_why(prepared)
        plan = prepared.plan
        assert plan is not None  # prepare_migration refuses a VM already on the target
        if dry_run:
            refuse_if_moving(session, plan)
            _dry_run(plan, output, prepared)
            return
        confirm([f"move {plan.vm} from {plan.source} to {plan.target} (compute only, "
                 f"priority {plan.priority})"], yes=yes)
        watch = MigrationWatch(opts, prepared.vm.ip_address) if opts.enabled else None
        meta = {"vm": plan.vm, "source": plan.source, "target": plan.target,
                "priority": plan.priority}
        if watch is not None:
            watch.before()
        label = f"{plan.vm} {plan.source} -> {plan.target}"
        last: list[Any] = []  # the task's last known state, for "still running" reports

        def on_update(state: Any) -> None:
            last[:] = [state]
            bar.update(state)

        try:
            with (TaskProgress(label, enabled=not no_wait) as bar,
                  watch.during(plan.source, plan.target) if watch else nullcontext()):

                run_migration(session, plan, wait=not no_wait, timeout=timeout,
                              on_update=on_update, on_result=results.append,
                              events=current_stream())
        except MigrationFailedError as exc:
            _failed(plan, exc, watch, meta, output)
        except WaitInterrupted as exc:
            _still_running(plan, exc.task, last, output, timed_out=None)
        except TaskTimeoutError as exc:
            _still_running(plan, exc.task, last, output, timed_out=exc)
        except VerificationError as exc:
            verification = exc  # reported below, after the result and the watcher
    if watch is not None:
        watch.after(meta)
        _verdict_event(watch)
    _report(results[0], output, prepared, watch)
    if verification is not None:
        raise verification
    if watch is not None and not watch.verdict.passed:
        raise VerdictFailedError(f"H2O verdict FAIL: {watch.verdict.reason}")


def _failed(plan: Any, exc: MigrationFailedError, watch: MigrationWatch | None,
            meta: dict[str, Any], output: str) -> NoReturn:
    """Report a failed move (and what the watcher saw), then raise it with where the VM is."""
    if watch is not None:
        watch.finish(meta)
        _verdict_event(watch)
    if output == "json":
        data = {**_planned(plan), "task": exc.task, "state": "error",
                "fault": exc.fault_type, "message": exc.fault_message,
                "current_host": exc.current_host, "verified": False}
        if watch is not None:
            data["h2o"] = watch.to_dict()
        emit_json(data)
    elif watch is not None:
        watch.render()
    where = exc.current_host or "unknown"
    raise MigrationFailedError(
        exc.fault_type, f"{exc.fault_message}; {plan.vm} is on {where}", vm=plan.vm,
        current_host=exc.current_host, task=exc.task) from None


def _planned(plan: Any) -> dict[str, Any]:
    return {"vm": plan.vm, "source": plan.source, "target": plan.target,
            "source_fault_domain": plan.source_fault_domain,
            "target_fault_domain": plan.target_fault_domain, "priority": plan.priority,
            "cold": plan.cold}


def _still_running(plan: Any, task: str | None, last: list[Any], output: str, *,
                   timed_out: TaskTimeoutError | None) -> NoReturn:
    """Ctrl-C (``timed_out`` None: exit 130) or --timeout (exit 1) while the vMotion goes
    on in vCenter: say so, with the task id and how to follow or cancel it."""
    what = f"the vMotion of {plan.vm} ({plan.source} -> {plan.target})"
    state = last[0].state if last else ("submitting" if task is None else "running")
    if output == "json":
        emit_json({"vm": plan.vm, "source": plan.source, "target": plan.target,
                   "priority": plan.priority, "task": task, "state": state,
                   "progress": last[0].progress if last else None,
                   "interrupted": timed_out is None, "timed_out": timed_out is not None,
                   "verified": False})
    if task is None:  # Ctrl-C while RelocateVM_Task was being sent
        click.echo(f"interrupted while submitting {what}: it may have reached vCenter; "
                   f"look at the recent tasks of {plan.vm} ({plan.vm_moid}) before trying "
                   "again", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED)
    follow = (f"follow it: vmcctl task {task} --watch; cancel it: vmcctl task {task} "
              "--cancel")
    if timed_out is not None:
        raise TaskTimeoutError(timed_out.message, hint=follow, task=task) from None
    click.echo(f"interrupted: {what} continues in vCenter as {task} ({state})", err=True)
    click.echo(f"  follow it: vmcctl task {task} --watch", err=True)
    click.echo(f"  cancel it: vmcctl task {task} --cancel", err=True)
    raise click.exceptions.Exit(EXIT_INTERRUPTED)


def _verdict_event(watch: MigrationWatch) -> None:
    stream = current_stream()
    if stream is not None:
        stream.verdict(watch.verdict.to_dict(), outcome=watch.verdict.outcome,
                       reason=watch.verdict.reason)
