"""What steps return and what a run records: plain, serialisable data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

StepStatus = Literal["ok", "planned", "failed", "not-run"]


@dataclass(frozen=True)
class StepOutput:
    """A handler's answer: one line for people, details for ``-o json``, variables it sets."""

    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    saves: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StepResult:
    index: int
    name: str | None
    action: str
    status: StepStatus
    summary: str
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_type: str | None = None

    @property
    def label(self) -> str:
        return f'step {self.index} "{self.name}"' if self.name else f"step {self.index}"

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.index, "name": self.name, "action": self.action,
                "status": self.status, "summary": self.summary,
                "seconds": round(self.seconds, 3), "error": self.error,
                "error_type": self.error_type, "details": self.details}


@dataclass(frozen=True)
class PlaybookRun:
    """Every step's result, in order; steps after a failure are ``not-run``."""

    name: str
    source: str
    dry_run: bool
    results: tuple[StepResult, ...]
    values: dict[str, object] = field(default_factory=dict)

    @property
    def failed(self) -> StepResult | None:
        return next((r for r in self.results if r.status == "failed"), None)

    @property
    def ok(self) -> bool:
        return self.failed is None

    def to_dict(self) -> dict[str, Any]:
        return {"playbook": self.name, "dry_run": self.dry_run, "ok": self.ok,
                "vars": self.values, "steps": [r.to_dict() for r in self.results]}
