"""Per-invocation state shared by the CLI commands."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class AppState:
    debug: bool = False
