"""``vmcctl host``: evacuate a host, enter/exit maintenance, bring its VMs home.

Every run that moves VMs keeps a journal (default ``./vmcctl-journal-<host>.json``)
so that ``--resume`` can finish an interrupted evacuation and ``host restore``
knows where each VM came from. Exit codes: 0 done, 1 some VM could not be
moved (a table says which and why), 2 bad input, 130 interrupted.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from vmcctl.cli.advise import placement_options
from vmcctl.cli.connect import connection_options, open_session, snapshot
from vmcctl.cli.errors import EXIT_INTERRUPTED
from vmcctl.cli.host_progress import EvacuationProgress
from vmcctl.cli.render import emit_json, output_option, stdout_console, table
from vmcctl.errors import ConfigError
from vmcctl.executor.evacuate import FAILED_COLUMNS, Report, run_journal
from vmcctl.executor.journal import Journal, default_journal_path, load_journal
from vmcctl.executor.maintenance import enter_maintenance, exit_maintenance
from vmcctl.executor.prepare import evacuation_journal, restore_journal
from vmcctl.executor.runner import MoveRunner, RunOptions
from vmcctl.executor.schedule import DEFAULT_MAX_PARALLEL, DEFAULT_MAX_PER_HOST, Limits
from vmcctl.placement.evacuation import plan_evacuation
from vmcctl.placement.plan import MOVE_COLUMNS, UNPLACEABLE_COLUMNS, EvacuationPlan
from vmcctl.placement.request import PlacementOptions

F = TypeVar("F", bound=Callable[..., Any])


def limit_options(func: F) -> F:
    for decorator in reversed([
        click.option("--max-parallel", type=click.IntRange(min=1), default=DEFAULT_MAX_PARALLEL,
                     show_default=True, metavar="N", help="vMotions in flight at once, overall."),
        click.option("--max-per-host", type=click.IntRange(min=1), default=DEFAULT_MAX_PER_HOST,
                     show_default=True, metavar="N",
                     help="vMotions in flight per host, as source or target (queued count)."),
        click.option("--journal", "journal_file", type=click.Path(dir_okay=False, path_type=Path),
                     metavar="FILE", help="Journal file [default: ./vmcctl-journal-HOST.json]."),
        click.option("--cancel-in-flight", is_flag=True,
                     help="On Ctrl-C, cancel running vMotions instead of letting them finish."),
        click.option("--timeout", type=click.FloatRange(min=1), default=None, metavar="S",
                     help="Stop submitting moves after S seconds; running moves go on and "
                          "the journal records them (evacuations finish with --resume)."),
    ]):
        func = decorator(func)
    return func


def evacuation_options(func: F) -> F:
    for decorator in reversed([
        click.option("--fault-domain", default="any", show_default=True,
                     metavar="any|same|other|NAME",
                     help="Where VMs may go: any, same or other fault domain, or one by name."),
        click.option("--priority", type=click.Choice(["high", "default", "low"]),
                     default="default", show_default=True, help="vMotion priority."),
        click.option("--include-powered-off", is_flag=True,
                     help="Move powered-off and suspended VMs too."),
        click.option("--dry-run", is_flag=True, help="Show the plan; move nothing."),
        click.option("--resume", is_flag=True,
                     help="Finish the interrupted run recorded in the journal."),
    ]):
        func = decorator(func)
    return placement_options(limit_options(func))


@click.group()
def host() -> None:
    """Evacuate a host, enter or exit maintenance mode, bring its VMs home."""


# --- helpers ----------------------------------------------------------------------------

def _run_options(max_parallel: int, max_per_host: int, timeout: float | None,
                 cancel_in_flight: bool) -> RunOptions:
    return RunOptions(limits=Limits(max_parallel, max_per_host), timeout=timeout,
                      cancel_in_flight=cancel_in_flight)


@contextmanager
def _ctrl_c(runners: list[MoveRunner]) -> Iterator[None]:
    """First Ctrl-C asks the runner to stop; the next one raises KeyboardInterrupt."""
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for runner in runners:
            runner.request_stop()
        if not runners:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _execute(client: Any, journal: Journal, options: RunOptions, title: str,
             output: str, maintenance_timeout: float | None = None) -> Report:
    runners: list[MoveRunner] = []
    click.echo(f"journal: {journal.path}", err=True)
    with _ctrl_c(runners), EvacuationProgress(title) as progress:
        return run_journal(client, journal, options, progress, runner_ready=runners.append,
                           maintenance_timeout=maintenance_timeout)


def _finish(report: Report, output: str, plan: EvacuationPlan | None = None) -> None:
    if output == "json":
        data = report.to_dict()
        if plan is not None:
            data["plan"] = plan.to_dict()
        emit_json(data)
    else:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(report.journal.counts().items()))
        console = stdout_console()
        j = report.journal
        mode = f"; maintenance mode: {j.maintenance}" if j.kind == "evacuate" else ""
        console.print(f"{j.kind} {j.host}: {counts or 'nothing to do'} in "
                      f"{report.outcome.seconds:.1f} s{mode}")
        if report.problems:
            console.print(table("Not moved", FAILED_COLUMNS, report.problem_rows()))
    if report.interrupted:
        click.echo(f"interrupted; the journal is at {report.journal.path}; finish with "
                   "--resume", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED)
    error = report.error()
    if error is not None:
        raise error


def _show_plan(plan: EvacuationPlan, *, dry_run: bool = False) -> None:
    console = stdout_console()
    if plan.moves:
        title = f"Plan: evacuate {plan.host}"
        if dry_run:
            title = f"Dry run: plan to evacuate {plan.host}"
        console.print(table(title, MOVE_COLUMNS, plan.move_rows()))
    else:
        console.print(f"Plan: no VM to move off {plan.host}.")
    if plan.unplaceable:
        console.print(table("Cannot be placed", UNPLACEABLE_COLUMNS, plan.unplaceable_rows()))


def _evacuate(host_name: str, *, maintenance: bool, fault_domain: str, priority: str,
              include_powered_off: bool, dry_run: bool, resume: bool, max_cpu: float,
              max_mem: float, max_parallel: int, max_per_host: int,
              journal_file: Path | None, cancel_in_flight: bool, timeout: float | None,
              output: str) -> None:
    path = journal_file or default_journal_path(host_name)
    options = _run_options(max_parallel, max_per_host, timeout, cancel_in_flight)
    if resume:
        journal = load_journal(path)
        if journal.kind != "evacuate" or journal.host != host_name:
            raise ConfigError(f"journal {path} records a {journal.kind} of {journal.host}, "
                              f"not an evacuation of {host_name}")
        if journal.status == "done":
            # nothing to finish; reporting the journal's old result would describe a
            # host that may have changed since (e.g. exited maintenance, VMs restored)
            raise ConfigError(f"journal {path} records a finished evacuation of {host_name}: "
                              "nothing to resume",
                              hint="run without --resume to evacuate the host again")
        if maintenance and journal.maintenance == "not-requested":
            journal.maintenance = "pending"
        with open_session(click.get_current_context()) as client:
            _finish(_execute(client, journal, options, f"evacuate {host_name} (resumed)",
                             output, timeout), output)
        return
    if path.exists() and not dry_run:
        old = load_journal(path)
        if old.status in ("planned", "running", "interrupted"):
            raise ConfigError(f"journal {path} records an unfinished {old.kind} of {old.host}",
                              hint="finish it with --resume, or pass another --journal FILE")
    placement = PlacementOptions(fault_domain=fault_domain, max_cpu_pct=max_cpu,
                                 max_mem_pct=max_mem)
    with open_session(click.get_current_context()) as client:
        inv = snapshot(client)
        plan = plan_evacuation(inv, host_name, placement,
                               include_powered_off=include_powered_off,
                               priority=priority)  # type: ignore[arg-type]
        if dry_run:
            if output == "json":
                emit_json({"dry_run": True, "plan": plan.to_dict()})
            else:
                _show_plan(plan, dry_run=True)
            error = plan.error()
            if error is not None:
                raise error
            return
        if output != "json":
            _show_plan(plan)
        journal = evacuation_journal(
            inv, plan, path=path, maintenance=maintenance,
            options={**options.limits.to_dict(), **placement.to_dict(), "priority": priority,
                     "include_powered_off": include_powered_off})
        journal.save()
        report = _execute(client, journal, options, f"evacuate {host_name}", output, timeout)
    _finish(report, output, plan)


def _refuse_without(flag: str, options: dict[str, str]) -> None:
    """Usage error if any of ``options`` (parameter name -> option) was given without ``flag``."""
    ctx = click.get_current_context()
    given = [opt for name, opt in options.items()
             if ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)]
    if given:
        raise ConfigError(f"{', '.join(given)} only {'applies' if len(given) == 1 else 'apply'} "
                          f"with {flag}", hint=f"add {flag}, or leave {', '.join(given)} out")


# Options of `maintenance enter` that only mean something when it evacuates first.
EVACUATION_ONLY = {"fault_domain": "--fault-domain", "priority": "--priority",
                   "include_powered_off": "--include-powered-off", "max_cpu": "--max-cpu",
                   "max_mem": "--max-mem", "max_parallel": "--max-parallel",
                   "max_per_host": "--max-per-host", "journal_file": "--journal",
                   "cancel_in_flight": "--cancel-in-flight"}
# Options of `maintenance exit` that only mean something with --restore.
RESTORE_ONLY = {"journal_file": "--journal", "max_parallel": "--max-parallel",
                "max_per_host": "--max-per-host", "cancel_in_flight": "--cancel-in-flight"}


# --- commands ---------------------------------------------------------------------------

@host.command()
@click.argument("host_name", metavar="HOST")
@evacuation_options
@connection_options
@output_option
def evacuate(host_name: str, **kwargs: Any) -> None:
    """Move every powered-on VM off HOST, planned by the advisor, within limits.

    Shows the plan, moves the VMs (longest first, at most --max-parallel at
    once and --max-per-host per host), verifies each one, and reports. A VM
    that cannot be moved is listed with the reason (exit 1); the others stay
    where they went. Ctrl-C stops submitting, lets running vMotions finish
    and exits 130: run again with --resume to finish.
    """
    _evacuate(host_name, maintenance=False, **kwargs)


@host.group()
def maintenance() -> None:
    """Enter or exit maintenance mode."""


@maintenance.command("enter")
@click.argument("host_name", metavar="HOST")
@click.option("--evacuate", "evacuate_first", is_flag=True,
              help="Evacuate HOST first (same options as `host evacuate`); enter only if "
                   "every VM moved.")
@evacuation_options
@connection_options
@output_option
def maintenance_enter(host_name: str, evacuate_first: bool, **kwargs: Any) -> None:
    """Put HOST into maintenance mode (after evacuating it, with --evacuate).

    Without --evacuate, vCenter waits for powered-on VMs to leave and fails
    after --timeout seconds if they do not.
    """
    if evacuate_first or kwargs["resume"]:
        _evacuate(host_name, maintenance=True, **kwargs)
        return
    _refuse_without("--evacuate", EVACUATION_ONLY)
    with open_session(click.get_current_context()) as client:
        inv = snapshot(client)
        target = inv.find_host(host_name)
        if kwargs["dry_run"]:
            on = [v.name for v in inv.vms_on(target.moid) if v.powered_on]
            click.echo(f"dry run: would put {host_name} into maintenance mode; powered-on VMs "
                       f"on it: {', '.join(on) or 'none'}")
            return
        enter_maintenance(client, target.moid, timeout=kwargs["timeout"], host_name=host_name)
    click.echo(f"{host_name}: in maintenance mode")


@maintenance.command("exit")
@click.argument("host_name", metavar="HOST")
@click.option("--restore", is_flag=True,
              help="Then bring back the VMs the journal says came from HOST.")
@limit_options
@connection_options
@output_option
def maintenance_exit(host_name: str, restore: bool, **kwargs: Any) -> None:
    """Take HOST out of maintenance mode (and bring its VMs home, with --restore)."""
    if not restore:
        _refuse_without("--restore", RESTORE_ONLY)
    with open_session(click.get_current_context()) as client:
        target = snapshot(client).find_host(host_name)
        if target.in_maintenance:
            exit_maintenance(client, target.moid, timeout=kwargs["timeout"])
            click.echo(f"{host_name}: out of maintenance mode", err=True)
        else:
            click.echo(f"{host_name}: not in maintenance mode", err=True)
        if restore:
            _restore(client, host_name, **kwargs)


@host.command("restore")
@click.argument("host_name", metavar="HOST")
@limit_options
@connection_options
@output_option
def restore_cmd(host_name: str, **kwargs: Any) -> None:
    """Move the VMs the journal says came from HOST back to it.

    Only VMs still powered on and still where the evacuation put them go
    back; the others are listed with the reason.
    """
    with open_session(click.get_current_context()) as client:
        _restore(client, host_name, **kwargs)


def _restore(client: Any, host_name: str, *, max_parallel: int, max_per_host: int,
             journal_file: Path | None, cancel_in_flight: bool, timeout: float | None,
             output: str) -> None:
    source = journal_file or default_journal_path(host_name)
    evacuation = load_journal(source)
    if evacuation.host != host_name:
        raise ConfigError(f"journal {source} records {evacuation.host}, not {host_name}")
    path = source.with_name(source.stem + ".restore.json")
    options = _run_options(max_parallel, max_per_host, timeout, cancel_in_flight)
    journal = load_journal(path) if path.exists() else None
    if journal is None or journal.status not in ("running", "interrupted"):
        journal = restore_journal(snapshot(client), evacuation, path=path,
                                  options=options.limits.to_dict())
        journal.save()
    _finish(_execute(client, journal, options, f"restore {host_name}", output), output)
