"""VMware Cloud on AWS (VMC): recognising its clusters and what their customers may not do.

A VMC cluster's root resource pool holds ``Compute-ResourcePool`` (the
customer's workloads) and ``Mgmt-ResourcePool`` (VMware's management VMs:
vCenter, NSX managers ...). Its customer role, CloudAdmin, "cannot access or
configure objects that are supported and managed by VMware, such as hosts,
clusters, and management virtual machines" (VMware Cloud on AWS Operations
Guide, "SDDC vCenter Roles"): host maintenance and upgrades are VMware's.

``refuse_vmc_maintenance`` is called by the operations layer (``ops.maintenance``,
``ops.evacuate`` with maintenance, ``ops.rolling``) right after the inventory
is read, before any call that changes anything, and independently of any
privilege check: the answer is "VMware does this here", not "ask for a role".
VMware's management VMs (in ``Mgmt-ResourcePool``) are not moved either: the
placement layer lists them as ``vmc-managed`` blockers (``placement.movable``).
"""

from __future__ import annotations

from vmcctl.errors import ProviderManagedError
from vmcctl.model import VMC_COMPUTE_POOL as COMPUTE_POOL
from vmcctl.model import VMC_MGMT_POOL as MGMT_POOL
from vmcctl.model import Cluster, Host, Inventory


def is_vmc_cluster(inv: Inventory, cluster_moid: str | None) -> bool:
    """Does the cluster's root pool hold both Compute-ResourcePool and Mgmt-ResourcePool?"""
    return inv.is_vmc_cluster(cluster_moid)


def refuse_vmc_maintenance(inv: Inventory, host: Host, what: str) -> None:
    """``ProviderManagedError`` (exit 2) if ``host`` is in a VMC cluster."""
    if is_vmc_cluster(inv, host.cluster_moid):
        cluster = host.cluster_name or host.cluster_moid
        raise ProviderManagedError(
            f"{what}: host {host.name} is in VMware Cloud on AWS (cluster {cluster} has "
            f"{COMPUTE_POOL} and {MGMT_POOL}); VMware runs host maintenance there, a "
            "customer cannot put its hosts into or out of maintenance mode",
            hint=f"to move the VMs off it without maintenance: vmcctl host evacuate "
                 f"{host.name}")


def refuse_vmc_window(inv: Inventory, cluster: Cluster) -> None:
    """``ProviderManagedError`` (exit 2) if a rolling maintenance window targets VMC."""
    if is_vmc_cluster(inv, cluster.moid):
        raise ProviderManagedError(
            f"cluster maintenance: cluster {cluster.name} is in VMware Cloud on AWS (it has "
            f"{COMPUTE_POOL} and {MGMT_POOL}); VMware runs host maintenance there, a "
            "customer cannot put its hosts into maintenance mode",
            hint="to move the VMs off one host without maintenance: vmcctl host evacuate HOST")
