"""The journal: what an evacuation or restore planned, did and left to do.

A JSON file, rewritten atomically (temporary file + ``os.replace``) after each
state change, so an interrupted run (Ctrl-C, a crash, a lost connection) can
be resumed and a finished one can be reversed (``host restore``). It holds
names, managed object ids, task ids, states and outcomes; never a user name,
password, session cookie or URL.

Every move goes through these states::

    pending ──► submitting ──► running ──► done
       ▲  │          │            │
       │  └► skipped └──────┬─────┴──► failed / cancelled
       └────── retry ───────┘
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from vmcctl.errors import ConfigError

JOURNAL_VERSION = 1

MoveState = Literal["pending", "submitting", "running", "done", "failed", "skipped",
                    "cancelled"]
JournalKind = Literal["evacuate", "restore", "migrate"]  # migrate: one move, never saved
RunStatus = Literal["planned", "running", "interrupted", "failed", "done"]
MaintenanceState = Literal["not-requested", "pending", "entering", "entered", "not-entered",
                           "cancelled", "exited"]

FINAL_STATES: frozenset[str] = frozenset({"done", "failed", "skipped", "cancelled"})
IN_FLIGHT_STATES: frozenset[str] = frozenset({"submitting", "running"})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_run_id() -> str:
    """``20250101T120000Z-1a2b``: sorts by start time, unique enough per folder."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(2)}"


@dataclass
class GatePeriod:
    """One closed period, as the journal, the events and the report show it."""

    start: str  # ISO time, UTC
    why: str
    end: str | None = None  # None while still closed
    seconds: float = 0.0
    outcome: str = "closed"  # closed, opened, timeout (the run stopped), stopped (Ctrl-C)

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.start, "to": self.end, "why": self.why,
                "seconds": round(self.seconds, 3), "outcome": self.outcome}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> GatePeriod:
        return cls(start=raw["from"], end=raw.get("to"), why=raw.get("why", ""),
                   seconds=float(raw.get("seconds", 0.0)), outcome=raw.get("outcome", "closed"))


