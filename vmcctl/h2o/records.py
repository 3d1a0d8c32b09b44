"""What the watcher records: samples, cluster-health checks and migration phases.

Plain frozen data with ``to_dict``/``from_dict``, so a verdict can be
recomputed from a saved ``report.json``. Times are seconds since the watch
started, on the watcher's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

PhaseName = Literal["before", "during", "after"]
PHASE_NAMES: tuple[PhaseName, ...] = ("before", "during", "after")


@dataclass(frozen=True)
class Sample:
    """One job as one poll saw it, or a poll that got no answer (``error`` set).

    ``job`` is ``None`` for a failed poll of the whole job list.
    """

    t: float
    poll: int
    job: str | None
    status: str | None
    progress: float | None
    latency_s: float
    error: str | None = None
    description: str = ""
    exception: str | None = None

    @property
    def answered(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Sample:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


@dataclass(frozen=True)
class Health:
    """One ``GET /3/Cloud`` check."""

    t: float
    poll: int
    healthy: bool | None
    size: int | None
    latency_s: float
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Health:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


@dataclass(frozen=True)
class Phase:
    """A window of the watch: ``before``, ``during`` (task submit → task end) or ``after``.

    ``end`` is ``None`` while the phase is open. ``source``/``target`` name the
    hosts of the migration, for the plot's labels.
    """

    name: PhaseName
    start: float
    end: float | None = None
    source: str | None = None
    target: str | None = None
    label: str | None = None

    @property
    def title(self) -> str:
        """A label for plots and tables, e.g. ``vMotion 10.94.24.70 → 10.94.24.85``."""
        if self.label:
            return self.label
        if self.source and self.target:
            return f"vMotion {self.source} → {self.target}" if self.name == "during" \
                else f"{self.name} ({self.source} → {self.target})"
        return self.name

    def contains(self, t: float) -> bool:
        return self.start <= t and (self.end is None or t < self.end)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Phase:
        name = raw["name"]
        if name not in PHASE_NAMES:
            raise ValueError(f"unknown phase {name!r}")
        return cls(name=cast(PhaseName, name), start=float(raw["start"]),
                   end=None if raw.get("end") is None else float(raw["end"]),
                   source=raw.get("source"), target=raw.get("target"), label=raw.get("label"))


def phase_at(phases: list[Phase] | tuple[Phase, ...], t: float) -> PhaseName | None:
    """The phase a time falls in (the last one that contains it), or ``None``."""
    found: PhaseName | None = None
    for phase in phases:
        if phase.contains(t):
            found = phase.name
    return found
