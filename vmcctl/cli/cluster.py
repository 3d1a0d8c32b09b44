"""``vmcctl cluster maintenance CLUSTER``: a rolling maintenance window, one command.

Argument parsing and rendering only: the window is ``vmcctl.ops.rolling``.
Exit codes: 0 every host serviced, 1 the window stopped (a failed ``--each``,
a VM that could not move; resumable), 2 bad input or admission refused,
130 interrupted (resumable).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from vmcctl.cli.advise import placement_options
from vmcctl.cli.checkflags import maintenance_spec_options, no_vcenter_check_option
from vmcctl.cli.complete import complete_cluster, complete_fault_domain, complete_placement
from vmcctl.cli.confirm import asking, confirm, yes_option
from vmcctl.cli.connect import connection_options, open_session
from vmcctl.cli.errors import EXIT_INTERRUPTED
from vmcctl.cli.host import limit_options
from vmcctl.cli.render import emit_json, output_option, say, show, table
from vmcctl.cli.runflags import events_option, gate_options, report_option
from vmcctl.cli.running import run_options, running
from vmcctl.ops.rolling import ClusterMaintenanceOptions, WindowReport, maintain_cluster
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.rolling import WINDOW_COLUMNS, WindowOptions, WindowPlan


@click.group(short_help="Rolling maintenance windows over a cluster.")
def cluster() -> None:
    """Work on a whole cluster: rolling maintenance windows.

    \b
    Examples:
      vmcctl cluster maintenance Cluster-1 --dry-run
      vmcctl cluster maintenance Cluster-1 --max-down 2 --restore
    """


def _show(plan: WindowPlan, dry_run: bool) -> None:
    title = ("Dry run: " if dry_run else "") + (
        f"rolling window over {plan.cluster} "
        f"({'overlapped' if plan.overlap else 'serial'})")
    show(table(title, WINDOW_COLUMNS, plan.rows(), names=["hosts in maintenance"],
               drop=["hosts in maintenance", "phase"]))
    order = " → ".join("+".join(s.host_names) for s in plan.steps)
    say(f"order: {order}")
    say(f"relocations: {plan.relocations} (lower bound {plan.lower_bound}"
        f"{'' if plan.relocations == plan.lower_bound else ', extra moves forced'})")
    if plan.stays:
        show(table("Stay on their host, powered off", ("VM", "host", "power state"),
                   [(s.vm, s.host, s.power_state) for s in plan.stays]))


def _render(report: WindowReport, output: str) -> None:
    if output == "json":
        emit_json(report.to_dict())
    elif report.journal is not None:
        j = report.journal
        say(f"window {j.cluster}: {j.status}; {j.relocations} relocation(s); journal {j.path}")
    if report.interrupted:
        # on stderr, whole: stdout may be a pipe whose reader got the same Ctrl-C
        where = (f"; the journal is at {report.journal.path}"
                 if report.journal is not None and report.journal.path else "")
        click.echo(f"interrupted{where}; finish with --resume", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED)
    error = report.error()
    if error is not None:
        raise error


@cluster.command("maintenance", short_help="Service every host, a few at a time.")
@click.argument("cluster_name", metavar="CLUSTER", shell_complete=complete_cluster)
@click.option("--hosts", default=None, metavar="H1,H2,…",
              help="Service only these hosts [default: every host of the cluster].")
@click.option("--fault-domain", "only_fault_domain", default=None, metavar="NAME",
              shell_complete=complete_fault_domain,
              help="Service only the hosts of this fault domain.")
@click.option("--max-down", type=click.IntRange(min=1), default=1, show_default=True,
              metavar="N", help="Hosts in maintenance at once.")
@click.option("--each", default=None, metavar="CMD",
              help="Shell command run for each host while it is in maintenance "
                   "(VMCCTL_HOST, VMCCTL_HOST_MOID set); non-zero stops the window.")
@click.option("--restore", is_flag=True,
              help="Bring every VM back to its host as soon as that host is serviced.")
@click.option("--placement-fault-domain", default="any", show_default=True,
              metavar="any|same|other|NAME", shell_complete=complete_placement,
              help="Where VMs may wait: fault-domain policy.")
@click.option("--priority", type=click.Choice(["high", "default", "low"]),
              default="default", show_default=True, help="vMotion priority.")
@click.option("--enter-timeout", type=click.FloatRange(min=0), default=900.0,
              show_default=True, metavar="S",
              help="EnterMaintenanceMode task timeout (0: wait forever).")
@maintenance_spec_options
@no_vcenter_check_option
@click.option("--dry-run", is_flag=True, help="Show the whole window; move nothing.")
@click.option("--resume", is_flag=True, help="Finish the window recorded in the journal.")
@placement_options
@limit_options
@yes_option
@gate_options
@report_option
@events_option
@connection_options
@output_option
def maintenance(cluster_name: str, hosts: str | None, only_fault_domain: str | None,
                max_down: int, each: str | None, restore: bool, placement_fault_domain: str,
                priority: str, enter_timeout: float, vsan_mode: str | None,
                evacuate_powered_off: bool, no_vcenter_check: bool, dry_run: bool,
                resume: bool,
                max_cpu: float, max_mem: float, max_parallel: int, max_per_host: int,
                journal_file: Path | None, cancel_in_flight: bool, timeout: float | None,
                output: str, yes: bool) -> None:
    """Service every host of CLUSTER, a few at a time, each VM moved the fewest times.

    Plans the whole window first (which hosts go down together, in which
    order, where each VM waits) and refuses, with the numbers, when the
    cluster cannot hold its load with --max-down hosts away (exit 2). Then
    empties each group, enters maintenance, runs --each while the next group
    is emptied, exits and (with --restore) brings the VMs home. Ctrl-C stops
    after the running vMotions (exit 130); --resume goes on.

    \b
    Examples:
      vmcctl cluster maintenance Cluster-1 --dry-run
      vmcctl cluster maintenance Cluster-1 --hosts 10.94.24.70,10.94.24.72
      vmcctl cluster maintenance Cluster-1 --max-down 2 --restore \\
          --each './patch.sh "$VMCCTL_HOST"'
      vmcctl cluster maintenance Cluster-1 --resume
    """
    window = WindowOptions(max_down=max_down, restore=restore,
                           priority=priority,  # type: ignore[arg-type]
                           placement=PlacementOptions(fault_domain=placement_fault_domain,
                                                      max_cpu_pct=max_cpu,
                                                      max_mem_pct=max_mem))
    options = ClusterMaintenanceOptions(
        window=window, hosts=tuple(h.strip() for h in hosts.split(",") if h.strip())
        if hosts else (), fault_domain=only_fault_domain, each=each,
        run=run_options(max_parallel, max_per_host, timeout, cancel_in_flight),
        journal=journal_file, enter_timeout=enter_timeout or None, dry_run=dry_run,
        resume=resume, vcenter_check=not no_vcenter_check, vsan_mode=vsan_mode,
        evacuate_powered_off=evacuate_powered_off)
    with open_session(click.get_current_context()) as client:
        if dry_run:
            report = maintain_cluster(client, cluster_name, options)
            if report.plan is not None:
                if output == "json":
                    emit_json({"dry_run": True, "plan": report.plan.to_dict()})
                else:
                    _show(report.plan, True)
            return
        shown = asking(yes) and not resume
        if shown:  # show the window and ask before anything is written
            preview = maintain_cluster(client, cluster_name, replace(options, dry_run=True))
            if output != "json" and preview.plan is not None:
                _show(preview.plan, True)
            confirm(preview.changes(), yes=yes)
        with running(f"window {cluster_name}") as (control, progress):
            report = maintain_cluster(client, cluster_name, options, progress,
                                      control=control,
                                      on_start=lambda r: _started(r, output, shown))
    _render(report, output)


def _started(report: WindowReport, output: str, plan_shown: bool = False) -> None:
    if output != "json" and report.plan is not None and not plan_shown:
        _show(report.plan, False)
    if report.journal is not None:
        click.echo(f"journal: {report.journal.path}", err=True)


