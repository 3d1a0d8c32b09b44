"""The way home is never lost (issue 11, item 2): runs are archived, not overwritten;
`host restore` brings home what any run moved; vCenter's vmcctl.origin works alone."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.sim

HOST = "10.94.24.70"


@pytest.fixture
def in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # default journals land here
    return tmp_path


def placement(run_cli: Any, sim: Any) -> dict[str, str]:
    return {r["name"]: r["host"]
            for r in run_cli("inventory", "vms", "-o", "json", env=sim.env()).json()}


def homecomings(sim: Any) -> Counter[str]:
    """Successful relocations *to* HOST, per VM."""
    return Counter(r["target"]["name"] for r in sim.control.relocations()
                   if r["args"]["host"] == HOST and r["result"] == "success")


def test_failed_evacuation_run_again_then_restore_brings_every_vm_home(
        vcsim_factory: Any, run_cli: Any, in_tmp: Path) -> None:
    """Defect: the second run overwrote the failed run's journal; restore brought 1 of 4."""
    sim = vcsim_factory(time_scale=20)
    before = placement(run_cli, sim)
    on_host = sorted(v.name for v in sim.inventory.vms if v.host == HOST and v.power == "on")
    sim.control.add_fault({"vm": "web-01", "method": "RelocateVM_Task", "times": 1,
                           "fault": "MigrationFault", "message": "injected vMotion failure"})
    first = run_cli("host", "evacuate", HOST, env=sim.env())
    assert first.code == 1, first.err
    second = run_cli("host", "evacuate", HOST, env=sim.env())
    assert second.code == 0, second.err
    assert "earlier journal kept as" in second.err
    journals = sorted(p.name for p in in_tmp.glob("vmcctl-journal-*.json"))
    assert len(journals) == 2, journals  # the newest and the archived failed run

    restored = run_cli("host", "restore", HOST, "-o", "json", env=sim.env())
    assert restored.code == 0, restored.err
    assert sorted(m["vm"] for m in restored.json()["moves"] if m["state"] == "done") == on_host
    assert placement(run_cli, sim) == before
    assert homecomings(sim) == Counter(on_host)  # one relocation home per VM


@pytest.mark.vmcctl_sim("the seed inventory")
def test_a_finished_evacuation_run_again_keeps_the_way_home(vcsim_factory: Any, run_cli: Any,
                                                            in_tmp: Path) -> None:
    """Defect: evacuating an already empty host again wrote an empty journal over the old one."""
    sim = vcsim_factory(time_scale=20)
    before = placement(run_cli, sim)
    assert run_cli("host", "evacuate", HOST, env=sim.env()).code == 0
    assert run_cli("host", "evacuate", HOST, env=sim.env()).code == 0
    restored = run_cli("host", "restore", HOST, "--no-attributes", env=sim.env())
    assert restored.code == 0, restored.err
    assert placement(run_cli, sim) == before


def test_restore_from_the_attributes_alone_and_inventory_away(vcsim_factory: Any,
                                                              run_cli: Any,
                                                              in_tmp: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    before = placement(run_cli, sim)
    on_host = sorted(v.name for v in sim.inventory.vms if v.host == HOST and v.power == "on")
    assert run_cli("host", "evacuate", HOST, env=sim.env()).code == 0
    for journal in in_tmp.glob("vmcctl-journal-*.json"):
        journal.unlink()  # another machine, a lost laptop

    away = run_cli("inventory", "vms", "--away", "-o", "json", env=sim.env())
    assert away.code == 0, away.err
    rows = away.json()
    assert sorted(r["name"] for r in rows) == on_host
    assert {r["home"] for r in rows} == {HOST}
    assert all(r["host"] != HOST and r["away_since"] for r in rows)

    restored = run_cli("host", "restore", HOST, "-o", "json", env=sim.env())
    assert restored.code == 0, restored.err
    assert restored.json()["sources"] == {"journal": 0, "attribute": len(on_host)}
    assert placement(run_cli, sim) == before
    assert homecomings(sim) == Counter(on_host)
    assert run_cli("inventory", "vms", "--away", "-o", "json", env=sim.env()).json() == []


@pytest.mark.vmcctl_sim("the seed inventory")
def test_restore_with_no_journal_and_no_attribute_is_an_input_error(vcsim_factory: Any,
                                                                    run_cli: Any,
                                                                    in_tmp: Path) -> None:
    sim = vcsim_factory(time_scale=20)
    result = run_cli("host", "restore", HOST, env=sim.env())
    assert result.code == 2
    assert "no journal" in result.err and "vmcctl.origin" in result.err
