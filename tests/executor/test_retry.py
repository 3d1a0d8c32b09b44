from __future__ import annotations

import pytest

from vmcctl.executor.retry import RetryPolicy, is_transient


@pytest.mark.parametrize("fault, transient", [
    ("TaskInProgress", True), ("Timedout", True), ("VMotionInterfaceIssue", True),
    ("MigrationFault", False), ("InsufficientMemoryResourcesFault", False),
    ("InvalidDatastore", False), (None, False),
])
def test_only_known_transient_faults_are_retried(fault: str | None, transient: bool) -> None:
    assert is_transient(fault) is transient
    assert RetryPolicy(attempts=3).should_retry(fault, 1) is transient


def test_retries_are_bounded() -> None:
    policy = RetryPolicy(attempts=3)
    assert policy.should_retry("Timedout", 2)
    assert not policy.should_retry("Timedout", 3)


def test_delays_are_random_and_capped() -> None:
    policy = RetryPolicy(initial=1.0, maximum=4.0)
    delays = [policy.delay(5) for _ in range(50)]
    assert all(0 <= d <= 4.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 1  # jitter
