"""Every journal field reaches the file and comes back; old or sparse files get the defaults.

A field lost on the way is a resume or a restore that decides from a default
instead of what happened (a status "planned", a maintenance "not-requested").
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from executor_fixtures import record

from vmcctl.errors import ConfigError
from vmcctl.executor.journal import Journal, MoveRecord, load_journal

FILE_KEYS = {"version", "kind", "host", "host_moid", "status", "maintenance",
             "maintenance_reason", "source_journal", "created_at", "updated_at", "options",
             "plan", "moves", "maintenance_task", "run_id"}


def _unusual(path: Path) -> Journal:
    """Every field set to something other than its default."""
    rec = MoveRecord(vm="a", vm_moid="vm-a", origin="h0", origin_moid="host-h0", target="h1",
                     target_moid="host-h1", pool_moid="resgroup-9", priority="high",
                     memory_mb=4096, power_state="poweredOff",
                     boot_time="2026-01-02T03:04:05+00:00", state="failed", task="task-7",
                     attempts=3, reason="boom", fault="Timedout",
                     submitted_at="2026-01-02T03:04:06+00:00", left_origin=True,
                     ended_at="2026-01-02T03:04:07+00:00")
    return Journal(kind="restore", host="h0", host_moid="host-h0", moves=[rec],
                   plan={"host": "h0"}, options={"max_parallel": 2}, status="interrupted",
                   maintenance="not-entered", maintenance_reason="1 VM left",
                   source_journal="old.json", created_at="2026-01-02T03:00:00+00:00",
                   maintenance_task="task-9", run_id="20260102T030000Z-ab12",
                   path=path)


def test_every_field_survives_save_and_load(tmp_path: Path) -> None:
    journal = _unusual(tmp_path / "j.json")
    journal.save()
    raw = json.loads((tmp_path / "j.json").read_text())
    assert set(raw) == FILE_KEYS
    assert raw["version"] == 1
    again = load_journal(tmp_path / "j.json")
    assert again == journal  # dataclass equality: every compared field
    assert again.moves[0] == journal.moves[0]
    assert again.path == tmp_path / "j.json"
    assert (again.created_at, again.updated_at) == (journal.created_at, journal.updated_at)
    assert again.move("a") is again.moves[0]
    with pytest.raises(KeyError):
        again.move("b")


def test_a_sparse_file_gets_the_documented_defaults(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    path.write_text(json.dumps({"version": 1, "kind": "evacuate", "host": "h0",
                                "moves": [record("a").to_dict() | {"unknown": 1}]}))
    j = load_journal(path)
    assert (j.status, j.maintenance, j.maintenance_reason) == ("planned", "not-requested", None)
    assert (j.plan, j.options, j.source_journal, j.host_moid) == ({}, {}, None, None)
    assert j.created_at and j.updated_at
    assert j.moves[0] == record("a")


def test_the_journal_file_is_private_and_a_missing_folder_is_an_input_error(
        tmp_path: Path) -> None:
    journal = _unusual(tmp_path / "j.json")
    journal.save()
    assert stat.S_IMODE((tmp_path / "j.json").stat().st_mode) == 0o600
    with pytest.raises(ConfigError) as info:
        journal.save(tmp_path / "missing" / "j.json")
    assert str(info.value).startswith(f"cannot write journal {tmp_path / 'missing' / 'j.json'}")
    assert "--journal FILE" in (info.value.hint or "")


def test_a_journal_without_a_path_cannot_be_saved() -> None:
    journal = _unusual(Path("x"))
    journal.path = None
    with pytest.raises(ConfigError, match="no file"):
        journal.save()
