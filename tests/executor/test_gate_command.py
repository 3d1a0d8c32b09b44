"""What a health command's failure says: its exit code and its last line of output."""

from __future__ import annotations

import sys

from vmcctl.executor.gate import CommandCheck

PY = sys.executable


def test_the_last_line_of_stdout_when_stderr_is_silent() -> None:
    check = CommandCheck(f"{PY} -c \"print('first'); print('last words '); raise SystemExit(4)\"")
    assert check.name == f"command {check.command!r}"
    assert check.check() == f"{check.name} exited 4: last words"


def test_a_silent_failure_says_only_the_exit_code() -> None:
    check = CommandCheck(f"{PY} -c 'raise SystemExit(2)'")
    assert check.check() == f"{check.name} exited 2"


def test_a_long_last_line_is_cut_to_200_characters() -> None:
    check = CommandCheck(f"{PY} -c \"import sys; sys.stderr.write('x' * 300); sys.exit(1)\"")
    assert check.check() == f"{check.name} exited 1: " + "x" * 200
