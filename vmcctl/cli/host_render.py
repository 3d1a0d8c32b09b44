"""What ``vmcctl host`` says about maintenance mode and a restore dry run."""

from __future__ import annotations

from vmcctl import ops
from vmcctl.cli.render import say, show, table

# What a maintenance call did to the host, as people read it (HostReport.maintenance).
_SAID = {
    "entered": "in maintenance mode", "cancelled": "not in maintenance mode (cancelled)",
    "exited": "out of maintenance mode",
    "would-enter": "dry run: would enter maintenance mode (nothing changed)",
    "would-exit": "dry run: would exit maintenance mode (nothing changed)"}


def maintenance_said(report: ops.HostReport) -> str:
    """``HOST: what happened to its maintenance mode``."""
    if report.maintenance == "unchanged":
        said = ("already in maintenance mode" if report.action == "maintenance-enter"
                else "not in maintenance mode")
    else:
        said = _SAID.get(report.maintenance, report.maintenance)
    return f"{report.host}: {said}"


def show_homecoming(report: ops.HostReport) -> None:
    """A restore dry run: which VM would come home from where, and which would stay."""
    assert report.journal is not None
    moves = report.journal.moves
    if not moves:
        say(f"Dry run: no VM to bring home to {report.host}.")
        return
    show(table(f"Dry run: bring home to {report.host}", ["VM", "from", "to", "state", "why"],
               ([m.vm, m.origin or "-", m.target, "would move" if m.state == "pending"
                 else m.state, m.reason or ""] for m in moves), drop=["to"]))
