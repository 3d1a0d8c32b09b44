"""Enter and exit maintenance mode, the one implementation behind the CLI and playbooks.

- ``enter_maintenance``: with ``evacuate`` it is ``evacuate_host(maintenance=True)``.
  Without, the host is read right before ``EnterMaintenanceMode_Task``: with
  powered-on VMs on it the call stops naming them (``EvacuationError``,
  exit 1) instead of leaving vCenter to wait. The task gets a timeout
  (``DEFAULT_ENTER_TIMEOUT`` unless given; 0 waits forever); Ctrl-C during
  the wait cancels it. Already in maintenance: nothing to do.
- In VMware Cloud on AWS both are refused up front (``vsphere.vmc``:
  ``ProviderManagedError``, exit 2), before any call that changes anything.
- ``exit_maintenance``: out of maintenance (retrying transient faults), then
  with ``restore`` brings the host's VMs home (``restore_host``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from vmcctl.errors import EvacuationError
from vmcctl.executor import maintenance as mm
from vmcctl.executor.control import RunControl
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.vsan import object_action
from vmcctl.model import Inventory
from vmcctl.ops import resolve
from vmcctl.ops.evacuate import DEFAULT_ENTER_TIMEOUT, EvacuateOptions, evacuate_host
from vmcctl.ops.report import HostReport
from vmcctl.ops.restore import RestoreOptions, restore_host
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.privileges import maintenance_needs, require_privileges
from vmcctl.vsphere.snapshot import take_snapshot
from vmcctl.vsphere.vmc import refuse_vmc_maintenance


@dataclass(frozen=True)
class EnterOptions:
    timeout: float | None = DEFAULT_ENTER_TIMEOUT  # None or 0: wait forever
    dry_run: bool = False
    evacuate: EvacuateOptions | None = None  # evacuate first (its enter_timeout is used)
    vsan_mode: str | None = None  # vsanMode.objectAction (executor.vsan.VSAN_MODES)
    evacuate_powered_off: bool = False  # the task's evacuatePoweredOffVms

    def __post_init__(self) -> None:
        object_action(self.vsan_mode)  # an unknown mode is refused before anything moves


@dataclass(frozen=True)
class ExitOptions:
    timeout: float | None = None
    dry_run: bool = False
    restore: RestoreOptions | None = None  # then bring the host's VMs home


def enter_maintenance(client: Client, host: str, options: EnterOptions | None = None,
                      events: ExecutorEvents | None = None, *,
                      control: RunControl | None = None,
                      inventory: Inventory | None = None) -> HostReport:
    """Put ``host`` into maintenance mode (after evacuating it, with ``options.evacuate``)."""
    options = options or EnterOptions()
    events = events or ExecutorEvents()
    if options.evacuate is not None:  # it refuses VMware Cloud on AWS hosts itself
        evacuate = replace(options.evacuate, maintenance=True, dry_run=options.dry_run,
                           vsan_mode=options.vsan_mode,
                           evacuate_powered_off=options.evacuate_powered_off)
        return evacuate_host(client, host, evacuate, events, control=control,
                             inventory=inventory)
    inv = inventory if inventory is not None else take_snapshot(client)
    target = resolve.host(inv, host)
    refuse_vmc_maintenance(inv, target, "maintenance enter")
    report = HostReport(action="maintenance-enter", host=target.name, host_moid=target.moid,
                        dry_run=options.dry_run)
    if target.in_maintenance:
        report.maintenance = "unchanged"
        return report
    if options.dry_run:
        running = sorted(v.name for v in inv.vms_on(target.moid) if v.powered_on)
    else:
        running = sorted(name for _, name in mm.powered_on_vm_refs(client, target.moid))
    if running:
        raise EvacuationError(
            f"{target.name} still runs {len(running)} powered-on VM(s): {', '.join(running)}; "
            "entering maintenance mode would wait for them to leave",
            hint=f"evacuate it first: `vmcctl host maintenance enter {target.name} "
                 "--evacuate` (in a playbook: an evacuate step)")
    if options.dry_run:
        report.maintenance = "would-enter"
        return report
    require_privileges(client, maintenance_needs(target.moid, target.name),
                       action=f"put host {target.name} into maintenance mode")
    events.maintenance(target.name, "entering")
    if control is not None:
        control.enter_phase("maintenance")
    try:
        mm.enter_maintenance(client, target.moid, timeout=options.timeout,
                             host_name=target.name, vsan_mode=options.vsan_mode,
                             evacuate_powered_off=options.evacuate_powered_off)
    except KeyboardInterrupt:
        report.maintenance = "cancelled"
        report.maintenance_reason = ("interrupted: the EnterMaintenanceMode task was "
                                     "cancelled (CancelTask)")
        events.maintenance(target.name, "cancelled", report.maintenance_reason)
        return report
    finally:
        if control is not None:
            control.enter_phase("idle")
    report.maintenance = "entered"
    events.maintenance(target.name, "entered")
    return report


def exit_maintenance(client: Client, host: str, options: ExitOptions | None = None,
                     events: ExecutorEvents | None = None, *,
                     control: RunControl | None = None,
                     inventory: Inventory | None = None) -> HostReport:
    """Take ``host`` out of maintenance mode; then bring its VMs home with ``options.restore``."""
    options = options or ExitOptions()
    events = events or ExecutorEvents()
    inv = inventory if inventory is not None else take_snapshot(client)
    target = resolve.host(inv, host)
    refuse_vmc_maintenance(inv, target, "maintenance exit")
    report = HostReport(action="maintenance-exit", host=target.name, host_moid=target.moid,
                        dry_run=options.dry_run)
    if not target.in_maintenance:
        report.maintenance = "unchanged"
    elif options.dry_run:
        report.maintenance = "would-exit"
    else:
        require_privileges(client, maintenance_needs(target.moid, target.name),
                           action=f"take host {target.name} out of maintenance mode")
        events.maintenance(target.name, "exiting")
        mm.exit_maintenance(client, target.moid, timeout=options.timeout)
        report.maintenance = "exited"
        events.maintenance(target.name, "exited")
        inv = take_snapshot(client) if inventory is None else inv
    if options.restore is not None:
        restore = replace(options.restore, dry_run=options.dry_run)
        report.restore = restore_host(client, target.moid, restore, events, control=control,
                                      inventory=None if inventory is None else inv)
    return report
