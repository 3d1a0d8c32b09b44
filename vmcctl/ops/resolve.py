"""The one place a user's HOST argument becomes a host (by moid, else by name).

Every use case in ``vmcctl.ops`` resolves through ``host()``, so switching to
selector resolution (inventory paths, refusing ambiguous names) is a change here.
"""

from __future__ import annotations

from vmcctl.model import Host, Inventory


def host(inv: Inventory, selector: str) -> Host:
    """The host ``selector`` names: a managed object id (``host-12``) or a name."""
    found = inv.hosts_by_moid.get(selector)
    return found if found is not None else inv.host(selector)
