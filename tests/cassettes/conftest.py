"""Fixtures for the CLI cassette tests: run vmcctl in-process, forbid the network."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from cli_cassettes import Outcome, RunCli


@pytest.fixture
def run_cli(run_cli: Any) -> RunCli:
    """The suite's in-process ``run_cli`` (tests/conftest.py), as cassette ``Outcome``s."""

    def run(*args: str, env: dict[str, str] | None = None) -> Outcome:
        result = run_cli(*args, env=env)
        return Outcome.of(result.code, result.out, result.err)

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
