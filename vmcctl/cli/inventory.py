"""``vmcctl inventory``: hosts and VMs as vCenter reports them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from vmcctl.cli.complete import complete_fault_domain, complete_host
from vmcctl.cli.connect import connection_options, open_session, snapshot
from vmcctl.cli.render import emit_json, gib, output_option, pct, show, table

if TYPE_CHECKING:  # the model and the placement package load when a command runs, not for --help
    from vmcctl.model import Host, Inventory, Vm


@click.group(short_help="List hosts and VMs as vCenter sees them.")
def inventory() -> None:
    """Read the cluster's hosts and VMs (one bulk PropertyCollector read).

    \b
    Examples:
      vmcctl inventory hosts
      vmcctl inventory vms --host 10.94.24.70 -o wide
    """


def host_row(h: Host, inv: Inventory) -> dict[str, Any]:
    return {
        "name": h.name, "moid": h.moid, "path": h.path, "datacenter": h.datacenter,
        "cluster": h.cluster_name, "fault_domain": h.fault_domain,
        "connection_state": h.connection_state, "maintenance": h.in_maintenance,
        "power_state": h.power_state, "standby_mode": h.standby_mode,
        "quarantine": h.in_quarantine,
        "cpu_pct": round(h.cpu_pct, 1), "memory_pct": round(h.memory_pct, 1),
        "cpu_usage_mhz": h.cpu_usage_mhz, "cpu_capacity_mhz": h.cpu_capacity_mhz,
        "memory_usage_mb": h.memory_usage_mb, "memory_capacity_mb": h.memory_capacity_mb,
        "vms": len(inv.vms_on(h.moid)),
        "unreadable": [str(u) for u in h.unknown],
    }


def vm_row(v: Vm, inv: Inventory) -> dict[str, Any]:
    from vmcctl.placement.movable import blockers

    host = inv.hosts_by_moid.get(v.host_moid) if v.host_moid else None
    return {
        "name": v.name, "moid": v.moid, "path": v.path, "datacenter": v.datacenter,
        "host": host.name if host else v.host_moid, "host_moid": v.host_moid,
        "fault_domain": host.fault_domain if host else None,
        "power_state": v.power_state, "cpus": v.num_cpu, "memory_mb": v.memory_mb,
        "cpu_usage_mhz": v.cpu_usage_mhz, "memory_usage_mb": v.memory_usage_mb,
        "memory_active_mb": v.memory_active_mb,
        "cannot_move": [r.code for r in blockers(v, vmc_managed=inv.vmc_managed(v))],
        "ip_address": v.ip_address, "datastores": list(inv.datastore_names(v.datastore_moids)),
        "boot_time": v.boot_time.isoformat() if v.boot_time else None,
        "unreadable": [str(u) for u in v.unknown],
    }


@inventory.command(short_help="Hosts: state, maintenance, CPU/memory, VMs.")
@connection_options
@output_option
@click.pass_context
def hosts(ctx: click.Context, output: str) -> None:
    """Hosts: cluster, fault domain, state, maintenance, CPU and memory used, VM count.

    \b
    Examples:
      vmcctl inventory hosts
      vmcctl inventory hosts -o wide       # also power, standby, moid
      vmcctl inventory hosts -o plain --no-headers | awk -F'\\t' '{print $1}'
      vmcctl inventory hosts -o json | jq -r '.[] | select(.cpu_pct > 50) | .name'
    """
    with open_session(ctx) as session:
        inv = snapshot(session)
    rows = [host_row(h, inv) for h in sorted(inv.hosts, key=lambda h: h.name)]
    if output == "json":
        emit_json(rows)
        return
    show(table(
        None,
        ["HOST", "CLUSTER", "FAULT DOMAIN", "STATE", "MAINT", "CPU", "MEM", "VMS", "POWER",
         "STANDBY", "MOID"],
        ([r["name"], r["cluster"], r["fault_domain"] or "-", r["connection_state"],
          "yes" if r["maintenance"] else "no", pct(r["cpu_pct"]), pct(r["memory_pct"]), r["vms"],
          r["power_state"] or "-", r["standby_mode"] or "-", r["moid"]]
         for r in rows),
        right=["CPU", "MEM", "VMS"], drop=["CLUSTER", "STATE", "FAULT DOMAIN"],
        wide=["POWER", "STANDBY", "MOID"]))


def away_rows(session: Any, inv: Inventory) -> list[dict[str, Any]]:
    """VMs away from home: the journals in this folder and vCenter's vmcctl.origin."""
    from pathlib import Path

    from vmcctl.ops import away_from, way_home
    from vmcctl.ops.history import history_files

    found = way_home(session, history_files(Path.cwd()))
    for warning in found.warnings:
        click.echo(f"warning: {warning}", err=True)
    rows = []
    for origin in away_from(found.origins, inv):
        vm = inv.vms_by_moid.get(origin.vm_moid)
        if vm is None:
            continue  # deleted since
        home = inv.hosts_by_moid.get(origin.home_moid)
        rows.append({**vm_row(vm, inv),
                     "home": home.name if home else origin.home_moid,
                     "home_moid": origin.home_moid, "away_since": origin.at,
                     "run_id": origin.run_id, "found_in": origin.source})
    return rows


