"""``--vsan-mode`` and ``--evacuate-powered-off`` reach EnterMaintenanceMode_Task.

The simulator's audit records the call's ``vsanMode`` (maintenanceSpec.vsanMode.
objectAction, None when no spec was sent) and ``evacuatePoweredOffVms``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_inventory import host as _host

pytestmark = pytest.mark.sim


INVENTORY = {
    "clusters": [{"name": "C1", "hosts": [_host("h1"), _host("h2"), _host("h3")]}],
    "datastores": [{"name": "vsanDatastore", "capacity_gb": 100, "free_gb": 50}],
    "vms": [{"name": "app", "host": "h1", "cpus": 1, "memory_gb": 2,
             "datastore": "vsanDatastore", "cpu_usage_mhz": 300, "memory_usage_gb": 1}],
}


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(INVENTORY, time_scale=50)


def _entered(sim: Any) -> list[dict[str, Any]]:
    return [c["args"] for c in sim.control.calls() if c["method"] == "EnterMaintenanceMode_Task"]


def test_without_flags_no_spec_is_sent(sim: Any, run_cli: Any) -> None:
    result = run_cli("host", "maintenance", "enter", "h2", env=sim.env())
    assert result.code == 0, result.err
    [args] = _entered(sim)
    assert args["vsanMode"] is None and args["evacuatePoweredOffVms"] is False


@pytest.mark.parametrize(("flag", "action"), [("ensure-accessibility", "ensureObjectAccessibility"),
                                              ("evacuate-all", "evacuateAllData"),
                                              ("no-action", "noAction")])
def test_vsan_mode_becomes_the_object_action(sim: Any, run_cli: Any, flag: str,
                                             action: str) -> None:
    result = run_cli("host", "maintenance", "enter", "h2", "--vsan-mode", flag,
                     "--evacuate-powered-off", env=sim.env())
    assert result.code == 0, result.err
    [args] = _entered(sim)
    assert args["vsanMode"] == action and args["evacuatePoweredOffVms"] is True


def test_after_an_evacuation_too(sim: Any, run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("host", "maintenance", "enter", "h1", "--evacuate", "--vsan-mode",
                     "evacuate-all", "--journal", str(tmp_path / "j.json"), env=sim.env())
    assert result.code == 0, result.err
    [args] = _entered(sim)
    assert args["vsanMode"] == "evacuateAllData" and args["poweredOnVmsAtCall"] == 0


def test_an_unknown_mode_is_a_usage_error(sim: Any, run_cli: Any) -> None:
    result = run_cli("host", "maintenance", "enter", "h2", "--vsan-mode", "everything",
                     env=sim.env())
    assert result.code == 2
    assert _entered(sim) == []
