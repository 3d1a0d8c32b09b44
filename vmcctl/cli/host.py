"""``vmcctl host``: evacuate a host, enter/exit maintenance, bring its VMs home.

Argument parsing and rendering only: every rule lives in ``vmcctl.ops``.
Every run that moves VMs keeps a journal (default ``./vmcctl-journal-<host>.json``;
earlier runs are archived next to it, never overwritten) and tags each moved
VM with the ``vmcctl.origin`` custom attribute, so ``host restore`` finds every
VM any run moved off the host. Exit codes: 0 done, 1 some VM could not be moved
(a table says which and why), 2 bad input, 130 interrupted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from vmcctl import ops
from vmcctl.cli.advise import placement_options
from vmcctl.cli.checkflags import maintenance_spec_options, no_vcenter_check_option
from vmcctl.cli.complete import complete_host, complete_placement
from vmcctl.cli.confirm import asking, confirm, yes_option
from vmcctl.cli.connect import connection_options, open_session
from vmcctl.cli.host_render import render_report, show_plan
from vmcctl.cli.render import emit_json, output_option
from vmcctl.cli.runflags import (
    events_option,
    gate_options,
    report_option,
)
from vmcctl.cli.running import run_options, running
from vmcctl.errors import ConfigError
from vmcctl.executor.schedule import DEFAULT_MAX_PARALLEL, DEFAULT_MAX_PER_HOST
from vmcctl.placement.request import PlacementOptions

F = TypeVar("F", bound=Callable[..., Any])


def limit_options(func: F, *, run_timeout: bool = True) -> F:
    """--max-parallel, --max-per-host, --journal, --cancel-in-flight (and --timeout)."""
    for decorator in reversed([
        click.option("--max-parallel", type=click.IntRange(min=1), default=DEFAULT_MAX_PARALLEL,
                     show_default=True, metavar="N", help="vMotions in flight at once, overall."),
        click.option("--max-per-host", type=click.IntRange(min=1), default=DEFAULT_MAX_PER_HOST,
                     show_default=True, metavar="N",
                     help="vMotions in flight per host, as source or target (queued count)."),
        click.option("--journal", "journal_file", type=click.Path(dir_okay=False, path_type=Path),
                     metavar="FILE", help="Journal file [default: ./vmcctl-journal-HOST.json]; "
                                          "earlier runs are kept next to it."),
        click.option("--cancel-in-flight", is_flag=True,
                     help="On Ctrl-C, cancel running vMotions instead of letting them finish."),
        click.option("--timeout", type=click.FloatRange(min=1), default=None, metavar="S",
                     help="Stop submitting moves after S seconds; running moves go on and "
                          "the journal records them (evacuations finish with --resume)."),
    ][:None if run_timeout else -1]):
        func = decorator(func)
    return func


def evacuation_options(func: F, *, run_timeout: bool = True) -> F:
    for decorator in reversed([
        click.option("--fault-domain", default="any", show_default=True,
                     metavar="any|same|other|NAME", shell_complete=complete_placement,
                     help="Where VMs may go: any, same or other fault domain, or one by name."),
        click.option("--priority", type=click.Choice(["high", "default", "low"]),
                     default="default", show_default=True, help="vMotion priority."),
        click.option("--include-powered-off", is_flag=True,
                     help="Move powered-off and suspended VMs too."),
        click.option("--dry-run", is_flag=True, help="Show the plan; move nothing."),
        click.option("--partial", is_flag=True,
                     help="When a VM cannot be moved or placed, move the others anyway "
                          "(without it the run stops before moving anything); the host "
                          "then does not enter maintenance mode."),
        click.option("--resume", is_flag=True,
                     help="Finish the interrupted run recorded in the journal."),
    ]):
        func = decorator(func)
    func = no_vcenter_check_option(func)
    return placement_options(limit_options(func, run_timeout=run_timeout))


def _enter_evacuation_options(func: F) -> F:
    """`maintenance enter`: --timeout is the maintenance task's; --move-timeout the moves'."""
    return evacuation_options(func, run_timeout=False)


@click.group(short_help="Evacuate, maintenance mode, bring VMs home.")
def host() -> None:
    """Evacuate a host, enter or exit maintenance mode, bring its VMs home.

    \b
    Examples:
      vmcctl host evacuate 10.94.24.70 --dry-run
      vmcctl host maintenance enter 10.94.24.70 --evacuate
      vmcctl host maintenance exit 10.94.24.70 --restore
    """


# --- helpers ----------------------------------------------------------------------------

def _evacuation(host_name: str, *, maintenance: bool, fault_domain: str, priority: str,
                include_powered_off: bool, dry_run: bool, resume: bool, partial: bool,
                max_cpu: float,
                max_mem: float, max_parallel: int, max_per_host: int,
                journal_file: Path | None, cancel_in_flight: bool, timeout: float | None,
                no_vcenter_check: bool, enter_timeout: float | None = None,
                vsan_mode: str | None = None,
                evacuate_powered_off: bool = False) -> ops.EvacuateOptions:
    return ops.EvacuateOptions(
        placement=PlacementOptions(fault_domain=fault_domain, max_cpu_pct=max_cpu,
                                   max_mem_pct=max_mem),
        priority=priority, include_powered_off=include_powered_off,
        run=run_options(max_parallel, max_per_host, timeout, cancel_in_flight),
        journal=journal_file, maintenance=maintenance, dry_run=dry_run, resume=resume,
        partial=partial, vcenter_check=not no_vcenter_check, vsan_mode=vsan_mode,
        evacuate_powered_off=evacuate_powered_off,
        enter_timeout=ops.DEFAULT_ENTER_TIMEOUT if enter_timeout is None else enter_timeout)


def _evacuate(host_name: str, output: str, options: ops.EvacuateOptions,
              yes: bool = True) -> None:
    with open_session(click.get_current_context()) as client:
        if options.dry_run:
            report = ops.evacuate_host(client, host_name, options)
            plan = report.plan
            if plan is None:
                return
            if output == "json":
                emit_json({"dry_run": True, "plan": plan.to_dict()})
            else:
                show_plan(plan, dry_run=True)
            error = plan.error()
            if error is not None:
                raise error
            return
        title = f"evacuate {host_name}" + (" (resumed)" if options.resume else "")
        shown = asking(yes) and output != "json"  # the plan is shown with the question
        with running(title) as (control, progress):
            report = ops.evacuate_host(client, host_name, options, progress, control=control,
                                       on_start=lambda started: _before_moves(
                                           started, output, plan_shown=shown),
                                       approve=lambda planned: _approve(planned, output, yes))
    render_report(report, output)


def _approve(report: ops.HostReport, output: str, yes: bool) -> None:
    """On a terminal (without --yes): show the plan and ask before anything is written."""
    if asking(yes) and output != "json" and report.plan is not None:
        show_plan(report.plan)
    confirm(report.changes(), yes=yes)


def _before_moves(report: ops.HostReport, output: str, *, plan_shown: bool = False) -> None:
    if output != "json" and report.plan is not None and not plan_shown:
        show_plan(report.plan)
    if report.archived:
        click.echo(f"earlier journal kept as {report.archived}", err=True)
    if report.journal is not None:
        click.echo(f"journal: {report.journal.path}", err=True)


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
                   "cancel_in_flight": "--cancel-in-flight", "move_timeout": "--move-timeout",
                   "gate_cmd": "--gate-cmd", "gate_h2o": "--gate-h2o", "partial": "--partial",
                   "no_vcenter_check": "--no-vcenter-check"}
# Options of `maintenance exit` that only mean something with --restore.
RESTORE_ONLY = {"journal_file": "--journal", "max_parallel": "--max-parallel",
                "max_per_host": "--max-per-host", "cancel_in_flight": "--cancel-in-flight",
                "gate_cmd": "--gate-cmd", "gate_h2o": "--gate-h2o",
                "no_vcenter_check": "--no-vcenter-check"}


# --- commands ---------------------------------------------------------------------------

@host.command(short_help="Move every powered-on VM off a host.")
@click.argument("host_name", metavar="HOST", shell_complete=complete_host)
@evacuation_options
@yes_option
@gate_options
@report_option
@events_option
@connection_options
@output_option
def evacuate(host_name: str, output: str, yes: bool, **kwargs: Any) -> None:
    """Move every powered-on VM off HOST, planned by the advisor, within limits.

    Shows the plan, moves the VMs (longest first, at most --max-parallel at
    once and --max-per-host per host), verifies each one, and reports. A VM
    that cannot be moved (template, Fault Tolerance, passthrough/vGPU or
    connected host device, not connected) or placed stops the run before
    anything moves, naming every such VM (exit 1); with --partial the others
    move and the stuck ones are listed (exit 1). A VM that fails while moving
    is listed with the reason (exit 1); the others stay where they went.
    Ctrl-C stops submitting, lets running vMotions finish and exits 130: run
    again with --resume to finish. A new run never overwrites the journal of
    an earlier one: it is kept next to it.

    \b
    Examples:
      vmcctl host evacuate 10.94.24.70 --dry-run
      vmcctl host evacuate 10.94.24.70 --fault-domain same --max-parallel 2
      vmcctl host evacuate 10.94.24.71 --partial     # move what can move
      vmcctl host evacuate 10.94.24.70 --resume      # finish an interrupted run
    """
    _evacuate(host_name, output, _evacuation(host_name, maintenance=False, **kwargs), yes)


@host.group(short_help="Enter or exit maintenance mode.")
def maintenance() -> None:
    """Enter or exit maintenance mode.

    \b
    Examples:
      vmcctl host maintenance enter 10.94.24.70 --evacuate --dry-run
      vmcctl host maintenance exit 10.94.24.70 --restore
    """


def _maintenance_timeout(func: F) -> F:
    return click.option(
        "--timeout", "enter_timeout", type=click.FloatRange(min=0), metavar="S",
        default=ops.DEFAULT_ENTER_TIMEOUT, show_default=True,
        help="Seconds vCenter may take to enter maintenance mode (the task's own "
             "timeout; it then fails with Timedout). 0 waits forever.")(func)


@maintenance.command("enter", short_help="Put a host into maintenance mode.")
@click.argument("host_name", metavar="HOST", shell_complete=complete_host)
@click.option("--evacuate", "evacuate_first", is_flag=True,
              help="Evacuate HOST first (same options as `host evacuate`); enter only if "
                   "every VM moved.")
@click.option("--move-timeout", type=click.FloatRange(min=1), default=None, metavar="S",
              help="With --evacuate: stop submitting moves after S seconds (then --resume).")
@_maintenance_timeout
@maintenance_spec_options
@_enter_evacuation_options
@yes_option
@gate_options
@report_option
@events_option
@connection_options
@output_option
def maintenance_enter(host_name: str, evacuate_first: bool, enter_timeout: float,
                      move_timeout: float | None, vsan_mode: str | None,
                      evacuate_powered_off: bool, output: str, yes: bool,
                      **kwargs: Any) -> None:
    """Put HOST into maintenance mode (after evacuating it, with --evacuate).

    Right before entering, HOST is read again: powered-on VMs found there
    (powered on, or moved there by DRS or another admin) are moved too with
    --evacuate; without it the command stops naming them (exit 1) rather
    than wait. Ctrl-C while entering cancels the vCenter task (exit 130).

    \b
    Examples:
      vmcctl host maintenance enter 10.94.24.70 --evacuate --dry-run
      vmcctl host maintenance enter 10.94.24.70 --evacuate --max-parallel 2
      vmcctl host maintenance enter 10.94.24.85 --timeout 0   # no VMs; no limit
    """
    if evacuate_first or kwargs["resume"]:
        options = _evacuation(host_name, maintenance=True, timeout=move_timeout,
                              enter_timeout=enter_timeout, vsan_mode=vsan_mode,
                              evacuate_powered_off=evacuate_powered_off, **kwargs)
        _evacuate(host_name, output, options, yes)
        return
    _refuse_without("--evacuate", EVACUATION_ONLY)
    enter = ops.EnterOptions(timeout=enter_timeout, dry_run=kwargs["dry_run"],
                             vsan_mode=vsan_mode, evacuate_powered_off=evacuate_powered_off)
    with open_session(click.get_current_context()) as client:
        if enter.dry_run:
            report = ops.enter_maintenance(client, host_name, enter)
            render_report(report, output)
            return
        if asking(yes):  # the ops layer says whether there is anything to do
            preview = ops.enter_maintenance(client, host_name, replace(enter, dry_run=True))
            confirm(preview.changes(), yes=yes)
        with running(f"maintenance enter {host_name}") as (control, progress):
            report = ops.enter_maintenance(client, host_name, enter, progress,
                                           control=control)
    render_report(report, output)


@maintenance.command("exit", short_help="Take a host out of maintenance mode.")
@click.argument("host_name", metavar="HOST", shell_complete=complete_host)
@click.option("--restore", is_flag=True,
              help="Then bring back every VM a recorded run moved off HOST.")
@click.option("--dry-run", is_flag=True,
              help="Say what would happen (and, with --restore, which VMs would come "
                   "home); change nothing.")
@limit_options
@no_vcenter_check_option
@yes_option
@gate_options
@report_option
@events_option
@connection_options
@output_option
def maintenance_exit(host_name: str, restore: bool, dry_run: bool, output: str, yes: bool,
                     **kwargs: Any) -> None:
    """Take HOST out of maintenance mode (and bring its VMs home, with --restore).

    \b
    Examples:
      vmcctl host maintenance exit 10.94.24.70
      vmcctl host maintenance exit 10.94.24.70 --restore --dry-run
      vmcctl host maintenance exit 10.94.24.70 --restore --max-parallel 2 --yes
    """
    if not restore:
        _refuse_without("--restore", RESTORE_ONLY)
    options = ops.ExitOptions(timeout=kwargs["timeout"], dry_run=dry_run,
                              restore=_restore_options(**kwargs) if restore else None)
    with open_session(click.get_current_context()) as client:
        if dry_run:
            report = ops.exit_maintenance(client, host_name, options)
        else:
            if asking(yes):
                preview = ops.exit_maintenance(client, host_name,
                                               ops.ExitOptions(dry_run=True))
                changes = preview.changes()
                if restore:
                    changes.append(f"bring home the VMs recorded runs moved off {preview.host}")
                confirm(changes, yes=yes)
            with running(f"restore {host_name}") as (control, progress):
                report = ops.exit_maintenance(client, host_name, options, progress,
                                              control=control)
    render_report(report, output)


@host.command("restore", short_help="Bring home the VMs moved off a host.")
@click.argument("host_name", metavar="HOST", shell_complete=complete_host)
@click.option("--no-attributes", is_flag=True,
              help="Use the journals only; ignore the vmcctl.origin attributes in vCenter.")
@click.option("--dry-run", is_flag=True,
              help="List the VMs that would come home and from where; move nothing.")
@limit_options
@no_vcenter_check_option
@yes_option
@gate_options
@report_option
@events_option
@connection_options
@output_option
def restore_cmd(host_name: str, output: str, no_attributes: bool, dry_run: bool, yes: bool,
                **kwargs: Any) -> None:
    """Bring home every VM that a recorded run moved off HOST.

    The way home is read from every journal in the journal's folder and from
    the vmcctl.origin custom attribute vCenter keeps on each moved VM (so it
    works with no journal at hand); for each VM its newest move counts.
    Powered-off VMs are listed, not moved. vCenter's compatibility check is
    asked about each VM's home first: a VM it refuses there fails before
    anything moves (exit 1) and keeps its way home.

    \b
    Examples:
      vmcctl host restore 10.94.24.70 --dry-run
      vmcctl host restore 10.94.24.70 --journal ./vmcctl-journal-10.94.24.70.json
      vmcctl host restore 10.94.24.70 --no-attributes   # journals only
    """
    options = _restore_options(use_attributes=not no_attributes, dry_run=dry_run, **kwargs)
    with open_session(click.get_current_context()) as client:
        if dry_run:
            report = ops.restore_host(client, host_name, options)
        else:
            with running(f"restore {host_name}") as (control, progress):
                report = ops.restore_host(
                    client, host_name, options, progress, control=control,
                    on_start=lambda started: _before_moves(started, output),
                    approve=lambda planned: confirm(planned.changes(), yes=yes))
    render_report(report, output)


def _restore_options(*, max_parallel: int, max_per_host: int, journal_file: Path | None,
                     cancel_in_flight: bool, timeout: float | None, no_vcenter_check: bool,
                     use_attributes: bool = True, dry_run: bool = False) -> ops.RestoreOptions:
    return ops.RestoreOptions(
        run=run_options(max_parallel, max_per_host, timeout, cancel_in_flight),
        journal=journal_file, use_attributes=use_attributes, dry_run=dry_run,
        vcenter_check=not no_vcenter_check)
