"""Fixtures for the CLI cassette tests: run vmcctl in-process, forbid the network."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from cli_cassettes import Outcome, RunCli

from vmcctl.cli import cli
from vmcctl.cli.errors import run_guarded

_ENV_PREFIXES = ("VMCCTL_", "GOVC_")


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``run_cli(*args, env={...})``: one vmcctl run with only ``env`` for configuration."""

    def run(*args: str, env: dict[str, str] | None = None) -> Outcome:
        import os

        for name in list(os.environ):
            if name.startswith(_ENV_PREFIXES):
                monkeypatch.delenv(name)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = run_guarded(cli, list(args))
        captured = capsys.readouterr()
        return Outcome.of(code, captured.out, captured.err)

    return run


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse every TCP connection; the list holds the addresses that were tried."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise AssertionError(f"replay tried to connect to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts
