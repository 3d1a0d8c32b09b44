"""``-o json`` on the runs that used to print text or nothing: maintenance enter and exit,
``migrate --timeout``, and the simulator's own commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from output_cases import DATA_MAPS, glossary, json_keys

from vmcctl.sim.plugin import SEED_INVENTORY

pytestmark = pytest.mark.sim

EMPTY_HOST = "10.94.24.85"  # no VM on it in the seed
STAMPED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 \S")


@pytest.mark.vmcctl_sim("the seed inventory")
def test_maintenance_enter_and_exit_print_json(vcsim: Any, run_cli: Any) -> None:
    entered = run_cli("host", "maintenance", "enter", EMPTY_HOST, "-o", "json", env=vcsim.env())
    assert entered.code == 0, entered.err
    doc = entered.json()
    assert (doc["host"], doc["maintenance"], doc["ok"]) == (EMPTY_HOST, "entered", True)
    dry = run_cli("host", "maintenance", "exit", EMPTY_HOST, "--dry-run", "-o", "json",
                  env=vcsim.env())
    assert dry.code == 0, dry.err
    assert (dry.json()["maintenance"], dry.json()["dry_run"]) == ("would-exit", True)
    table = run_cli("host", "maintenance", "exit", EMPTY_HOST, "--dry-run", env=vcsim.env())
    assert "would exit maintenance mode" in table.out
    hosts = run_cli("inventory", "hosts", "-o", "json", env=vcsim.env()).json()
    assert next(h for h in hosts if h["name"] == EMPTY_HOST)["maintenance"] is True  # unchanged
    exited = run_cli("host", "maintenance", "exit", EMPTY_HOST, "-o", "json", env=vcsim.env())
    assert exited.code == 0, exited.err
    assert exited.json()["maintenance"] == "exited"
    for document in (doc, dry.json(), exited.json()):
        assert not json_keys(document, skip=DATA_MAPS) - glossary()


@pytest.mark.vmcctl_sim("the seed inventory")
def test_a_real_migration_prints_json_in_the_glossary_words(vcsim_factory: Any,
                                                            run_cli: Any) -> None:
    sim = vcsim_factory(time_scale=20)
    result = run_cli("migrate", "web-02", "--host", "10.94.24.85", "--priority", "low",
                     "-o", "json", env=sim.env())
    assert result.code == 0, result.err
    doc = result.json()
    assert (doc["target"], doc["state"], doc["verified"], doc["priority"]) == (
        "10.94.24.85", "success", True, "low")
    assert not json_keys(doc, skip=DATA_MAPS) - glossary()
    # no terminal: plain progress lines on stderr, each with its ISO time
    progress = [line for line in result.err.splitlines() if "web-02 10.94.24.84 -> " in line]
    assert progress and all(STAMPED.match(line) for line in progress), result.err


@pytest.mark.vmcctl_sim("the seed inventory's modelled vMotion time")
def test_migrate_timeout_still_prints_json(vcsim: Any, run_cli: Any) -> None:
    # db-02 has 128 GB: about 34 s of modelled vMotion; the command gives up after 1 s
    result = run_cli("migrate", "db-02", "--host", "10.94.24.88", "--timeout", "1", "-o", "json",
                     env=vcsim.env())
    assert result.code == 1
    doc = result.json()
    assert doc["timed_out"] is True and doc["verified"] is False
    assert doc["task"] and doc["task"].startswith("task-")
    assert doc["state"] in ("queued", "running")
    assert "still running" in result.err
    assert not json_keys(doc, skip=DATA_MAPS) - glossary()


@pytest.mark.vmcctl_sim("vmcctl's simulator binary")
def test_sim_serve_json_first_line() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vmcctl", "sim", "serve", "--inventory", str(SEED_INVENTORY),
         "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert first["url"].startswith("https://127.0.0.1:") and first["username"] == "user"
    assert first["ca_file"] and "password" not in first
    assert set(first) <= glossary()


def test_sim_build_json(run_cli: Any) -> None:
    result = run_cli("sim", "build", "-o", "json")
    assert result.code == 0, result.err
    doc = result.json()
    assert [d["binary"].rsplit("/", 1)[-1] for d in doc] == ["vmcctl-vcsim", "vmcctl-stock-vcsim"]
    assert all(isinstance(d["built"], bool) for d in doc)
    assert not json_keys(doc) - glossary()
