"""The cassette tests pass on a machine without Go and without the simulator binary.

Runs ``pytest -m cassette`` in a child process whose PATH holds nothing but a
Python interpreter (so no ``go``) and whose simulator binary path points
nowhere: any replay test that started a simulator or built one would fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_cassettes import REPO

pytestmark = pytest.mark.slow


def test_cassette_suite_needs_no_go_and_no_simulator(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    assert shutil.which("go", path=str(bin_dir)) is None
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("VMCCTL_", "GOVC_", "VCSIM_", "GO"))}
    env |= {"PATH": str(bin_dir), "VMCCTL_VCSIM_BIN": str(tmp_path / "no-such-binary")}

    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "cassette", "-q", "-p", "no:cacheprovider",
         str(REPO / "tests")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)

    tail = "\n".join(proc.stdout.strip().splitlines()[-5:])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in tail and "failed" not in tail and "error" not in tail, tail
    assert not (tmp_path / "no-such-binary").exists()
