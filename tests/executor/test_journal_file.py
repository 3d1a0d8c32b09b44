"""The journal file as people and a resumed run find it: layout, names, old files, errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from executor_fixtures import record

from vmcctl.errors import ConfigError
from vmcctl.executor.journal import Journal, load_journal, write_atomic


def test_the_file_is_indented_json_people_can_read(tmp_path: Path) -> None:
    path = Journal(kind="evacuate", host="h0", moves=[record("a")]).save(tmp_path / "j.json")
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and '\n  "kind": "evacuate",\n' in text
    assert '\n      "vm": "a",\n' in text  # moves nested two more levels


def test_the_temporary_file_is_hidden_next_to_the_journal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append(str(src))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_atomic(tmp_path / "j.json", "{}\n")
    (tmp,) = seen
    assert Path(tmp).parent == tmp_path
    assert re.fullmatch(r"\.j\.json\..+\.tmp", Path(tmp).name)


def test_an_old_journal_without_a_run_id_gets_one_from_its_creation_time(
        tmp_path: Path) -> None:
    data = Journal(kind="evacuate", host="h0", moves=[]).to_dict()
    del data["run_id"]
    data["created_at"] = "2025-01-02T03:04:05+00:00"
    (tmp_path / "old.json").write_text(json.dumps(data))
    assert load_journal(tmp_path / "old.json").run_id == "20250102T030405Z-0000"
    data["created_at"] = "not a time"
    (tmp_path / "odd.json").write_text(json.dumps(data))
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{4}", load_journal(tmp_path / "odd.json").run_id)


def test_errors_name_the_file_and_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_journal(tmp_path / "none.json")
    assert err.value.message == f"no journal at {tmp_path / 'none.json'}"
    assert err.value.hint == "pass --journal FILE (the evacuation prints where it wrote it)"
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(ConfigError) as err:
        load_journal(tmp_path / "list.json")
    assert err.value.message == f"journal {tmp_path / 'list.json'} is not a vmcctl journal"
    (tmp_path / "bare.json").write_text('{"version": 1}')
    with pytest.raises(ConfigError) as err:
        load_journal(tmp_path / "bare.json")
    assert err.value.message == (f"journal {tmp_path / 'bare.json'} is not a vmcctl journal "
                                 "(missing or wrong field: 'kind')")
    with pytest.raises(ConfigError) as err:
        Journal(kind="evacuate", host="h0", moves=[]).save()
    assert err.value.message == "the journal has no file to be written to"
    with pytest.raises(ConfigError) as err:
        write_atomic(tmp_path / "missing" / "j.json", "{}")
    assert err.value.hint == "pass --journal FILE in an existing, writable folder"
