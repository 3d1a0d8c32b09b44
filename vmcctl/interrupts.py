"""A Ctrl-C that cannot be lost while vmcctl waits for vCenter.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be when
SIGINT arrives. Library code with a bare ``except:`` (pyVmomi has some, e.g.
around ``intern()`` in every managed object it builds while reading an answer)
swallows it there, and the wait goes on as if nothing was pressed. With the
handler ``install()`` puts in place a press is also remembered, and the task
waiter's loop (``vsphere.tasks.TaskWaiter``) calls ``check()`` between two
answers from vCenter: a press nobody saw raises ``KeyboardInterrupt`` there.

Commands with their own Ctrl-C handling (``cli.running``: the first press stops
submitting) replace this handler while they run; ``forget()`` drops a press
that was already dealt with.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

_pressed = threading.Event()


def handler(signum: int, frame: FrameType | None) -> None:
    """SIGINT: remember the press, then raise ``KeyboardInterrupt`` as Python does."""
    _pressed.set()
    raise KeyboardInterrupt


def install() -> None:
    """Ctrl-C raises ``KeyboardInterrupt`` as Python's default does, and is remembered.

    Only from the main thread, and only over Python's default handler (a caller's
    own handler, or SIGINT ignored on purpose, is left alone).
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) in (signal.default_int_handler, handler):
        _pressed.clear()
        signal.signal(signal.SIGINT, handler)


def check() -> None:
    """Raise ``KeyboardInterrupt`` for a press that was swallowed on its way (once; in
    the main thread only, where Python raises it too)."""
    if _pressed.is_set() and threading.current_thread() is threading.main_thread():
        _pressed.clear()
        raise KeyboardInterrupt


def forget() -> None:
    """The press was dealt with (its ``KeyboardInterrupt`` was caught): do not raise it
    again."""
    _pressed.clear()
