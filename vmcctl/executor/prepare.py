"""Turn plans into journals (pure: an ``Inventory`` in, a ``Journal`` out).

- ``evacuation_journal``: the advisor's ``EvacuationPlan`` with every move
  checked by ``vsphere.relocate.plan_checked_move`` (pool, datastores, target state)
  and what the executor needs to submit and verify it. VMs that cannot move
  (``plan.blocked``) and VMs no host can take are recorded as ``skipped`` with
  the reason: the host then does
  not enter maintenance.
- ``restore_journal``: the way home for the VMs an evacuation journal moved
  off a host: those still on the host they were moved to and powered on go
  back; every other one is recorded as skipped with the reason.
- ``homecoming_journal``: the way home for VMs given by moid (the ops layer
  gathers them from every recorded run and from vCenter's custom
  attributes): wherever they are now, powered-on ones go back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vmcctl.errors import ConfigError, PrecheckError, VmcctlError
from vmcctl.executor.journal import Journal, MoveRecord
from vmcctl.model import Host, Inventory, Vm
from vmcctl.placement.plan import EvacuationPlan
from vmcctl.vsphere.relocate import check_priority, plan_checked_move


def _record(inv: Inventory, vm: Vm, target: Host, priority: str) -> MoveRecord:
    """A checked move of ``vm`` to ``target`` (both by identity); PrecheckError if it cannot."""
    plan = plan_checked_move(inv, vm, target, check_priority(priority))
    return MoveRecord(
        vm=vm.name, vm_moid=vm.moid, origin=plan.source, origin_moid=plan.source_moid,
        target=plan.target, target_moid=plan.target_moid, pool_moid=plan.pool_moid,
        pool_kind=plan.pool_kind, priority=plan.priority,
        memory_mb=vm.memory_mb if vm.powered_on else 0, power_state=vm.power_state,
        boot_time=vm.boot_time.isoformat() if vm.boot_time is not None else None)


def move_record(inv: Inventory, vm: Vm, target: Host, priority: str) -> MoveRecord:
    """A checked move of ``vm`` to ``target`` (``PrecheckError`` if it cannot be submitted)."""
    return _record(inv, vm, target, priority)


def _skipped(vm: Vm, origin_moid: str, reason: str) -> MoveRecord:
    return MoveRecord(vm=vm.name, vm_moid=vm.moid, origin=vm.host_name or "",
                      origin_moid=origin_moid, target="", target_moid="", pool_moid="",
                      memory_mb=vm.memory_mb, power_state=vm.power_state, state="skipped",
                      reason=reason)


def evacuation_journal(inv: Inventory, plan: EvacuationPlan, *, path: Path | None = None,
                       options: dict[str, Any] | None = None,
                       maintenance: bool = False) -> Journal:
    """A journal that runs ``plan``; ``maintenance`` asks to enter it after all moves."""
    host = inv.host(plan.host_moid)
    moves: list[MoveRecord] = []
    for move in plan.moves:
        vm = inv.vm(move.vm_moid)
        try:
            moves.append(_record(inv, vm, inv.host(move.target_moid), move.priority))
        except PrecheckError as exc:
            moves.append(_skipped(vm, host.moid, str(exc)))
    for blocked in plan.blocked:
        text = blocked.message + (f" ({blocked.hint})" if blocked.hint else "")
        moves.append(_skipped(inv.vm(blocked.vm_moid), host.moid, text))
    for unplaceable in plan.unplaceable:
        text = unplaceable.message + (f" ({unplaceable.hint})" if unplaceable.hint else "")
        moves.append(_skipped(inv.vm(unplaceable.vm_moid), host.moid, text))
    return Journal(kind="evacuate", host=host.name, host_moid=host.moid, moves=moves,
                   plan=plan.to_dict(), options=dict(options or {}),
                   maintenance="pending" if maintenance else "not-requested", path=path)


def restore_journal(inv: Inventory, evacuation: Journal, *, path: Path | None = None,
                    options: dict[str, Any] | None = None) -> Journal:
    """Moves that bring home the VMs ``evacuation`` moved off its host."""
    if evacuation.kind != "evacuate":
        raise ConfigError(f"journal {evacuation.path or ''} records a {evacuation.kind}, not "
                          "an evacuation", hint="pass the journal of the evacuation")
    home = (inv.host(evacuation.host_moid) if evacuation.host_moid
            else inv.find_host(evacuation.host))
    _check_home(home)
    moves: list[MoveRecord] = []
    for moved in evacuation.moves:
        if moved.state != "done":
            continue  # never left (failed, skipped, cancelled): nothing to bring back
        vm = inv.vms_by_moid.get(moved.vm_moid)
        if vm is None:
            continue
        reason = _why_not_home(vm, moved, home)
        if reason is not None:
            moves.append(_skipped(vm, home.moid, reason))
            continue
        try:
            moves.append(_record(inv, vm, home, moved.priority))
        except VmcctlError as exc:
            moves.append(_skipped(vm, home.moid, str(exc)))
    return Journal(kind="restore", host=home.name, host_moid=home.moid, moves=moves,
                   options=dict(options or {}),
                   source_journal=str(evacuation.path) if evacuation.path else None,
                   path=path)


def _check_home(home: Host) -> None:
    if home.in_maintenance:
        raise PrecheckError(f"host {home.name} is in maintenance mode",
                            hint=f"exit it first: vmcctl host maintenance exit {home.name}")
    if not home.connected:
        raise PrecheckError(f"host {home.name} is {home.connection_state}")


def homecoming_journal(inv: Inventory, home: Host, away: list[tuple[str, str, str]], *,
                       path: Path | None = None,
                       options: dict[str, Any] | None = None) -> Journal:
    """Moves home to ``home`` for ``away``: ``(vm moid, vm name, priority)`` each.

    A VM that no longer exists, is already home or is not powered on is
    recorded as skipped with the reason (``already on HOST`` for the second).
    """
    _check_home(home)
    moves: list[MoveRecord] = []
    for vm_moid, name, priority in away:
        vm = inv.vms_by_moid.get(vm_moid)
        if vm is None:
            moves.append(MoveRecord(vm=name, vm_moid=vm_moid, origin="", origin_moid="",
                                    target=home.name, target_moid=home.moid, pool_moid="",
                                    state="skipped", reason=f"VM {name} no longer exists"))
            continue
        if vm.host_moid == home.moid:
            moves.append(_skipped(vm, home.moid, f"already on {home.name}"))
            continue
        if not vm.powered_on:
            moves.append(_skipped(vm, home.moid, f"{vm.power_state}: not moved (power it on "
                                                 "and run restore again, or move it)"))
            continue
        try:
            moves.append(_record(inv, vm, home, priority))
        except VmcctlError as exc:
            moves.append(_skipped(vm, home.moid, str(exc)))
    return Journal(kind="restore", host=home.name, host_moid=home.moid, moves=moves,
                   options=dict(options or {}), path=path)


def _why_not_home(vm: Vm, moved: MoveRecord, home: Host) -> str | None:
    if vm.host_moid == home.moid:
        return f"already on {home.name}"
    if not vm.powered_on:
        return f"{vm.power_state}: not moved (power it on and run restore again, or move it)"
    if vm.host_moid != moved.target_moid:
        return (f"moved elsewhere since the evacuation (now on {vm.host_name}, evacuated to "
                f"{moved.target}); left where it is")
    return None
