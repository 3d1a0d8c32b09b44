"""The rolling window's journal (executor.window): what it writes, reads back and refuses."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from vmcctl.errors import ConfigError
from vmcctl.executor.journal import GatePeriod, MoveRecord
from vmcctl.executor.window import (
    STAGES,
    WINDOW_VERSION,
    PhaseJournal,
    WindowJournal,
    default_window_path,
)


def _window(path: Path | None = None, **kw: Any) -> WindowJournal:
    values: dict[str, Any] = {
        "cluster": "Cluster-1", "cluster_moid": "domain-c7",
        "groups": [["host-1"], ["host-2", "host-3"]],
        "host_names": {"host-1": "10.0.0.1", "host-2": "10.0.0.2"},
        "homes": {"vm-1": "host-1", "vm-2": "host-2"}, "overlap": True, "restore": False,
        "each": "true", "options": {"max_down": 1}, "plan": {"steps": 2}, "step": 1,
        "stage": "during", "status": "running", "each_state": {"host-1": "ok"},
        "moves": [MoveRecord(vm="a", vm_moid="vm-1", origin="10.0.0.1", origin_moid="host-1",
                             target="10.0.0.2", target_moid="host-2", pool_moid="rp-1",
                             state="done", task="task-5")],
        "moved": {"vm-1": 2, "vm-2": 1},
        "gate_periods": [GatePeriod(start="t0", why="slow", end="t1", seconds=4.2,
                                    outcome="opened")],
        "reason": "why not", "path": path}
    values.update(kw)
    return WindowJournal(**values)


def test_a_window_journal_round_trips_through_its_file(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    window = _window(path)
    window.updated_at = "earlier"
    window.save()
    assert datetime.fromisoformat(window.updated_at).tzinfo is not None
    assert '\n  "kind": "window",\n' in path.read_text()  # indented for people
    assert os.stat(path).st_mode & 0o777 == 0o600
    raw = json.loads(path.read_text())
    assert raw["version"] == WINDOW_VERSION and raw["kind"] == "window"
    assert raw["moves"][0]["task"] == "task-5" and raw["gate_periods"][0]["why"] == "slow"
    back = WindowJournal.load(path)
    assert back == window and back.path == path
    assert back.relocations == 3
    assert back.host_name("host-2") == "10.0.0.2" and back.host_name("host-3") == "host-3"
    assert set(raw) == {"version", "kind", "cluster", "cluster_moid", "groups", "host_names",
                        "homes", "overlap", "restore", "each", "options", "plan", "step",
                        "stage", "status", "each_state", "moves", "moved", "gate_periods",
                        "reason", "run_id", "created_at", "updated_at"}


def test_optional_fields_may_be_missing_or_null(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    _window(path).save()
    raw = json.loads(path.read_text())
    for key in ("each", "reason"):
        del raw[key]
    for key in ("options", "plan", "each_state", "moves", "moved", "gate_periods"):
        raw[key] = None
    path.write_text(json.dumps(raw))
    back = WindowJournal.load(path)
    assert (back.each, back.reason, back.options, back.plan, back.each_state, back.moves,
            back.moved, back.gate_periods) == (None, None, {}, {}, {}, [], {}, [])
    assert back.relocations == 0


def test_a_window_without_a_file_is_not_written(tmp_path: Path) -> None:
    window = _window(None)
    window.updated_at = "kept"
    window.save()
    assert window.updated_at == "kept" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content, words", [
    (None, "no window journal at"),
    ("{not json", "cannot read window journal"),
    (json.dumps([1, 2]), "is not a vmcctl window journal (version 1)"),
    (json.dumps({"kind": "evacuate", "version": 1}), "is not a vmcctl window journal"),
    (json.dumps({"kind": "window", "version": 2}), "is not a vmcctl window journal"),
    (json.dumps({"kind": "window", "version": 1}), "is missing 'cluster'"),
])
def test_what_is_not_a_window_journal_is_refused_naming_the_file(
        tmp_path: Path, content: str | None, words: str) -> None:
    path = tmp_path / "w.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError) as err:
        WindowJournal.load(path)
    assert words in err.value.message and str(path) in err.value.message
    if content is None:
        assert err.value.hint == ("pass --journal FILE (the window prints where it wrote it)")


def test_a_phase_journal_runs_the_windows_moves_and_saves_the_whole_window(
        tmp_path: Path) -> None:
    window = _window(tmp_path / "w.json")
    phase = PhaseJournal(window, "step 2: 10.0.0.2")
    assert (phase.kind, phase.host, phase.path) == ("restore", "step 2: 10.0.0.2",
                                                    tmp_path / "w.json")
    assert phase.moves is window.moves and phase.gate_periods is window.gate_periods
    phase.moves[0].state = "failed"
    assert phase.save() == tmp_path / "w.json"
    assert WindowJournal.load(tmp_path / "w.json").moves[0].state == "failed"
    bare = PhaseJournal(_window(None), "x")
    assert bare.path == Path("window-journal.json")
    assert bare.save() == Path("window-journal.json")
    assert not Path("window-journal.json").exists()


def test_the_default_path_is_readable_and_safe(tmp_path: Path) -> None:
    assert default_window_path("Cluster 1/a:b", tmp_path) == (
        tmp_path / "vmcctl-window-Cluster_1_a_b.json")
    assert default_window_path("c-1.x_y") == Path.cwd() / "vmcctl-window-c-1.x_y.json"
    assert STAGES == ("before", "enter", "during", "exit", "after")
