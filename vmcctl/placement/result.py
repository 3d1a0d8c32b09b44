"""What the advisor answers: ranked candidates and every rejected host's reasons.

Plain frozen data with ``to_dict()`` (JSON-able) and ``*_rows()`` helpers that
give the cells of the tables the CLI prints, so the CLI only lays them out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from vmcctl.errors import NoPlacementError
from vmcctl.placement.filters import NO_FAULT_DOMAINS, REASON_ORDER, Reason
from vmcctl.placement.request import PlacementOptions

CANDIDATE_COLUMNS = ("rank", "host", "fault domain", "CPU now", "CPU after", "mem now",
                     "mem after", "score", "note")
REJECTED_COLUMNS = ("reason", "hosts", "relax with")
_ORDER = {label: n for n, label in enumerate(REASON_ORDER)}


@dataclass(frozen=True)
class Candidate:
    host: str  # name, for people
    host_moid: str
    fault_domain: str | None
    cpu_pct: float
    cpu_pct_after: float
    mem_pct: float
    mem_pct_after: float
    score: float
    cluster_cpu_max: float  # cluster-wide maximum CPU % if the VM goes here
    cluster_mem_max: float
    cpu_spread: float  # cluster-wide standard deviation of CPU % if the VM goes here
    mem_spread: float
    should_rules: tuple[str, ...] = ()  # should-rules this host breaks (lowered the score)

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host, "host_moid": self.host_moid, "fault_domain": self.fault_domain,
            "cpu_pct": round(self.cpu_pct, 2), "cpu_pct_after": round(self.cpu_pct_after, 2),
            "memory_pct": round(self.mem_pct, 2),
            "memory_pct_after": round(self.mem_pct_after, 2),
            "score": round(self.score, 3),
            "cluster_cpu_max": round(self.cluster_cpu_max, 2),
            "cluster_memory_max": round(self.cluster_mem_max, 2),
            "cpu_spread": round(self.cpu_spread, 3), "memory_spread": round(self.mem_spread, 3),
            "should_rules": list(self.should_rules),
        }


@dataclass(frozen=True)
class HostRejection:
    host: str  # name, for people
    host_moid: str
    fault_domain: str | None
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "host_moid": self.host_moid, "fault_domain": self.fault_domain,
                "reasons": [r.to_dict() for r in self.reasons]}


def group_by_reason(rejected: tuple[HostRejection, ...]) -> dict[str, list[str]]:
    """{reason label: [hosts]} in filter order; a host may appear under several reasons."""
    groups: dict[str, list[str]] = {}
    for rej in rejected:
        for r in rej.reasons:
            groups.setdefault(r.reason, []).append(rej.host)
    return dict(sorted(groups.items(), key=lambda kv: _ORDER.get(kv[0], 99)))


def no_placement_error(vm: str, rejected: tuple[HostRejection, ...]) -> NoPlacementError:
    """The error naming the constraint that eliminated the most hosts and its option."""
    pairs = [(rej.host, r.reason) for rej in rejected for r in rej.reasons]
    if not rejected:
        return NoPlacementError(f"no host qualifies for {vm}: the cluster has no other host")
    counts = Counter(reason for _, reason in pairs)
    relax = {r.reason: r.relax for rej in rejected for r in rej.reasons}
    # Most hosts first; on a tie prefer a constraint the user can relax, then filter order.
    top = min(counts, key=lambda k: (-counts[k], relax[k] is None,
                                     _ORDER.get(k, 99)))
    others = ", ".join(f"{k} {n}" for k, n in counts.most_common() if k != top)
    # a constraint no option relaxes (a DRS rule, a host state) is named by its detail
    said = list(dict.fromkeys(r.detail for rej in rejected for r in rej.reasons
                              if r.reason == top)) if relax[top] is None else []
    why = f": {'; '.join(said[:2])}" + ("; …" if len(said) > 2 else "") if said else ""
    message = (f"no host qualifies for {vm}: {top!r} eliminated {counts[top]} of "
               f"{len(rejected)} hosts{why}" + (f" (also: {others})" if others else ""))
    details = {r.detail for rej in rejected for r in rej.reasons if r.reason == top}
    if len(details) == 1 and next(iter(details)).endswith(NO_FAULT_DOMAINS):
        # "other fault domain" cannot mean anything here: say that, not a count
        message = (f"no host qualifies for {vm}: {next(iter(details))}, so --fault-domain "
                   "other cannot be met" + (f" (also: {others})" if others else ""))
    hint = f"relax it with {relax[top]}" if relax[top] else None
    return NoPlacementError(message, hint=hint, reasons=pairs)


@dataclass(frozen=True)
class Recommendation:
    """Ranked candidates for one VM (best first) and every host that lost, with reasons."""

    vm: str  # name, for people
    vm_moid: str
    source: str | None  # host name
    source_moid: str | None
    source_fault_domain: str | None
    options: PlacementOptions
    candidates: tuple[Candidate, ...]
    rejected: tuple[HostRejection, ...]

    @property
    def best(self) -> Candidate:
        """The winning candidate; ``NoPlacementError`` when no host qualifies."""
        if not self.candidates:
            raise self.error()
        return self.candidates[0]

    def error(self) -> NoPlacementError:
        return no_placement_error(self.vm, self.rejected)

    def rejected_by_reason(self) -> dict[str, list[str]]:
        return group_by_reason(self.rejected)

    def why(self) -> str:
        """One line saying why the best host won (for ``migrate --auto``)."""
        best = self.best
        beaten = len(self.candidates) - 1
        return (f"{best.host} ({best.fault_domain or 'no fault domain'}): CPU "
                f"{best.cpu_pct:.1f}% -> {best.cpu_pct_after:.1f}%, memory {best.mem_pct:.1f}% -> "
                f"{best.mem_pct_after:.1f}%, best balance of {beaten + 1} eligible hosts; "
                f"{len(self.rejected)} host{'' if len(self.rejected) == 1 else 's'} rejected")

    def candidate_rows(self, top: int | None = None) -> list[tuple[str, ...]]:
        chosen = self.candidates if top is None else self.candidates[:top]
        return [(str(n), c.host, c.fault_domain or "", f"{c.cpu_pct:.1f}%",
                 f"{c.cpu_pct_after:.1f}%", f"{c.mem_pct:.1f}%", f"{c.mem_pct_after:.1f}%",
                 f"{c.score:.2f}",
                 f"breaks should-rule {', '.join(c.should_rules)}" if c.should_rules else "")
                for n, c in enumerate(chosen, start=1)]

    def rejected_rows(self) -> list[tuple[str, str, str]]:
        """(reason, hosts, relax with) in filter order; a DRS rule reason names the rule."""
        groups: dict[tuple[int, str], list[str]] = {}
        relax: dict[str, str] = {}
        for rej in self.rejected:
            for r in rej.reasons:
                groups.setdefault((_ORDER.get(r.reason, 99), r.label), []).append(rej.host)
                relax[r.label] = r.relax or ""
        return [(label, ", ".join(hosts), relax[label])
                for (_, label), hosts in sorted(groups.items())]

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        chosen = self.candidates if top is None else self.candidates[:top]
        return {
            "vm": self.vm, "vm_moid": self.vm_moid, "source": self.source,
            "source_moid": self.source_moid, "source_fault_domain": self.source_fault_domain,
            "options": self.options.to_dict(),
            "candidates": [c.to_dict() for c in chosen],
            "rejected": [r.to_dict() for r in self.rejected],
            "rejected_by_reason": self.rejected_by_reason(),
        }
