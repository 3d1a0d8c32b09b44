"""Replay every committed CLI cassette with no simulator and no network.

Each case runs ``vmcctl --replay cassettes/<name>.yaml <command>`` and must
print what the same command printed live against the simulator (exit code,
stdout, the ``error:`` lines of stderr; only a move's duration is masked, see
``cli_cassettes.MASKS``).

With ``--record-cassettes`` (``make cassettes``) each case first re-records:
a fresh simulator on the seed inventory with the recording credentials,
faults injected as the case says, ``vmcctl --record`` through the CLI, and
the expected file rewritten from that live run. The replay then follows.
Without the option, no simulator fixture is touched.
"""

from __future__ import annotations

from typing import Any

import pytest
from cli_cassettes import CASES, Case, Outcome, RunCli, read_expected, write_expected

from vmcctl.sim.inventory import load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY
from vmcctl.testing.credentials import RECORDING_PASSWORD, RECORDING_USERNAME
from vmcctl.testing.pytest_options import cassette_mode_for
from vmcctl.testing.scrub import leaked

pytestmark = pytest.mark.cassette


def record_live(case: Case, request: pytest.FixtureRequest, run_cli: RunCli) -> Outcome:
    """Re-record ``case`` from a fresh simulator through the CLI; rewrite its files."""
    from vmcctl.testing.credentials import with_recording_credentials

    factory: Any = request.getfixturevalue("vcsim_factory")
    sim = factory(with_recording_credentials(load_inventory(SEED_INVENTORY)),
                  time_scale=case.time_scale)
    for fault in case.faults:
        sim.control.add_fault(fault)
    live = run_cli("--record", str(case.cassette), *case.args, env=sim.env())
    assert case.cassette.is_file(), f"--record wrote no {case.cassette.name}"
    assert leaked(case.cassette.read_text(encoding="utf-8"),
                  [RECORDING_USERNAME, RECORDING_PASSWORD]) == []
    write_expected(case, live)
    return live


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cassette_replays_the_live_output(case: Case, request: pytest.FixtureRequest,
                                          run_cli: RunCli) -> None:
    if cassette_mode_for(request.config) == "all":
        record_live(case, request, run_cli)
    expected, recorded = read_expected(case)
    assert recorded["command"] == ["vmcctl", *case.args], "the expected file is for another command"
    attempts: list[Any] = request.getfixturevalue("no_network")

    # No URL and no credentials: a replay needs neither.
    replayed = run_cli("--replay", str(case.cassette), *case.args, env={})

    assert attempts == [], f"the replay tried to reach the network: {attempts}"
    assert replayed == expected


def test_the_cases_cover_what_the_issue_lists() -> None:
    """Guards against a case silently dropped from CASES (its cassette would rot)."""
    commands = {c.args[0] for c in CASES}
    assert {"inventory", "advise", "migrate", "host"} <= commands
    assert any("--dry-run" in c.args for c in CASES if c.args[0] == "host")
    assert any(c.faults for c in CASES), "no case replays a failing migration"
    for case in CASES:
        assert case.cassette.is_file(), f"{case.cassette.name} is not committed"
        assert case.expected.is_file(), f"{case.expected.name} is not committed"


def test_the_failing_migration_replays_as_a_failure() -> None:
    """The fault case must really hold a failure, or it would prove nothing."""
    failing = [c for c in CASES if c.faults]
    for case in failing:
        expected, _ = read_expected(case)
        assert expected.exit_code == 1
        assert any("MigrationFault" in line for line in expected.errors), expected.errors


def test_a_cassette_of_another_command_is_refused_naming_the_call(
        run_cli: RunCli, no_network: list[Any]) -> None:
    hosts = next(c for c in CASES if c.args == ("inventory", "hosts"))
    # The inventory read matches, then migrate's first own call has no answer.
    result = run_cli("--replay", str(hosts.cassette), "migrate", "ML-cpu-vm-04",
                     "--fault-domain", "other", env={})
    assert result.exit_code == 1
    assert len(result.errors) == 1
    assert "has no recorded answer for" in result.errors[0]
    assert "re-record it" in result.errors[0]
    assert no_network == []


def test_record_and_replay_together_is_a_usage_error(run_cli: RunCli, tmp_path: Any) -> None:
    hosts = CASES[0]
    result = run_cli("--record", str(tmp_path / "x.yaml"), "--replay", str(hosts.cassette),
                     "inventory", "hosts", env={})
    assert result.exit_code == 2
    assert result.errors == ("error: --record and --replay cannot be used together",)
    assert not (tmp_path / "x.yaml").exists()


def test_replaying_a_missing_cassette_is_a_usage_error(run_cli: RunCli, tmp_path: Any) -> None:
    result = run_cli("--replay", str(tmp_path / "absent.yaml"), "inventory", "hosts", env={})
    assert result.exit_code == 2
    assert "no cassette at" in result.errors[0]
