"""Record a pyVmomi session against the simulator, replay it with no server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vmcctl.errors import CassetteError, ConfigError
from vmcctl.testing import active_recording, recording
from vmcctl.testing.pytest_options import cassette_mode_for
from vmcctl.testing.scrub import (
    PASSWORD_PLACEHOLDER,
    SESSION_PLACEHOLDER,
    USER_PLACEHOLDER,
    leaked,
)

# Fixtures from this directory's conftest: live_target (a Target), run_session,
# dead_port, no_network.
Target = Any
SessionRunner = Callable[..., dict[str, Any]]

COMMITTED = Path(__file__).parent / "cassettes" / "pyvmomi_session.yaml"
EXPECTED = COMMITTED.with_suffix(".expected.json")


def _record(target: Target, run_session: SessionRunner, path: Path) -> dict[str, Any]:
    with recording(path, "all", username=target.username, password=target.password) as rec:
        live = run_session(host=target.host, port=target.port, protocol=target.protocol,
                           user=target.username, pwd=target.password,
                           ssl_context=target.ssl_context)
    assert rec.interactions > 0 and rec.played == 0
    return live


def _replay(path: Path, run_session: SessionRunner, protocol: str, port: int) -> dict[str, Any]:
    with recording(path, "none") as rec:
        assert active_recording() is rec and rec.replay_only
        replayed = run_session(host="127.0.0.1", port=port, protocol=protocol,
                               user="someone-else", pwd="not-the-password", ssl_context=None)
    assert active_recording() is None
    assert rec.all_played, f"only {rec.played} of {rec.interactions} interactions replayed"
    return replayed


@pytest.mark.sim
def test_replay_without_server_and_with_wrong_credentials_gives_live_results(
        live_target: Target, run_session: SessionRunner, tmp_path: Path,
        dead_port: int, request: pytest.FixtureRequest) -> None:
    path = tmp_path / "session.yaml"
    live = _record(live_target, run_session, path)
    live_target.stop()
    request.getfixturevalue("no_network")

    replayed = _replay(path, run_session, live_target.protocol, dead_port)

    assert live["vms"], "the recorded session saw no VMs; nothing was compared"
    for key in ("about", "instance", "root", "vms"):
        assert replayed[key] == live[key]
    # The replayed client was handed the scrubbed session, not the real one.
    assert replayed["secrets"] == [SESSION_PLACEHOLDER, SESSION_PLACEHOLDER]


@pytest.mark.vmcctl_sim("credentials unlike any word (user/pass occur in every SOAP body)")
@pytest.mark.sim
def test_written_cassette_holds_no_credentials_or_session_values(
        live_target: Target, run_session: SessionRunner, tmp_path: Path) -> None:
    path = tmp_path / "session.yaml"
    live = _record(live_target, run_session, path)
    text = path.read_text(encoding="utf-8")

    secrets = [live_target.username, live_target.password, *live["secrets"]]
    assert all(secrets), "a secret to look for is empty; the check would prove nothing"
    assert leaked(text, secrets) == []
    # The Login call and the cookies were recorded, with placeholders.
    assert f">{USER_PLACEHOLDER}</userName>" in text
    assert f">{PASSWORD_PLACEHOLDER}</password>" in text
    assert f"vmware_soap_session={SESSION_PLACEHOLDER}" in text


@pytest.mark.sim
def test_replay_refuses_a_call_the_recording_never_made(
        live_target: Target, run_session: SessionRunner, tmp_path: Path,
        dead_port: int, request: pytest.FixtureRequest) -> None:
    from pyVim.connect import SmartConnect

    path = tmp_path / "session.yaml"
    _record(live_target, run_session, path)
    request.getfixturevalue("no_network")
    with pytest.raises(CassetteError, match="no recorded answer"), recording(path, "none"):
        si = SmartConnect(host="127.0.0.1", port=dead_port, user="u", pwd="p",
                          protocol=live_target.protocol, disableSslCertValidation=True)
        si.content.rootFolder.childEntity  # noqa: B018 - a property read never recorded


def test_replay_mode_needs_an_existing_cassette(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no cassette"), recording(tmp_path / "x.yaml", "none"):
        pass


def test_unknown_mode_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown record mode"), \
            recording(tmp_path / "x.yaml", "sometimes"):
        pass


@pytest.mark.cassette
def test_committed_session_cassette_replays_offline(
        run_session: SessionRunner, dead_port: int, request: pytest.FixtureRequest) -> None:
    """Replays tests/testing/cassettes/ (``--record-cassettes`` re-records it)."""
    if cassette_mode_for(request.config) == "all":
        target: Target = request.getfixturevalue("live_target")
        live = _record(target, run_session, COMMITTED)
        live.pop("secrets")
        EXPECTED.write_text(json.dumps(live, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        target.stop()
    request.getfixturevalue("no_network")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    # Matching ignores scheme, host and port: replay over https whatever was recorded.
    replayed = _replay(COMMITTED, run_session, "https", dead_port)
    replayed.pop("secrets")
    assert expected["vms"], "the committed expectation lists no VMs"
    assert json.loads(json.dumps(replayed)) == expected