@dataclass
class MoveRecord:
    """One VM's move: where it came from, where it goes, what happened."""

    vm: str
    vm_moid: str
    origin: str  # the host the VM was on when the plan was made
    origin_moid: str
    target: str
    target_moid: str
    pool_moid: str  # "" leaves spec.pool unset (the VM keeps its pool)
    priority: str = "default"
    memory_mb: int = 0  # the vMotion's duration grows with it: longest first
    power_state: str = "poweredOn"
    boot_time: str | None = None  # ISO time; unchanged after the move = no reboot
    state: MoveState = "pending"
    task: str | None = None
    attempts: int = 0
    reason: str | None = None  # why it failed or was skipped, or a note on success
    fault: str | None = None  # vCenter's fault type, when there was one
    left_origin: bool = False  # the relocation succeeded: the VM left its origin (even if a
    # check after it failed, e.g. someone moved it on): the way home must remember it
    submitted_at: str | None = None
    ended_at: str | None = None
    not_before: float = field(default=0.0, compare=False)  # retry back-off (monotonic)
    pool_kind: str = "ResourcePool"  # spec.pool's managed object type (VirtualApp for a vApp)

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def in_flight(self) -> bool:
        return self.state in IN_FLIGHT_STATES

    def to_dict(self) -> dict[str, Any]:
        # not_before is left out: a monotonic time means nothing in another process
        return {name: getattr(self, name) for name in _RECORD_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MoveRecord:
        known = {f.name for f in fields(cls)} - {"not_before"}
        return cls(**{k: v for k, v in data.items() if k in known})


_RECORD_FIELDS = tuple(f.name for f in fields(MoveRecord) if f.name != "not_before")


@dataclass
class Journal:
    """The whole run; ``save()`` after every change (the executor does)."""

    kind: JournalKind
    host: str  # the evacuated host, or the host VMs are restored to
    moves: list[MoveRecord]
    host_moid: str | None = None
    plan: dict[str, Any] = field(default_factory=dict)  # the advisor's plan, as planned
    options: dict[str, Any] = field(default_factory=dict)  # limits and placement knobs
    status: RunStatus = "planned"
    maintenance: MaintenanceState = "not-requested"
    maintenance_reason: str | None = None
    maintenance_task: str | None = None  # the EnterMaintenanceMode task while "entering"
    source_journal: str | None = None  # for a restore: the evacuation journal it reverses
    gate_periods: list[GatePeriod] = field(default_factory=list)  # continuity gate closed
    run_id: str = field(default_factory=new_run_id)
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    path: Path | None = field(default=None, compare=False)

    def move(self, vm: str) -> MoveRecord:
        """The record of ``vm`` (a VM moid, or a name for people and tests)."""
        for rec in self.moves:
            if rec.vm_moid == vm:
                return rec
        for rec in self.moves:
            if rec.vm == vm:
                return rec
        raise KeyError(vm)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for rec in self.moves:
            out[rec.state] = out.get(rec.state, 0) + 1
        return out

    @property
    def complete(self) -> bool:
        """Every move done (a skipped or failed VM is still on the host)."""
        return all(rec.state == "done" for rec in self.moves)

    def to_dict(self) -> dict[str, Any]:
        return {"version": JOURNAL_VERSION, "kind": self.kind, "host": self.host,
                "host_moid": self.host_moid, "status": self.status,
                "maintenance": self.maintenance, "maintenance_reason": self.maintenance_reason,
                "maintenance_task": self.maintenance_task, "run_id": self.run_id,
                "source_journal": self.source_journal, "created_at": self.created_at,
                "updated_at": self.updated_at, "options": self.options, "plan": self.plan,
                "gate_periods": [p.to_dict() for p in self.gate_periods],
                "moves": [m.to_dict() for m in self.moves]}

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: Path | None = None) -> Journal:
        version = data.get("version")
        if version != JOURNAL_VERSION:
            raise ConfigError(f"journal {path or ''} has version {version!r}; this vmcctl "
                              f"reads version {JOURNAL_VERSION}")
        try:
            return cls(kind=data["kind"], host=data["host"], host_moid=data.get("host_moid"),
                       moves=[MoveRecord.from_dict(m) for m in data["moves"]],
                       plan=data.get("plan") or {}, options=data.get("options") or {},
                       status=data.get("status", "planned"),
                       maintenance=data.get("maintenance", "not-requested"),
                       maintenance_reason=data.get("maintenance_reason"),
                       maintenance_task=data.get("maintenance_task"),
                       source_journal=data.get("source_journal"),
                       gate_periods=[GatePeriod.from_dict(p)
                                     for p in data.get("gate_periods") or []],
                       run_id=data.get("run_id") or _legacy_run_id(data.get("created_at")),
                       created_at=data.get("created_at") or now_iso(),
                       updated_at=data.get("updated_at") or now_iso(), path=path)
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"journal {path or ''} is not a vmcctl journal "
                              f"(missing or wrong field: {exc})") from None

    def save(self, path: Path | None = None) -> Path:
        """Write the journal atomically; readers see the old or the new file, never half."""
        target = path or self.path
        if target is None:
            raise ConfigError("the journal has no file to be written to")
        self.path = target
        self.updated_at = now_iso()
        write_atomic(target, json.dumps(self.to_dict(), indent=2) + "\n")
        return target


def _legacy_run_id(created_at: Any) -> str:
    """A journal written before run ids: one derived from its creation time."""
    if isinstance(created_at, str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(created_at).strftime("%Y%m%dT%H%M%SZ") + "-0000"
    return new_run_id()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder (mode 0600)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # missing folder, a file where a folder should be, read-only
        raise ConfigError(f"cannot write journal {path}: {exc.strerror}",
                          hint="pass --journal FILE in an existing, writable folder") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load_journal(path: Path) -> Journal:
    """Read a journal; ``ConfigError`` naming the file if it is missing or invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no journal at {path}",
                          hint="pass --journal FILE (the evacuation prints where it wrote it)"
                          ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read journal {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"journal {path} is not valid JSON (line {exc.lineno}: {exc.msg})"
                          ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"journal {path} is not a vmcctl journal")
    return Journal.from_dict(data, path)


def default_journal_path(host: str, directory: Path | None = None) -> Path:
    """``./vmcctl-journal-<host>.json`` (host names are IPs or FQDNs: keep them readable)."""
    safe = "".join(c if c.isalnum() or c in ".-_" else "_" for c in host)
    return (directory or Path.cwd()) / f"vmcctl-journal-{safe}.json"
