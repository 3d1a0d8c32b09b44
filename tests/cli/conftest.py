"""Run the vmcctl CLI in-process against a simulator, as a user would."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from vmcctl.cli import cli
from vmcctl.cli.errors import run_guarded

CONNECTION_VARS = ("VMCCTL_URL", "VMCCTL_USERNAME", "VMCCTL_PASSWORD", "VMCCTL_INSECURE",
                   "VMCCTL_CA_FILE", "VMCCTL_OUTPUT", "GOVC_URL", "GOVC_USERNAME",
                   "GOVC_PASSWORD", "GOVC_INSECURE", "GOVC_TLS_CA_CERTS")


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``run_cli(*args, env={...})``: exit code, stdout and stderr of one vmcctl run."""

    def run(*args: str, env: dict[str, str] | None = None) -> CliResult:
        for name in CONNECTION_VARS:
            monkeypatch.delenv(name, raising=False)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = run_guarded(cli, list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
