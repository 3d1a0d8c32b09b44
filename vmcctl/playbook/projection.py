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


def with_move(inv: Inventory, vm_moid: str, target_moid: str) -> Inventory:
    """``inv`` with the VM on host ``target_moid``; host usage follows the VM's load."""
    vm = inv.vm(vm_moid)
    target = inv.host(target_moid)
    source = vm.host_moid
    if source == target.moid:
        return inv
    cpu, mem = vm_load(vm)

    def shift(h: Host) -> Host:
        if h.moid == source:
            return replace(h, cpu_usage_mhz=h.cpu_usage_mhz - cpu,
                           memory_usage_mb=h.memory_usage_mb - mem,
                           vm_moids=tuple(v for v in h.vm_moids if v != vm.moid))
        if h.moid == target.moid:
            return replace(h, cpu_usage_mhz=h.cpu_usage_mhz + cpu,
                           memory_usage_mb=h.memory_usage_mb + mem,
                           vm_moids=(*h.vm_moids, vm.moid))
        return h

    vms = tuple(replace(v, host_moid=target.moid, host_name=target.name)
                if v.moid == vm.moid else v for v in inv.vms)
    return replace(inv, hosts=tuple(shift(h) for h in inv.hosts), vms=vms)


def with_maintenance(inv: Inventory, host_moid: str, on: bool) -> Inventory:
    """``inv`` with the host in (or out of) maintenance mode."""
    inv.host(host_moid)
    return replace(inv, hosts=tuple(replace(h, in_maintenance=on) if h.moid == host_moid else h
                                    for h in inv.hosts))
