"""``vmcctl sim serve`` tells the user and password it accepts, as lines a shell can run."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from vmcctl.sim.plugin import SEED_INVENTORY

SERVE = [sys.executable, "-m", "vmcctl", "sim", "serve"]


def _exports(proc: subprocess.Popen[str]) -> tuple[list[str], dict[str, str]]:
    """stderr lines up to the CA export line, and the variables the export lines set."""
    assert proc.stderr is not None
    lines: list[str] = []
    env: dict[str, str] = {}
    for line in proc.stderr:
        lines.append(line.rstrip("\n"))
        if line.strip().startswith("export "):
            for word in shlex.split(line)[1:]:
                name, _, value = word.partition("=")
                env[name] = value
        if "VMCCTL_CA_FILE" in env:
            break
    return lines, env


@pytest.mark.vmcctl_sim("serves an inventory file with its own credentials")
@pytest.mark.parametrize("credentials", [None, {"username": "lab admin", "password": "Pw 9$x"}])
def test_the_printed_exports_log_in(tmp_path: Path, credentials: dict[str, str] | None) -> None:
    doc = yaml.safe_load(SEED_INVENTORY.read_text(encoding="utf-8"))
    if credentials is not None:
        doc["credentials"] = credentials
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(yaml.safe_dump(doc), encoding="utf-8")
    proc = subprocess.Popen([*SERVE, "--inventory", str(inventory)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        lines, env = _exports(proc)
        user, password = (credentials or {"username": "user", "password": "pass"}).values()
        assert f"log in as {user} / {password}" in "\n".join(lines)
        assert env["VMCCTL_URL"] == url
        assert (env["VMCCTL_USERNAME"], env["VMCCTL_PASSWORD"]) == (user, password)
        assert Path(env["VMCCTL_CA_FILE"]).is_file()
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("VMCCTL_", "GOVC_"))}
        hosts = subprocess.run([sys.executable, "-m", "vmcctl", "inventory", "hosts", "-o",
                                "json"], env={**clean, **env}, capture_output=True, text=True,
                               timeout=50, check=False)
        assert hosts.returncode == 0, hosts.stderr
        assert "10.94.24.70" in hosts.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
