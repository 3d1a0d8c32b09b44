"""Paging, session expiry and the /_sim/ control endpoints."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from pyVmomi import vim, vmodl
from vcsim_helpers import PC, find, seed_dict

from vmcctl.errors import SimulatorError

pytestmark = pytest.mark.sim


def _vm_names_spec(si: Any) -> Any:
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    return PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
            PC.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])


@pytest.mark.vmcctl_sim("result paging (RetrievePropertiesEx tokens)")
def test_max_objects_pages_with_token(vcsim: Any) -> None:
    si = vcsim.connect()
    pc = si.content.propertyCollector
    spec = _vm_names_spec(si)
    result = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=4))
    sizes = [len(result.objects)]
    names = [o.propSet[0].val for o in result.objects]
    while result.token:
        result = pc.ContinueRetrievePropertiesEx(result.token)
        sizes.append(len(result.objects))
        names += [o.propSet[0].val for o in result.objects]
    assert sizes == [4, 4, 4, 3]
    assert sorted(names) == sorted(v.name for v in vcsim.inventory.vms)


@pytest.mark.vmcctl_sim("result paging (RetrievePropertiesEx tokens)")
def test_cancel_retrieve_drops_the_token(vcsim: Any) -> None:
    si = vcsim.connect()
    pc = si.content.propertyCollector
    result = pc.RetrievePropertiesEx([_vm_names_spec(si)], PC.RetrieveOptions(maxObjects=5))
    assert result.token
    pc.CancelRetrievePropertiesEx(result.token)
    with pytest.raises(vmodl.fault.InvalidArgument):
        pc.ContinueRetrievePropertiesEx(result.token)


def test_large_results_are_paged_without_max_objects(vcsim_factory: Any) -> None:
    inv = seed_dict()
    inv["vms"] += [{"name": f"bulk-{i:04d}", "host": "10.94.24.85", "cpus": 1, "memory_gb": 1,
                    "datastore": "vsanDatastore"} for i in range(1100)]
    sim = vcsim_factory(inv)
    si = sim.connect()
    pc = si.content.propertyCollector
    result = pc.RetrievePropertiesEx([_vm_names_spec(si)], PC.RetrieveOptions())
    first = len(result.objects)
    total = first
    while result.token:
        result = pc.ContinueRetrievePropertiesEx(result.token)
        total += len(result.objects)
    assert first == 1000
    assert total == 1115


@pytest.mark.vmcctl_sim("sessions expired through /_sim/")
def test_expired_sessions_get_not_authenticated(vcsim: Any) -> None:
    si = vcsim.connect()
    host = find(si, vim.HostSystem, "10.94.24.85")
    vcsim.control.expire_sessions()
    with pytest.raises(vim.fault.NotAuthenticated):
        _ = host.name
    with pytest.raises(vim.fault.NotAuthenticated):
        si.content.propertyCollector.RetrievePropertiesEx([_vm_names_spec_unauth(host)],
                                                          PC.RetrieveOptions())
    again = vcsim.connect()  # a new login works
    assert find(again, vim.HostSystem, "10.94.24.85").name == "10.94.24.85"


def _vm_names_spec_unauth(host: Any) -> Any:
    return PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=host)],
                         propSet=[PC.PropertySpec(type=vim.HostSystem, pathSet=["name"])])


def test_health_and_fault_validation(vcsim: Any) -> None:
    assert vcsim.control.available()
    for bad in [{"method": "RelocateVM_Task"}, {"vm": "web-01", "fault": "NoSuchFault"},
                {"vm": "no-such-vm"}, {"vm": "web-01", "colour": "red"},
                {"vm": "web-01", "method": "Destroy_Task"}]:
        with pytest.raises(SimulatorError, match="400"):
            vcsim.control.add_fault(bad)
    resp = requests.post(vcsim.url.replace("/sdk", "/_sim/faults"), data="not json",
                         verify=str(vcsim.cert_file), timeout=10)
    assert resp.status_code == 400 and "JSON" in resp.text
    assert vcsim.control.calls() == []
