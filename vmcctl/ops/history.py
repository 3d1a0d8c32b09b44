"""Journal files: where they live, who may write one, and what every past run did.

Layout (one file per run, nothing is ever overwritten)::

    vmcctl-journal-<host>.json                    the newest evacuation of <host>
    vmcctl-journal-<host>.<run-id>.json           an earlier one, archived
    vmcctl-journal-<host>.restore.json            the newest restore of <host>
    vmcctl-journal-<host>.restore.<run-id>.json   an earlier one

``--journal FILE`` replaces ``vmcctl-journal-<host>`` by FILE's own name, in
FILE's folder. A new run whose file exists is refused while that run is
unfinished (finish it with ``--resume``); a finished or failed one is first
renamed to its archive name (hard link, then unlink: an archive is never
overwritten either). The run history of a folder is every journal there;
``newest_origins`` reads it to find, for each VM, where its newest recorded
move came from (a restore's move means: home).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vmcctl.errors import ConfigError
from vmcctl.executor.journal import Journal, default_journal_path, load_journal

UNFINISHED = frozenset({"planned", "running", "interrupted"})
PREFIX = "vmcctl-journal-"


def journal_path(host_name: str, given: Path | None = None,
                 directory: Path | None = None) -> Path:
    """The newest evacuation journal of a host: ``given``, or the default name."""
    if given is not None:
        return given if given.is_absolute() or directory is None else directory / given
    return default_journal_path(host_name, directory)


def restore_path(evacuation_path: Path) -> Path:
    """The newest restore journal next to an evacuation journal."""
    return evacuation_path.with_name(evacuation_path.stem + ".restore.json")


def archive(path: Path, run_id: str) -> Path:
    """Move ``path`` to ``<stem>.<run_id>.json`` next to it, never over another file."""
    for n in range(1000):
        suffix = f"-{n}" if n else ""
        target = path.with_name(f"{path.stem}.{run_id}{suffix}.json")
        try:
            os.link(path, target)
        except FileExistsError:
            continue
        except OSError:  # no hard links here: check, then rename
            if target.exists():
                continue
            os.replace(path, target)
            return target
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return target
    raise ConfigError(f"cannot archive journal {path}: too many runs with id {run_id}")


def guard_new_run(path: Path, *, resume_with: str) -> Path | None:
    """Make room for a new run at ``path``: the archived old run, or None if there was none.

    An unfinished run there is refused (``ConfigError``): its VMs may be in
    flight and only ``--resume`` may continue it. A file that is no journal is
    refused too: we do not know what we would be hiding.
    """
    if not path.exists():
        return None
    old = load_journal(path)
    if old.status in UNFINISHED:
        raise ConfigError(f"journal {path} records an unfinished {old.kind} of {old.host}",
                          hint=f"finish it with `{resume_with}`, or pass another --journal FILE")
    return archive(path, old.run_id)


def start_new_run(journal: Journal, path: Path, *, resume_with: str) -> str | None:
    """Archive the previous run at ``path`` (``guard_new_run``), then write ``journal`` there.

    Returns where the previous run was archived (None: there was none).
    """
    archived = guard_new_run(path, resume_with=resume_with)
    journal.save()
    return str(archived) if archived else None


def history_files(directory: Path, *also: Path) -> list[Path]:
    """Every journal in ``directory``: default names, and those named after ``also``."""
    stems = {p.stem for p in also}
    found = {p for p in directory.glob(f"{PREFIX}*.json")}
    for stem in stems:
        found.update(directory.glob(f"{stem}.*json"))
    found.update(p for p in also if p.exists())
    return sorted(p for p in found if p.is_file() and not p.name.startswith("."))


def load_history(paths: Iterable[Path]) -> tuple[list[Journal], list[str]]:
    """The journals that load, and one line for each file that does not."""
    journals: list[Journal] = []
    problems: list[str] = []
    for path in paths:
        try:
            journals.append(load_journal(path))
        except ConfigError as exc:
            problems.append(f"ignored {path}: {exc.message}")
    return journals, problems


@dataclass(frozen=True)
class Origin:
    """Where a VM's newest recorded move came from (its home), and whether it is back."""

    vm_moid: str
    vm: str
    home_moid: str
    home: str
    run_id: str
    at: str  # ISO time of the move
    source: Literal["journal", "attribute"]
    returned: bool = False  # the newest record is the move home (a restore)
    priority: str = "default"
    journal: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"vm": self.vm, "vm_moid": self.vm_moid, "home": self.home,
                "home_moid": self.home_moid, "run_id": self.run_id, "at": self.at,
                "source": self.source, "returned": self.returned, "journal": self.journal}


def newest_origins(journals: Iterable[Journal]) -> dict[str, Origin]:
    """For each VM moid: its newest completed move in any journal (evacuation or restore).

    An evacuation's move counts once the VM left its origin, even if the check
    after it failed (another actor moved it on): it still has a home to go to.
    """
    out: dict[str, Origin] = {}
    for journal in journals:
        restore = journal.kind == "restore"
        for rec in journal.moves:
            moved = rec.state == "done" or (rec.left_origin and not restore)
            if not moved or not rec.vm_moid:
                continue
            at = rec.ended_at or journal.updated_at
            origin = Origin(
                vm_moid=rec.vm_moid, vm=rec.vm,
                home_moid=rec.target_moid if restore else rec.origin_moid,
                home=rec.target if restore else rec.origin, run_id=journal.run_id, at=at,
                source="journal", returned=restore, priority=rec.priority,
                journal=str(journal.path) if journal.path else None)
            known = out.get(rec.vm_moid)
            if known is None or known.at < at:
                out[rec.vm_moid] = origin
    return out
