"""``vmcctl advise``: where a VM should go, and why every other host lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from vmcctl.cli.complete import complete_placement, complete_vm
from vmcctl.cli.connect import connection_options, open_session, snapshot
from vmcctl.cli.render import emit_json, output_option, say, show, table
from vmcctl.cli.runflags import current_stream, events_option
from vmcctl.placement.advisor import rank_hosts
from vmcctl.placement.request import DEFAULT_MAX_PCT, PlacementOptions
from vmcctl.placement.result import CANDIDATE_COLUMNS, REJECTED_COLUMNS, Recommendation

F = TypeVar("F", bound=Callable[..., Any])


def placement_options(func: F) -> F:
    """The advisor's knobs, shared by ``advise``, ``migrate`` and ``host evacuate``."""
    func = click.option("--max-mem", "max_mem", type=click.FloatRange(0, 100, min_open=True),
                        default=DEFAULT_MAX_PCT, show_default=True, metavar="PCT",
                        help="A target must stay at or under this memory % after the move.")(func)
    func = click.option("--max-cpu", "max_cpu", type=click.FloatRange(0, 100, min_open=True),
                        default=DEFAULT_MAX_PCT, show_default=True, metavar="PCT",
                        help="A target must stay at or under this CPU % after the move.")(func)
    return func


def render_recommendation(rec: Recommendation, top: int | None) -> None:
    src = f"{rec.source} ({rec.source_fault_domain or 'no fault domain'})"
    if rec.candidates:
        show(table(f"Candidates for {rec.vm}, now on {src}", CANDIDATE_COLUMNS,
                   rec.candidate_rows(top),
                   right=["rank", "CPU now", "CPU after", "mem now", "mem after", "score"],
                   drop=["CPU now", "mem now", "score", "fault domain"]))
    else:
        say(f"No host qualifies for {rec.vm} (now on {src}).")
    if rec.rejected:
        show(table("Rejected hosts", REJECTED_COLUMNS, rec.rejected_rows()))


@click.command(short_help="Rank the hosts that could take a VM, and why.")
@click.argument("vm", shell_complete=complete_vm)
@click.option("--fault-domain", default="any", show_default=True, metavar="any|same|other|NAME",
              shell_complete=complete_placement,
              help="Which fault domains (availability zones) may take the VM: any, same (as "
                   "now), other (not the current one) or a fault domain's name.")
@placement_options
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="N",
              help="Show only the N best candidates.")
@connection_options
@output_option
@events_option
def advise(vm: str, fault_domain: str, max_cpu: float, max_mem: float, top: int | None,
           output: str) -> None:
    """Rank the hosts that could take VM and explain every rejection.

    VM is a name, a managed object id (vm-123) or an inventory path.

    Exits 1 when no host qualifies, naming the constraint that eliminated
    the most hosts and the option that relaxes it.

    \b
    Examples:
      vmcctl advise ML-cpu-vm-04
      vmcctl advise ML-cpu-vm-04 --fault-domain other --top 3
      vmcctl advise vm-42 --max-mem 70 -o json | jq -r '.candidates[0].host'
    """
    options = PlacementOptions(fault_domain=fault_domain, max_cpu_pct=max_cpu,
                               max_mem_pct=max_mem)
    with open_session(click.get_current_context()) as session:
        inv = snapshot(session)
    rec = rank_hosts(inv, vm, options)
    stream = current_stream()
    if stream is not None:
        best = rec.candidates[0] if rec.candidates else None
        stream.plan([{"vm": rec.vm, "vm_moid": rec.vm_moid, "source": rec.source,
                      "source_moid": rec.source_moid,
                      "target": best.host if best else None,
                      "target_moid": best.host_moid if best else None}] if best else [],
                    kind="advise", candidates=len(rec.candidates), rejected=len(rec.rejected))
    if output == "json":
        emit_json(rec.to_dict(top))
    else:
        render_recommendation(rec, top)
    if not rec.candidates:
        raise rec.error()
