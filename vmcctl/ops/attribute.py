"""The way home, written to vCenter: the ``vmcctl.origin`` custom attribute on a VM.

Value: ``origin=<host moid>;run=<run id>;at=<ISO time>``, set when a move off
that host succeeds and cleared (set to the empty string) when the VM is
brought home. Custom attributes survive vMotion and are visible to anyone
with the inventory, so ``host restore`` works on another machine with no
journal at hand.

A role that may not define or set attributes (``NoPermission``) gets one
warning through ``ExecutorEvents.warning`` and the run carries on with the
journal alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyVmomi import vim, vmodl

from vmcctl.errors import VCenterConnectionError
from vmcctl.executor.events import ExecutorEvents
from vmcctl.executor.journal import MoveRecord, now_iso
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.snapshot import collect

FIELD_NAME = "vmcctl.origin"


@dataclass(frozen=True)
class OriginValue:
    home_moid: str
    run_id: str
    at: str

    def encode(self) -> str:
        return f"origin={self.home_moid};run={self.run_id};at={self.at}"

    @classmethod
    def parse(cls, text: str) -> OriginValue | None:
        """The value, or None for an empty (cleared) or foreign one."""
        parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
        home = parts.get("origin", "")
        if not home:
            return None
        return cls(home_moid=home, run_id=parts.get("run", ""), at=parts.get("at", ""))


def _fault_text(fault: Any) -> str:
    privilege = getattr(fault, "privilegeId", None)
    name = type(fault).__name__.rsplit(".", 1)[-1]
    return f"{name} ({privilege})" if privilege else name


def field_key(content: Any) -> int | None:
    """The key of the ``vmcctl.origin`` field definition, if it exists."""
    for definition in content.customFieldsManager.field or ():
        if definition.name == FIELD_NAME and definition.managedObjectType in (
                None, vim.VirtualMachine):
            return int(definition.key)
    return None


class OriginTags:
    """Sets and clears ``vmcctl.origin``; never fails a run (warns once and stops trying)."""

    def __init__(self, client: Client, events: ExecutorEvents | None = None) -> None:
        self.client = client
        self.events = events or ExecutorEvents()
        self._key: int | None = None
        self.disabled: str | None = None  # why attributes are not written

    def _field(self) -> int | None:
        if self._key is not None or self.disabled:
            return self._key
        try:
            key = self.client.read(field_key)
            if key is None:
                manager = self.client.content.customFieldsManager
                created = self.client.call(
                    lambda: manager.AddCustomFieldDef(FIELD_NAME, vim.VirtualMachine))
                key = int(created.key)
        except vim.fault.DuplicateName:
            key = self.client.read(field_key)  # defined meanwhile by another run
        except (vmodl.MethodFault, VCenterConnectionError) as exc:
            self._disable(f"cannot define the custom attribute {FIELD_NAME}: "
                          f"{_fault_text(exc)}")
            return None
        self._key = key
        return key

    def _disable(self, why: str) -> None:
        self.disabled = why
        self.events.warning(f"{why}; the way home is kept in the journal only")

    def _set(self, vm_moid: str, text: str) -> bool:
        key = self._field()
        if key is None:
            return False
        manager = self.client.content.customFieldsManager
        vm = vim.VirtualMachine(vm_moid, self.client.si._stub)
        try:
            self.client.call(lambda: manager.SetField(vm, key, text))
        except vmodl.fault.ManagedObjectNotFound:
            return False  # deleted: nothing to tag
        except (vmodl.MethodFault, VCenterConnectionError) as exc:
            self._disable(f"cannot set the custom attribute {FIELD_NAME}: {_fault_text(exc)}")
            return False
        return True

    def mark(self, rec: MoveRecord, run_id: str) -> bool:
        """Record on the VM that it came from ``rec.origin_moid``."""
        value = OriginValue(home_moid=rec.origin_moid, run_id=run_id, at=rec.ended_at or now_iso())
        return self._set(rec.vm_moid, value.encode())

    def clear(self, vm_moid: str) -> bool:
        return self._set(vm_moid, "")


def read_origin_values(client: Client) -> tuple[dict[str, OriginValue], str | None]:
    """``{vm moid: value}`` for every VM carrying the attribute (one bulk read).

    The second item says why nothing could be read (None when all went well).
    """
    def read(content: Any) -> tuple[dict[str, OriginValue], str | None]:
        key = field_key(content)
        if key is None:
            return {}, None  # never defined: no VM was tagged
        raw = collect(content, {vim.VirtualMachine: ["customValue"]})[vim.VirtualMachine]
        found: dict[str, OriginValue] = {}
        for moid, props in raw.items():
            text = None
            for item in props.get("customValue") or ():
                if int(item.key) == key:
                    text = str(getattr(item, "value", "") or "")  # the last one counts
            value = OriginValue.parse(text) if text else None
            if value is not None:
                found[str(moid)] = value
        return found, None

    try:
        return client.read(read)
    except vmodl.MethodFault as exc:
        return {}, f"cannot read the custom attribute {FIELD_NAME}: {_fault_text(exc)}"
