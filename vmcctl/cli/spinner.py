"""A spinner on stderr while something slow may be happening (connecting to vCenter).

Shown only on a terminal and only after ``delay`` seconds, so a quick login
prints nothing; the line is erased when the work ends.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

FRAMES = "|/-\\"
DEFAULT_DELAY_S = 2.0


@contextmanager
def spinner(message: str, *, delay: float = DEFAULT_DELAY_S, interval: float = 0.2,
            stream: TextIO | None = None) -> Iterator[None]:
    """Spin ``message`` (with the seconds elapsed) on ``stream`` (stderr) while the block runs."""
    out = stream if stream is not None else sys.stderr
    try:
        tty = out.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty:
        yield
        return
    done = threading.Event()
    started = time.monotonic()
    shown = False

    def spin() -> None:
        nonlocal shown
        if done.wait(delay):
            return
        frame = 0
        while not done.is_set():
            elapsed = time.monotonic() - started
            out.write(f"\r{FRAMES[frame % len(FRAMES)]} {message} ({elapsed:.0f} s)")
            out.flush()
            shown = True
            frame += 1
            done.wait(interval)

    thread = threading.Thread(target=spin, name="vmcctl-spinner", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        if shown:
            out.write("\r\033[K")
            out.flush()
