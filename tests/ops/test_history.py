"""Journal history: archived, never overwritten; the newest move of each VM wins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyVmomi import vim

from vmcctl.errors import ConfigError
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import Journal, MoveRecord, load_journal
from vmcctl.ops.attribute import OriginTags, OriginValue
from vmcctl.ops.history import guard_new_run, history_files, load_history, newest_origins


def move(vm: str, origin: str, target: str, at: str, state: str = "done") -> MoveRecord:
    return MoveRecord(vm=vm, vm_moid=f"vm-{vm}", origin=origin, origin_moid=f"host-{origin}",
                      target=target, target_moid=f"host-{target}", pool_moid="resgroup-1",
                      state=state, ended_at=at)  # type: ignore[arg-type]


def journal(kind: str, host: str, moves: list[MoveRecord], status: str = "done",
            path: Path | None = None) -> Journal:
    return Journal(kind=kind, host=host, host_moid=f"host-{host}", moves=moves,  # type: ignore[arg-type]
                   status=status, path=path)  # type: ignore[arg-type]


def test_a_finished_run_is_archived_and_an_archive_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "vmcctl-journal-h1.json"
    first = journal("evacuate", "h1", [move("a", "h1", "h2", "t1")], path=path)
    first.run_id = "R1"
    first.save()
    archived = guard_new_run(path, resume_with="resume")
    assert archived == tmp_path / "vmcctl-journal-h1.R1.json" and not path.exists()
    again = journal("evacuate", "h1", [move("b", "h1", "h2", "t2")], path=path)
    again.run_id = "R1"  # the same id twice: still kept apart
    again.save()
    assert guard_new_run(path, resume_with="resume") == tmp_path / "vmcctl-journal-h1.R1-1.json"
    assert [m.vm for m in load_journal(archived).moves] == ["a"]
    assert len(history_files(tmp_path)) == 2


def test_an_unfinished_run_is_refused_not_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    journal("evacuate", "h1", [move("a", "h1", "h2", "t1", "running")], "interrupted",
            path).save()
    with pytest.raises(ConfigError, match="unfinished"):
        guard_new_run(path, resume_with="vmcctl host evacuate h1 --resume")
    assert path.exists() and history_files(tmp_path, path) == [path]


def test_newest_origin_wins_and_a_restore_means_home(tmp_path: Path) -> None:
    runs = [
        journal("evacuate", "h1", [move("a", "h1", "h2", "2025-01-01T10"),
                                   move("b", "h1", "h2", "2025-01-01T10"),
                                   move("c", "h1", "h2", "2025-01-01T10", "failed")]),
        journal("evacuate", "h2", [move("b", "h2", "h3", "2025-01-01T11")]),
        journal("restore", "h1", [move("a", "h2", "h1", "2025-01-01T12")]),
    ]
    origins = newest_origins(runs)
    assert set(origins) == {"vm-a", "vm-b"}  # c never left
    assert origins["vm-a"].returned and origins["vm-a"].home_moid == "host-h1"
    assert origins["vm-b"].home_moid == "host-h2" and not origins["vm-b"].returned


def test_unreadable_journals_are_named_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "vmcctl-journal-x.json").write_text("{not json", encoding="utf-8")
    journals, problems = load_history(history_files(tmp_path))
    assert journals == [] and len(problems) == 1 and "vmcctl-journal-x.json" in problems[0]


def test_origin_value_round_trip() -> None:
    value = OriginValue(home_moid="host-12", run_id="20250101T000000Z-ab12",
                        at="2025-01-01T00:00:00.000+00:00")
    assert OriginValue.parse(value.encode()) == value
    assert OriginValue.parse("") is None


class _NoPermissionClient:
    """A session whose role may read but not define custom attributes."""

    content: Any = None

    def read(self, fn: Any) -> Any:
        return None  # no field defined yet

    def call(self, fn: Any) -> Any:
        raise vim.fault.NoPermission(privilegeId="Global.ManageCustomFields")


def test_no_permission_for_attributes_is_said_once_and_the_run_goes_on() -> None:
    said: list[str] = []

    class Events(ExecutorEvents):
        def warning(self, message: str) -> None:
            said.append(message)

    class Content:
        customFieldsManager = object()

    client = _NoPermissionClient()
    client.content = Content()
    tags = OriginTags(client, Events())  # type: ignore[arg-type]
    rec = move("a", "h1", "h2", "t1")
    assert tags.mark(rec, "R1") is False and tags.mark(rec, "R1") is False
    assert len(said) == 1 and "Global.ManageCustomFields" in said[0]
    assert "journal only" in said[0]


def test_a_vm_that_left_its_origin_but_failed_its_check_keeps_its_way_home() -> None:
    """Moved by vmcctl, then moved on by someone else before the check: still has a home."""
    rec = MoveRecord(vm="app", vm_moid="vm-1", origin="h1", origin_moid="host-1", target="h2",
                     target_moid="host-2", pool_moid="resgroup-1", state="failed",
                     fault="VerificationError", left_origin=True, ended_at="2026-01-01T00:00:00")
    never = MoveRecord(vm="db", vm_moid="vm-2", origin="h1", origin_moid="host-1", target="h2",
                       target_moid="host-2", pool_moid="resgroup-1", state="failed",
                       fault="MigrationFault", ended_at="2026-01-01T00:00:00")
    journal = Journal(kind="evacuate", host="h1", host_moid="host-1", moves=[rec, never])
    origins = newest_origins([journal])
    assert set(origins) == {"vm-1"} and origins["vm-1"].home_moid == "host-1"
