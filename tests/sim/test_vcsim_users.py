"""Users with fewer privileges and audited logins (plain pyVmomi)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pyVim.connect import SmartConnect
from pyVmomi import vim
from vcsim_helpers import (
    BLIND,
    MOVER,
    PC,
    READER,
    all_of,
    by_path,
    login,
    relocate,
    two_datacenters,
    wait_task,
)

pytestmark = pytest.mark.sim


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(two_datacenters(), time_scale=20)


def _read(si: Any, kind: type, paths: list[str]) -> dict[str, Any]:
    """One RetrievePropertiesEx over a container view: ObjectContent by moid."""
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
            PC.TraversalSpec(name="v", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[PC.PropertySpec(type=kind, pathSet=paths)])
    result = content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
    return {o.obj._moId: o for o in result.objects}


def test_hidden_property_comes_back_in_missing_set(sim: Any) -> None:
    si = login(sim, READER)
    hosts = _read(si, vim.HostSystem, ["name", "summary.quickStats", "runtime.powerState"])
    assert len(hosts) == 3
    for moid, content in hosts.items():
        assert {p.name for p in content.propSet} == {"name", "runtime.powerState"}
        [missing] = content.missingSet
        assert missing.path == "summary.quickStats"
        assert isinstance(missing.fault, vim.fault.NoPermission)
        assert missing.fault.privilegeId == "System.Read"
        assert missing.fault.object._moId == moid
    # only hosts' quickStats are hidden: a VM's still read
    vms = _read(si, vim.VirtualMachine, ["name", "summary.quickStats"])
    assert all(not c.missingSet and len(c.propSet) == 2 for c in vms.values())
    # a lazy pyVmomi read (Fetch) of the hidden property is refused
    host = next(iter(all_of(si, vim.HostSystem)))
    with pytest.raises(vim.fault.NoPermission) as err:
        _ = host.summary.quickStats
    assert err.value.privilegeId == "System.Read"
    # the administrator still reads everything
    admin = _read(sim.connect(), vim.HostSystem, ["summary.quickStats"])
    assert all(not c.missingSet and c.propSet for c in admin.values())


def test_without_system_read_every_property_is_missing(sim: Any) -> None:
    si = login(sim, BLIND)
    vms = _read(si, vim.VirtualMachine, ["name", "runtime.powerState"])
    assert len(vms) == 5  # the view still lists them
    for moid, content in vms.items():
        assert content.propSet == []
        assert sorted(m.path for m in content.missingSet) == ["name", "runtime.powerState"]
        assert all(m.fault.object._moId == moid and m.fault.privilegeId == "System.Read"
                   for m in content.missingSet)


def test_methods_without_their_privilege_fail_with_no_permission(sim: Any) -> None:
    admin = sim.connect()
    a2 = next(h for h in all_of(admin, vim.HostSystem) if h.name == "a2")
    app = by_path(admin)["/DC-A/vm/f1/app"]
    si = login(sim, READER)
    vm = vim.VirtualMachine(app._moId, si._stub)
    host = vim.HostSystem(a2._moId, si._stub)
    cfm = si.content.customFieldsManager
    cases: list[tuple[Any, str, str]] = [
        (lambda: relocate(vm, host), "Resource.HotMigrate", app._moId),
        (lambda: host.EnterMaintenanceMode_Task(timeout=0), "Host.Config.Maintenance", a2._moId),
        (vm.PowerOffVM_Task, "VirtualMachine.Interact.PowerOff", app._moId),
        (vm.Destroy_Task, "VirtualMachine.Inventory.Delete", app._moId),
        (lambda: cfm.AddCustomFieldDef(name="x", moType=vim.VirtualMachine),
         "Global.ManageCustomFields", si.content.rootFolder._moId),
    ]
    for call, privilege, moid in cases:
        with pytest.raises(vim.fault.NoPermission) as err:
            call()
        assert (err.value.privilegeId, err.value.object._moId) == (privilege, moid)
    # the mover may migrate but not assign to the pool
    mover = login(sim, MOVER)
    with pytest.raises(vim.fault.NoPermission) as err:
        relocate(vim.VirtualMachine(app._moId, mover._stub), vim.HostSystem(a2._moId, mover._stub))
    assert err.value.privilegeId == "Resource.AssignVMToPool"
    assert err.value.object._moId == app.resourcePool._moId
    assert [e["method"] for e in sim.control.calls()] == []  # nothing happened
    assert app.runtime.host.name == "a1"
    # a powered-off VM needs ColdMigrate, which the mover has; AssignVMToPool still lacks
    db = by_path(admin)["/DC-A/vm/db"]
    with pytest.raises(vim.fault.NoPermission) as err:
        relocate(vim.VirtualMachine(db._moId, mover._stub), vim.HostSystem(a2._moId, mover._stub))
    assert err.value.privilegeId == "Resource.AssignVMToPool"
    # and the administrator may do it all
    assert wait_task(admin, relocate(app, a2)).state == "success"


def test_logins_are_audited_without_the_password(sim: Any) -> None:
    sim.connect()
    login(sim, READER)
    with pytest.raises(vim.fault.InvalidLogin):
        SmartConnect(host=sim.host, port=sim.port, user="reader", pwd="wrong-secret-71",
                     sslContext=sim.endpoint.ssl_context())
    with pytest.raises(vim.fault.InvalidLogin):
        sim.connect(sim.username, READER["password"])  # a user's password is not the admin's
    logins = sim.control.logins()
    assert [(e["args"]["userName"], e["result"], e["fault"]) for e in logins] == [
        (sim.username, "success", None), ("reader", "success", None),
        ("reader", "error", "InvalidLogin"), (sim.username, "error", "InvalidLogin")]
    raw = json.dumps(sim.control.audit())
    for secret in ("wrong-secret-71", READER["password"], sim.password):
        assert secret not in raw
