"""The simulator's inventory file: schema, validation, normalisation.

The YAML format is documented in docs/simulator.md. ``load_inventory`` refuses a
bad file with one line naming the key path and what is wrong
(``InventoryFileError``); ``InventorySpec.to_sim_json`` gives the normalised JSON
the Go simulator reads (every default filled in, datastores' host lists
expanded), so the Go side does no validation of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from vmcctl.errors import InventoryFileError
from vmcctl.yamlfile import read_yaml

# libyaml's loader when PyYAML was built with it: a 10,000-VM file loads ~10x faster
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FaultName = Literal[
    "MigrationFault",
    "InvalidState",
    "InvalidHostState",
    "HostNotConnected",
    "InvalidDatastore",
    "InsufficientMemoryResourcesFault",
    "Timedout",
    "VMotionInterfaceIssue",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Credentials(_Strict):
    username: str = Field(min_length=1)
    password: str = Field(min_length=1)


class HostSpec(_Strict):
    name: str = Field(min_length=1)
    fault_domain: str = ""
    cpu_cores: int = Field(gt=0)
    cpu_mhz_per_core: int = Field(gt=0)
    memory_gb: float = Field(gt=0)
    background_cpu_mhz: int = Field(default=0, ge=0)
    background_memory_gb: float = Field(default=0, ge=0)
    max_vmotions: int = Field(default=8, gt=0)
    maintenance: bool = False
    connected: bool = True


class RuleSpec(_Strict):
    name: str = Field(min_length=1)
    type: Literal["vm-affinity", "vm-anti-affinity", "vm-host-must", "vm-host-should",
                  "vm-not-host-must", "vm-not-host-should"]
    vms: list[str] = Field(min_length=1)
    hosts: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _hosts_for_host_rules(self) -> RuleSpec:
        if "host" in self.type and not self.hosts:
            raise ValueError(f"rule type {self.type} needs 'hosts'")
        if "host" not in self.type and self.hosts:
            raise ValueError(f"rule type {self.type} takes no 'hosts'")
        return self


class ClusterSpec(_Strict):
    name: str = Field(min_length=1)
    hosts: list[HostSpec] = Field(min_length=1)
    rules: list[RuleSpec] = Field(default_factory=list)
    drs_enabled: bool = True


class DatastoreSpec(_Strict):
    name: str = Field(min_length=1)
    capacity_gb: float = Field(gt=0)
    free_gb: float = Field(ge=0)
    hosts: list[str] | None = None  # None: every host

    @model_validator(mode="after")
    def _free_within_capacity(self) -> DatastoreSpec:
        if self.free_gb > self.capacity_gb:
            raise ValueError("free_gb is larger than capacity_gb")
        return self


class VmSpec(_Strict):
    name: str = Field(min_length=1)
    host: str = Field(min_length=1)
    cpus: int = Field(gt=0)
    memory_gb: float = Field(gt=0)
    cpu_usage_mhz: int = Field(default=0, ge=0)
    memory_usage_gb: float = Field(default=0, ge=0)
    power: Literal["on", "off"] = "on"
    datastore: str = Field(min_length=1)
    ip: str | None = None

    @field_validator("power", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: object) -> object:
        # YAML 1.1 reads a bare on/off as a boolean.
        if isinstance(value, bool):
            return "on" if value else "off"
        return value


class MigrationModel(_Strict):
    base_seconds: float = Field(default=2.0, ge=0)
    seconds_per_gb: float = Field(default=0.25, ge=0)

    def seconds(self, memory_gb: float, time_scale: float = 1.0) -> float:
        """Modelled duration of one vMotion of a VM with ``memory_gb`` of memory."""
        return (self.base_seconds + self.seconds_per_gb * memory_gb) / time_scale


class FaultSpec(_Strict):
    vm: str = Field(min_length=1)
    method: Literal["RelocateVM_Task", "EnterMaintenanceMode_Task", "ExitMaintenanceMode_Task",
                    "PowerOnVM_Task"] = "RelocateVM_Task"
    fault: FaultName = "MigrationFault"
    message: str = "injected fault"
    at_progress: int = Field(default=0, ge=0, le=100)
    times: int = Field(default=1, ge=1)


class InventorySpec(_Strict):
    datacenter: str = Field(default="SDDC-Datacenter", min_length=1)
    credentials: Credentials = Credentials(username="user", password="pass")
    clusters: list[ClusterSpec] = Field(min_length=1)
    datastores: list[DatastoreSpec] = Field(min_length=1)
    vms: list[VmSpec] = Field(default_factory=list)
    migration: MigrationModel = MigrationModel()
    faults: list[FaultSpec] = Field(default_factory=list)

    @property
    def hosts(self) -> list[HostSpec]:
        return [h for c in self.clusters for h in c.hosts]

    @model_validator(mode="after")
    def _references(self) -> InventorySpec:
        _unique("clusters", [c.name for c in self.clusters])
        hosts = [h.name for h in self.hosts]
        _unique("hosts", hosts)
        _unique("datastores", [d.name for d in self.datastores])
        vms = [v.name for v in self.vms]
        _unique("vms", vms)
        host_set, vm_set = set(hosts), set(vms)
        ds_hosts = {d.name: set(d.hosts) if d.hosts is not None else host_set
                    for d in self.datastores}
        for i, d in enumerate(self.datastores):
            for h in d.hosts or []:
                _known(f"datastores.{i}.hosts", "host", h, host_set)
        for i, v in enumerate(self.vms):
            _known(f"vms.{i}.host", "host", v.host, host_set)
            _known(f"vms.{i}.datastore", "datastore", v.datastore, set(ds_hosts))
            if v.host not in ds_hosts[v.datastore]:
                raise ValueError(f"vms.{i}.datastore: datastore {v.datastore!r} is not "
                                 f"mounted on host {v.host!r}")
        for ci, c in enumerate(self.clusters):
            cluster_hosts = {h.name for h in c.hosts}
            for ri, r in enumerate(c.rules):
                for vm in r.vms:
                    _known(f"clusters.{ci}.rules.{ri}.vms", "VM", vm, vm_set)
                for h in r.hosts:
                    _known(f"clusters.{ci}.rules.{ri}.hosts", "host in this cluster", h,
                           cluster_hosts)
        for i, f in enumerate(self.faults):
            _known(f"faults.{i}.vm", "VM", f.vm, vm_set)
        return self

    def to_sim_json(self) -> dict[str, Any]:
        """The normalised document the Go simulator reads."""
        doc = self.model_dump(mode="json")
        every_host = [h.name for h in self.hosts]
        for d in doc["datastores"]:
            if d["hosts"] is None:
                d["hosts"] = list(every_host)
        return doc


def _unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{what}.{i}.name: duplicate name {name!r}")
        seen.add(name)


def _known(path: str, kind: str, name: str, known: set[str]) -> None:
    if name not in known:
        raise ValueError(f"{path}: unknown {kind} {name!r}")


def _error_line(source: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        msg = "required key is missing"
    elif err["type"] == "extra_forbidden":
        msg = "unknown key"
    where = f"{source}: {loc}: " if loc else f"{source}: "
    return where + msg


def parse_inventory(data: object, source: str = "<inventory>") -> InventorySpec:
    """Validate an already-parsed document."""
    if not isinstance(data, dict):
        raise InventoryFileError(f"{source}: expected a YAML mapping at the top level")
    try:
        return InventorySpec.model_validate(data)
    except ValidationError as exc:
        raise InventoryFileError(_error_line(source, exc)) from None


def load_inventory(path: str | Path) -> InventorySpec:
    """Read and validate an inventory YAML file; one-line ``InventoryFileError`` if bad."""
    data = read_yaml(path, InventoryFileError, _YAML_LOADER)
    return parse_inventory(data, str(path))
