from __future__ import annotations

import pytest
from executor_fixtures import record

from vmcctl.executor.decide import HostLive, VmLive, on_resume, precheck, verify

TARGET = HostLive(moid="host-h1", name="h1", connection_state="connected", in_maintenance=False)


def vm(host: str | None = "host-h0", power: str = "poweredOn",
       boot: str | None = "2024-01-01T00:00:00") -> VmLive:
    return VmLive(moid="vm-a", host_moid=host, host=None if host is None else host[5:],
                  power_state=power, boot_time=boot)


@pytest.mark.parametrize("live, target, action, reason", [
    (vm(), TARGET, "submit", None),
    (vm("host-h1"), TARGET, "done", "already on h1"),
    (None, TARGET, "skip", "no longer exists"),
    (vm("host-h7"), TARGET, "skip", "now on h7"),
    (vm(power="poweredOff"), TARGET, "skip", "poweredOff"),
    (vm(), None, "skip", "no longer exists"),
    (vm(), HostLive("host-h1", "h1", "notResponding", False), "skip", "notResponding"),
    (vm(), HostLive("host-h1", "h1", "connected", True), "skip", "maintenance"),
])
def test_precheck(live: VmLive | None, target: HostLive | None, action: str,
                  reason: str | None) -> None:
    decision = precheck(record("a"), live, target)
    assert decision.action == action
    if reason is None:
        assert decision.reason is None
    else:
        assert decision.reason is not None and reason in decision.reason


def test_verify_accepts_a_clean_move_and_names_every_difference() -> None:
    rec = record("a")
    rec.boot_time = "2024-01-01T00:00:00"
    assert verify(rec, vm("host-h1")) == ()
    problems = verify(rec, vm("host-h0", power="poweredOff", boot="2024-02-02T00:00:00"))
    assert len(problems) == 3
    assert "not h1" in problems[0] and "poweredOff" in problems[1]
    assert "restarted" in problems[2]
    assert verify(rec, None) == ("VM a no longer exists",)


@pytest.mark.parametrize("state, task, action", [
    ("done", "task-1", "keep"),
    ("running", "task-1", "adopt"),
    ("running", None, "lookup"),
    ("submitting", None, "lookup"),
    ("pending", None, "precheck"),
    ("failed", "task-1", "precheck"),
    ("cancelled", "task-1", "precheck"),
    ("skipped", None, "precheck"),
])
def test_resume_decisions(state: str, task: str | None, action: str) -> None:
    assert on_resume(record("a", state=state, task=task)) == action
