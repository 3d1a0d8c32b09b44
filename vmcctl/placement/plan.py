"""Plans: plain, serialisable actions the executor consumes.

A plan says exactly what would happen, so ``--dry-run`` can print it and a
reviewer can read it; nothing here talks to vCenter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vmcctl.errors import EvacuationError
from vmcctl.placement.request import MovePriority
from vmcctl.placement.result import HostRejection

MOVE_COLUMNS = ("VM", "from", "to", "priority")
UNPLACEABLE_COLUMNS = ("VM", "why", "relax with")
BLOCKED_COLUMNS = ("VM", "code", "why", "what to do")
PARTIAL_HINT = "--partial moves the others and leaves the host out of maintenance mode"
STAYS_COLUMNS = ("VM", "power state", "note")
LOAD_COLUMNS = ("host", "fault domain", "VMs in", "CPU now", "CPU after", "mem now", "mem after")


@dataclass(frozen=True)
class Move:
    """Move one VM; the moids are the identity, the names are for people."""

    vm: str
    vm_moid: str
    source: str
    source_moid: str
    target: str
    target_moid: str
    priority: MovePriority = "default"

    def to_dict(self) -> dict[str, Any]:
        return {"action": "move", "vm": self.vm, "vm_moid": self.vm_moid,
                "source": self.source, "source_moid": self.source_moid,
                "target": self.target, "target_moid": self.target_moid,
                "priority": self.priority}


@dataclass(frozen=True)
class EnterMaintenance:
    host: str
    host_moid: str

    def to_dict(self) -> dict[str, Any]:
        return {"action": "enter-maintenance", "host": self.host, "host_moid": self.host_moid}


@dataclass(frozen=True)
class ExitMaintenance:
    host: str
    host_moid: str

    def to_dict(self) -> dict[str, Any]:
        return {"action": "exit-maintenance", "host": self.host, "host_moid": self.host_moid}


Action = Move | EnterMaintenance | ExitMaintenance


@dataclass(frozen=True)
class Unplaceable:
    """A VM no host could take, with every host's reasons and the strongest constraint."""

    vm: str
    vm_moid: str
    message: str
    hint: str | None
    rejected: tuple[HostRejection, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"vm": self.vm, "vm_moid": self.vm_moid, "message": self.message,
                "hint": self.hint,
                "rejected": [r.to_dict() for r in self.rejected]}


@dataclass(frozen=True)
class Blocked:
    """A VM of the evacuated host that cannot be moved at all (``placement.movable``)."""

    vm: str
    vm_moid: str
    codes: tuple[str, ...]
    message: str
    hint: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"vm": self.vm, "vm_moid": self.vm_moid, "codes": list(self.codes),
                "message": self.message, "hint": self.hint}


@dataclass(frozen=True)
class Stays:
    """A VM that is not powered on and stays on the host (it may enter maintenance so)."""

    vm: str
    vm_moid: str
    power_state: str
    host: str = ""  # where it stays (a rolling window lists several hosts)
    moved_by: str | None = "--include-powered-off"  # the flag that would move it, if any

    @property
    def message(self) -> str:
        said = {"poweredOff": "powered off", "suspended": "suspended"}
        text = f"stays, {said.get(self.power_state, self.power_state)}"
        return f"{text}: {self.moved_by} moves it" if self.moved_by else text

    def to_dict(self) -> dict[str, Any]:
        return {"vm": self.vm, "vm_moid": self.vm_moid, "power_state": self.power_state,
                "host": self.host, "message": self.message}


@dataclass(frozen=True)
class HostLoad:
    """A target host's utilisation before the plan and in its projection."""

    host: str
    host_moid: str
    fault_domain: str | None
    vms_in: int
    cpu_pct: float
    cpu_pct_after: float
    mem_pct: float
    mem_pct_after: float

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "host_moid": self.host_moid,
                "fault_domain": self.fault_domain, "vms_in": self.vms_in,
                "cpu_pct": round(self.cpu_pct, 2), "cpu_pct_after": round(self.cpu_pct_after, 2),
                "memory_pct": round(self.mem_pct, 2),
                "memory_pct_after": round(self.mem_pct_after, 2)}


@dataclass(frozen=True)
class EvacuationPlan:
    """Moves that empty ``host`` (largest VM first), and the VMs that cannot go anywhere."""

    host: str
    host_moid: str
    moves: tuple[Move, ...]
    unplaceable: tuple[Unplaceable, ...] = ()
    loads: tuple[HostLoad, ...] = ()
    blocked: tuple[Blocked, ...] = ()  # VMs that cannot move at all, listed up front
    stays: tuple[Stays, ...] = ()  # powered-off/suspended VMs left on the host (not asked)

    @property
    def complete(self) -> bool:
        """Every VM that must leave has a move (nothing blocked, nothing unplaceable)."""
        return not self.unplaceable and not self.blocked

    def actions(self) -> tuple[Action, ...]:
        """The moves, then entering maintenance (the executor runs them in this order)."""
        return (*self.moves, EnterMaintenance(self.host, self.host_moid))

    def error(self) -> EvacuationError | None:
        """``EvacuationError`` naming every VM that cannot be moved or placed, or None."""
        if self.complete:
            return None
        stay: list[Blocked | Unplaceable] = [*self.blocked, *self.unplaceable]
        whys = "; ".join(u.message for u in stay)  # each message names its VM
        first = stay[0].hint
        return EvacuationError(
            f"{len(stay)} VM(s) on {self.host} cannot be moved: {whys}",
            hint=f"{first}; or {PARTIAL_HINT}" if first else PARTIAL_HINT)

    def move_rows(self) -> list[tuple[str, str, str, str]]:
        return [(m.vm, m.source, m.target, m.priority) for m in self.moves]

    def blocked_rows(self) -> list[tuple[str, str, str, str]]:
        return [(b.vm, ", ".join(b.codes), b.message, b.hint or "") for b in self.blocked]

    def unplaceable_rows(self) -> list[tuple[str, str, str]]:
        return [(u.vm, u.message, u.hint or "") for u in self.unplaceable]

    def stays_rows(self) -> list[tuple[str, str, str]]:
        return [(s.vm, s.power_state, s.message) for s in self.stays]

    def load_rows(self) -> list[tuple[str, ...]]:
        return [(h.host, h.fault_domain or "", str(h.vms_in), f"{h.cpu_pct:.1f}%",
                 f"{h.cpu_pct_after:.1f}%", f"{h.mem_pct:.1f}%", f"{h.mem_pct_after:.1f}%")
                for h in self.loads]

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "host_moid": self.host_moid, "complete": self.complete,
                "actions": [a.to_dict() for a in self.actions()],
                "blocked": [b.to_dict() for b in self.blocked],
                "unplaceable": [u.to_dict() for u in self.unplaceable],
                "stays": [s.to_dict() for s in self.stays],
                "loads": [h.to_dict() for h in self.loads]}
