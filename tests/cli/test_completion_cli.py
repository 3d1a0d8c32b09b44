"""Shell completion: commands through click, VM/host/cluster names from the names cache
that the last inventory read left (never from a login, never with credentials)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.shell_completion import ShellComplete

from vmcctl.cli import cli
from vmcctl.cli.complete import CACHE_TTL, cache_file


def complete(args: list[str], incomplete: str) -> list[str]:
    comp = ShellComplete(cli, {}, "vmcctl", "_VMCCTL_COMPLETE")
    return [item.value for item in comp.get_completions(args, incomplete)]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_commands_complete_without_any_cache(cache_home: Path) -> None:
    assert complete([], "mi") == ["migrate"]
    assert set(complete(["host"], "")) == {"evacuate", "maintenance", "restore"}
    assert complete(["migrate", "vm-1"], "--pri") == ["--priority"]
    assert complete(["migrate"], "ML") == []  # no inventory read yet: nothing to offer


@pytest.mark.sim
@pytest.mark.vmcctl_sim("the seed inventory's names")
def test_names_complete_from_the_last_inventory_read(vcsim: Any, run_cli: Any,
                                                     cache_home: Path) -> None:
    assert run_cli("inventory", "hosts", "-o", "json", env=vcsim.env()).code == 0
    vms = sorted(v.name for v in vcsim.inventory.vms)
    assert complete(["migrate"], "") == vms
    assert complete(["migrate"], "ML-cpu") == [v for v in vms if v.startswith("ML-cpu")]
    assert complete(["advise"], "web-0") == ["web-01", "web-02", "web-03"]
    assert complete(["migrate", "web-01", "--host"], "10.94.24.8") == [
        "10.94.24.84", "10.94.24.85", "10.94.24.86", "10.94.24.87", "10.94.24.88"]
    assert complete(["host", "maintenance", "enter"], "10.94.24.7") == [
        "10.94.24.70", "10.94.24.71", "10.94.24.72", "10.94.24.73"]
    assert complete(["host", "evacuate"], "10.94.24.70") == ["10.94.24.70"]
    assert complete(["inventory", "vms", "--host"], "10.94.24.71") == ["10.94.24.71"]
    assert complete(["cluster", "maintenance"], "Cl") == ["Cluster-1"]
    assert complete(["advise", "web-01", "--fault-domain"], "") == [
        "any", "same", "other", "us-west-2a", "us-west-2b"]
    assert complete(["inventory", "vms", "--fault-domain"], "us") == ["us-west-2a", "us-west-2b"]

    path = cache_file()
    assert path.parent.parent == cache_home
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    for secret in (vcsim.password, vcsim.url, str(vcsim.port), "cookie", "session"):
        assert secret not in text, secret
    assert set(json.loads(text)) == {"written_at", "vms", "hosts", "clusters", "fault_domains"}


def test_a_stale_or_broken_cache_offers_nothing(cache_home: Path) -> None:
    path = cache_file()
    path.parent.mkdir(parents=True)
    fresh = {"written_at": time.time(), "vms": ["db-01"], "hosts": ["h1"], "clusters": []}
    path.write_text(json.dumps(fresh))
    assert complete(["migrate"], "d") == ["db-01"]
    path.write_text(json.dumps({**fresh, "written_at": time.time() - CACHE_TTL - 1}))
    assert complete(["migrate"], "d") == []
    path.write_text("{not json")
    assert complete(["migrate"], "d") == []


def test_bash_completion_script_and_a_real_completion(cache_home: Path) -> None:
    path = cache_file()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"written_at": time.time(), "vms": ["db-01", "db-02"],
                                "hosts": [], "clusters": []}))
    env = {**os.environ, "_VMCCTL_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-m", "vmcctl"], env=env, capture_output=True,
                            text=True, timeout=30, check=False)
    assert "_VMCCTL_COMPLETE=bash_complete" in script.stdout
    env |= {"_VMCCTL_COMPLETE": "bash_complete", "COMP_WORDS": "vmcctl migrate db",
            "COMP_CWORD": "2"}
    done = subprocess.run([sys.executable, "-m", "vmcctl"], env=env, capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.stdout.split() == ["plain,db-01", "plain,db-02"]
