"""``vmcctl sim serve --stock``: govmomi's own simulator, served like ours."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vmcctl.sim.plugin import SEED_INVENTORY
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.settings import resolve_settings
from vmcctl.vsphere.snapshot import take_snapshot

SERVE = [sys.executable, "-m", "vmcctl", "sim", "serve", "--stock"]


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*SERVE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    return proc.returncode, err


@pytest.mark.sim
@pytest.mark.parametrize(("flags", "datacenters", "hosts"), [
    ((), 1, 4),  # govmomi's VPX model: a cluster of 3 and one standalone host
    (("--dc", "2", "--hosts", "2", "--standalone-hosts", "0"), 2, 4),
], ids=["default", "counts"])
def test_stock_serves_govmomi_model_over_verified_tls(flags: tuple[str, ...],
                                                      datacenters: int, hosts: int) -> None:
    proc = _serve(*flags)
    cert = ""
    try:
        assert proc.stdout is not None and proc.stderr is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("https://127.0.0.1:") and url.endswith("/sdk")
        line = proc.stderr.readline().strip()
        assert line.startswith("certificate: ")
        cert = line.split(": ", 1)[1]
        settings = resolve_settings(url=url, username="user", password="pass",
                                    ca_file=cert, env={})
        with Client(settings) as client:
            inv = take_snapshot(client)
        assert len(inv.hosts) == hosts
        # clustered hosts: vmcctl does not read a standalone host's ComputeResource (yet)
        assert len({h.datacenter for h in inv.hosts if h.cluster_moid}) == datacenters
        assert inv.fault_domains() == ()  # the stock simulator has none
    finally:
        code, err = _stop(proc)
    assert code == 0, err
    assert "Traceback" not in err
    assert not Path(cert).exists(), "the certificate's temporary folder must go at exit"


@pytest.mark.sim
def test_stock_refuses_other_credentials() -> None:
    proc = _serve("--plain-http")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        settings = resolve_settings(url=url, username="user", password="wrong", env={})
        with pytest.raises(Exception, match=r"(?i)login|password|auth"), Client(settings):
            pass
    finally:
        _stop(proc)


@pytest.mark.parametrize(("args", "expected"), [
    (("--stock", "--inventory", str(SEED_INVENTORY)), "drop --inventory"),
    (("--stock", "--time-scale", "10"), "--time-scale needs vmcctl's simulator"),
    (("--inventory", str(SEED_INVENTORY), "--dc", "2"), "--dc only apply with --stock"),
    ((), "give --inventory FILE, or --stock"),
])
def test_stock_options_are_checked(run_cli: Any, args: tuple[str, ...], expected: str) -> None:
    result = run_cli("sim", "serve", *args)
    assert result.code == 2
    assert expected in result.err
    assert result.out == ""
