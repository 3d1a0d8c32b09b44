from __future__ import annotations

import json
from pathlib import Path

import pytest
from executor_fixtures import record

from vmcctl.errors import ConfigError
from vmcctl.executor.journal import Journal, default_journal_path, load_journal


def _journal(path: Path) -> Journal:
    done = record("a", state="done", task="task-1")
    done.attempts = 2
    return Journal(kind="evacuate", host="10.0.0.1", host_moid="host-1",
                   moves=[done, record("b")], plan={"host": "10.0.0.1"},
                   options={"max_parallel": 4}, maintenance="pending", path=path)


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    journal = _journal(path)
    journal.moves[1].not_before = 123.0  # process-local: not written
    journal.save()
    again = load_journal(path)
    assert again.moves[0] == journal.moves[0]
    assert again.moves[1].not_before == 0.0
    assert (again.kind, again.host, again.maintenance, again.options, again.plan) == (
        "evacuate", "10.0.0.1", "pending", {"max_parallel": 4}, {"host": "10.0.0.1"})
    assert again.counts() == {"done": 1, "pending": 1}
    assert not again.complete


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "j.json"
    path.parent.mkdir()  # the journal's folder must exist: vmcctl creates no folders
    journal = _journal(path)
    journal.save()
    journal.moves[1].state = "running"
    journal.save()
    assert [p.name for p in path.parent.iterdir()] == ["j.json"]
    assert json.loads(path.read_text())["moves"][1]["state"] == "running"


def test_a_failed_write_keeps_the_old_journal(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "j.json"
    journal = _journal(path)
    journal.save()
    before = path.read_text()

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", broken)
    journal.moves[1].state = "done"
    with pytest.raises(OSError):
        journal.save()
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["j.json"]


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ("[]", "not a vmcctl journal"),
    ('{"version": 99}', "version 99"),
    ('{"version": 1, "kind": "evacuate"}', "missing or wrong field"),
])
def test_bad_journals_are_input_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "j.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_journal(path)


def test_missing_journal_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no journal") as info:
        load_journal(tmp_path / "nope.json")
    assert "--journal" in str(info.value)


def test_default_path_is_in_the_working_directory(tmp_path: Path) -> None:
    assert default_journal_path("10.94.24.70", tmp_path) == (
        tmp_path / "vmcctl-journal-10.94.24.70.json")
    assert default_journal_path("esx/01 a", tmp_path).name == "vmcctl-journal-esx_01_a.json"
