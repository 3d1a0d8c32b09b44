"""Decisions over live state (pure): submit, skip, call it done, adopt a task.

The executor reads the live state of a whole wave of moves in one collector
call (``live.read_live``) and asks these functions what to do with each:

- ``precheck``: before submitting. The VM must still be on its source and in
  the power state the plan saw, the target connected and out of maintenance.
- ``verify``: after the task ended: on the target, same power state, same
  boot time (no restart).
- ``on_resume``: for each journal record when a run is resumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vmcctl.executor.journal import Journal, MoveRecord


@dataclass(frozen=True)
class VmLive:
    moid: str
    host_moid: str | None
    host: str | None  # name, when known
    power_state: str
    boot_time: str | None  # ISO
    unreadable: str | None = None  # properties we may not read, with the fault


@dataclass(frozen=True)
class HostLive:
    moid: str
    name: str
    connection_state: str
    in_maintenance: bool
    unreadable: str | None = None


@dataclass(frozen=True)
class Decision:
    action: Literal["submit", "done", "skip"]
    reason: str | None = None


def gone(rec: MoveRecord) -> str:
    """The reason recorded for a VM deleted since the plan (state ``skipped``)."""
    return f"VM {rec.vm} no longer exists"


def precheck(rec: MoveRecord, vm: VmLive | None, target: HostLive | None) -> Decision:
    """May ``rec`` be submitted now? ``done`` when the VM is already on the target."""
    if vm is None:
        return Decision("skip", gone(rec))
    if vm.unreadable:
        return Decision("skip", f"cannot read VM {rec.vm} ({vm.unreadable}); not moved")
    if vm.host_moid == rec.target_moid:
        return Decision("done", f"already on {rec.target}")
    if vm.host_moid != rec.origin_moid:
        return Decision("skip", f"VM {rec.vm} is now on {vm.host or vm.host_moid}, not "
                                f"{rec.origin} (moved by someone else since the plan)")
    if vm.power_state != rec.power_state:
        return Decision("skip", f"VM {rec.vm} is {vm.power_state}, the plan expected "
                                f"{rec.power_state}; evacuate again to re-plan")
    if target is None:
        return Decision("skip", f"target host {rec.target} no longer exists")
    if target.unreadable:
        return Decision("skip", f"cannot read target host {rec.target} ({target.unreadable}); "
                                "evacuate again to re-plan")
    if target.connection_state != "connected":
        return Decision("skip", f"target host {rec.target} is {target.connection_state}; "
                                "evacuate again to re-plan")
    if target.in_maintenance:
        return Decision("skip", f"target host {rec.target} is in maintenance mode; "
                                "evacuate again to re-plan")
    return Decision("submit")


def verify(rec: MoveRecord, vm: VmLive | None) -> tuple[str, ...]:
    """What differs from a clean move (empty: verified)."""
    if vm is None:
        return (gone(rec),)
    problems: list[str] = []
    if vm.host_moid != rec.target_moid:
        problems.append(f"VM {rec.vm} is on {vm.host or vm.host_moid}, not {rec.target}")
    if vm.power_state != rec.power_state:
        problems.append(f"power state changed from {rec.power_state} to {vm.power_state}")
    if rec.boot_time is not None and vm.boot_time is not None and vm.boot_time != rec.boot_time:
        problems.append(f"boot time changed from {rec.boot_time} to {vm.boot_time} "
                        "(the VM restarted)")
    return tuple(problems)


ResumeAction = Literal["keep", "precheck", "adopt", "lookup"]


def on_resume(rec: MoveRecord) -> ResumeAction:
    """What a resumed run does with a record, before looking at live state.

    ``keep``: done or skipped for good. ``adopt``: a task was recorded; follow
    it (if vCenter still knows it) rather than submit again. ``lookup``: the
    process stopped while submitting; the task may exist without its id in
    the journal: look in the VM's recent tasks first. ``precheck``: not
    started, failed or cancelled: check live state and submit again.
    """
    if rec.state == "done":
        return "keep"
    if rec.state == "running" and rec.task:
        return "adopt"
    if rec.state in ("submitting", "running"):
        return "lookup"
    return "precheck"


def ended_for_good(rec: MoveRecord) -> bool:
    """Skipped or failed with no target: never placeable, or refused by vCenter's check at
    the only host it may go to. No run submits it, ``--resume`` included."""
    return rec.state in ("skipped", "failed") and not rec.target_moid


def to_run(rec: MoveRecord) -> bool:
    """A move this run may submit (or has): not skipped, and not ended for good."""
    return rec.state != "skipped" and not ended_for_good(rec)


def work_left(journal: Journal) -> bool:
    """What a stopped run leaves for ``--resume``: moves not started, still moving or
    cancelled by the stop, or an evacuation's maintenance step not taken. A stop that
    left none of these (every move had been submitted and has ended) is no interruption."""
    return (any(r.state in ("pending", "submitting", "running", "cancelled")
                for r in journal.moves)
            or journal.maintenance in ("pending", "entering", "cancelled"))
