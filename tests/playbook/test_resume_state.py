"""The playbook record behind ``play --resume``: what it keeps, skips and refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vmcctl.errors import ConfigError
from vmcctl.executor.journal import Journal, MoveRecord
from vmcctl.playbook import runner
from vmcctl.playbook.context import RunContext
from vmcctl.playbook.load import parse_playbook
from vmcctl.playbook.outcome import StepOutput
from vmcctl.playbook.resume import resume_state, start_state, state_path

BOOK = {"name": "t", "vars": {"n": "1"}, "steps": [
    {"name": "first", "wait": 1}, {"name": "second", "wait": 2}, {"name": "third", "wait": 3}]}


class Waits:
    """A fake wait handler: records what ran, Ctrl-C on the step asked to."""

    def __init__(self, interrupt_at: float | None = None) -> None:
        self.ran: list[float] = []
        self.interrupt_at = interrupt_at

    def __call__(self, ctx: RunContext, action: Any) -> StepOutput:
        if action.seconds == self.interrupt_at:
            raise KeyboardInterrupt
        self.ran.append(action.seconds)
        return StepOutput(f"waited {action.seconds:g} s", saves={f"w{action.seconds:g}": "x"})


def test_an_interrupted_run_is_recorded_and_resumed_from_the_step_it_stopped_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "t.yaml"
    path = state_path(book, tmp_path)
    assert path == tmp_path / "vmcctl-play-t.json"
    pb = parse_playbook(BOOK)
    first = Waits(interrupt_at=2)
    monkeypatch.setitem(runner.HANDLERS, "wait", first)
    state = start_state(book, pb.name, path, {"n": "1"})
    with pytest.raises(KeyboardInterrupt):
        runner.run_playbook(pb, RunContext(), state=state)
    saved = json.loads(path.read_text())
    assert (saved["status"], saved["step"], saved["done"]) == ("interrupted", 2, [1])
    assert saved["values"] == {"w1": "x"} and first.ran == [1]

    with pytest.raises(ConfigError, match="stopped in step 2"):
        start_state(book, pb.name, path, {})  # a new run would repeat step 1
    with pytest.raises(ConfigError, match="--var differs"):
        resume_state(book, path, {"n": "2"})
    again = resume_state(book, path, {})
    again.restart()
    second = Waits()
    monkeypatch.setitem(runner.HANDLERS, "wait", second)
    run = runner.run_playbook(pb, RunContext(), state=again)
    assert second.ran == [2, 3]  # step 1 is not run again
    assert [r.status for r in run.results] == ["ok"] * 3
    assert run.results[0].summary.startswith("done before the run was resumed: waited 1 s")
    assert run.values["w1"] == "x"  # a variable saved before the interruption is kept
    done = json.loads(path.read_text())
    assert (done["status"], done["done"], done["resumed"]) == ("done", [1, 2, 3], 1)
    with pytest.raises(ConfigError, match="nothing to resume"):
        resume_state(book, path, {})
    start_state(book, pb.name, path, {})  # a finished run does not block a new one


def test_standing_names_hosts_in_maintenance_and_vms_away(tmp_path: Path) -> None:
    book = tmp_path / "w.yaml"
    state = start_state(book, "w", state_path(book, tmp_path), {})
    state.done = [1, 2]
    state.results = {
        "1": {"action": "evacuate", "details": {"host": "esx-1", "moves": [
            {"vm": "a", "state": "done"}, {"vm": "b", "state": "done"},
            {"vm": "c", "state": "skipped"}]}},
        "2": {"action": "maintenance", "details": {"host": "esx-1", "action": "enter"}}}
    state.step = 3
    journal = Journal(kind="evacuate", host="esx-2", moves=[
        MoveRecord(vm="d", vm_moid="vm-d", origin="esx-2", origin_moid="host-2",
                   target="esx-3", target_moid="host-3", pool_moid="p", state="done"),
        MoveRecord(vm="e", vm_moid="vm-e", origin="esx-2", origin_moid="host-2",
                   target="esx-3", target_moid="host-3", pool_moid="p", state="running")],
        path=tmp_path / "j.json")
    journal.save()
    state.wrote(3, journal.path)  # type: ignore[arg-type]
    assert state.standing() == ["esx-1 is in maintenance mode",
                                "2 VM(s) moved off esx-1 are away from it",
                                "1 VM(s) moved off esx-2 are away from it"]
    state.done.append(4)
    state.results["4"] = {"action": "maintenance", "details": {"host": "esx-1",
                                                              "action": "exit"}}
    state.done.append(5)
    state.results["5"] = {"action": "restore", "details": {"host": "esx-1"}}
    assert state.standing() == ["1 VM(s) moved off esx-2 are away from it"]
