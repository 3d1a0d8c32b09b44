"""``vmcctl --record FILE <command>`` against the simulator writes a cassette that
``--replay`` turns back into the same output, with no server and no credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_cassettes import ML, RunCli

from vmcctl.sim.inventory import load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY
from vmcctl.testing.credentials import (
    RECORDING_PASSWORD,
    RECORDING_USERNAME,
    with_recording_credentials,
)
from vmcctl.testing.scrub import leaked

pytestmark = pytest.mark.sim


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(with_recording_credentials(load_inventory(SEED_INVENTORY)),
                         time_scale=50)


def _replay(run_cli: RunCli, request: pytest.FixtureRequest, cassette: Path,
            *args: str) -> Any:
    attempts = request.getfixturevalue("no_network")
    result = run_cli("--replay", str(cassette), *args, env={})
    assert attempts == []
    return result


@pytest.mark.parametrize("args", [
    ("inventory", "vms", "-o", "json"),
    ("advise", ML, "--fault-domain", "other", "-o", "json"),
    ("migrate", ML, "--host", "10.94.24.85", "--priority", "high", "-o", "json"),
], ids=["inventory", "advise", "migrate"])
def test_recorded_command_replays_to_the_same_output(
        sim: Any, run_cli: RunCli, tmp_path: Path, request: pytest.FixtureRequest,
        args: tuple[str, ...]) -> None:
    cassette = tmp_path / "bug.yaml"
    live = run_cli("--record", str(cassette), *args, env=sim.env())
    assert live.exit_code == 0, live.errors
    assert live.stdout.strip(), "the live run printed nothing; nothing is compared"
    text = cassette.read_text(encoding="utf-8")
    assert leaked(text, [RECORDING_USERNAME, RECORDING_PASSWORD]) == []
    assert cassette.stat().st_mode & 0o777 == 0o600  # it holds the whole inventory

    replayed = _replay(run_cli, request, cassette, *args)

    assert replayed == live


def test_recording_changes_nothing_the_server_sees(sim: Any, run_cli: RunCli,
                                                  tmp_path: Path) -> None:
    live = run_cli("--record", str(tmp_path / "m.yaml"), "migrate", ML, "--host",
                   "10.94.24.85", env=sim.env())
    assert live.exit_code == 0, live.errors
    relocations = sim.control.relocations(ML)
    assert len(relocations) == 1, relocations


def test_a_failing_command_is_recorded_and_replays_the_failure(
        sim: Any, run_cli: RunCli, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    cassette = tmp_path / "bug.yaml"
    live = run_cli("--record", str(cassette), "migrate", "ML-cpu-vm-4", "--host",
                   "10.94.24.85", env=sim.env())
    assert live.exit_code == 2
    assert "no VM named 'ML-cpu-vm-4'" in live.errors[0]
    assert cassette.is_file(), "a failing run must still write its cassette"

    assert _replay(run_cli, request, cassette, "migrate", "ML-cpu-vm-4", "--host",
                   "10.94.24.85") == live


def test_recording_again_replaces_the_file(sim: Any, run_cli: RunCli, tmp_path: Path) -> None:
    once, twice = tmp_path / "once.yaml", tmp_path / "twice.yaml"
    for target, runs in ((once, 1), (twice, 2)):
        for _ in range(runs):
            assert run_cli("--record", str(target), "inventory", "hosts",
                           env=sim.env()).exit_code == 0
    requests = [p.read_text(encoding="utf-8").count("- request:") for p in (once, twice)]
    assert requests[0] > 0
    assert requests[1] == requests[0], "the second recording appended to the first"
