"""pytest option ``--record-cassettes``: re-record committed cassettes.

Register it with ``pytest_plugins = ["vmcctl.testing.pytest_options"]`` in
the top-level conftest (or ``-p vmcctl.testing.pytest_options``). Tests that
replay a committed cassette ask for its mode:

    def test_hosts(cassette_mode): ...        # "none" normally, "all" when re-recording
    mode = cassette_mode_for(request.config)  # same, and safe if the option is not registered

In ``none`` mode nothing reaches the network, so those tests run without the
simulator; with ``--record-cassettes`` they talk to the simulator and
rewrite their cassettes (``make cassettes``).
"""

from __future__ import annotations

import pytest

from vmcctl.testing.cassettes import RecordModeName

OPTION = "--record-cassettes"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(OPTION, action="store_true", default=False,
                     help="re-record committed vCenter cassettes from the simulator "
                          "instead of replaying them")


def cassette_mode_for(config: pytest.Config) -> RecordModeName:
    """``all`` when re-recording was asked for, else ``none`` (replay only)."""
    return "all" if config.getoption(OPTION, default=False) else "none"


@pytest.fixture
def cassette_mode(request: pytest.FixtureRequest) -> RecordModeName:
    """The record mode for committed cassettes in this run."""
    return cassette_mode_for(request.config)
