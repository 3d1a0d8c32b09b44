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

from vmcctl.model import Rule
from vmcctl.placement.state import Projection


@dataclass(frozen=True)
class BrokenRule:
    rule: Rule
    detail: str


def broken_rules(vm: str, rules: Iterable[Rule], proj: Projection, host: int,
                 leaving: frozenset[int], *, mandatory: bool) -> list[BrokenRule]:
    """Rules of ``vm`` with the given ``mandatory`` flag that ``host`` would break."""
    broken: list[BrokenRule] = []
    name = proj.names[host]
    for rule in rules:
        if rule.mandatory != mandatory:
            continue
        if rule.kind == "vm-host" and name not in rule.hosts:
            broken.append(BrokenRule(rule, f"rule {rule.name} keeps {vm} on "
                                           f"{', '.join(rule.hosts)}"))
        elif rule.kind == "vm-not-host" and name in rule.hosts:
            broken.append(BrokenRule(rule, f"rule {rule.name} keeps {vm} off {name}"))
        elif rule.kind in ("vm-affinity", "vm-anti-affinity"):
            others = _others_where(vm, rule, proj, leaving)
            if rule.kind == "vm-anti-affinity":
                there = sorted(v for v, h in others if h == host)
                if there:
                    broken.append(BrokenRule(rule, f"rule {rule.name} keeps {vm} apart from "
                                                   f"{', '.join(there)}, which runs there"))
            elif others and all(h != host for _, h in others):
                where = sorted({proj.names[h] for _, h in others})
                broken.append(BrokenRule(rule, f"rule {rule.name} keeps {vm} with "
                                               f"{', '.join(sorted(v for v, _ in others))} "
                                               f"(on {', '.join(where)})"))
    return broken


def _others_where(vm: str, rule: Rule, proj: Projection,
                  leaving: frozenset[int]) -> list[tuple[str, int]]:
    located = ((v, proj.location.get(v)) for v in rule.vms if v != vm)
    return [(v, h) for v, h in located if h is not None and h not in leaving]
