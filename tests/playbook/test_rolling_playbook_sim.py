"""playbooks/rolling-maintenance.yaml on the seed: a dry run moves nothing, a run all home."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.sim, pytest.mark.vmcctl_sim("the seed inventory")]

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "rolling-maintenance.yaml"


def test_rolling_playbook_dry_run_then_run(vcsim_factory: Any, play: Any, run_cli: Any,
                                           tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=50)
    dry = play(str(PLAYBOOK), "--dry-run", "-o", "json", env=sim.env())
    assert dry.code == 0, dry.err
    step = dry.json()[0]
    assert step["status"] == "planned"
    assert step["details"]["relocations"] == step["details"]["lower_bound"]
    assert not sim.control.relocations() and not list(tmp_path.glob("*.json"))

    before = {r["name"]: r["host"] for r in
              run_cli("inventory", "vms", "-o", "json", env=sim.env()).json()}
    done = play(str(PLAYBOOK), "--var", "max_down=2", "-o", "json", env=sim.env())
    assert done.code == 0, done.err
    assert {r["name"]: r["host"] for r in
            run_cli("inventory", "vms", "-o", "json", env=sim.env()).json()} == before
    moves = Counter(e["target"]["name"] for e in sim.control.relocations())
    assert moves and set(moves.values()) == {2}
    assert (tmp_path / "vmcctl-window-Cluster-1.json").exists()
