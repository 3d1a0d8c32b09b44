"""``vmcctl migrate`` moves the VM where it says, and only that VM."""

from __future__ import annotations

from typing import Any

import pytest

from vmcctl.sim.plugin import SimHandle

pytestmark = [pytest.mark.sim, pytest.mark.contract]


def test_migrate_auto_moves_the_vm_to_a_peer_and_nothing_else(
        server: SimHandle, look: Any, run_cli: Any) -> None:
    before = look()
    vm = before.movable_vm()
    result = run_cli("migrate", vm.moid, "--auto", "-o", "json", env=server.env())
    assert result.code == 0, result.err
    report = result.json()
    assert report["state"] == "success" and report["verified"] is True
    after = look()
    target = after.host_by_name(report["target"])
    assert after.vms[vm.moid].host_moid == target.moid
    assert target.moid in before.peers(vm.host_moid or "")
    assert after.vms[vm.moid].powered_on
    others = {m: v.host_moid for m, v in before.vms.items() if m != vm.moid}
    assert {m: v.host_moid for m, v in after.vms.items() if m != vm.moid} == others


def test_migrate_to_a_named_host_lands_there(server: SimHandle, look: Any,
                                             run_cli: Any) -> None:
    before = look()
    vm = before.movable_vm()
    target = sorted(before.peers(vm.host_moid or ""))[-1]
    result = run_cli("migrate", vm.moid, "--host", target, env=server.env())
    assert result.code == 0, result.err
    assert look().vms[vm.moid].host_moid == target


def test_migrate_to_the_current_host_is_refused_and_moves_nothing(
        server: SimHandle, look: Any, run_cli: Any) -> None:
    before = look()
    vm = before.movable_vm()
    result = run_cli("migrate", vm.moid, "--host", vm.host_moid or "", env=server.env())
    assert result.code == 2, result.err
    assert look().vms == before.vms


def test_a_vm_with_a_connected_host_cdrom_is_refused_before_anything_moves(
        stock_vcsim_factory: Any, run_cli: Any) -> None:
    from contract_world import host_backed_devices, read_world
    from pyVmomi import vim

    from vmcctl.sim.server import StockModel

    stock_vcsim = stock_vcsim_factory(StockModel())  # govmomi's VMs as created (not VCSIM_URL's)
    si = stock_vcsim.connect()
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder,
                                                   [vim.VirtualMachine], True)
    blocked = sorted((vm for vm in view.view if host_backed_devices(vm)),
                     key=lambda vm: vm.name)
    view.DestroyView()
    assert blocked, "govmomi's stock VMs come with a connected host CD-ROM"
    before = read_world(si)
    vm = next(v for v in blocked if before.peers(before.vms[v._moId].host_moid or ""))
    result = run_cli("migrate", vm._moId, "--auto", env=stock_vcsim.env())
    assert result.code == 2, result.err
    assert "host-device" in result.err
    assert read_world(si).vms == before.vms


def test_vcenter_check_is_asked_and_never_a_silent_pass(server: SimHandle, look: Any,
                                                        run_cli: Any) -> None:
    """Stock govmomi has no CheckRelocate_Task: "unavailable", said once, never "ok"."""
    vm = look().movable_vm()
    result = run_cli("migrate", vm.moid, "--auto", "--dry-run", "-o", "json", env=server.env())
    assert result.code == 0, result.err
    status = result.json()["vcenter_check"]
    assert status in ("ok", "warnings", "unavailable")
    if status == "unavailable":
        said = [line for line in result.err.splitlines() if "CheckRelocate_Task" in line]
        assert len(said) == 1 and said[0].startswith("warning:")
        assert result.json()["vcenter_warnings"]
