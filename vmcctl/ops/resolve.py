"""The one place a user's HOST argument becomes a host.

Every use case in ``vmcctl.ops`` resolves through ``host()``: a name, a managed
object id (``host-12``) or an inventory path; a name shared by several hosts is
an ``AmbiguousError`` listing each with its path and moid.
"""

from __future__ import annotations

from vmcctl.model import Host, Inventory


def host(inv: Inventory, selector: str) -> Host:
    """The host ``selector`` names (name, moid or inventory path)."""
    return inv.find_host(selector)
