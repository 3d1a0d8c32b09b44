"""Unknown VM or host names refuse the run after login and before step 1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.sim

ML = "ML-cpu-vm-04"
SEED_HOST = "10.94.24.70"
PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(time_scale=50)


def relocations(sim: Any) -> list[dict[str, Any]]:
    return [e for e in sim.control.audit() if e.get("method") == "RelocateVM_Task"]


@pytest.mark.vmcctl_sim("the seed inventory")
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_unknown_host_in_a_later_step_refuses_the_run_before_step_1(
        sim: Any, play: Any, write: Callable[[str], Path], dry_run: list[str]) -> None:
    """Found in review: the typo in step 2 was found only after step 1 had moved a VM."""
    path = write(f"""
        name: typo later
        steps:
          - migrate: {{vm: {ML}, fault_domain: other}}
          - name: home
            migrate: {{vm: {ML}, host: 10.94.24.07}}
        """)
    result = play(str(path), *dry_run, env=sim.env())
    assert result.code == 2, result.err
    assert len(result.error_lines) == 1
    line = result.error_lines[0]
    assert 'step 2 "home"' in line and "migrate.host" in line and "10.94.24.07" in line
    assert "did you mean 10.94.24." in line
    assert relocations(sim) == []


@pytest.mark.vmcctl_sim("the seed inventory")
def test_unknown_vm_from_a_var_is_checked_too(sim: Any, play: Any,
                                              write: Callable[[str], Path]) -> None:
    path = write(f"""
        name: var typo
        vars: {{vm: ML-cpu-vm-4}}
        steps:
          - evacuate: {{host: {SEED_HOST}}}
          - advise: {{vm: "${{vm}}"}}
        """)
    result = play(str(path), env=sim.env())
    assert result.code == 2, result.err
    assert "step 2" in result.err and "advise.vm" in result.err and ML in result.err
    assert relocations(sim) == []


@pytest.mark.vmcctl_sim("the seed inventory")
def test_a_host_saved_by_advise_is_left_to_its_step(sim: Any, play: Any,
                                                    write: Callable[[str], Path]) -> None:
    path = write(f"""
        name: saved host
        steps:
          - advise: {{vm: {ML}, fault_domain: other, save_as: target}}
          - migrate: {{vm: {ML}, host: "${{target}}"}}
        """)
    result = play(str(path), "--dry-run", env=sim.env())
    assert result.code == 0, result.err

