"""``vmcctl --record FILE`` and ``--replay FILE``: one cassette per command.

The cassette is opened around the whole command (``RecordingGroup.invoke``),
not around one vCenter session, so a command that opens several sessions
still writes one file, and an error anywhere in the command passes through
the recording: a replay miss becomes ``CassetteError``, and a failing run is
still written (the failure is usually what a bug report is about).

``--record`` talks to vCenter as usual (mode ``all``) and scrubs the file;
``--replay`` (hidden, for tests and for reading a bug report) answers every
call from the cassette (mode ``none``) with dummy connection settings, so
it needs no URL, credentials or network.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from vmcctl.errors import ConfigError

REPLAY_URL = "https://vcenter.invalid/sdk"
REPLAY_USERNAME = "replay"
REPLAY_PASSWORD = "replay"  # never sent anywhere: replay matches a scrubbed Login


@contextmanager
def conversation(record: Path | None, replay: Path | None) -> Iterator[None]:
    """Record to ``record``, replay from ``replay``, or neither."""
    if record is not None and replay is not None:
        raise ConfigError("--record and --replay cannot be used together")
    if record is None and replay is None:
        yield
        return
    from vmcctl.testing.cassettes import recording

    if record is not None:
        if record.is_dir():
            raise ConfigError(f"--record {record}: is a directory", hint="name a file")
        try:
            with recording(record, "all"):
                yield
        finally:
            if record.exists():  # the whole inventory is in it: readable by its owner only
                record.chmod(0o600)
    else:
        assert replay is not None
        with recording(replay, "none"):
            yield


def replaying() -> bool:
    """True while a ``--replay`` cassette answers the calls."""
    from vmcctl.testing.cassettes import active_recording

    active = active_recording()
    return active is not None and active.replay_only


def note_credentials(username: str | None, password: str | None) -> None:
    """Tell a running ``--record`` the credentials, to scrub them wherever they appear."""
    from vmcctl.testing.cassettes import active_recording

    active = active_recording()
    if active is not None:
        active.add_credentials(username, password)


class RecordingGroup(click.Group):
    """A click group whose ``--record``/``--replay`` wrap the whole subcommand."""

    def invoke(self, ctx: click.Context) -> Any:
        with conversation(ctx.params.get("record"), ctx.params.get("replay")):
            return super().invoke(ctx)
