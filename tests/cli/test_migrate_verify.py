"""``vmcctl migrate`` fails (exit 1) when the task succeeded but the VM did not arrive intact.

The move really runs on the simulator; what the post-move read reports is
changed at ``vmcctl.vsphere.relocate.locate`` (the one call ``relocate()``
verifies from) to what a VM that restarted, powered off or landed on another
host during its vMotion would show.

The same cases driven by the simulator's relocation effects (no patched
read) are in tests/cli/test_verification_effects_cli.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from vmcctl.vsphere import relocate as relocate_module
from vmcctl.vsphere.relocate import MovePlan, VmLocation

pytestmark = [pytest.mark.sim, pytest.mark.vmcctl_sim("the seed inventory")]

ML = "ML-cpu-vm-04"
TARGET = "10.94.24.85"
ELSEWHERE = "10.94.24.86"


def _restarted(now: VmLocation, plan: MovePlan) -> VmLocation:
    assert now.boot_time is not None, "the simulator reports a boot time for powered-on VMs"
    return replace(now, boot_time=now.boot_time + timedelta(minutes=3))


def _powered_off(now: VmLocation, plan: MovePlan) -> VmLocation:
    return replace(now, power_state="poweredOff")


def _elsewhere(now: VmLocation, plan: MovePlan) -> VmLocation:
    moid = next(m for m, name in plan.host_names.items() if name == ELSEWHERE)
    return replace(now, host_moid=moid, host=ELSEWHERE)


EFFECTS = {"restarted": (_restarted, "the VM restarted"),
           "powered-off": (_powered_off, "power state changed from poweredOn to poweredOff"),
           "elsewhere": (_elsewhere, f"is on {ELSEWHERE}, not {TARGET}")}


@pytest.fixture
def fast_sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(time_scale=20)


def _after_the_move(monkeypatch: pytest.MonkeyPatch, effect: str) -> list[str]:
    """Make ``locate`` report ``effect`` once the VM is on the target; returns the calls."""
    change, _ = EFFECTS[effect]
    real_locate = relocate_module.locate
    seen: list[str] = []

    def locate(client: Any, plan: MovePlan) -> VmLocation:
        now = real_locate(client, plan)
        seen.append(now.host or "")
        return change(now, plan) if now.host_moid == plan.target_moid else now

    monkeypatch.setattr(relocate_module, "locate", locate)
    return seen


@pytest.mark.parametrize("effect", sorted(EFFECTS))
def test_migrate_exits_1_when_the_post_move_check_fails(
        fast_sim: Any, run_cli: Any, monkeypatch: pytest.MonkeyPatch, effect: str) -> None:
    seen = _after_the_move(monkeypatch, effect)
    result = run_cli("migrate", ML, "--host", TARGET, env=fast_sim.env())
    assert seen == [TARGET]  # verified from one read after the task
    assert result.code == 1, (result.out, result.err)
    assert len(result.error_lines) == 1, result.err
    line = result.error_lines[0]
    assert "the task succeeded but" in line and EFFECTS[effect][1] in line
    assert "verified:" not in result.out  # nothing claims the move was clean
    assert [r["result"] for r in fast_sim.control.relocations(ML)] == ["success"]


def test_migrate_json_says_not_verified_and_exits_1(fast_sim: Any, run_cli: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _after_the_move(monkeypatch, "restarted")
    result = run_cli("migrate", ML, "--host", TARGET, "-o", "json", env=fast_sim.env())
    assert result.code == 1
    data = result.json()
    assert data["state"] == "success" and data["verified"] is False
    assert any("restarted" in line for line in result.error_lines)


def test_an_intact_move_is_still_verified_through_the_same_seam(
        fast_sim: Any, run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # the seam itself changes nothing: without an effect the move verifies and exits 0
    real_locate = relocate_module.locate
    calls: list[str] = []

    def locate(client: Any, plan: MovePlan) -> VmLocation:
        calls.append(plan.vm)
        return real_locate(client, plan)

    monkeypatch.setattr(relocate_module, "locate", locate)
    result = run_cli("migrate", ML, "--host", TARGET, env=fast_sim.env())
    assert result.code == 0, result.err
    assert calls == [ML]
    assert "verified: on the target host" in result.out
