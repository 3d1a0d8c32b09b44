"""DRS rule semantics for one VM on one candidate host.

``broken_rules`` is shared by the filters (mandatory rules reject a host) and
the scorer (non-mandatory "should" rules lower its score), so both read a rule
the same way:

- ``vm-affinity``: the VM must run where the rule's other VMs run.
- ``vm-anti-affinity``: no other VM of the rule may run on the host.
- ``vm-host``: the host must be one of the rule's hosts.
- ``vm-not-host``: the host must not be one of the rule's hosts.

Other VMs are located in the projection; VMs on hosts that are leaving (being
evacuated with this VM) do not count, they are about to move as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vmcctl.model import Rule, Vm
from vmcctl.placement.state import Projection


@dataclass(frozen=True)
class BrokenRule:
    rule: Rule
    detail: str


def broken_rules(vm: Vm, rules: Iterable[Rule], proj: Projection, host: int,
                 leaving: frozenset[int], *, mandatory: bool) -> list[BrokenRule]:
    """Rules of ``vm`` with the given ``mandatory`` flag that ``host`` would break."""
    broken: list[BrokenRule] = []
    here = proj.moids[host]
    for rule in rules:
        if rule.mandatory != mandatory:
            continue
        if rule.kind == "vm-host" and here not in rule.host_moids:
            hosts = ", ".join(proj.host_name(h) for h in rule.host_moids)
            broken.append(BrokenRule(rule, f"rule {rule.name} keeps {vm.name} on {hosts}"))
        elif rule.kind == "vm-not-host" and here in rule.host_moids:
            broken.append(BrokenRule(rule, f"rule {rule.name} keeps {vm.name} off "
                                           f"{proj.names[host]}"))
        elif rule.kind in ("vm-affinity", "vm-anti-affinity"):
            others = _others_where(vm.moid, rule, proj, leaving)
            if rule.kind == "vm-anti-affinity":
                there = sorted(proj.vm_name(v) for v, h in others if h == host)
                if there:
                    broken.append(BrokenRule(rule, f"rule {rule.name} keeps {vm.name} apart "
                                                   f"from {', '.join(there)}, which runs there"))
            elif others and all(h != host for _, h in others):
                where = sorted({proj.names[h] for _, h in others})
                with_ = ", ".join(sorted(proj.vm_name(v) for v, _ in others))
                broken.append(BrokenRule(rule, f"rule {rule.name} keeps {vm.name} with "
                                               f"{with_} (on {', '.join(where)})"))
    return broken


def _others_where(vm: str, rule: Rule, proj: Projection,
                  leaving: frozenset[int]) -> list[tuple[str, int]]:
    located = ((v, proj.location.get(v)) for v in rule.vm_moids if v != vm)
    return [(v, h) for v, h in located if h is not None and h not in leaving]
