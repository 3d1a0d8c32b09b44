"""VMware Cloud on AWS (``vmcctl/sim/inventories/vmc.yaml``) as ``cloudadmin@vmc.local``.

Defects of issue 12 pinned here: a maintenance attempt in VMC failed deep
inside with vCenter's NoPermission text after a snapshot, journals and custom
attribute calls; a move across clusters sent the root pool instead of
``Compute-ResourcePool``. Now maintenance (host, cluster window, playbook
step) is refused up front with exit 2, saying VMware runs it and offering
``host evacuate``, and the simulator's audit shows no changing call at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyVmomi import vim

from vmcctl.sim.inventory import BUNDLED, load_inventory

pytestmark = [pytest.mark.sim, pytest.mark.vmcctl_sim("the VMC inventory and its audit")]

VMC = BUNDLED / "vmc.yaml"
HOST = "10.94.24.72"  # runs etl-01 (Compute-ResourcePool) and nsx-manager-0 (Mgmt)


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(VMC, time_scale=40)


def _cloudadmin(sim: Any) -> dict[str, str]:
    user = next(u for u in load_inventory(VMC).users if u.username == "cloudadmin@vmc.local")
    return {**sim.env(), "VMCCTL_USERNAME": user.username, "VMCCTL_PASSWORD": user.password}


def _vmc_refusal(result: Any) -> None:
    assert result.code == 2, result.err
    assert "VMware Cloud on AWS" in result.err
    assert "VMware runs host maintenance there" in result.err
    assert "vmcctl host evacuate" in result.err
    assert "Traceback" not in result.err and "NoPermission" not in result.err


@pytest.mark.parametrize("args, journal", [
    (("host", "maintenance", "enter", HOST), False),
    (("host", "maintenance", "enter", HOST, "--evacuate"), True),
    (("host", "maintenance", "exit", HOST), False),
    (("host", "maintenance", "exit", HOST, "--restore"), True),
    (("cluster", "maintenance", "Cluster-1", "--hosts", HOST), True),
])
def test_maintenance_is_refused_up_front_with_no_changing_call(sim: Any, run_cli: Any,
                                                               tmp_path: Path,
                                                               args: tuple[str, ...],
                                                               journal: bool) -> None:
    extra = ("--journal", str(tmp_path / "j.json")) if journal else ()
    _vmc_refusal(run_cli(*args, *extra, env=_cloudadmin(sim)))
    assert sim.control.calls() == []  # the audit: no relocation, maintenance, custom field ...
    assert not (tmp_path / "j.json").exists()
    assert f"{HOST} maintenance enter" not in str(sim.control.audit())


def test_the_refusal_does_not_depend_on_the_role(sim: Any, run_cli: Any) -> None:
    # VMware's own administrator account is refused too: the rule is VMC's, not a privilege
    _vmc_refusal(run_cli("host", "maintenance", "enter", HOST, env=sim.env()))
    assert sim.control.calls() == []


def test_a_playbook_maintenance_step_refuses_before_step_one(sim: Any, run_cli: Any,
                                                             tmp_path: Path) -> None:
    book = tmp_path / "window.yaml"
    book.write_text(f"""name: vmc-window
steps:
  - name: empty it
    evacuate: {{host: "{HOST}", journal: "{tmp_path / 'j.json'}"}}
  - name: service it
    maintenance: enter
    host: "{HOST}"
""")
    result = run_cli("play", str(book), env=_cloudadmin(sim))
    _vmc_refusal(result)
    assert "nothing was run" in result.err
    assert sim.control.calls() == []


def test_migrate_as_cloudadmin_works_and_keeps_compute_resourcepool(sim: Any,
                                                                     run_cli: Any) -> None:
    result = run_cli("migrate", "etl-01", "--host", "10.94.24.73", env=_cloudadmin(sim))
    assert result.code == 0, result.err
    si = sim.connect()
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.VirtualMachine], True)
    vm = next(v for v in view.view if v.name == "etl-01")
    assert vm.runtime.host.name == "10.94.24.73"
    assert vm.resourcePool.name == "Compute-ResourcePool"  # read back from vCenter
    assert vm.resourcePool.parent == vm.runtime.host.parent.resourcePool
    [entry] = sim.control.relocations("etl-01")
    assert entry["args"]["pool"] == vm.resourcePool._moId
    assert entry["args"]["pool_type"] == "ResourcePool"


def test_host_evacuate_without_maintenance_is_what_cloudadmin_can_do(sim: Any, run_cli: Any,
                                                                     tmp_path: Path) -> None:
    # 10.94.24.84 runs db-02 and web-02 (the customer's) and vcenter (VMware's)
    env = _cloudadmin(sim)
    stopped = run_cli("host", "evacuate", "10.94.24.84", "--journal",
                      str(tmp_path / "j.json"), env=env)
    assert stopped.code == 1
    assert "vcenter" in stopped.err and "vmc-managed" in stopped.err
    assert sim.control.relocations() == []  # like kubectl drain: nothing moved
    result = run_cli("host", "evacuate", "10.94.24.84", "--partial", "--journal",
                     str(tmp_path / "j2.json"), "-o", "json", env=env)
    assert result.code == 1  # the host is not empty: vcenter stays
    moved = {e["target"]["name"] for e in sim.control.relocations()}
    assert moved == {"db-02", "web-02"}
    assert not [e for e in sim.control.calls() if "Maintenance" in e["method"]]
    si = sim.connect()
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.VirtualMachine], True)
    where = {v.name: (v.runtime.host.name, v.resourcePool.name) for v in view.view}
    assert where["db-02"][1] == where["web-02"][1] == "Compute-ResourcePool"
    assert "10.94.24.84" not in (where["db-02"][0], where["web-02"][0])
    assert where["vcenter"] == ("10.94.24.84", "Mgmt-ResourcePool")


def test_a_management_vm_is_not_migrated(sim: Any, run_cli: Any) -> None:
    result = run_cli("migrate", "nsx-manager-0", "--host", "10.94.24.73", env=_cloudadmin(sim))
    assert result.code == 2
    assert "vmc-managed" in result.err and "Mgmt-ResourcePool" in result.err
    assert sim.control.relocations() == []
