"""Run ``vmcctl play`` in-process, as a user would, and write playbooks to files."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vmcctl.cli import cli
from vmcctl.cli.errors import run_guarded

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO / "playbooks"
ENV_PREFIXES = ("VMCCTL_", "GOVC_")


@dataclass
class Played:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


@pytest.fixture
def play(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         tmp_path: Path) -> Callable[..., Played]:
    """``play(*args, env={...})``: exit code, stdout and stderr of ``vmcctl play ...``.

    Runs in ``tmp_path`` so default journal files land there.
    """
    monkeypatch.chdir(tmp_path)

    def run(*args: str, env: dict[str, str] | None = None) -> Played:
        import os

        for name in list(os.environ):
            if name.startswith(ENV_PREFIXES):
                monkeypatch.delenv(name, raising=False)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = run_guarded(cli, ["play", *args])
        captured = capsys.readouterr()
        return Played(code, captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str], Path]:
    """``write(yaml_text)``: a playbook file in ``tmp_path`` (text is dedented)."""
    counter = iter(range(1000))

    def make(text: str) -> Path:
        path = tmp_path / f"playbook-{next(counter)}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return make
