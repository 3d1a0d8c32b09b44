"""--record-cassettes (registered by the installed package) switches committed-cassette
tests from replay to re-record."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = '''
def test_mode(cassette_mode, request):
    from vmcctl.testing.pytest_options import cassette_mode_for
    assert cassette_mode == cassette_mode_for(request.config)
    print("MODE=" + cassette_mode)
'''


@pytest.mark.parametrize(("flags", "mode"), [((), "none"), (("--record-cassettes",), "all")])
def test_option_selects_the_record_mode(tmp_path: Path, flags: tuple[str, ...],
                                        mode: str) -> None:
    (tmp_path / "test_probe.py").write_text(PROBE, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path),  # the option comes from vmcctl's pytest11 entry point
         str(tmp_path / "test_probe.py"), *flags],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"MODE={mode}" in proc.stdout