@inventory.command(short_help="VMs: host, power, size, load, IP.")
@click.option("--host", "host_filter", metavar="HOST", shell_complete=complete_host,
              help="Only the VMs on this host (name, moid or inventory path).")
@click.option("--fault-domain", "fd_filter", metavar="NAME", shell_complete=complete_fault_domain,
              help="Only the VMs in this fault domain (availability zone).")
@click.option("--away", is_flag=True,
              help="Only VMs away from home: moved off a host by vmcctl (per the journals "
                   "in this folder and the vmcctl.origin attribute) and not brought back.")
@connection_options
@output_option
@click.pass_context
def vms(ctx: click.Context, host_filter: str | None, fd_filter: str | None, away: bool,
        output: str) -> None:
    """VMs: host, fault domain, power, vCPUs, memory, CPU/memory use, IP.

    \b
    Examples:
      vmcctl inventory vms
      vmcctl inventory vms --host 10.94.24.70 -o wide
      vmcctl inventory vms --fault-domain us-west-2a -o plain | cut -f1
      vmcctl inventory vms --away          # moved by vmcctl, not home yet
    """
    with open_session(ctx) as session:
        inv = snapshot(session)
        all_rows = (away_rows(session, inv) if away
                    else [vm_row(v, inv)
                          for v in sorted(inv.vms, key=lambda v: (v.name, v.path or ""))])
    # unknown or ambiguous host: NotFoundError with close names / AmbiguousError with paths
    host_moid = inv.find_host(host_filter).moid if host_filter else None
    if fd_filter and fd_filter not in inv.fault_domains():
        from vmcctl.errors import NotFoundError
        raise NotFoundError("fault domain", fd_filter, inv.fault_domains())
    rows = [r for r in all_rows if (not host_moid or r["host_moid"] == host_moid)
            and (not fd_filter or r["fault_domain"] == fd_filter)]
    if output == "json":
        emit_json(rows)
        return
    if away:
        show(table(
            None, ["VM", "HOST", "HOME", "AWAY SINCE", "RUN", "FOUND IN", "MOID"],
            ([r["name"], r["host"], r["home"], r["away_since"], r["run_id"], r["found_in"],
              r["moid"]] for r in rows),
            names=["HOME"], drop=["RUN", "FOUND IN", "AWAY SINCE"], wide=["MOID"]))
        return
    show(table(
        None,
        ["VM", "HOST", "FAULT DOMAIN", "POWER", "VCPU", "MEMORY", "CPU MHZ", "MEM USED", "IP",
         "MOID", "CANNOT MOVE"],
        ([r["name"], r["host"], r["fault_domain"] or "-",
          "on" if r["power_state"] == "poweredOn" else "off", r["cpus"], gib(r["memory_mb"]),
          r["cpu_usage_mhz"], gib(r["memory_usage_mb"]), r["ip_address"] or "-", r["moid"],
          ", ".join(r["cannot_move"]) or "-"] for r in rows),
        right=["VCPU", "MEMORY", "CPU MHZ", "MEM USED"],
        drop=["CPU MHZ", "MEM USED", "IP", "VCPU", "FAULT DOMAIN"],
        wide=["MOID", "CANNOT MOVE"]))
