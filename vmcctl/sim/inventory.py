"""The simulator's inventory file: schema, validation, normalisation.

The YAML format is documented in docs/simulator.md. ``load_inventory`` refuses a
bad file with one line naming the key path and what is wrong
(``InventoryFileError``); ``InventorySpec.to_sim_json`` gives the normalised JSON
the Go simulator reads (every default filled in, datastores' host lists
expanded, every VM reference turned into the VM's full inventory path), so the
Go side does no validation of its own.

Several datacenters (``datacenters:``) are flattened on load: ``spec.clusters``,
``spec.hosts``, ``spec.datastores`` and ``spec.vms`` list every datacenter's
objects, and each ``ClusterSpec``, ``HostSpec``, ``DatastoreSpec`` and ``VmSpec``
carries its ``datacenter`` (a name); a ``VmSpec`` also has its ``folder`` and its
full inventory ``path``. ``spec.datacenters`` lists the datacenter names in order.
"""

from __future__ import annotations

import re
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
from vmcctl.sim import pools
from vmcctl.sim.datacenters import VmIndex, check_folder, flatten, origin_path, vm_path
from vmcctl.sim.references import check_references
from vmcctl.sim.users import UserSpec
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
    power: Literal["on", "standby"] = "on"  # standby: DPM put the host in standby
    quarantine: bool = False  # Proactive HA quarantine mode
    datacenter: str = ""  # filled in on load

    @field_validator("power", mode="before")
    @classmethod
    def _yaml_on(cls, value: object) -> object:
        return "on" if value is True else value


class RuleSpec(_Strict):
    name: str = Field(min_length=1)
    type: Literal["vm-affinity", "vm-anti-affinity", "vm-host-must", "vm-host-should",
                  "vm-not-host-must", "vm-not-host-should"]
    vms: list[str] = Field(min_length=1)
    hosts: list[str] = Field(default_factory=list)
    enabled: bool = True

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
    # pools under the cluster's root pool; "a/b" is b inside a (a is made too)
    resource_pools: list[str] = Field(default_factory=list)
    vapps: list[str] = Field(default_factory=list)  # vApps: "name" or "pool/name"
    datacenter: str = ""  # filled in on load

    @field_validator("resource_pools", "vapps")
    @classmethod
    def _pool_paths(cls, value: list[str]) -> list[str]:
        return pools.check_paths(value)

    @property
    def pool_paths(self) -> list[str]:
        """Every resource pool path, parents before children (without the root pool)."""
        return pools.pool_paths(self.resource_pools)

    @model_validator(mode="after")
    def _vapps_in_pools(self) -> ClusterSpec:
        pools.check_vapps(self.pool_paths, self.vapps)
        return self


class DatastoreSpec(_Strict):
    name: str = Field(min_length=1)
    capacity_gb: float = Field(gt=0)
    free_gb: float = Field(ge=0)
    hosts: list[str] | None = None  # None: every host of its datacenter
    datacenter: str = ""  # filled in on load

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
    memory_usage_gb: float = Field(default=0, ge=0)  # both of the two below when they are absent
    memory_active_gb: float | None = Field(default=None, ge=0)  # -> guestMemoryUsage
    memory_consumed_gb: float | None = Field(default=None, ge=0)  # -> hostMemoryUsage
    power: Literal["on", "off"] = "on"
    datastore: str = Field(min_length=1)
    ip: str | None = None
    folder: str = ""  # under the datacenter's vm folder, e.g. "team/ml"
    pool: str = ""  # resource pool or vApp path in its host's cluster; "": the root pool
    template: bool = False
    ft: Literal["primary", "secondary"] | None = None  # a Fault Tolerance VM
    devices: list[Literal["passthrough", "vgpu", "cdrom-host"]] = Field(default_factory=list)
    connection: Literal["connected", "disconnected", "orphaned", "inaccessible",
                        "invalid"] = "connected"
    # hosts lacking what the VM's hardware needs: vCenter's compatibility check
    # (CheckRelocate_Task) and RelocateVM_Task fail with FeatureRequirementsNotMet
    incompatible_hosts: list[str] = Field(default_factory=list)
    datacenter: str = ""  # filled in on load

    @property
    def active_gb(self) -> float:
        """Active guest memory (``guestMemoryUsage``) while powered on."""
        return self.memory_usage_gb if self.memory_active_gb is None else self.memory_active_gb

    @property
    def consumed_gb(self) -> float:
        """Consumed host memory (``hostMemoryUsage``) while powered on."""
        return (self.memory_usage_gb if self.memory_consumed_gb is None
                else self.memory_consumed_gb)

    @property
    def path(self) -> str:
        """The full inventory path, ``/DC/vm/folder/name``."""
        return vm_path(self.datacenter, self.folder, self.name)

    @field_validator("name")
    @classmethod
    def _no_slash(cls, value: str) -> str:
        if "/" in value:
            raise ValueError("a VM name may not contain '/'")
        return value

    @field_validator("folder")
    @classmethod
    def _folder_path(cls, value: str) -> str:
        return check_folder(value)

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


EffectName = Literal["reboot", "power-off", "land-on"]


