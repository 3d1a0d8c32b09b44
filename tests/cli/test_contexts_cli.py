"""``vmcctl config`` and ``--context``: a context's password reaches vCenter and nothing else."""

from __future__ import annotations

import shlex
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vmcctl.sim.inventory import Credentials, load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY

USER, SECRET = "ctx-admin", "Ctx-Secret-5813"


def _password_cmd(tmp_path: Path) -> str:
    """A password_cmd whose text does not contain the password (it reads it from a file)."""
    vault = tmp_path / "vault.txt"
    vault.write_text(SECRET + "\n", encoding="utf-8")
    script = tmp_path / "get-password.py"
    script.write_text(f"print(open({str(vault)!r}).read().strip())\n", encoding="utf-8")
    return shlex.join([sys.executable, str(script)])


@pytest.mark.vmcctl_sim("a simulator with its own user and password, and its certificate")
def test_context_lab_lists_hosts_and_its_password_appears_in_no_output(
        vcsim_factory: Any, run_cli: Callable[..., Any], tmp_path: Path) -> None:
    spec = load_inventory(SEED_INVENTORY).model_copy(
        update={"credentials": Credentials(username=USER, password=SECRET)})
    sim = vcsim_factory(spec)
    assert sim.cert_file is not None
    config = tmp_path / "cfg" / "config.yaml"
    env = {"VMCCTL_CONFIG": str(config)}
    made = run_cli("config", "set-context", "lab", "--url", sim.url, "--username", USER,
                   "--password-cmd", _password_cmd(tmp_path), "--ca-file", str(sim.cert_file),
                   env=env)
    assert made.code == 0, made.err
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert SECRET not in config.read_text(encoding="utf-8")

    cassette = tmp_path / "hosts.yaml"
    runs = {
        "table": run_cli("--context", "lab", "inventory", "hosts", env=env),
        "json": run_cli("inventory", "hosts", "--context", "lab", "-o", "json", env=env),
        "debug": run_cli("--debug", "-vv", "--context", "lab", "inventory", "vms", env=env),
        "record": run_cli("--record", str(cassette), "--context", "lab", "inventory", "hosts",
                          env=env),
        "env": run_cli("inventory", "hosts", env={**env, "VMCCTL_CONTEXT": "lab"}),
    }
    for how, result in runs.items():
        assert result.code == 0, (how, result.err)
        assert SECRET not in result.out and SECRET not in result.err, how
    assert "10.94.24.85" in runs["table"].out
    assert {h["name"] for h in runs["json"].json()} >= {"10.94.24.70", "10.94.24.85"}
    assert cassette.exists() and SECRET not in cassette.read_text(encoding="utf-8")

    wrong = run_cli("--context", "lab", "inventory", "hosts", "--password", "not-it", env=env)
    assert wrong.code == 2
    assert "refused the login" in wrong.err and SECRET not in wrong.err


def test_config_commands_write_list_choose_and_delete(run_cli: Callable[..., Any],
                                                      tmp_path: Path) -> None:
    env = {"VMCCTL_CONFIG": str(tmp_path / "config.yaml")}
    assert run_cli("config", "current-context", env=env).code == 2  # nothing chosen yet
    assert run_cli("config", "set-context", "lab", "--url", "vc-lab.example", "--username",
                   "u", "--password-env", "LAB_PW", "--insecure", env=env).code == 0
    assert run_cli("config", "set-context", "prod", "--url", "https://vc-prod.example/sdk",
                   "--username", "p", "--password-cmd", "pass show prod", env=env).code == 0
    both = run_cli("config", "set-context", "x", "--url", "x", "--username", "u",
                   "--password-env", "A", "--password-cmd", "b", env=env)
    assert both.code == 2 and "exactly one of" in both.err
    assert run_cli("config", "use-context", "nope", env=env).code == 2
    assert run_cli("config", "use-context", "prod", env=env).code == 0
    assert run_cli("config", "current-context", env=env).out == "prod\n"

    listed = run_cli("config", "get-contexts", "-o", "json", env=env).json()
    assert listed["current_context"] == "prod"
    assert [(c["name"], c["current"], c["url"], c["password_from"], c["tls"])
            for c in listed["contexts"]] == [
        ("lab", False, "https://vc-lab.example/sdk", "env LAB_PW", "insecure"),
        ("prod", True, "https://vc-prod.example/sdk", "cmd pass show prod", "system")]
    table = run_cli("config", "get-contexts", env=env)
    assert table.code == 0 and "vc-prod.example" in table.out

    assert run_cli("config", "delete-context", "prod", env=env).code == 0
    after = run_cli("config", "get-contexts", "-o", "json", env=env).json()
    assert after["current_context"] is None
    assert [c["name"] for c in after["contexts"]] == ["lab"]
    assert run_cli("config", "current-context", env=env).code == 2
