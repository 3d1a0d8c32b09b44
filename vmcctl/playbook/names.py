"""Check every literal VM and host name of a playbook against one inventory snapshot.

Runs after login and before step 1, so that a typo in step 5 refuses the run
before step 1 has moved anything. A name that comes from a variable set while
the playbook runs (an ``advise`` step's ``save_as``) is not known yet and is
left to its step; names from ``vars:`` and ``--var`` are known and checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vmcctl.errors import AmbiguousError, NotFoundError, PlaybookError, ProviderManagedError
from vmcctl.model import Inventory
from vmcctl.playbook.load import Playbook, Step
from vmcctl.vsphere.vmc import refuse_vmc_maintenance, refuse_vmc_window

_REF = re.compile(r"\$\{([^}]*)\}")
# (field, kind of object) checked for each action
FIELDS = (("vm", "VM"), ("host", "host"))


def _runtime_names(playbook: Playbook) -> set[str]:
    return {saved for step in playbook.steps
            if (saved := getattr(step.action, "save_as", None)) is not None}


def literal_names(playbook: Playbook) -> Iterator[tuple[Step, str, str, str]]:
    """(step, field, kind, name) for each VM/host name known before the run."""
    runtime = _runtime_names(playbook)
    for step in playbook.steps:
        body = step.body if isinstance(step.body, dict) else {}
        for field, kind in FIELDS:
            value = getattr(step.action, field, None)
            if not isinstance(value, str):
                continue
            raw = body.get(field)
            if isinstance(raw, str) and any(m.strip() in runtime for m in _REF.findall(raw)):
                continue
            yield step, field, kind, value


def check_names(playbook: Playbook, inv: Inventory) -> None:
    """``PlaybookError`` naming the first step and field whose VM or host does not exist
    or whose name matches several objects (name them by path or moid instead)."""
    for step, field, kind, name in literal_names(playbook):
        try:
            if kind == "VM":
                inv.find_vm(name)
            else:
                inv.find_host(name)
        except (NotFoundError, AmbiguousError) as exc:
            raise PlaybookError(f"{playbook.source}: {step.label}: {step.kind}.{field}: "
                                f"{exc.message}; nothing was run", hint=exc.hint) from None


def check_provider(playbook: Playbook, inv: Inventory) -> None:
    """Refuse, before step 1, a maintenance or cluster_maintenance step that VMware runs
    itself (VMware Cloud on AWS: ``vsphere.vmc``), so no earlier step has moved anything."""
    for step, field, kind, name in literal_names(playbook):
        if step.kind == "maintenance" and field == "host" and kind == "host":
            what = f"{step.label}: maintenance {getattr(step.action, 'action', '')}"
            try:
                refuse_vmc_maintenance(inv, inv.find_host(name), what)
            except ProviderManagedError as exc:
                raise ProviderManagedError(f"{playbook.source}: {exc.message}; nothing was "
                                           "run", hint=exc.hint) from None
    for step in playbook.steps:
        cluster = getattr(step.action, "cluster", None)
        if step.kind != "cluster_maintenance" or not isinstance(cluster, str):
            continue
        try:
            refuse_vmc_window(inv, inv.find_cluster(cluster))
        except (NotFoundError, AmbiguousError):
            continue  # the step itself says so when it runs
        except ProviderManagedError as exc:
            raise ProviderManagedError(f"{playbook.source}: {step.label}: {exc.message}; "
                                       "nothing was run", hint=exc.hint) from None
