"""The maintenance cycle as an operator types it: enter --evacuate, exit --restore."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from vmcctl.sim.inventory import Credentials, load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY

pytestmark = pytest.mark.sim

HOST = "10.94.24.70"


def _placement(run_cli: Any, sim: Any) -> dict[str, str]:
    rows = run_cli("inventory", "vms", "-o", "json", env=sim.env()).json()
    return {r["name"]: r["host"] for r in rows}


def _maintenance(run_cli: Any, sim: Any) -> bool:
    rows = run_cli("inventory", "hosts", "-o", "json", env=sim.env()).json()
    return bool(next(r for r in rows if r["name"] == HOST)["maintenance"])


def test_enter_evacuate_exit_restore_brings_every_vm_home(vcsim_factory: Any, run_cli: Any,
                                                          tmp_path: Path) -> None:
    seed = load_inventory(SEED_INVENTORY)
    creds = Credentials(username="night-operator", password="Jn7-unguessable-Q2")
    sim = vcsim_factory(seed.model_copy(update={"credentials": creds}), time_scale=20)
    journal = str(tmp_path / "journal.json")
    before = _placement(run_cli, sim)
    spec_on_host = {v.name for v in sim.inventory.vms if v.host == HOST and v.power == "on"}

    entered = run_cli("host", "maintenance", "enter", HOST, "--evacuate", "--journal", journal,
                      env=sim.env())
    assert entered.code == 0, entered.err
    assert _maintenance(run_cli, sim)
    during = _placement(run_cli, sim)
    assert not any(during[vm] == HOST for vm in spec_on_host)

    left = run_cli("host", "maintenance", "exit", HOST, "--restore", "--journal", journal,
                   env=sim.env())
    assert left.code == 0, left.err
    assert not _maintenance(run_cli, sim)
    assert _placement(run_cli, sim) == before

    moves = Counter(e["target"]["name"] for e in sim.control.relocations())
    assert set(moves) == spec_on_host
    assert all(count == 2 for count in moves.values()), moves
    text = Path(journal).read_text(encoding="utf-8")
    assert creds.password not in text and creds.username not in text


@pytest.mark.vmcctl_sim("the seed inventory")
def test_resume_of_a_finished_evacuation_is_refused_not_replayed(vcsim_factory: Any,
                                                                 run_cli: Any,
                                                                 tmp_path: Path) -> None:
    """Found in review: --resume on a done journal printed "maintenance mode: entered"
    for a host that had since left maintenance with its VMs back."""
    sim = vcsim_factory(time_scale=20)
    journal = str(tmp_path / "journal.json")
    host = "10.94.24.72"
    assert run_cli("host", "maintenance", "enter", host, "--evacuate", "--journal", journal,
                   env=sim.env()).code == 0
    assert run_cli("host", "maintenance", "exit", host, "--restore", "--journal", journal,
                   env=sim.env()).code == 0
    again = run_cli("host", "maintenance", "enter", host, "--resume", "--journal", journal,
                    env=sim.env())
    assert again.code == 2
    assert "nothing to resume" in again.err and "entered" not in again.out
    rows = run_cli("inventory", "hosts", "-o", "json", env=sim.env()).json()
    assert not next(r for r in rows if r["name"] == host)["maintenance"]


@pytest.mark.vmcctl_sim("the seed inventory")
@pytest.mark.parametrize("where", ["a-file/j.json", "no-such-folder/j.json"])
def test_an_unwritable_journal_path_is_an_input_error_before_any_move(
        vcsim_factory: Any, run_cli: Any, tmp_path: Path, where: str) -> None:
    """Found in review: FileExistsError / FileNotFoundError came out as 'internal error'."""
    sim = vcsim_factory(time_scale=20)
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = run_cli("host", "evacuate", "10.94.24.72", "--journal", str(tmp_path / where),
                     env=sim.env())
    assert result.code == 2, result.err
    assert "cannot write journal" in result.err and "internal error" not in result.err
    assert sim.control.relocations() == []
    assert not (tmp_path / "no-such-folder").exists()
