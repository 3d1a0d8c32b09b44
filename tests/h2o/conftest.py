"""Fixtures for the H2O watcher tests: a fake clock and cluster, and one real local H2O."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from h2o_fakes import FakeClock

from vmcctl.h2o.demo import LocalH2O, start_local_h2o

TEST_PORT = 54421      # away from the demo's 54321; the next free pair is used if taken


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@dataclass
class LiveH2O:
    cluster: LocalH2O


@pytest.fixture(scope="session")
def live_h2o() -> Iterator[LiveH2O]:
    """One local H2O-3 for the whole session (starting one costs seconds)."""
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: H2O-3 needs a JRE (apt-get install default-jre-headless)")
    cluster = start_local_h2o(port=TEST_PORT, nthreads=2, max_mem="1G", name="vmcctl-test")
    try:
        yield LiveH2O(cluster)
    finally:
        cluster.shutdown()
