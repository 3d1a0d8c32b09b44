"""The DRS-like placement advisor: pure functions over an ``Inventory``.

    rank_hosts(inventory, vm, options)      -> Recommendation (never raises NoPlacementError)
    advise(inventory, vm, options)          -> Recommendation, NoPlacementError if no host fits
    plan_evacuation(inventory, host, ...)   -> EvacuationPlan (moves + unplaceable VMs)

No pyVmomi, no I/O: the CLI takes a snapshot, calls these and renders the
results (``*_rows()`` for tables, ``to_dict()`` for JSON). See docs/placement.md.
"""

from __future__ import annotations

from vmcctl.placement.advisor import advise, rank_hosts
from vmcctl.placement.evacuation import plan_evacuation
from vmcctl.placement.filters import FILTERS, Reason
from vmcctl.placement.plan import (
    Action,
    EnterMaintenance,
    EvacuationPlan,
    ExitMaintenance,
    HostLoad,
    Move,
    Unplaceable,
)
from vmcctl.placement.request import FAULT_DOMAIN_POLICIES, MovePriority, PlacementOptions
from vmcctl.placement.result import Candidate, HostRejection, Recommendation

__all__ = [
    "FAULT_DOMAIN_POLICIES",
    "FILTERS",
    "Action",
    "Candidate",
    "EnterMaintenance",
    "EvacuationPlan",
    "ExitMaintenance",
    "HostLoad",
    "HostRejection",
    "Move",
    "MovePriority",
    "PlacementOptions",
    "Reason",
    "Recommendation",
    "Unplaceable",
    "advise",
    "plan_evacuation",
    "rank_hosts",
]
