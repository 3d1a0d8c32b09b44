"""``vmcctl sim serve``: the URL first, the certificate on stderr, clean stop, bad files refused."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from vmcctl.sim.inventory import load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.settings import resolve_settings
from vmcctl.vsphere.snapshot import take_snapshot

SERVE = [sys.executable, "-m", "vmcctl", "sim", "serve"]


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*SERVE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    return proc.returncode, err


@pytest.mark.sim
def test_serve_prints_the_url_first_and_the_certificate_and_stops_on_sigterm() -> None:
    proc = _serve("--inventory", str(SEED_INVENTORY))
    try:
        assert proc.stdout is not None and proc.stderr is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("https://127.0.0.1:") and url.endswith("/sdk")
        cert = proc.stderr.readline().strip()
        assert cert.startswith("certificate: ")
        settings = resolve_settings(url=url, username="user", password="pass",
                                    ca_file=cert.split(": ", 1)[1], env={})
        with Client(settings) as client:
            inv = take_snapshot(client)
        assert len(inv.hosts) == 9
        assert inv.fault_domains() == ("us-west-2a", "us-west-2b")
    finally:
        code, err = _stop(proc)
    assert code == 0, err
    assert "Traceback" not in err


@pytest.mark.sim
def test_plain_http_serves_http() -> None:
    proc = _serve("--inventory", str(SEED_INVENTORY), "--plain-http", "--port", "0")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("http://127.0.0.1:")
    finally:
        _stop(proc)


@pytest.mark.sim
@pytest.mark.slow
def test_generated_96_host_10000_vm_inventory_serves(tmp_path: Path, run_cli: Any) -> None:
    big = tmp_path / "big.yaml"
    gen = run_cli("sim", "generate", "--hosts", "96", "--vms", "10000", "--fault-domains", "3")
    assert gen.code == 0, gen.err
    big.write_text(gen.out, encoding="utf-8")
    started = time.monotonic()
    proc = _serve("--inventory", str(big))
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        print(f"96 hosts / 10,000 VMs serving after {time.monotonic() - started:.1f} s")
        assert url.startswith("https://")
    finally:
        _stop(proc)


def _seed() -> dict[str, Any]:
    return load_inventory(SEED_INVENTORY).model_dump(mode="json")


def _missing_key(doc: dict[str, Any]) -> None:
    del doc["clusters"][0]["hosts"][2]["cpu_cores"]


def _unknown_host(doc: dict[str, Any]) -> None:
    doc["vms"][3]["host"] = "10.94.24.99"


def _duplicate_vm(doc: dict[str, Any]) -> None:
    doc["vms"][1]["name"] = doc["vms"][0]["name"]


@pytest.mark.parametrize(("mutate", "expected"), [
    (_missing_key, "clusters.0.hosts.2.cpu_cores: required key is missing"),
    (_unknown_host, "vms.3.host: unknown host '10.94.24.99'"),
    (_duplicate_vm, "vms.1.name: duplicate name 'ML-cpu-vm-04'"),
    (None, "not valid YAML"),
    (b"\xff\xfe\x00bad", "not UTF-8 text"),
])
def test_bad_inventory_is_one_line_exit_2(tmp_path: Path, run_cli: Any, mutate: Any,
                                          expected: str) -> None:
    bad = tmp_path / "bad.yaml"
    if isinstance(mutate, bytes):
        bad.write_bytes(mutate)
    elif mutate is None:
        bad.write_text("clusters: [\n  - name: x\n", encoding="utf-8")
    else:
        doc = _seed()
        mutate(doc)
        bad.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = run_cli("sim", "serve", "--inventory", str(bad))
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert expected in lines[0]
    assert result.out == ""
