"""Per-invocation state shared by the CLI commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vmcctl.vsphere.settings import FileConnection


@dataclass
class AppState:
    debug: bool = False
    record: Path | None = None  # --record FILE: cassette of the whole vCenter conversation
    replay: Path | None = None  # --replay FILE (hidden): answer from a cassette instead
    connection: dict[str, Any] = field(default_factory=dict)  # raw connection flags
    connection_file: FileConnection | None = None  # a playbook's own connection:
    insecure_warned: bool = False
