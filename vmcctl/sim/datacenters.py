"""Several datacenters, VM folders and the names that point at VMs.

An inventory is written either in the single-datacenter form (top-level
``datacenter``, ``clusters``, ``datastores``, ``vms``) or with
``datacenters: [{name, clusters, datastores, vms}]``. ``flatten`` turns the
second form into the first, with each cluster, host, datastore and VM stamped
with its ``datacenter``; ``origin_path`` maps a key path of the flat form back
to where the user wrote it, so error messages name the user's key path.

A VM is named by people as ``name``, ``folder/name`` (its folder under the
datacenter's ``vm`` folder) or its full inventory path ``/DC/vm/folder/name``;
``VmIndex.resolve`` turns any of those into the one VM, or says why it cannot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

_DC_KEYS = ("name", "clusters", "datastores", "vms")
_FLAT_ONLY = ("datacenter", "clusters", "datastores", "vms")
_DEFAULT_DC = "SDDC-Datacenter"


def flatten(data: dict[str, Any]) -> tuple[dict[str, Any], dict[tuple[str, int], str]]:
    """The flat form of ``data`` and, per flat (list, index), the user's key path.

    Raises ``ValueError("<key path>: <problem>")`` for a malformed ``datacenters``
    list. Dicts are copied where stamped; ``data`` itself is not changed.
    """
    origins: dict[tuple[str, int], str] = {}
    if "datacenters" not in data:
        flat = dict(data)
        default = flat.get("datacenter", _DEFAULT_DC)
        if isinstance(default, str):
            for key in ("clusters", "datastores", "vms"):
                if isinstance(flat.get(key), list):
                    flat[key] = [_stamp(item, default, key == "clusters") for item in flat[key]]
        return flat, origins
    both = [k for k in _FLAT_ONLY if k in data]
    if both:
        raise ValueError(f"{both[0]}: give either 'datacenters' or the single-datacenter keys "
                         "(datacenter, clusters, datastores, vms), not both")
    dcs = data["datacenters"]
    if not isinstance(dcs, list) or not dcs:
        raise ValueError("datacenters: must be a non-empty list of "
                         "{name, clusters, datastores, vms}")
    flat = {k: v for k, v in data.items() if k != "datacenters"}
    lists: dict[str, list[Any]] = {"clusters": [], "datastores": [], "vms": []}
    seen: set[str] = set()
    for d, dc in enumerate(dcs):
        if not isinstance(dc, dict):
            raise ValueError(f"datacenters.{d}: expected a mapping")
        for key in dc:
            if key not in _DC_KEYS:
                raise ValueError(f"datacenters.{d}.{key}: unknown key")
        name = dc.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"datacenters.{d}.name: required key is missing")
        if name in seen:
            raise ValueError(f"datacenters.{d}.name: duplicate name {name!r}")
        seen.add(name)
        for key in ("clusters", "datastores"):
            if not isinstance(dc.get(key), list) or not dc[key]:
                raise ValueError(f"datacenters.{d}.{key}: needs at least one entry")
        if not isinstance(dc.get("vms", []), list):
            raise ValueError(f"datacenters.{d}.vms: expected a list")
        for key, target in lists.items():
            for j, item in enumerate(dc.get(key, [])):
                origins[(key, len(target))] = f"datacenters.{d}.{key}.{j}"
                target.append(_stamp(item, name, key == "clusters"))
    flat["datacenter"] = dcs[0]["name"]
    flat.update(lists)
    return flat, origins


def _stamp(item: Any, dc: str, cluster: bool) -> Any:
    if not isinstance(item, dict) or ("datacenter" in item and not cluster):
        return item
    out = dict(item)
    out.setdefault("datacenter", dc)
    if cluster and isinstance(out.get("hosts"), list):
        out["hosts"] = [dict(h, datacenter=h.get("datacenter", out["datacenter"]))
                        if isinstance(h, dict) else h for h in out["hosts"]]
    return out


_PATH = re.compile(r"^(clusters|datastores|vms)\.(\d+)(.*)$")


def origin_path(path: str, origins: dict[tuple[str, int], str]) -> str:
    """A flat key path (``vms.7.host``) as the user wrote it (``datacenters.1.vms.2.host``)."""
    m = _PATH.match(path)
    if not m:
        return path
    where = origins.get((m.group(1), int(m.group(2))))
    return where + m.group(3) if where else path


def check_folder(folder: str) -> str:
    """A VM folder path like ``team/ml`` (relative to the datacenter's ``vm`` folder)."""
    if folder and (folder.startswith("/") or folder.endswith("/")
                   or any(not part.strip() for part in folder.split("/"))):
        raise ValueError("folder must be a path like 'f1' or 'team/ml' "
                         "(no leading or trailing '/', no empty parts)")
    return folder


class NamedVm(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def folder(self) -> str: ...
    @property
    def datacenter(self) -> str: ...
    @property
    def path(self) -> str: ...


def vm_path(datacenter: str, folder: str, name: str) -> str:
    """The full inventory path of a VM: ``/DC/vm/folder/name``."""
    return f"/{datacenter}/vm/{folder}/{name}" if folder else f"/{datacenter}/vm/{name}"


class VmIndex:
    """Finds VMs by name, ``folder/name`` or full path."""

    def __init__(self, vms: Iterable[NamedVm]) -> None:
        self.by_name: dict[str, list[NamedVm]] = {}
        self.by_path: dict[str, NamedVm] = {}
        for v in vms:
            self.by_name.setdefault(v.name, []).append(v)
            self.by_path[v.path] = v

    def resolve(self, ref: str, datacenter: str | None = None) -> NamedVm:
        """The one VM ``ref`` names (within ``datacenter`` when given).

        Raises ``ValueError`` saying the VM is unknown, or ambiguous with the
        qualified names that would tell the candidates apart.
        """
        if ref.startswith("/"):
            vm = self.by_path.get(ref)
            if vm is None or (datacenter is not None and vm.datacenter != datacenter):
                raise ValueError(f"unknown VM {ref!r}")
            return vm
        folder, _, name = ref.rpartition("/")
        found = [v for v in self.by_name.get(name, [])
                 if (datacenter is None or v.datacenter == datacenter)
                 and (not folder or v.folder == folder)]
        if not found:
            raise ValueError(f"unknown VM {ref!r}")
        if len(found) > 1:
            cross_dc = len({v.datacenter for v in found}) > 1
            names = ", ".join(v.path if cross_dc or not v.folder else f"{v.folder}/{v.name}"
                              for v in found)
            raise ValueError(f"VM name {ref!r} is ambiguous ({names}); qualify it with its "
                             "folder" + (" or full path" if cross_dc else ""))
        return found[0]
