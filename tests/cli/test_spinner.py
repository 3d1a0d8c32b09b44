"""The connecting spinner: only on a terminal, only after its delay, erased at the end."""

from __future__ import annotations

import io
import time

from vmcctl.cli.spinner import spinner


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_when_the_work_ends_before_the_delay() -> None:
    out = _Terminal()
    with spinner("connecting", delay=5.0, stream=out):
        pass
    assert out.getvalue() == ""


def test_spins_after_the_delay_and_erases_its_line() -> None:
    out = _Terminal()
    with spinner("connecting to vc", delay=0.05, interval=0.01, stream=out):
        time.sleep(0.3)
    text = out.getvalue()
    assert "connecting to vc (0 s)" in text
    assert text.endswith("\r\033[K")


def test_never_on_a_pipe() -> None:
    out = io.StringIO()
    with spinner("connecting", delay=0.0, interval=0.01, stream=out):
        time.sleep(0.1)
    assert out.getvalue() == ""
