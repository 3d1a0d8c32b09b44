"""What the inventory would look like after a step (for ``--dry-run``; pure).

A dry run submits nothing, so the live inventory never changes between steps;
each planned step is applied to a copy instead, so that the next step is
planned against the state the previous ones would leave (a VM moved away in
step 2 can be planned back in step 4, a host entered into maintenance is no
target).
"""

from __future__ import annotations

from dataclasses import replace

from vmcctl.model import Host, Inventory
from vmcctl.placement.state import vm_load


def with_move(inv: Inventory, vm_name: str, target: str) -> Inventory:
    """``inv`` with ``vm_name`` on ``target``; host usage follows the VM's load."""
    vm = inv.vm(vm_name)
    inv.host(target)
    source = vm.host
    if source == target:
        return inv
    cpu, mem = vm_load(vm)

    def shift(h: Host) -> Host:
        if h.name == source:
            return replace(h, cpu_usage_mhz=h.cpu_usage_mhz - cpu,
                           memory_usage_mb=h.memory_usage_mb - mem,
                           vms=tuple(v for v in h.vms if v != vm.name))
        if h.name == target:
            return replace(h, cpu_usage_mhz=h.cpu_usage_mhz + cpu,
                           memory_usage_mb=h.memory_usage_mb + mem, vms=(*h.vms, vm.name))
        return h

    vms = tuple(replace(v, host=target) if v.name == vm.name else v for v in inv.vms)
    return replace(inv, hosts=tuple(shift(h) for h in inv.hosts), vms=vms)


def with_maintenance(inv: Inventory, host: str, on: bool) -> Inventory:
    """``inv`` with ``host`` in (or out of) maintenance mode."""
    inv.host(host)
    return replace(inv, hosts=tuple(replace(h, in_maintenance=on) if h.name == host else h
                                    for h in inv.hosts))