class FaultSpec(_Strict):
    """An injected fault, or (with ``effect``) a relocation that succeeds but
    reboots the VM, powers it off or lands it on ``land_on`` instead."""

    vm: str = Field(min_length=1)
    method: Literal["RelocateVM_Task", "EnterMaintenanceMode_Task", "ExitMaintenanceMode_Task",
                    "PowerOnVM_Task"] = "RelocateVM_Task"
    fault: FaultName = "MigrationFault"
    message: str = "injected fault"
    at_progress: int = Field(default=0, ge=0, le=100)
    times: int = Field(default=1, ge=1)
    effect: EffectName | None = None
    land_on: str | None = None

    @model_validator(mode="after")
    def _effect_shape(self) -> FaultSpec:
        if self.effect is None:
            if self.land_on is not None:
                raise ValueError("land_on needs effect: land-on")
            return self
        if self.method != "RelocateVM_Task":
            raise ValueError("an effect applies to RelocateVM_Task only")
        if "fault" in self.model_fields_set:
            raise ValueError("give either fault or effect, not both")
        if (self.effect == "land-on") != (self.land_on is not None):
            raise ValueError("effect land-on needs land_on: <host name> (and only it takes one)")
        return self


class InventorySpec(_Strict):
    datacenter: str = Field(default="SDDC-Datacenter", min_length=1)
    credentials: Credentials = Credentials(username="user", password="pass")
    users: list[UserSpec] = Field(default_factory=list)
    clusters: list[ClusterSpec] = Field(min_length=1)
    datastores: list[DatastoreSpec] = Field(min_length=1)
    vms: list[VmSpec] = Field(default_factory=list)
    migration: MigrationModel = MigrationModel()
    faults: list[FaultSpec] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _flatten_datacenters(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return flatten(data)[0]
        return data

    @property
    def hosts(self) -> list[HostSpec]:
        return [h for c in self.clusters for h in c.hosts]

    @property
    def datacenters(self) -> list[str]:
        """Datacenter names, the default (``datacenter``) first."""
        names = dict.fromkeys([self.datacenter])
        for dc in [c.datacenter for c in self.clusters] + [d.datacenter for d in self.datastores]:
            names.setdefault(dc)
        return list(names)

    def resolve_vm(self, ref: str, datacenter: str | None = None) -> VmSpec:
        """The VM named ``ref`` (``name``, ``folder/name`` or ``/DC/vm/folder/name``),
        within ``datacenter`` when given; ``InventoryFileError`` if unknown or ambiguous."""
        try:
            vm = VmIndex(self.vms).resolve(ref, datacenter)
        except ValueError as exc:
            raise InventoryFileError(str(exc)) from None
        assert isinstance(vm, VmSpec)
        return vm

    @model_validator(mode="after")
    def _references(self) -> InventorySpec:
        check_references(self)
        return self

    def to_sim_json(self) -> dict[str, Any]:
        """The normalised document the Go simulator reads."""
        doc = self.model_dump(mode="json")
        doc["datacenters"] = self.datacenters
        dc_hosts: dict[str, list[str]] = {}
        for h in self.hosts:
            dc_hosts.setdefault(h.datacenter, []).append(h.name)
        for d in doc["datastores"]:
            if d["hosts"] is None:
                d["hosts"] = list(dc_hosts[d["datacenter"]])
        for v, vd in zip(self.vms, doc["vms"], strict=True):
            vd["path"] = v.path
            vd["memory_active_gb"] = v.active_gb
            vd["memory_consumed_gb"] = v.consumed_gb
            vd["ft"] = v.ft or ""
        index = VmIndex(self.vms)
        for c, cd in zip(self.clusters, doc["clusters"], strict=True):
            cd["resource_pools"] = c.pool_paths
            for r, rd in zip(c.rules, cd["rules"], strict=True):
                rd["vms"] = [index.resolve(n, c.datacenter).path for n in r.vms]
        for fd in doc["faults"]:
            fd["vm"] = index.resolve(fd["vm"]).path
        return doc


_LEADING_PATH = re.compile(r"^([A-Za-z_]+(?:\.[A-Za-z0-9_]+)*): (.*)$", re.S)


def _error_line(source: str, exc: ValidationError, origins: dict[tuple[str, int], str]) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        msg = "required key is missing"
    elif err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "value_error" and (m := _LEADING_PATH.match(msg)):
        # our own checks say "<key path>: <problem>"
        loc = f"{loc}.{m.group(1)}" if loc else m.group(1)
        msg = m.group(2)
    loc = origin_path(loc, origins)
    where = f"{source}: {loc}: " if loc else f"{source}: "
    return where + msg


def parse_inventory(data: object, source: str = "<inventory>") -> InventorySpec:
    """Validate an already-parsed document."""
    if not isinstance(data, dict):
        raise InventoryFileError(f"{source}: expected a YAML mapping at the top level")
    try:
        flat, origins = flatten(data)
    except ValueError as exc:
        raise InventoryFileError(f"{source}: {exc}") from None
    try:
        return InventorySpec.model_validate(flat)
    except ValidationError as exc:
        raise InventoryFileError(_error_line(source, exc, origins)) from None


BUNDLED = Path(__file__).resolve().parent / "inventories"


def inventory_path(name: str | Path) -> Path:
    """``name`` as a file, or a bundled inventory by name (``seed``, ``vmc``) when no such
    file exists."""
    path = Path(name)
    bundled = BUNDLED / f"{name}.yaml"
    if not path.exists() and path.parent == Path(".") and bundled.exists():
        return bundled
    return path


def load_inventory(path: str | Path) -> InventorySpec:
    """Read and validate an inventory YAML file (or a bundled one by name:
    ``inventory_path``); one-line ``InventoryFileError`` if bad."""
    path = inventory_path(path)
    data = read_yaml(path, InventoryFileError, _YAML_LOADER)
    return parse_inventory(data, str(path))
