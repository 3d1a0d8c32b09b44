"""``vmcctl host evacuate`` empties a host; ``host restore`` brings every VM back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vmcctl.sim.plugin import SimHandle

pytestmark = [pytest.mark.sim, pytest.mark.contract]


def test_evacuate_then_restore_round_trip(server: SimHandle, look: Any, run_cli: Any,
                                          tmp_path: Path) -> None:
    before = look()
    host = before.evacuable_host()
    moved = before.on_host(host.moid)
    peers = before.peers(host.moid)
    journal = tmp_path / "journal.json"

    result = run_cli("host", "evacuate", host.moid, "--journal", str(journal), "-o", "json",
                     env=server.env())
    assert result.code == 0, result.err
    assert {m["vm_moid"] for m in result.json()["moves"]} == moved

    away = look()
    assert away.on_host(host.moid) == set()  # every powered-on VM left the host ...
    for moid in moved:
        assert away.vms[moid].host_moid in peers  # ... for a usable host of its cluster
        assert away.vms[moid].powered_on
    untouched = {m: v.host_moid for m, v in before.vms.items() if m not in moved}
    assert {m: v.host_moid for m, v in away.vms.items() if m not in moved} == untouched

    result = run_cli("host", "restore", host.moid, "--journal", str(journal), "-o", "json",
                     env=server.env())
    assert result.code == 0, result.err
    home = look()
    assert home.on_host(host.moid) == moved
    assert {m: v.host_moid for m, v in home.vms.items()} == {
        m: v.host_moid for m, v in before.vms.items()}


def test_evacuate_dry_run_moves_nothing(server: SimHandle, look: Any, run_cli: Any,
                                        tmp_path: Path) -> None:
    before = look()
    host = before.evacuable_host()
    result = run_cli("host", "evacuate", host.moid, "--dry-run", "--journal",
                     str(tmp_path / "j.json"), "-o", "json", env=server.env())
    assert result.code == 0, result.err
    assert look().vms == before.vms
