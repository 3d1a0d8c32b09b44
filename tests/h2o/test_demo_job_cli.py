"""``vmcctl h2o demo-job``: a local H2O with a training job, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
import requests

pytestmark = pytest.mark.h2o

PORT = 54621  # away from the demo's 54321 and the test cluster's 54421


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_demo_job_prints_url_and_job_and_ctrl_c_stops_h2o() -> None:
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: H2O-3 needs a JRE")
    proc = subprocess.Popen([sys.executable, "-m", "vmcctl", "h2o", "demo-job", "--port",
                             str(PORT), "--seconds", "60", "-o", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group, like a terminal
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.rstrip() == "}":
                break
        info = json.loads("".join(lines))
        job = requests.get(f"{info['h2o_url']}/3/Jobs/{info['job']}", timeout=10).json()
        assert job["jobs"][0]["status"] in ("CREATED", "RUNNING", "DONE")
        assert _pid_alive(info["pid"])
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopping H2O" in err and "Traceback" not in err
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{info['h2o_url']}/3/Cloud", timeout=5)
    assert not _pid_alive(info["pid"]) or _zombie(info["pid"])


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1].startswith("Z")
    except OSError:
        return True
