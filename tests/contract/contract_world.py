"""What a vCenter holds, read with plain pyVmomi, independently of vmcctl.

The contract tests run vmcctl against a server whose inventory they do not
know (govmomi's stock simulator, or whatever ``VCSIM_URL`` names), so they
read it first and check vmcctl's results against this second reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyVmomi import vim, vmodl


@dataclass(frozen=True)
class HostFact:
    moid: str
    name: str
    compute_moid: str  # the cluster (or standalone compute resource) that holds it
    in_cluster: bool
    usable: bool  # connected, powered on, out of maintenance


@dataclass(frozen=True)
class VmFact:
    moid: str
    name: str
    host_moid: str | None
    powered_on: bool


@dataclass(frozen=True)
class World:
    hosts: dict[str, HostFact]
    vms: dict[str, VmFact]

    def peers(self, host_moid: str) -> set[str]:
        """Usable hosts of the same cluster as this host, itself excluded."""
        host = self.hosts[host_moid]
        if not host.in_cluster:
            return set()
        return {h.moid for h in self.hosts.values()
                if h.compute_moid == host.compute_moid and h.usable and h.moid != host_moid}

    def on_host(self, host_moid: str, *, powered_on: bool = True) -> set[str]:
        return {vm.moid for vm in self.vms.values()
                if vm.host_moid == host_moid and (vm.powered_on or not powered_on)}

    def movable_vm(self) -> VmFact:
        """A powered-on VM whose cluster has another usable host (name order)."""
        for vm in sorted(self.vms.values(), key=lambda v: v.name):
            if vm.powered_on and vm.host_moid and self.peers(vm.host_moid):
                return vm
        raise AssertionError("the server holds no powered-on VM with a place to go")

    def evacuable_host(self) -> HostFact:
        """A usable clustered host with powered-on VMs and a usable peer."""
        for host in sorted(self.hosts.values(), key=lambda h: h.name):
            if host.usable and self.on_host(host.moid) and self.peers(host.moid):
                return host
        raise AssertionError("the server holds no host that could be evacuated")

    def host_by_name(self, name: str) -> HostFact:
        found = [h for h in self.hosts.values() if h.name == name]
        assert len(found) == 1, f"host name {name!r} matches {len(found)} hosts"
        return found[0]


def _collect(si: Any, kind: type, paths: list[str]) -> dict[str, dict[str, Any]]:
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(
        objectSet=[pc.ObjectSpec(obj=view, skip=True, selectSet=[
            pc.TraversalSpec(name="view", path="view", type=vim.view.ContainerView)])],
        propSet=[pc.PropertySpec(type=kind, pathSet=paths)])
    try:
        result = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
        found: dict[str, dict[str, Any]] = {}
        while result is not None:
            for obj in result.objects:
                found[obj.obj._moId] = {p.name: p.val for p in obj.propSet}
            token = result.token
            result = (content.propertyCollector.ContinueRetrievePropertiesEx(token)
                      if token else None)
        return found
    finally:
        view.DestroyView()


def read_world(si: Any) -> World:
    hosts = {}
    for moid, props in _collect(si, vim.HostSystem, [
            "name", "parent", "runtime.connectionState", "runtime.inMaintenanceMode",
            "runtime.powerState"]).items():
        parent = props["parent"]
        usable = (props["runtime.connectionState"] == "connected"
                  and not props["runtime.inMaintenanceMode"]
                  and props["runtime.powerState"] == "poweredOn")
        hosts[moid] = HostFact(moid=moid, name=props["name"], compute_moid=parent._moId,
                               in_cluster=isinstance(parent, vim.ClusterComputeResource),
                               usable=usable)
    vms = {}
    for moid, props in _collect(si, vim.VirtualMachine, [
            "name", "runtime.host", "runtime.powerState"]).items():
        host = props.get("runtime.host")
        vms[moid] = VmFact(moid=moid, name=props["name"],
                           host_moid=host._moId if host is not None else None,
                           powered_on=props["runtime.powerState"] == "poweredOn")
    return World(hosts=hosts, vms=vms)


_HOST_BACKINGS = (vim.vm.device.VirtualCdrom.AtapiBackingInfo,
                  vim.vm.device.VirtualCdrom.PassthroughBackingInfo,
                  vim.vm.device.VirtualFloppy.DeviceBackingInfo,
                  vim.vm.device.VirtualSerialPort.DeviceBackingInfo)


def host_backed_devices(vm: Any) -> list[Any]:
    """The VM's connected removable devices backed by its host's own hardware."""
    return [d for d in vm.config.hardware.device
            if isinstance(d.backing, _HOST_BACKINGS)
            and d.connectable is not None and d.connectable.connected]


def disconnect_host_devices(si: Any) -> list[str]:
    """What an admin does before vMotion: disconnect every VM's host-backed CD-ROM,
    floppy or serial port (govmomi's stock VMs have a connected host CD-ROM, which
    vCenter refuses to migrate). Returns the moids of the VMs changed."""
    from pyVim.task import WaitForTask

    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder,
                                                   [vim.VirtualMachine], True)
    changed = []
    try:
        for vm in view.view:
            devices = host_backed_devices(vm)
            if not devices:
                continue
            specs = []
            for device in devices:
                device.connectable.connected = False
                device.connectable.startConnected = False
                specs.append(vim.vm.device.VirtualDeviceSpec(operation="edit", device=device))
            WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=specs)), si=si)
            changed.append(vm._moId)
    finally:
        view.DestroyView()
    return changed
