"""Malformed playbooks: one line naming the step and the field, exit 2, nothing run.

No vCenter is given (no VMCCTL_URL): a playbook that passed validation would
fail on connecting instead, so each case also proves validation comes first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HEAD = "name: t\nvars: {vm: ML-cpu-vm-04, host: 10.94.24.70}\nsteps:\n"

CASES: list[tuple[str, str, list[str]]] = [
    ("not YAML",
     "name: t\nsteps:\n  - migrate: {vm: a, host: b\n",
     ["not valid YAML at line"]),
    ("top level is a list",
     "- migrate: {vm: a, host: b}\n",
     ["expected a mapping with name and steps"]),
    ("no steps",
     "name: t\nsteps: []\n",
     ["steps:", "at least 1 item"]),
    ("unknown top-level key",
     "name: t\nstesp: []\nsteps:\n  - wait: 1\n",
     ["stesp: unknown key"]),
    ("unknown step",
     HEAD + "  - wait: 1\n  - name: reboot it\n    reboot: {vm: a}\n",
     ['step 2 "reboot it"', "reboot: unknown step key"]),
    ("misspelt action suggests the right one",
     HEAD + "  - migrte: {vm: a, host: b}\n",
     ["step 1", "migrte: unknown step key", "did you mean migrate?"]),
    ("missing field",
     HEAD + "  - wait: 1\n  - wait: 2\n  - name: move\n    migrate: {host: b}\n",
     ['step 3 "move"', "migrate.vm: required key is missing"]),
    ("missing host in maintenance short form",
     HEAD + "  - name: enter\n    maintenance: enter\n",
     ['step 1 "enter"', "maintenance.host: required key is missing"]),
    ("wrong type",
     HEAD + "  - evacuate: {host: h, max_parallel: lots}\n",
     ["step 1", "evacuate.max_parallel", "integer"]),
    ("wrong type through a variable",
     "name: t\nvars: {n: lots}\nsteps:\n  - evacuate: {host: h, max_parallel: '${n}'}\n",
     ["step 1", "evacuate.max_parallel", "integer"]),
    ("bad choice",
     HEAD + "  - maintenance: {host: h, action: reboot}\n",
     ["step 1", "maintenance.action", "'enter' or 'exit'"]),
    ("unknown field in an action",
     HEAD + "  - migrate: {vm: a, host: b, datastore: x}\n",
     ["step 1", "migrate.datastore: unknown key"]),
    ("two targets in one migrate",
     HEAD + "  - migrate: {vm: a, host: b, fault_domain: other}\n",
     ["step 1", "migrate: ", "exactly one of host, fault_domain or auto"]),
    ("unknown variable",
     HEAD + "  - wait: 1\n  - name: go\n    migrate: {vm: '${vm}', host: '${hots}'}\n",
     ['step 2 "go"', "migrate.host", "unknown variable ${hots}", "did you mean ${host}?"]),
    ("variable used before the step that saves it",
     HEAD + "  - migrate: {vm: a, host: '${target}'}\n"
            "  - advise: {vm: a, save_as: target}\n",
     ["step 1", "migrate.host", "unknown variable ${target}"]),
    ("two actions in one step",
     HEAD + "  - name: both\n    migrate: {vm: a, host: b}\n    wait: 5\n",
     ['step 1 "both"', "migrate, wait: one action per step"]),
    ("the same action key twice",
     HEAD + "  - migrate: {vm: a, host: b}\n    migrate: {vm: c, host: d}\n",
     ["not valid YAML at line 5", "key 'migrate' given twice"]),
    ("no action",
     HEAD + "  - name: nothing\n",
     ['step 1 "nothing"', "no action"]),
    ("step is not a mapping",
     HEAD + "  - migrate\n",
     ["step 1", "expected a mapping"]),
    ("wait with both seconds and until",
     HEAD + "  - wait: {seconds: 3, until: {h2o_job: running}}\n",
     ["step 1", "wait: ", "exactly one of seconds or until"]),
    ("wait timeout without until",
     HEAD + "  - wait: {seconds: 3, timeout: 10}\n",
     ["step 1", "timeout goes with until"]),
    ("password in the file",
     "name: t\nconnection: {url: 'https://vc/sdk', password: hunter2}\nsteps:\n  - wait: 1\n",
     ["connection", "a password does not belong in a playbook"]),
    ("save_as shadows a declared variable",
     HEAD + "  - advise: {vm: a, save_as: host}\n",
     ["step 1", "advise.save_as", "already a variable"]),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in CASES],
                         ids=[c[0] for c in CASES])
def test_malformed_playbook_is_one_line_exit_2(play: Any, write: Callable[[str], Path],
                                               text: str, expected: list[str]) -> None:
    path = write(text)
    result = play(str(path))
    assert result.code == 2, result.err
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"error: {path}: ")
    for part in expected:
        assert part in lines[0], lines[0]
    assert "hunter2" not in result.err


def test_missing_file(play: Any, tmp_path: Path) -> None:
    result = play(str(tmp_path / "nope.yaml"))
    assert result.code == 2
    assert "cannot read" in result.err


def test_var_the_playbook_does_not_declare(play: Any, write: Callable[[str], Path]) -> None:
    result = play(str(write(HEAD + "  - wait: 0\n")), "--var", "hots=10.94.24.71")
    assert result.code == 2
    assert "--var hots: the playbook declares no such variable" in result.err
    assert "declared: vm, host" in result.err


def test_var_that_is_not_key_value(play: Any, write: Callable[[str], Path]) -> None:
    result = play(str(write(HEAD + "  - wait: 0\n")), "--var", "host")
    assert result.code == 2
    assert "is not KEY=VALUE" in result.err


def test_variable_without_default_needs_var(play: Any, write: Callable[[str], Path]) -> None:
    path = write("name: t\nvars: {host: null}\nsteps:\n  - wait: 0\n")
    assert "vars.host: has no default; pass --var host=VALUE" in play(str(path)).err
    ok = play(str(path), "--var", "host=10.94.24.71")
    assert ok.code == 0, ok.err


def test_validation_is_whole_file_before_any_step(play: Any,
                                                  write: Callable[[str], Path]) -> None:
    # Step 1 alone would run (a wait needs no vCenter); the error in step 3 stops it first.
    path = write(HEAD + "  - wait: 0\n  - wait: 0\n  - migrate: {vm: a}\n")
    result = play(str(path))
    assert result.code == 2
    assert "step 1" not in result.err.replace("step 3", "")
    assert "step 3" in result.err


def test_a_binary_file_is_one_line_exit_2(play: Any, tmp_path: Path) -> None:
    """Found in review: a non-UTF-8 file ended in 'internal error: UnicodeDecodeError'."""
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    result = play(str(path), "--dry-run")
    assert result.code == 2
    assert result.error_lines == [f"error: {path}: not UTF-8 text (is it a YAML file?)"]
