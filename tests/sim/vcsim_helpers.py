"""pyVmomi helpers shared by the simulator tests: find objects, wait on tasks
the way vCenter clients do (WaitForUpdatesEx on a private collector), and
derive test inventories from the seed."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import yaml
from pyVmomi import vim, vmodl
from small_inventory import host as small_host
from small_inventory import vm as _vm

from vmcctl.sim.plugin import SEED_INVENTORY

PC = vmodl.query.PropertyCollector
DONE = ("success", "error")


def seed_dict() -> dict[str, Any]:
    data = yaml.safe_load(Path(SEED_INVENTORY).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def host_entry(inv: dict[str, Any], name: str) -> dict[str, Any]:
    for cluster in inv["clusters"]:
        for host in cluster["hosts"]:
            if host["name"] == name:
                entry: dict[str, Any] = host
                return entry
    raise KeyError(name)


def find(si: Any, kind: type, name: str) -> Any:
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        for obj in view.view:
            if obj.name == name:
                return obj
    finally:
        view.Destroy()
    raise LookupError(f"no {kind.__name__} named {name}")


def all_of(si: Any, kind: type) -> list[Any]:
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        return list(view.view)
    finally:
        view.Destroy()


class TaskWatch:
    """Collects every (state, progress) change of tasks through WaitForUpdatesEx."""

    def __init__(self, si: Any, tasks: list[Any]) -> None:
        self.pc = si.RetrieveContent().propertyCollector.CreatePropertyCollector()
        spec = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=t) for t in tasks],
            propSet=[PC.PropertySpec(type=vim.Task, pathSet=["info.state", "info.progress"])])
        self.pc.CreateFilter(spec, True)
        self.version = ""
        self.state: dict[str, str] = {}
        self.history: dict[str, list[tuple[str, int | None]]] = {t._moId: [] for t in tasks}

    def wait(self, timeout: float = 30.0) -> dict[str, list[tuple[str, int | None]]]:
        """Block until every watched task is done; the observed history per task."""
        deadline = time.monotonic() + timeout
        while len([s for s in self.state.values() if s in DONE]) < len(self.history):
            if time.monotonic() > deadline:
                raise TimeoutError(f"tasks still running: {self.state}")
            update = self.pc.WaitForUpdatesEx(self.version, PC.WaitOptions(maxWaitSeconds=5))
            if update is None:
                continue
            self.version = update.version
            for fs in update.filterSet:
                for obj in fs.objectSet:
                    moid = obj.obj._moId
                    progress: int | None = None
                    for change in obj.changeSet:
                        if change.name == "info.state":
                            self.state[moid] = change.val
                        elif change.name == "info.progress":
                            progress = change.val
                    self.history[moid].append((self.state.get(moid, "?"), progress))
        self.pc.Destroy()
        return self.history


def wait_task(si: Any, task: Any, timeout: float = 30.0) -> Any:
    """Wait (without polling) for one task; its final info."""
    TaskWatch(si, [task]).wait(timeout)
    return task.info


def relocate(vm: Any, host: Any, **spec: Any) -> Any:
    return vm.RelocateVM_Task(vim.vm.RelocateSpec(host=host, **spec),
                              vim.VirtualMachine.MovePriority.defaultPriority)


READER = {"username": "reader", "password": "reader-pw-9d1",
          "privileges": ["System.Anonymous", "System.View", "System.Read"],
          "hidden_properties": ["HostSystem:summary.quickStats"]}
BLIND = {"username": "blind", "password": "blind-pw-3c7", "privileges": ["System.View"]}
MOVER = {"username": "mover", "password": "mover-pw-5e2",
         "privileges": ["System.Read", "Resource.HotMigrate", "Resource.ColdMigrate"]}


def _host(name: str) -> dict[str, Any]:
    return small_host(name, background=100)  # a little load: ties are broken the same way


def two_datacenters() -> dict[str, Any]:
    """Two datacenters that reuse cluster, datastore and VM names; VM folders;
    three restricted users. DC-A/C1 holds a1, a2; DC-B/C1 holds b1."""
    return {
        "users": [READER, BLIND, MOVER],
        "datacenters": [
            {"name": "DC-A",
             "clusters": [{"name": "C1", "hosts": [_host("a1"), _host("a2")], "rules": [
                 {"name": "apart", "type": "vm-anti-affinity", "vms": ["f1/app", "team/ml/app"]},
                 {"name": "keep", "type": "vm-affinity", "vms": ["db", "f1/app"]}]}],
             "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
             "vms": [_vm("app", "a1", folder="f1"), _vm("app", "a2", folder="team/ml"),
                     _vm("db", "a1", power="off"), _vm("web", "a1", folder="f1", memory_gb=8)]},
            {"name": "DC-B",
             "clusters": [{"name": "C1", "hosts": [_host("b1")]}],
             "datastores": [{"name": "ds", "capacity_gb": 200, "free_gb": 150}],
             "vms": [_vm("app", "b1")]},
        ],
    }


def inventory_path(obj: Any) -> str:
    """``/DC/vm/folder/name`` from the ``parent`` chain, as vCenter clients build it."""
    parts: list[str] = []
    while obj.parent is not None:  # the root folder has no parent and no place in paths
        parts.append(obj.name)
        obj = obj.parent
    return "/" + "/".join(reversed(parts))


def by_path(si: Any) -> dict[str, Any]:
    """Every VM by its inventory path."""
    return {inventory_path(vm): vm for vm in all_of(si, vim.VirtualMachine)}


def login(sim: Any, user: dict[str, Any]) -> Any:
    """A pyVmomi session for one of the inventory's restricted users."""
    return sim.connect(user["username"], user["password"])
