"""``vmcctl --record`` against the stock simulator, then ``--replay`` with no network."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import pytest

from vmcctl.sim.plugin import SimHandle
from vmcctl.testing.credentials import RECORDING_PASSWORD, RECORDING_USERNAME
from vmcctl.testing.scrub import leaked

pytestmark = [pytest.mark.sim, pytest.mark.contract]


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"replay tried to connect to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture
def server(stock_vcsim_factory: Any) -> SimHandle:
    """Credentials unlike any word, so that a search for them in the cassette means something."""
    from contract_world import disconnect_host_devices

    handle: SimHandle = stock_vcsim_factory(username=RECORDING_USERNAME,
                                            password=RECORDING_PASSWORD)
    disconnect_host_devices(handle.connect())
    return handle


@pytest.mark.parametrize("command", [("inventory", "vms"), ("inventory", "hosts"),
                                     ("advise",), ("migrate",)])
def test_recorded_command_replays_to_the_same_output(
        server: SimHandle, look: Any, run_cli: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]) -> None:
    before = look()
    vm = before.movable_vm()
    args = [*command]
    if command == ("advise",):
        args.append(vm.moid)
    elif command == ("migrate",):
        args += [vm.moid, "--host", sorted(before.peers(vm.host_moid or ""))[0]]
    cassette = tmp_path / "session.yaml"
    live = run_cli("--record", str(cassette), *args, "-o", "json", env=server.env())
    assert live.code == 0, live.err
    assert live.out.strip()
    text = cassette.read_text(encoding="utf-8")
    assert leaked(text, [RECORDING_USERNAME, RECORDING_PASSWORD]) == []
    cookies = set(re.findall(r"vmware_soap_session=([^;\s]+)", text))
    assert cookies == {"scrubbed-session"}, cookies  # govmomi sets one; only the mask is kept

    _no_network(monkeypatch)
    replayed = run_cli("--replay", str(cassette), *args, "-o", "json", env={})
    assert replayed.code == live.code
    if command == ("migrate",):  # a replay answers at once: only the duration differs
        live_json, replay_json = live.json(), replayed.json()
        live_json.pop("seconds"), replay_json.pop("seconds")
        assert replay_json == live_json
    else:
        assert replayed.out == live.out
