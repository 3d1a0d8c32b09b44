"""cluster_maintenance through ansible-playbook: check mode plans, a run brings all home."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ansible_fixtures import Play

pytestmark = [pytest.mark.sim, pytest.mark.slow, pytest.mark.vmcctl_sim("the seed inventory")]

HOSTS = ["10.94.24.70", "10.94.24.73", "10.94.24.84", "10.94.24.86"]


def test_cluster_maintenance_check_mode_then_run(vcsim_factory: Any, play: Play,
                                                 tmp_path: Path) -> None:
    sim = vcsim_factory(time_scale=50)
    task = {"cluster": "Cluster-1", "hosts": HOSTS, "restore": True, "each": "true",
            "journal": str(tmp_path / "window.json")}
    run = play([{"vmcctl.vsphere.cluster_maintenance": task, "register": "plan"}],
               sim=sim, args=("--check",), registered=("plan",))
    assert run.code == 0, run.output
    plan = run["plan"]["plan"]
    assert run["plan"]["dry_run"] is True
    assert plan["relocations"] == plan["lower_bound"] > 0
    assert not sim.control.relocations() and not (tmp_path / "window.json").exists()

    run = play([{"vmcctl.vsphere.cluster_maintenance": task, "register": "out"}],
               sim=sim, registered=("out",))
    assert run.code == 0, run.output
    assert run["out"]["ok"] is True and run["out"]["changed"] is True
    moved = Counter(e["target"]["name"] for e in sim.control.relocations())
    assert sum(moved.values()) == plan["lower_bound"] and set(moved.values()) == {2}
