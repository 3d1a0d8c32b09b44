"""What the caller asks of the advisor: one plain, validated options object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vmcctl.errors import ConfigError

FAULT_DOMAIN_POLICIES = ("any", "same", "other")
MovePriority = Literal["default", "high", "low"]
DEFAULT_MAX_PCT = 80.0


@dataclass(frozen=True)
class PlacementOptions:
    """Knobs of one placement question (the CLI flags map one to one).

    ``fault_domain``: ``any``, ``same`` (the VM's current fault domain),
    ``other`` (any but the current one) or the name of a fault domain.
    ``max_cpu_pct`` / ``max_mem_pct``: a target host must stay at or under this
    share of its capacity after the move. ``avoid_hosts``: moids of hosts about to
    enter maintenance (an evacuation adds the evacuated host itself).
    ``vcenter_rejects``: moves vCenter's ``CheckRelocate_Task`` refused.
    """

    fault_domain: str = "any"
    max_cpu_pct: float = DEFAULT_MAX_PCT
    max_mem_pct: float = DEFAULT_MAX_PCT
    avoid_hosts: frozenset[str] = field(default_factory=frozenset)
    # vCenter's compatibility check refused these moves: (vm moid, host moid, vCenter's
    # message) each; the ``vcenter-check`` filter rejects them (``ops.vcheck`` fills it)
    vcenter_rejects: tuple[tuple[str, str, str], ...] = ()

    def __post_init__(self) -> None:
        for flag, value in (("--max-cpu", self.max_cpu_pct), ("--max-mem", self.max_mem_pct)):
            if not 0 < value <= 100:
                raise ConfigError(f"{flag} must be a percentage above 0 and at most 100, "
                                  f"not {value:g}")
        if not self.fault_domain:
            raise ConfigError("--fault-domain must be any, same, other or a fault domain name")

    @property
    def named_fault_domain(self) -> str | None:
        """The fault domain asked for by name, or ``None`` for any/same/other."""
        return None if self.fault_domain in FAULT_DOMAIN_POLICIES else self.fault_domain

    def vcenter_reject(self, vm_moid: str, host_moid: str) -> str | None:
        """vCenter's message when its compatibility check refused this move, else None."""
        for vm, host, message in self.vcenter_rejects:
            if vm == vm_moid and host == host_moid:
                return message
        return None

    def to_dict(self) -> dict[str, object]:
        return {"fault_domain": self.fault_domain, "max_cpu_pct": self.max_cpu_pct,
                "max_mem_pct": self.max_mem_pct, "avoid_hosts": sorted(self.avoid_hosts)}
