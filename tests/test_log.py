"""Logging: to the current stderr, secrets masked."""

from __future__ import annotations

import io
import json

import pytest

from vmcctl import log


def test_logs_follow_stderr_after_configure_and_mask_secrets(
        monkeypatch: pytest.MonkeyPatch) -> None:
    log.configure("json", 1)
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stderr", first)
    log.get_logger("t").info("one", password="hunter2", session_cookie="abc", vm="v")
    first.close()  # as pytest closes a finished test's capture
    monkeypatch.setattr("sys.stderr", second)
    log.get_logger("t").info("two")
    lines = [json.loads(x) for x in second.getvalue().splitlines()]
    assert [x["event"] for x in lines] == ["two"]


def test_secret_keys_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    log.configure("json", 1)
    out = io.StringIO()
    monkeypatch.setattr("sys.stderr", out)
    log.get_logger("t").info("login", password="hunter2", session_cookie="abc", vm="v")
    event = json.loads(out.getvalue())
    assert event["password"] == "***" and event["session_cookie"] == "***"
    assert event["vm"] == "v"
    assert "hunter2" not in out.getvalue()


def test_verbosity_zero_hides_info(monkeypatch: pytest.MonkeyPatch) -> None:
    log.configure("console", 0)
    out = io.StringIO()
    monkeypatch.setattr("sys.stderr", out)
    log.get_logger("t").info("quiet")
    log.get_logger("t").warning("loud")
    assert "quiet" not in out.getvalue() and "loud" in out.getvalue()
