"""`host maintenance enter/exit`: options that need --evacuate / --restore, and timeouts."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.sim

HOST = "10.94.24.70"


@pytest.mark.parametrize("extra", [["--fault-domain", "other"], ["--journal", "j.json"],
                                   ["--max-parallel", "2"], ["--include-powered-off"]])
def test_enter_refuses_evacuation_options_without_evacuate(vcsim_factory: Any, run_cli: Any,
                                                           extra: list[str]) -> None:
    """Found in review: they were ignored and the run failed later with a bare Timedout."""
    sim = vcsim_factory(time_scale=20)
    result = run_cli("host", "maintenance", "enter", HOST, *extra, "--timeout", "5",
                     env=sim.env())
    assert result.code == 2, result.err
    assert extra[0] in result.err and "--evacuate" in result.err
    assert not [c for c in sim.control.audit() if "EnterMaintenanceMode" in str(c)]


@pytest.mark.parametrize("extra", [["--journal", "j.json"], ["--max-per-host", "2"],
                                   ["--cancel-in-flight"]])
def test_exit_refuses_restore_options_without_restore(vcsim_factory: Any, run_cli: Any,
                                                      extra: list[str]) -> None:
    sim = vcsim_factory(time_scale=20)
    result = run_cli("host", "maintenance", "exit", HOST, *extra, env=sim.env())
    assert result.code == 2, result.err
    assert extra[0] in result.err and "--restore" in result.err


def test_enter_with_powered_on_vms_stops_naming_them_instead_of_waiting(vcsim_factory: Any,
                                                                          run_cli: Any) -> None:
    """Issue 11: `maintenance enter` left vCenter waiting on running VMs (no re-check)."""
    sim = vcsim_factory(time_scale=20)
    on_host = sorted(v.name for v in sim.inventory.vms if v.host == HOST and v.power == "on")
    result = run_cli("host", "maintenance", "enter", HOST, "--timeout", "0", env=sim.env())
    assert result.code == 1, result.err
    assert all(name in result.err for name in on_host), result.err
    assert f"vmcctl host maintenance enter {HOST} --evacuate" in result.err
    assert not [c for c in sim.control.audit() if "EnterMaintenanceMode" in str(c)]
