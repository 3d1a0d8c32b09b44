"""Per-invocation state shared by the CLI commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class AppState:
    debug: bool = False
    record: Path | None = None  # --record FILE: cassette of the whole vCenter conversation
    replay: Path | None = None  # --replay FILE (hidden): answer from a cassette instead
    connection: dict[str, Any] = field(default_factory=dict)  # raw connection flags
    insecure_warned: bool = False
