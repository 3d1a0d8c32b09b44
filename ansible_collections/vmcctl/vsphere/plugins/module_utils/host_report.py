"""Turning a vmcctl ``HostReport`` into a module result: changed, diff, failure.

The report is the library's (``vmcctl.ops``); only Ansible's view of it is
here: ``changed`` (a VM moved, or maintenance mode changed), a diff of VM
placement before/after taken from the journal's moves, vmcctl's warnings as
Ansible warnings, and ``fail_json`` with the report's own error when it is
not ok.
"""

from __future__ import annotations

from typing import Any

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.vmcctl.vsphere.plugins.module_utils.session import (
    fail,
    interrupted,
)

# What the host's maintenance mode became in this call (HostReport.maintenance).
MAINTENANCE_CHANGED = ("entered", "exited")
MAINTENANCE_WOULD_CHANGE = ("would-enter", "would-exit")


def _parts(report: Any) -> list[Any]:
    """The report and the restore nested in it (``exit_maintenance`` with restore)."""
    nested = getattr(report, "restore", None)
    return [report] if nested is None else [report, nested]


def _moves(report: Any) -> list[Any]:
    return [m for part in _parts(report) if part.journal is not None
            for m in part.journal.moves]


def changed(report: Any) -> bool:
    """A VM moved or maintenance mode changed (would, in check mode)."""
    if report.dry_run:
        return (any(m.state == "pending" for m in _moves(report))
                or any(p.maintenance in MAINTENANCE_WOULD_CHANGE for p in _parts(report)))
    return (any(m.state == "done" for m in _moves(report))
            or any(p.maintenance in MAINTENANCE_CHANGED for p in _parts(report)))


def placement_diff(report: Any) -> dict[str, str]:
    """``VM: host`` lines before and after (the plan's targets in check mode)."""
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for m in _moves(report):
        before.setdefault(m.vm, m.origin)
        moved = m.state == "done" or (report.dry_run and m.state == "pending")
        after[m.vm] = m.target if moved and m.target else m.origin
    header = f"placement of the VMs of {report.host}"

    def text(where: dict[str, str]) -> str:
        return "".join(f"{vm}: {host}\n" for vm, host in sorted(where.items()))

    return {"before_header": header, "after_header": header, "before": text(before),
            "after": text(after)}


def finish(module: AnsibleModule, report: Any, **extra: Any) -> None:
    """``exit_json`` with the report, or ``fail_json`` with its error (moves included)."""
    result = report.to_dict()
    result.update(extra)
    # "warnings" is Ansible's own key: vmcctl's warnings become Ansible warnings
    for warning in result.pop("warnings", []):
        module.warn(warning)
    nested = result.get("restore")
    if isinstance(nested, dict):
        for warning in nested.pop("warnings", []):
            module.warn(warning)
    did = changed(report)
    diff = placement_diff(report)
    error = report.error()
    if error is None and report.interrupted:
        interrupted(module, f"{report.action} of {report.host} was interrupted; run again "
                            "with resume", changed=did, diff=diff, **result)
    if error is not None:
        fail(module, error, changed=did, diff=diff, **result)
    module.exit_json(changed=did, diff=diff, **result)
