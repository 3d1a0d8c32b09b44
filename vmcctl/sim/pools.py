"""Resource pool keys of a simulator cluster: ``resource_pools`` and ``vapps``.

Paths are under the cluster's root pool: ``team`` or ``team/ml`` (``ml``
inside ``team``; ``team`` is made too). A vApp is ``name`` (under the root
pool) or ``pool/name`` inside one of the resource pools. A VM's ``pool`` is
one of these paths, ``""`` for the root pool.
"""

from __future__ import annotations


def check_paths(value: list[str]) -> list[str]:
    """Each entry a ``/``-separated path without empty parts."""
    for path in value:
        if not path or any(not part for part in path.split("/")):
            raise ValueError(f"{path!r} is not a pool path like 'team' or 'team/ml'")
    return value


def pool_paths(resource_pools: list[str]) -> list[str]:
    """Every resource pool path, parents before children (the root pool left out)."""
    paths: dict[str, None] = {}
    for path in resource_pools:
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            paths.setdefault("/".join(parts[:i]))
    return list(paths)


def check_vapps(pools: list[str], vapps: list[str]) -> None:
    """Each vApp under the root pool or one of ``pools``, not a pool itself, listed once."""
    known = set(pools)
    for i, path in enumerate(vapps):
        parent = path.rpartition("/")[0]
        if parent and parent not in known:
            raise ValueError(f"vapps.{i}: {parent!r} is not one of resource_pools")
        if path in known:
            raise ValueError(f"vapps.{i}: {path!r} is a resource pool already")
    if len(set(vapps)) != len(vapps):
        raise ValueError("vapps: a vApp is listed twice")
