"""The ordered host filters, in the style of kubectl drain's filter functions.

Each filter takes the question (``Ask``: the VM, its load and the options),
the projection and one host index, and returns ``None`` when the host passes
or a ``Reason``: a stable ``code``, a short ``reason`` label that rejected
hosts are grouped by, a ``detail`` sentence with the numbers, and ``relax``,
the CLI option that lifts the constraint where there is one.

``static`` filters depend only on the host, the VM's source host, datastores
and the options, never on loads or where other VMs run, so a caller placing
many VMs from one host may evaluate them once per datastore set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vmcctl.model import Rule, Vm
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.rules import broken_rules
from vmcctl.placement.state import Projection, vm_load

FAULT_DOMAIN_FLAG = "--fault-domain any"
# ends the detail of ``--fault-domain other`` in a cluster without any (result.py says it alone)
NO_FAULT_DOMAINS = " has no fault domains"


@dataclass(frozen=True)
class Reason:
    code: str
    reason: str
    detail: str
    relax: str | None = None
    rules: tuple[str, ...] = ()  # the DRS rules that rejected the host, by name

    @property
    def label(self) -> str:
        """The reason as a table shows it: a rule reason names its rules."""
        return f"{self.reason} {', '.join(self.rules)}" if self.rules else self.reason

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "reason": self.reason, "detail": self.detail,
                "relax": self.relax, "rules": list(self.rules)}


@dataclass(frozen=True)
class Ask:
    """One VM to place, with everything the filters need precomputed."""

    vm: Vm
    source: int | None
    cpu: int
    mem: int
    datastores: frozenset[str]
    rules: tuple[Rule, ...]
    options: PlacementOptions
    leaving: frozenset[int]  # hosts entering maintenance (not targets; their VMs move too)

    @classmethod
    def build(cls, proj: Projection, vm: Vm, options: PlacementOptions) -> Ask:
        cpu, mem = vm_load(vm)
        leaving = frozenset(proj.index[h] for h in options.avoid_hosts if h in proj.index)
        return cls(vm=vm, source=proj.location.get(vm.moid), cpu=cpu, mem=mem,
                   datastores=frozenset(vm.datastore_moids), rules=proj.rules_of.get(vm.moid, ()),
                   options=options, leaving=leaving)

    def cluster(self, proj: Projection) -> str | None:
        return proj.cluster[self.source] if self.source is not None else None

    def fault_domain(self, proj: Projection) -> str | None:
        return proj.fault_domain[self.source] if self.source is not None else None


FilterFunc = Callable[[Ask, Projection, int], Reason | None]


def current_host(ask: Ask, proj: Projection, i: int) -> Reason | None:
    if i == ask.source:
        return Reason("current-host", "current host", f"{ask.vm.name} already runs here")
    return None


def disconnected(ask: Ask, proj: Projection, i: int) -> Reason | None:
    state = proj.connection_state[i]
    if state == "notResponding":
        return Reason("not-responding", "not responding",
                      "host is not responding (vCenter lost contact with it)")
    if state != "connected":
        return Reason("disconnected", "disconnected", f"host is {state}")
    return None


def powered_down(ask: Ask, proj: Projection, i: int) -> Reason | None:
    """A host in DPM standby stays "connected" with next to no load: never a target."""
    power, standby = proj.power_state[i], proj.standby_mode[i]
    if power == "standBy" or standby in ("in", "entering"):
        return Reason("standby", "standby",
                      f"host is in standby mode (power state {power}, standby {standby or '-'})")
    if power != "poweredOn":
        return Reason("powered-off", "powered off", f"host power state is {power}")
    return None


def quarantine(ask: Ask, proj: Projection, i: int) -> Reason | None:
    if proj.in_quarantine[i]:
        return Reason("quarantine", "quarantine",
                      "host is in quarantine mode (Proactive HA: degraded hardware)")
    return None


def unreadable(ask: Ask, proj: Projection, i: int) -> Reason | None:
    why = proj.unreadable[i]
    if why is not None:
        return Reason("unreadable", "unreadable",
                      f"vCenter did not let us read what placement needs ({why})")
    return None


def in_maintenance(ask: Ask, proj: Projection, i: int) -> Reason | None:
    if proj.in_maintenance[i]:
        return Reason("maintenance", "in maintenance", "host is in maintenance mode")
    return None


def entering_maintenance(ask: Ask, proj: Projection, i: int) -> Reason | None:
    if i in ask.leaving:
        return Reason("entering-maintenance", "entering maintenance",
                      "host is about to enter maintenance mode")
    return None


def other_cluster(ask: Ask, proj: Projection, i: int) -> Reason | None:
    cluster = ask.cluster(proj)
    if ask.source is not None and proj.cluster[i] != cluster:
        here = proj.cluster_name[i] or proj.cluster[i] or "no cluster"
        there = proj.cluster_name[ask.source] if ask.source is not None else None
        return Reason("other-cluster", "other cluster",
                      f"host is in cluster {here}, the VM in {there or cluster or 'no cluster'}")
    return None


def missing_datastore(ask: Ask, proj: Projection, i: int) -> Reason | None:
    missing = ask.datastores - proj.datastores[i]
    if missing:
        names = sorted(proj.datastore_names.get(m, m) for m in missing)
        return Reason("missing-datastore", "missing datastore",
                      f"{', '.join(names)} not mounted on this host")
    return None


def fault_domain(ask: Ask, proj: Projection, i: int) -> Reason | None:
    policy = ask.options.fault_domain
    if policy == "any":
        return None
    here = proj.fault_domain[i]
    current = ask.fault_domain(proj)
    if policy == "other" and here == current:
        if here is None and not any(fd for c, fd in zip(proj.cluster, proj.fault_domain,
                                                        strict=True) if c == proj.cluster[i]):
            return Reason("same-fault-domain", "same fault domain",
                          f"cluster {proj.cluster_name[i] or proj.cluster[i]}{NO_FAULT_DOMAINS}",
                          FAULT_DOMAIN_FLAG)
        return Reason("same-fault-domain", "same fault domain",
                      f"host is in {here or 'no fault domain'}, the VM's current fault domain",
                      FAULT_DOMAIN_FLAG)
    if policy == "same" and here != current:
        return Reason("other-fault-domain", "other fault domain",
                      f"host is in {here or 'no fault domain'}, the VM in "
                      f"{current or 'no fault domain'}", FAULT_DOMAIN_FLAG)
    wanted = ask.options.named_fault_domain
    if wanted is not None and here != wanted:
        return Reason("not-requested-fault-domain", "not in requested fault domain",
                      f"host is in {here or 'no fault domain'}, not {wanted}", FAULT_DOMAIN_FLAG)
    return None


def cpu_headroom(ask: Ask, proj: Projection, i: int) -> Reason | None:
    if i == ask.source:  # not a target: "current host" says all there is to say
        return None
    after = proj.cpu_pct(i, ask.cpu)
    limit = ask.options.max_cpu_pct
    if after > limit:
        return Reason("cpu-headroom", "CPU headroom",
                      f"CPU would be {after:.1f}% after the move, over the {limit:g}% limit",
                      "--max-cpu")
    return None


def memory_headroom(ask: Ask, proj: Projection, i: int) -> Reason | None:
    if i == ask.source:
        return None
    after = proj.mem_pct(i, ask.mem)
    limit = ask.options.max_mem_pct
    if after > limit:
        return Reason("memory-headroom", "memory headroom",
                      f"memory would be {after:.1f}% after the move, over the {limit:g}% limit",
                      "--max-mem")
    return None


def rule_check(kind: str, code: str, label: str, ask: Ask, proj: Projection,
               i: int) -> Reason | None:
    """Mandatory DRS rules of one ``kind`` (the body of the four rule filters below)."""
    rules = [r for r in ask.rules if r.kind == kind]
    if not rules:
        return None
    broken = broken_rules(ask.vm, rules, proj, i, ask.leaving, mandatory=True)
    if broken:
        return Reason(code, label, "; ".join(b.detail for b in broken),
                      rules=tuple(dict.fromkeys(b.rule.name for b in broken)))
    return None


def _rule_filter(kind: str, code: str, lbl: str) -> FilterFunc:  # pragma: no mutate block (import)
    def check(ask: Ask, proj: Projection, i: int) -> Reason | None:
        return rule_check(kind, code, lbl, ask, proj, i)

    check.__name__ = code.replace("-", "_")
    check.__doc__ = f"Mandatory {kind} DRS rules."
    return check


affinity_rule = _rule_filter("vm-affinity", "affinity-rule", "affinity rule")
anti_affinity_rule = _rule_filter("vm-anti-affinity", "anti-affinity-rule", "anti-affinity rule")
vm_host_rule = _rule_filter("vm-host", "vm-host-rule", "VM-host rule")
vm_not_host_rule = _rule_filter("vm-not-host", "vm-not-host-rule", "VM-not-host rule")


def vcenter_check(ask: Ask, proj: Projection, i: int) -> Reason | None:
    """vCenter's own ``CheckRelocate_Task`` refused this VM on this host (``ops.vcheck``)."""
    if not ask.options.vcenter_rejects:
        return None
    message = ask.options.vcenter_reject(ask.vm.moid, proj.moids[i])
    if message is not None:
        return Reason("vcenter-check", "vCenter check",
                      f"vCenter's compatibility check refuses it: {message}",
                      "--no-vcenter-check")
    return None


