"""The advisor's working copy of an inventory: per-host arrays, projected loads.

``Projection.from_inventory`` indexes the hosts once (sorted by name, then moid,
so every loop is deterministic) into flat lists keyed by managed object id;
filters and the scorer read them by host index and never rebuild dicts per
candidate. ``apply`` moves a VM in the projection: the source loses and the
target gains the VM's load, which is what the hosts' quickStats will show
after the move. The Inventory itself is never
changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vmcctl.model import Inventory, Rule, Vm


def vm_load(vm: Vm) -> tuple[int, int]:
    """(CPU MHz, memory MB) a VM adds to its host: its usage when powered on, else nothing."""
    if vm.powered_on:
        return vm.cpu_usage_mhz, vm.memory_usage_mb
    return 0, 0


@dataclass
class Projection:
    names: list[str]  # host names, for people
    moids: list[str]  # host moids: the identity
    index: dict[str, int]  # host moid -> index
    cluster: list[str | None]  # cluster moid
    cluster_name: list[str | None]
    fault_domain: list[str | None]
    connection_state: list[str]
    power_state: list[str]  # runtime.powerState; a host in DPM standby is "standBy"
    standby_mode: list[str | None]
    in_quarantine: list[bool]
    in_maintenance: list[bool]
    unreadable: list[str | None]  # why a host's load or state cannot be trusted, or None
    datastores: list[frozenset[str]]  # datastore moids
    datastore_names: dict[str, str]  # datastore moid -> name, for messages
    cpu_cap: list[int]
    mem_cap: list[int]
    cpu_used: list[int]
    mem_used: list[int]
    vms: dict[str, Vm]  # by VM moid
    location: dict[str, int]  # VM moid -> index of the host it (projectedly) runs on
    rules_of: dict[str, tuple[Rule, ...]]  # VM moid -> enabled rules naming it

    @classmethod
    def from_inventory(cls, inventory: Inventory) -> Projection:
        hosts = sorted(inventory.hosts, key=lambda h: (h.name, h.moid))
        index = {h.moid: i for i, h in enumerate(hosts)}
        location = {v.moid: index[v.host_moid] for v in inventory.vms
                    if v.host_moid is not None and v.host_moid in index}
        # DRS rules are per cluster: a rule binds a VM only while it runs in that cluster
        cluster_of_vm = {vm: hosts[i].cluster_moid for vm, i in location.items()}
        rules: dict[str, list[Rule]] = {}
        for cluster in sorted(inventory.clusters, key=lambda c: (c.name, c.moid)):
            for rule in cluster.rules:
                if rule.enabled:
                    for vm in rule.vm_moids:
                        if cluster_of_vm.get(vm) == cluster.moid:
                            rules.setdefault(vm, []).append(rule)
        return cls(
            names=[h.name for h in hosts],
            moids=[h.moid for h in hosts],
            index=index,
            cluster=[h.cluster_moid for h in hosts],
            cluster_name=[h.cluster_name for h in hosts],
            fault_domain=[h.fault_domain for h in hosts],
            connection_state=[h.connection_state for h in hosts],
            power_state=[h.power_state for h in hosts],
            standby_mode=[h.standby_mode for h in hosts],
            in_quarantine=[h.in_quarantine for h in hosts],
            in_maintenance=[h.in_maintenance for h in hosts],
            unreadable=[("; ".join(str(u) for u in h.blind_spots) or None) for h in hosts],
            datastores=[frozenset(h.datastore_moids) for h in hosts],
            datastore_names={d.moid: d.name for d in inventory.datastores},
            cpu_cap=[h.cpu_capacity_mhz for h in hosts],
            mem_cap=[h.memory_capacity_mb for h in hosts],
            cpu_used=[h.cpu_usage_mhz for h in hosts],
            mem_used=[h.memory_usage_mb for h in hosts],
            vms=dict(inventory.vms_by_moid),
            location=location,
            rules_of={vm: tuple(rs) for vm, rs in rules.items()},
        )

    def host_name(self, moid: str) -> str:
        i = self.index.get(moid)
        return self.names[i] if i is not None else moid

    def vm_name(self, moid: str) -> str:
        vm = self.vms.get(moid)
        return vm.name if vm is not None else moid

    def runs_vms(self, i: int) -> bool:
        """Connected, powered on, not in (or going into) standby, out of maintenance."""
        return (self.connection_state[i] == "connected" and self.power_state[i] == "poweredOn"
                and self.standby_mode[i] not in ("in", "entering")
                and not self.in_maintenance[i])

    def __len__(self) -> int:
        return len(self.names)

    def cpu_pct(self, i: int, extra_mhz: int = 0) -> float:
        cap = self.cpu_cap[i]
        return 100.0 * (self.cpu_used[i] + extra_mhz) / cap if cap else 100.0

    def mem_pct(self, i: int, extra_mb: int = 0) -> float:
        cap = self.mem_cap[i]
        return 100.0 * (self.mem_used[i] + extra_mb) / cap if cap else 100.0

    def hosts_of(self, vms: Sequence[str]) -> set[int]:
        """Indexes of the hosts the VMs (moids) (projectedly) run on."""
        return {self.location[v] for v in vms if v in self.location}

    def apply(self, vm: str, target: int) -> None:
        """Move VM ``vm`` (moid) to host ``target`` in the projection."""
        cpu, mem = vm_load(self.vms[vm])
        source = self.location.get(vm)
        if source is not None:
            self.cpu_used[source] -= cpu
            self.mem_used[source] -= mem
        self.cpu_used[target] += cpu
        self.mem_used[target] += mem
        self.location[vm] = target
