"""Suite-wide pytest configuration."""

from __future__ import annotations

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A run that collects no test is a broken run (a bad -m/-k, a moved
    # directory), never a pass: turn pytest's "no tests" (5) into a failure.
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
