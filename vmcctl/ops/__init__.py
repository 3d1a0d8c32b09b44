"""One function per use case; every front-end (CLI, playbooks) calls these.

    from vmcctl import ops
    report = ops.evacuate_host(client, "10.94.24.70", ops.EvacuateOptions(), events)
    report = ops.enter_maintenance(client, host, ops.EnterOptions(evacuate=...), events)
    report = ops.exit_maintenance(client, host, ops.ExitOptions(restore=ops.RestoreOptions()))
    report = ops.restore_host(client, host, ops.RestoreOptions(), events)
    report = ops.maintain_cluster(client, "Cluster-1", ops.ClusterMaintenanceOptions(...))
    report.ok; report.interrupted; report.error(); report.to_dict()

Each resolves the host (``ops.resolve.host``), reads the inventory, plans,
guards journals (``ops.history``), runs the executor, re-checks and returns a
``HostReport``; progress goes to ``ExecutorEvents``. Nothing here prints or exits.
"""

from __future__ import annotations

from vmcctl.ops.evacuate import DEFAULT_ENTER_TIMEOUT, EvacuateOptions, evacuate_host
from vmcctl.ops.maintenance import EnterOptions, ExitOptions, enter_maintenance, exit_maintenance
from vmcctl.ops.report import HostReport
from vmcctl.ops.restore import RestoreOptions, away_from, restore_host, way_home
from vmcctl.ops.rolling import ClusterMaintenanceOptions, WindowReport, maintain_cluster

__all__ = ["DEFAULT_ENTER_TIMEOUT", "ClusterMaintenanceOptions", "EnterOptions",
           "EvacuateOptions", "ExitOptions", "HostReport", "RestoreOptions", "WindowReport",
           "away_from", "enter_maintenance", "evacuate_host", "exit_maintenance",
           "maintain_cluster", "restore_host", "way_home"]
