"""Messages that pointed at options that do not exist, or said the wrong thing (issue 12).

- ``migrate --watch-h2o`` on a VM without a guest IP said "pass --h2o-url URL",
  an option migrate does not have;
- ``--fault-domain other`` in a cluster without fault domains said only
  "'same fault domain' eliminated 3 of 3 hosts";
- an evacuation whose VMs were all blocked said "2 move(s), 0 already done".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_inventory import host as _host
from small_inventory import vm as _vm

pytestmark = pytest.mark.sim


INVENTORY = {
    "clusters": [{"name": "Flat", "hosts": [_host("h1"), _host("h2"), _host("h3")]}],
    "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
    "vms": [_vm("app"), _vm("gpu-01", devices=["passthrough"]),
            _vm("gpu-02", devices=["vgpu"])],
}


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(INVENTORY, time_scale=50)


def test_watch_h2o_without_a_guest_ip_names_migrates_own_option(sim: Any,
                                                                run_cli: Any) -> None:
    result = run_cli("migrate", "app", "--host", "h2", "--watch-h2o", env=sim.env())
    assert result.code == 2, result.err
    assert "--watch-h2o URL" in result.err and "guest IP" in result.err
    assert "--h2o-url" not in result.err
    assert sim.control.relocations() == []


@pytest.mark.parametrize("command", [("migrate", "app", "--fault-domain", "other"),
                                     ("advise", "app", "--fault-domain", "other"),
                                     ("host", "evacuate", "h1", "--fault-domain", "other",
                                      "--dry-run")])
def test_other_fault_domain_without_fault_domains_says_so(sim: Any, run_cli: Any,
                                                          command: tuple[str, ...]) -> None:
    result = run_cli(*command, env=sim.env())
    assert result.code == 1, result.err
    assert "cluster Flat has no fault domains, so --fault-domain other cannot be met" \
        in result.err
    assert "eliminated" not in result.err
    assert sim.control.relocations() == []


def test_no_move_count_when_every_vm_is_blocked(sim: Any, run_cli: Any,
                                               tmp_path: Path) -> None:
    # app moves first, so only the two blocked VMs are left on h1
    assert run_cli("migrate", "app", "--host", "h2", env=sim.env()).code == 0
    result = run_cli("host", "evacuate", "h1", "--partial", "--journal",
                     str(tmp_path / "j.json"), env=sim.env())
    assert result.code == 1
    assert "2 move(s)" not in result.err and "2 move(s)" not in result.out
    assert "gpu-01" in result.out and "gpu-02" in result.out
    assert len(sim.control.relocations()) == 1
