"""Suite-wide pytest configuration and the in-process CLI runner."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from vmcctl.cli import cli
from vmcctl.cli.errors import run_guarded

ENV_PREFIXES = ("VMCCTL_", "GOVC_")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A run that collects no test is a broken run (a bad -m/-k, a moved
    # directory), never a pass: turn pytest's "no tests" (5) into a failure.
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``run_cli(*args, env={...})``: exit code, stdout and stderr of one vmcctl run.

    Every ``VMCCTL_*``/``GOVC_*`` variable of the test's own environment is
    removed first, so only ``env`` points the CLI somewhere.
    """

    def run(*args: str, env: dict[str, str] | None = None) -> CliResult:
        for name in list(os.environ):
            if name.startswith(ENV_PREFIXES):
                monkeypatch.delenv(name, raising=False)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = run_guarded(cli, list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
