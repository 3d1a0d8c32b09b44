"""Run ``vmcctl play`` in-process, as a user would, and write playbooks to files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO / "playbooks"


@pytest.fixture
def play(monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Any],
         tmp_path: Path) -> Callable[..., Any]:
    """``play(*args, env={...})``: exit code, stdout and stderr of ``vmcctl play ...``.

    Runs in ``tmp_path`` so default journal files land there.
    """
    monkeypatch.chdir(tmp_path)

    def run(*args: str, env: dict[str, str] | None = None) -> Any:
        return run_cli("play", *args, env=env)

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
