"""Shell completion of VM, host and cluster names from the last inventory read.

Completing must not log in to vCenter on every <TAB>, so each inventory
snapshot the CLI takes (``connect.snapshot``) leaves the names it saw in a
small cache file: ``$XDG_CACHE_HOME/vmcctl/names.json`` (default
``~/.cache/vmcctl/names.json``), readable by its owner only, trusted for
``CACHE_TTL`` seconds. It holds names and nothing else: no URL, user,
password or session. Enable completion with (bash)::

    eval "$(_VMCCTL_COMPLETE=bash_source vmcctl)"
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

if TYPE_CHECKING:
    from vmcctl.model import Inventory

CACHE_TTL = 600.0  # seconds a names cache is trusted
KINDS = ("vms", "hosts", "clusters", "fault_domains")
POLICIES = ("any", "same", "other")  # --fault-domain's words besides a fault domain's name


def cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vmcctl" / "names.json"


def remember_names(inv: Inventory) -> None:
    """Write the inventory's VM, host and cluster names to the cache (best effort)."""
    data = {"written_at": time.time(),
            "vms": sorted({v.name for v in inv.vms}),
            "hosts": sorted({h.name for h in inv.hosts}),
            "clusters": sorted({h.cluster_name for h in inv.hosts if h.cluster_name}),
            "fault_domains": sorted({h.fault_domain for h in inv.hosts if h.fault_domain})}
    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home must not fail the command that read the inventory


def cached_names(kind: str, *, now: float | None = None) -> list[str]:
    """The cached names of ``kind`` (vms, hosts, clusters); none when stale or absent."""
    try:
        data: Any = json.loads(cache_file().read_text(encoding="utf-8"))
        written = float(data["written_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if (time.time() if now is None else now) - written > CACHE_TTL:
        return []
    names = data.get(kind)
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _completer(kind: str, words: tuple[str, ...] = ()) -> Any:
    def complete(ctx: click.Context, param: click.Parameter,
                 incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(name) for name in (*words, *cached_names(kind))
                if name.startswith(incomplete)]

    complete.__name__ = f"complete_{kind}"
    return complete


complete_vm = _completer("vms")
complete_host = _completer("hosts")
complete_cluster = _completer("clusters")
complete_fault_domain = _completer("fault_domains")  # a fault domain's name
complete_placement = _completer("fault_domains", POLICIES)  # any|same|other|NAME
