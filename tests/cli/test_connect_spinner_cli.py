"""A vCenter that accepts TCP but never answers: a spinner on the terminal after 2 s, then
the timeout's error (exit 1), instead of a silent hang."""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import subprocess
import sys
import time


def _read_all(fd: int, proc: subprocess.Popen[bytes], limit_s: float) -> bytes:
    out = b""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    return out


def test_silent_vcenter_shows_a_spinner_then_times_out() -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=8) as silent:  # listens, never accepts
        port = silent.getsockname()[1]
        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VMCCTL_", "GOVC_"))}
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "vmcctl", "inventory", "hosts", "--url",
             f"https://127.0.0.1:{port}/sdk", "--username", "u", "--password", "p",
             "--insecure", "--connect-timeout", "4"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        try:
            err = _read_all(master, proc, 40).decode(errors="replace")
            code = proc.wait(timeout=20)
        finally:
            os.close(master)
            if proc.poll() is None:
                proc.kill()
    elapsed = time.monotonic() - started
    assert code == 1, err
    assert re.search(rf"connecting to https://127\.0\.0\.1:{port}/sdk as u \([2-9] s\)", err)
    assert "did not answer in time" in err
    assert elapsed < 30
