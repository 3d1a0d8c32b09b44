"""Destroy_Task and Rename_Task, and what property collectors then report."""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim, vmodl
from vcsim_helpers import PC, all_of, by_path, inventory_path, two_datacenters, wait_task

pytestmark = pytest.mark.sim


@pytest.fixture
def sim(vcsim_factory: Any) -> Any:
    return vcsim_factory(two_datacenters(), time_scale=20)


def _spec(vms: list[Any], report_missing: bool | None) -> Any:
    return PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=v) for v in vms],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name", "runtime.host"])],
        reportMissingObjectsInResults=report_missing)


def test_destroy_powered_off_vm_removes_it_everywhere(sim: Any) -> None:
    si = sim.connect()
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    vms = by_path(si)
    db, app = vms["/DC-A/vm/db"], vms["/DC-A/vm/f1/app"]
    host, pool, ds, folder = db.runtime.host, db.resourcePool, db.datastore[0], db.parent
    cluster = host.parent
    watcher = content.propertyCollector.CreatePropertyCollector()
    watcher.CreateFilter(_spec([db], True), True)
    version = watcher.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=1)).version
    assert db._moId in [v._moId for v in view.view]

    assert wait_task(si, db.Destroy_Task()).state == "success"

    assert db._moId not in [v._moId for v in view.view]
    assert db._moId not in [v._moId for v in host.vm]
    assert db._moId not in [v._moId for v in pool.vm]
    assert db._moId not in [v._moId for v in ds.vm]
    assert db._moId not in [v._moId for v in folder.childEntity]
    rule_vms = [v._moId for r in cluster.configurationEx.rule for v in getattr(r, "vm", [])]
    group_vms = [v._moId for g in cluster.configurationEx.group for v in getattr(g, "vm", [])]
    assert db._moId not in rule_vms + group_vms
    assert app._moId in rule_vms
    assert "/DC-A/vm/db" not in by_path(si)
    # a filter made before sees it leave
    update = watcher.WaitForUpdatesEx(version, PC.WaitOptions(maxWaitSeconds=2))
    kinds = [(o.obj._moId, o.kind) for f in update.filterSet for o in f.objectSet]
    assert (db._moId, "leave") in kinds
    events = content.eventManager.QueryEvents(
        vim.event.EventFilterSpec(eventTypeId=["VmRemovedEvent"]))
    assert [e.vm.name for e in events] == ["db"]
    [entry] = [e for e in sim.control.calls() if e["method"] == "Destroy_Task"]
    assert entry["target"]["moid"] == db._moId and entry["result"] == "success"


def test_retrieve_with_a_deleted_object(sim: Any) -> None:
    si = sim.connect()
    pc = si.content.propertyCollector
    vms = by_path(si)
    db, app, web = vms["/DC-A/vm/db"], vms["/DC-A/vm/f1/app"], vms["/DC-A/vm/f1/web"]
    assert wait_task(si, db.Destroy_Task()).state == "success"
    # unset or False: the whole call fails, naming the object
    for flag in (None, False):
        with pytest.raises(vmodl.fault.ManagedObjectNotFound) as err:
            pc.RetrievePropertiesEx([_spec([app, db, web], flag)], PC.RetrieveOptions())
        assert err.value.obj._moId == db._moId
    # True: the API reference says a RetrieveResult simply omits missing objects
    result = pc.RetrievePropertiesEx([_spec([app, db, web], True)], PC.RetrieveOptions())
    assert sorted(o.obj._moId for o in result.objects) == sorted([app._moId, web._moId])
    # ... also across pages of our own paging handler
    first = pc.RetrievePropertiesEx([_spec([app, db, web], True)], PC.RetrieveOptions(maxObjects=1))
    assert first.token and len(first.objects) == 1
    rest = pc.ContinueRetrievePropertiesEx(first.token)
    assert not rest.token
    assert sorted(o.obj._moId for o in first.objects + rest.objects) == sorted(
        [app._moId, web._moId])
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        pc.RetrievePropertiesEx([_spec([app, db, web], False)], PC.RetrieveOptions(maxObjects=1))
    # a lazy read of the deleted VM
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        _ = db.name


def test_destroy_is_refused_while_powered_on_or_moving(sim: Any) -> None:
    si = sim.connect()
    vms = by_path(si)
    app, web = vms["/DC-A/vm/f1/app"], vms["/DC-A/vm/f1/web"]
    info = wait_task(si, app.Destroy_Task())
    assert info.state == "error" and isinstance(info.error, vim.fault.InvalidState)
    assert isinstance(info.error, vim.fault.InvalidPowerState)
    assert app.name == "app" and app._moId in [v._moId for v in app.runtime.host.vm]
    a2 = next(h for h in all_of(si, vim.HostSystem) if h.name == "a2")
    move = web.RelocateVM_Task(vim.vm.RelocateSpec(host=a2))
    # a VM being moved cannot be powered off or destroyed meanwhile
    off = wait_task(si, web.PowerOffVM_Task())
    assert off.state == "error" and isinstance(off.error, vim.fault.TaskInProgress)
    assert wait_task(si, move).state == "success"
    assert web.runtime.powerState == "poweredOn"


def test_rename_vm_host_and_cluster(sim: Any) -> None:
    si = sim.connect()
    vms = by_path(si)
    app = vms["/DC-A/vm/f1/app"]
    dup = wait_task(si, app.Rename_Task("web"))  # its folder already holds a "web"
    assert dup.state == "error" and isinstance(dup.error, vim.fault.DuplicateName)
    assert wait_task(si, app.Rename_Task("api")).state == "success"
    assert (app.name, app.config.name, app.summary.config.name) == ("api", "api", "api")
    assert inventory_path(app) == "/DC-A/vm/f1/api"
    # a fault for the new path reaches the renamed VM
    sim.control.add_fault({"vm": "/DC-A/vm/f1/api", "message": "renamed"})
    a2 = next(h for h in all_of(si, vim.HostSystem) if h.name == "a2")
    moved = wait_task(si, app.RelocateVM_Task(vim.vm.RelocateSpec(host=a2)))
    assert moved.state == "error" and moved.error.msg == "renamed"
    assert wait_task(si, a2.Rename_Task("a2-new")).state == "success"
    assert a2.name == "a2-new"
    clash = wait_task(si, a2.Rename_Task("b1"))  # host names are unique vCenter-wide
    assert isinstance(clash.error, vim.fault.DuplicateName)
    cluster = a2.parent
    assert wait_task(si, cluster.Rename_Task("C9")).state == "success"
    assert inventory_path(cluster) == "/DC-A/host/C9"
    renames = [(e["target"]["name"], e["args"]["newName"], e["result"])
               for e in sim.control.calls() if e["method"] == "Rename_Task"]
    assert renames == [("app", "web", "error"), ("app", "api", "success"),
                       ("a2", "a2-new", "success"), ("a2-new", "b1", "error"),
                       ("C1", "C9", "success")]
