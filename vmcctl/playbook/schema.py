"""The playbook format: one pydantic model per action, extra keys forbidden.

A playbook is a mapping with ``name``, ``description``, ``vars``, an optional
``connection`` and ``steps``. Each step has an optional ``name`` and exactly
one action key; the action's body is validated by the model of that action in
``ACTIONS``. Splitting a step into its action (``vmcctl.playbook.load``)
happens outside pydantic so that an error can name the step by index and name.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vmcctl.executor.schedule import DEFAULT_MAX_PARALLEL
from vmcctl.placement.request import DEFAULT_MAX_PCT

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"

Priority = Literal["high", "default", "low"]
Pct = Annotated[float, Field(gt=0, le=100)]
Seconds = Annotated[float, Field(gt=0)]
Text = Annotated[str, Field(min_length=1)]
VarName = Annotated[str, Field(pattern=NAME_PATTERN)]
VarValue = str | int | float | bool | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MigrateAction(_Strict):
    """Move one VM: to ``host``, or where the advisor says (``fault_domain`` or ``auto``)."""

    vm: Text
    host: Text | None = None
    fault_domain: Text | None = None
    auto: bool = False
    priority: Priority = "default"
    max_cpu: Pct = DEFAULT_MAX_PCT
    max_mem: Pct = DEFAULT_MAX_PCT
    timeout: Seconds | None = None
    pool: Text | None = None  # the target cluster's pool (as migrate --pool)

    @model_validator(mode="after")
    def _one_target(self) -> MigrateAction:
        given = [k for k, on in (("host", self.host is not None),
                                 ("fault_domain", self.fault_domain is not None),
                                 ("auto", self.auto)) if on]
        if len(given) != 1:
            have = f" (got {', '.join(given)})" if given else ""
            raise ValueError(f"give exactly one of host, fault_domain or auto: true{have}")
        return self


class AdviseAction(_Strict):
    """Rank the hosts for a VM; fails when none qualifies. ``save_as`` keeps the best host."""

    vm: Text
    fault_domain: Text = "any"
    max_cpu: Pct = DEFAULT_MAX_PCT
    max_mem: Pct = DEFAULT_MAX_PCT
    save_as: VarName | None = None


class EvacuateAction(_Strict):
    """Move every VM off a host (it does not enter maintenance: that is its own step)."""

    host: Text
    fault_domain: Text = "any"
    priority: Priority = "default"
    max_parallel: Annotated[int, Field(ge=1)] = DEFAULT_MAX_PARALLEL
    include_powered_off: bool = False
    journal: Text | None = None
    max_cpu: Pct = DEFAULT_MAX_PCT
    max_mem: Pct = DEFAULT_MAX_PCT
    timeout: Seconds | None = None
    partial: bool = False  # move the others when a VM cannot be moved or placed


class MaintenanceAction(_Strict):
    host: Text
    action: Literal["enter", "exit"]
    timeout: Seconds | None = None
    # enter only: maintenanceSpec.vsanMode.objectAction (None: no spec, vCenter's default)
    vsan_mode: Literal["ensure-accessibility", "evacuate-all", "no-action"] | None = None
    evacuate_powered_off: bool = False  # enter only: the task's evacuatePoweredOffVms

    @model_validator(mode="after")
    def _enter_only(self) -> MaintenanceAction:
        if self.action == "exit" and (self.vsan_mode is not None or self.evacuate_powered_off):
            raise ValueError("vsan_mode and evacuate_powered_off only apply to action: enter")
        return self


class RestoreAction(_Strict):
    """Move back the VMs the journal says came from ``host``."""

    host: Text
    journal: Text | None = None
    max_parallel: Annotated[int, Field(ge=1)] = DEFAULT_MAX_PARALLEL
    timeout: Seconds | None = None


class WaitUntil(_Strict):
    """H2O jobs reaching a status: a job key, or ``running`` (those running at the start)."""

    h2o_job: Text
    status: Literal["DONE", "RUNNING", "FAILED", "CANCELLED"] = "DONE"
    h2o_url: Text | None = None
    interval: Seconds = 2.0


class WaitAction(_Strict):
    """``seconds: N``, or ``until: {...}`` with an optional ``timeout``."""

    seconds: Annotated[float, Field(ge=0)] | None = None
    until: WaitUntil | None = None
    timeout: Seconds | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> WaitAction:
        if (self.seconds is None) == (self.until is None):
            raise ValueError("give exactly one of seconds or until")
        if self.timeout is not None and self.until is None:
            raise ValueError("timeout goes with until; seconds is already a fixed time")
        return self


class ClusterMaintenanceAction(_Strict):
    """A rolling maintenance window (the fields of ``vmcctl cluster maintenance``)."""

    cluster: Text
    hosts: list[Text] | None = None
    only_fault_domain: Text | None = None
    max_down: Annotated[int, Field(ge=1)] = 1
    each: Text | None = None
    restore: bool = False
    fault_domain: Text = "any"  # where VMs may wait (placement policy)
    priority: Priority = "default"
    max_parallel: Annotated[int, Field(ge=1)] = DEFAULT_MAX_PARALLEL
    max_cpu: Pct = DEFAULT_MAX_PCT
    max_mem: Pct = DEFAULT_MAX_PCT
    journal: Text | None = None
    resume: bool = False
    timeout: Seconds | None = None


Action = (MigrateAction | AdviseAction | EvacuateAction | MaintenanceAction | RestoreAction
          | WaitAction | ClusterMaintenanceAction)

ACTIONS: dict[str, type[_Strict]] = {
    "migrate": MigrateAction, "advise": AdviseAction, "evacuate": EvacuateAction,
    "maintenance": MaintenanceAction, "restore": RestoreAction, "wait": WaitAction,
    "cluster_maintenance": ClusterMaintenanceAction,
}


class ConnectionSpec(_Strict):
    """Where vCenter is. Secrets stay out of the file: ``password_env`` names a variable.

    ``username``, ``password_env`` and ``ca_file`` go only with ``url`` (see
    ``vmcctl.vsphere.settings.FileConnection``); ``insecure: true`` needs --insecure.
    """

    url: Text | None = None
    username: Text | None = None
    password_env: Annotated[str, Field(pattern=NAME_PATTERN)] | None = None
    insecure: bool | None = None
    ca_file: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise ValueError("a password does not belong in a playbook: set password_env: "
                             "NAME (an environment variable holding it) or pass --password")
        return data


class PlaybookHeader(_Strict):
    """Everything but the steps' bodies, which are checked one by one."""

    name: Text
    description: str = ""
    vars: dict[Annotated[str, Field(pattern=NAME_PATTERN)], VarValue] = Field(
        default_factory=dict)
    connection: ConnectionSpec | None = None
    steps: Annotated[list[Any], Field(min_length=1)]
