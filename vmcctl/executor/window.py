"""The journal of a rolling maintenance window: where it is, and what it moved.

One JSON file, written atomically after every change (``journal.write_atomic``).
It records the groups in window order, where every VM's home is, the step
and phase the window is at, each host's ``--each`` outcome and the moves of
the phase in progress (as ``MoveRecord``s, so a resume follows recorded
tasks instead of submitting them again). Never a credential.

``PhaseJournal`` hands one phase's moves to the ordinary ``MoveRunner``: its
``save()`` writes the whole window file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vmcctl.errors import ConfigError
from vmcctl.executor.journal import Journal, MoveRecord, new_run_id, now_iso, write_atomic

WINDOW_VERSION = 1
Stage = Literal["before", "enter", "during", "exit", "after"]
STAGES: tuple[Stage, ...] = ("before", "enter", "during", "exit", "after")
WindowStatus = Literal["planned", "running", "interrupted", "failed", "done"]


@dataclass
class WindowJournal:
    cluster: str
    cluster_moid: str
    groups: list[list[str]]  # host moids per step, in window order
    host_names: dict[str, str]
    homes: dict[str, str]  # VM moid -> home host moid
    overlap: bool
    restore: bool
    each: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)
    step: int = 0
    stage: Stage = "before"
    status: WindowStatus = "planned"
    each_state: dict[str, str] = field(default_factory=dict)  # host moid -> ok / failed / …
    moves: list[MoveRecord] = field(default_factory=list)  # the phase in progress
    moved: dict[str, int] = field(default_factory=dict)  # VM moid -> relocations done
    reason: str | None = None
    run_id: str = field(default_factory=new_run_id)
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    path: Path | None = field(default=None, compare=False)

    @property
    def relocations(self) -> int:
        return sum(self.moved.values())

    def host_name(self, moid: str) -> str:
        return self.host_names.get(moid, moid)

    def to_dict(self) -> dict[str, Any]:
        return {"version": WINDOW_VERSION, "kind": "window", "cluster": self.cluster,
                "cluster_moid": self.cluster_moid, "groups": self.groups,
                "host_names": self.host_names, "homes": self.homes, "overlap": self.overlap,
                "restore": self.restore, "each": self.each, "options": self.options,
                "plan": self.plan, "step": self.step, "stage": self.stage,
                "status": self.status, "each_state": self.each_state,
                "moves": [m.to_dict() for m in self.moves], "moved": self.moved,
                "reason": self.reason, "run_id": self.run_id, "created_at": self.created_at,
                "updated_at": self.updated_at}

    def save(self) -> None:
        if self.path is None:
            return
        self.updated_at = now_iso()
        write_atomic(self.path, json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> WindowJournal:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"no window journal at {path}",
                              hint="pass --journal FILE (the window prints where it wrote it)"
                              ) from None
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read window journal {path}: {exc}") from None
        if not isinstance(data, dict) or data.get("kind") != "window" or \
                data.get("version") != WINDOW_VERSION:
            raise ConfigError(f"{path} is not a vmcctl window journal (version "
                              f"{WINDOW_VERSION})")
        try:
            return cls(cluster=data["cluster"], cluster_moid=data["cluster_moid"],
                       groups=data["groups"], host_names=data["host_names"],
                       homes=data["homes"], overlap=data["overlap"], restore=data["restore"],
                       each=data.get("each"), options=data.get("options") or {},
                       plan=data.get("plan") or {}, step=data["step"], stage=data["stage"],
                       status=data["status"], each_state=data.get("each_state") or {},
                       moves=[MoveRecord.from_dict(m) for m in data.get("moves") or ()],
                       moved=data.get("moved") or {}, reason=data.get("reason"),
                       run_id=data["run_id"], created_at=data["created_at"],
                       updated_at=data["updated_at"], path=path)
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"window journal {path} is missing {exc}") from None


class PhaseJournal(Journal):
    """One phase's moves for ``MoveRunner``; saving writes the window journal."""

    def __init__(self, window: WindowJournal, label: str) -> None:
        super().__init__(kind="restore", host=label, moves=window.moves,
                         path=window.path or Path("window-journal.json"))
        self.window = window

    def save(self, path: Path | None = None) -> Path:
        self.window.save()
        return self.path or Path()


def default_window_path(cluster: str, directory: Path | None = None) -> Path:
    safe = "".join(c if c.isalnum() or c in ".-_" else "_" for c in cluster)
    return (directory or Path.cwd()) / f"vmcctl-window-{safe}.json"