@dataclass(frozen=True)
class Filter:
    name: str
    check: FilterFunc
    static: bool
    rules: bool = False  # only applies to VMs named by a DRS rule


FILTERS: tuple[Filter, ...] = (
    Filter("current host", current_host, static=True),
    Filter("disconnected", disconnected, static=True),
    Filter("standby", powered_down, static=True),
    Filter("quarantine", quarantine, static=True),
    Filter("unreadable", unreadable, static=True),
    Filter("in maintenance", in_maintenance, static=True),
    Filter("entering maintenance", entering_maintenance, static=True),
    Filter("other cluster", other_cluster, static=True),
    Filter("missing datastore", missing_datastore, static=True),
    Filter("fault domain", fault_domain, static=True),
    Filter("CPU headroom", cpu_headroom, static=False),
    Filter("memory headroom", memory_headroom, static=False),
    Filter("affinity rule", affinity_rule, static=False, rules=True),
    Filter("anti-affinity rule", anti_affinity_rule, static=False, rules=True),
    Filter("VM-host rule", vm_host_rule, static=False, rules=True),
    Filter("VM-not-host rule", vm_not_host_rule, static=False, rules=True),
    Filter("vCenter check", vcenter_check, static=False),  # per VM, so never cached per host
)
# Every ``Reason.reason`` label, in filter order (how rejected hosts are grouped and listed).
REASON_ORDER: tuple[str, ...] = (
    "current host", "not responding", "disconnected", "standby", "powered off", "quarantine",
    "unreadable", "in maintenance", "entering maintenance",
    "other cluster", "missing datastore", "same fault domain", "other fault domain",
    "not in requested fault domain", "CPU headroom", "memory headroom", "affinity rule",
    "anti-affinity rule", "VM-host rule", "VM-not-host rule", "vCenter check",
)
STATIC_FILTERS = tuple(f for f in FILTERS if f.static)
DYNAMIC_FILTERS = tuple(f for f in FILTERS if not f.static)


def reasons(ask: Ask, proj: Projection, i: int,
            filters: tuple[Filter, ...] = FILTERS) -> list[Reason]:
    """Every reason ``filters`` reject host ``i`` for (empty: the host qualifies)."""
    found = []
    for f in filters:
        r = f.check(ask, proj, i)
        if r is not None:
            found.append(r)
    return found


def applicable(ask: Ask, filters: tuple[Filter, ...]) -> tuple[FilterFunc, ...]:
    """The checks of ``filters`` that can reject anything for this VM (rule filters need rules)."""
    return tuple(f.check for f in filters if ask.rules or not f.rules)


def passes(ask: Ask, proj: Projection, i: int, filters: tuple[Filter, ...] = FILTERS) -> bool:
    """True when no filter rejects host ``i`` (stops at the first rejection)."""
    return all(check(ask, proj, i) is None for check in applicable(ask, filters))
