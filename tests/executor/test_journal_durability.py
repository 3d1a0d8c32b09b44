"""The journal reaches the disk before it replaces the old one.

``os.replace`` of a file whose data is still only in the page cache can leave
an empty or partial journal after a power cut: the way home would be lost.
These tests watch the system calls ``write_atomic`` makes (the real ones run).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from executor_fixtures import record

from vmcctl.executor.journal import Journal, write_atomic


class Syscalls:
    """Records fsync and replace calls in order, then lets the real call run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, int, int]] = []  # (call, inode, bytes on the inode)
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            st = os.fstat(fd)
            self.events.append(("fsync", st.st_ino, st.st_size))
            real_fsync(fd)

        def replace(src: str | Path, dst: str | Path) -> None:
            st = os.stat(src)
            self.events.append(("replace", st.st_ino, st.st_size))
            real_replace(src, dst)

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)


def test_write_atomic_syncs_the_whole_file_before_replacing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "j.json"
    path.write_text("old\n")
    text = json.dumps({"moves": ["x" * 5000]}) + "\n"
    calls = Syscalls(monkeypatch)
    write_atomic(path, text)
    assert path.read_text() == text
    inode = path.stat().st_ino  # the temporary file became the journal
    names = [call for call, _, _ in calls.events]
    assert "fsync" in names, "the journal was never fsynced"
    assert names.index("fsync") < names.index("replace"), calls.events
    synced = [(ino, size) for call, ino, size in calls.events if call == "fsync"]
    # the file that was synced is the one that became the journal, with every byte written
    assert (inode, len(text.encode())) in synced, (synced, inode)


def test_every_journal_save_is_synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal(kind="evacuate", host="10.0.0.1", moves=[record("a")],
                      path=tmp_path / "j.json")
    calls = Syscalls(monkeypatch)
    for state in ("submitting", "running", "done"):
        journal.moves[0].state = state  # type: ignore[assignment]
        journal.save()
    names = [call for call, _, _ in calls.events]
    assert names == ["fsync", "replace"] * 3
