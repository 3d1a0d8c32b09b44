"""stdout and stderr that outlive their reader (``vmcctl ... | head``, ``| tee`` and Ctrl-C).

When the reader of a pipe goes away (``head`` read its lines; ``tee`` got the
terminal's SIGINT with the rest of the process group), every later write to
that stream fails with ``BrokenPipeError``. Left alone, the first failed write
aborts the command half-way — after Ctrl-C, before it could say on stderr how
to resume — and click turns it into a silent exit 1. ``reader_gone_safe``
wraps both streams: a write to a pipe nobody reads is dropped, the descriptor
is pointed at the null device (so the final flush at exit cannot fail again),
and the command goes on to its own end, exit code and hints. A vMotion run is
never cut short because a pager was closed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO


class ReaderGoneSafe:
    """A text stream whose writes are dropped, not raised, once its reader has gone."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.reader_gone = True
        # What is still buffered (and anything flushed at exit) now goes nowhere quietly.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, self._stream.fileno())
            finally:
                os.close(null)

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, fileno, buffer, ...
        return getattr(self._stream, name)


@contextlib.contextmanager
def reader_gone_safe() -> Iterator[tuple[ReaderGoneSafe, ReaderGoneSafe]]:
    """Wrap ``sys.stdout`` and ``sys.stderr`` for the block; restore them after."""
    out, err = sys.stdout, sys.stderr
    safe_out = out if isinstance(out, ReaderGoneSafe) else ReaderGoneSafe(out)
    safe_err = err if isinstance(err, ReaderGoneSafe) else ReaderGoneSafe(err)
    sys.stdout, sys.stderr = safe_out, safe_err  # type: ignore[assignment]
    try:
        yield safe_out, safe_err
    finally:
        with contextlib.suppress(Exception):
            safe_out.flush()
            safe_err.flush()
        sys.stdout, sys.stderr = out, err
