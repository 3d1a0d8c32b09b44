"""The output contract of every command: ``-o json`` parses and speaks the glossary's key
names, ``-o plain --no-headers`` is tab-separated text without box drawing, no VM or
host name is cut at 80 columns, and every ``--help`` has examples.

The command tree is walked through click (``output_cases.walk``): a new command without a
case in ``output_cases.CASES`` fails ``test_every_command_has_a_case``. The help pages:
test_help_examples.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from output_cases import (
    BOX,
    CASES,
    DATA_MAPS,
    NOT_IN_GLOSSARY,
    SPECIAL,
    WITHOUT_OUTPUT,
    command_at,
    glossary,
    json_keys,
    leaf_commands,
)

from vmcctl.sim.inventory import load_inventory, parse_inventory
from vmcctl.sim.plugin import SEED_INVENTORY, SimHandle
from vmcctl.sim.server import SimServer

pytestmark = [pytest.mark.sim, pytest.mark.vmcctl_sim("the seed inventory, read-only cases")]

EVACUATED = "10.94.24.72"  # emptied once (etl-01) so that restore has a journal to read


class Seed:
    def __init__(self, handle: SimHandle, journal: Path, evacuation: dict[str, Any]) -> None:
        self.handle, self.journal, self.evacuation = handle, journal, evacuation

    def env(self, **extra: str) -> dict[str, str]:
        return {**self.handle.env(), **extra}


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seed]:
    """One seed simulator for the read-only cases, after one real evacuation (JSON too)."""
    journal = tmp_path_factory.mktemp("journals") / "evacuation.json"
    with SimServer(load_inventory(SEED_INVENTORY), time_scale=20) as endpoint:
        handle = SimHandle(endpoint)
        done = subprocess.run(
            [sys.executable, "-m", "vmcctl", "host", "evacuate", EVACUATED, "--journal",
             str(journal), "-o", "json"], env={**_clean_env(), **handle.env()},
            capture_output=True, text=True, timeout=50, check=False)
        assert done.returncode == 0, done.stderr
        yield Seed(handle, journal, json.loads(done.stdout))


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("VMCCTL_", "GOVC_"))}


def _args(name: str, seed: Seed) -> list[str]:
    task = seed.evacuation["moves"][0]["task"]
    return [*name.split(), *(a.replace("{journal}", str(seed.journal)).replace("{task}", task)
                            for a in CASES[name])]


def _unknown_keys(doc: object) -> set[str]:
    return json_keys(doc, skip=DATA_MAPS) - glossary()


def test_every_command_has_a_case() -> None:
    missing = set(leaf_commands()) - set(CASES) - set(SPECIAL) - set(WITHOUT_OUTPUT)
    assert not missing, f"add a case for {sorted(missing)} to tests/cli/output_cases.py"
    known = set(CASES) | set(SPECIAL) | set(WITHOUT_OUTPUT)
    assert known <= set(leaf_commands()), "a case for a command gone"


def test_commands_without_output_really_lack_it() -> None:
    for name in WITHOUT_OUTPUT:
        params = {p.name for p in command_at(tuple(name.split())).params}
        assert "output" not in params, f"{name} has -o now: give it a case in CASES"
    for name in CASES:
        assert "output" in {p.name for p in command_at(tuple(name.split())).params}, name


def test_the_glossary_names_one_meaning_once() -> None:
    text = Path(__file__).resolve().parents[2].joinpath("docs", "cli.md").read_text()
    section = text[text.index("\n## JSON keys"):]
    section = section[:section.find("\n## ", 1)]
    first_cells = [line.split("|")[1] for line in section.splitlines()
                   if line.startswith("| `")]
    keys = [k for cell in first_cells for k in re.findall(r"`([a-z_0-9]+)`", cell)]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert {"mem_pct", "highPriority"}.isdisjoint(keys)


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_parses_and_uses_the_glossary(name: str, seed: Seed, run_cli: Any) -> None:
    result = run_cli(*_args(name, seed), "-o", "json", env=seed.env())
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc, "an empty document says nothing"
    if name not in NOT_IN_GLOSSARY:
        assert not _unknown_keys(doc), "keys missing from docs/cli.md's JSON keys"


def test_real_runs_speak_the_glossary_too(seed: Seed) -> None:
    assert seed.evacuation["ok"] and seed.evacuation["counts"] == {"done": 1}
    assert not _unknown_keys(seed.evacuation)


def test_the_migrate_dry_run_says_priority_as_typed(seed: Seed, run_cli: Any) -> None:
    args = ["migrate", "ML-cpu-vm-04", "--host", "10.94.24.85", "--priority", "high",
            "--dry-run"]
    doc = run_cli(*args, "-o", "json", env=seed.env()).json()
    assert doc["priority"] == "high" and doc["submit"]["priority"] == "highPriority"
    rows = dict(line.split("\t") for line in
                run_cli(*args, "-o", "plain", "--no-headers", env=seed.env()).out.splitlines())
    assert rows["priority"] == "high"


@pytest.mark.parametrize("name", sorted(set(CASES) - {"sim generate"}))
def test_plain_without_headers_is_tab_separated_text(name: str, seed: Seed,
                                                     run_cli: Any) -> None:
    bare = run_cli(*_args(name, seed), "-o", "plain", "--no-headers", env=seed.env())
    headed = run_cli(*_args(name, seed), "-o", "plain", env=seed.env())
    assert bare.code == headed.code == 0, bare.err + headed.err
    assert bare.out.strip() and not BOX.search(bare.out) and not BOX.search(headed.out)
    assert not any(line.startswith("# ") for line in bare.out.splitlines())
    assert "\t" in bare.out  # every case prints at least one table
    extra = set(headed.out.splitlines()) - set(bare.out.splitlines())
    assert extra, "the headed form has header lines the bare one leaves out"


def test_wide_shows_what_the_table_leaves_out(seed: Seed, run_cli: Any) -> None:
    table = run_cli("inventory", "vms", env=seed.env(COLUMNS="200")).out
    wide = run_cli("inventory", "vms", "-o", "wide", env=seed.env(COLUMNS="80")).out
    moids = [r["moid"] for r in run_cli("inventory", "vms", "-o", "json", env=seed.env()).json()]
    assert "MOID" in wide and all(m in wide for m in moids)
    assert "MOID" not in table


def test_seed_tables_fit_80_columns_by_dropping_columns(seed: Seed, run_cli: Any) -> None:
    for args in (["inventory", "hosts"], ["inventory", "vms"], ["advise", "ML-cpu-vm-04"]):
        out = run_cli(*args, env=seed.env(COLUMNS="80")).out
        assert max(len(line) for line in out.splitlines()) <= 80, args
        wide = run_cli(*args, env=seed.env(COLUMNS="200")).out
        assert max(len(line) for line in wide.splitlines()) > 80, "nothing was dropped"


def test_the_advise_table_names_the_rule(seed: Seed, run_cli: Any) -> None:
    result = run_cli("advise", "web-01", env=seed.env(COLUMNS="80"))
    assert result.code == 1
    assert "affinity rule web-with-cache" in result.out


# --- names at 80 columns ------------------------------------------------------------------

def _long_names() -> tuple[dict[str, Any], dict[str, str]]:
    """The seed inventory with names as long as real ones (FQDNs, team prefixes)."""
    text = SEED_INVENTORY.read_text(encoding="utf-8")
    spec = load_inventory(SEED_INVENTORY)
    renames = {h.name: f"esx-{h.name.replace('.', '-')}.sddc-us-west-2.vmwarevmc.com"
               for h in spec.hosts}
    renames |= {v.name: f"team-analytics-{v.name}-production" for v in spec.vms}
    for old, new in renames.items():
        text = re.sub(rf"(?<![\w.-]){re.escape(old)}(?![\w.-])", new, text)
    import yaml

    return yaml.safe_load(text), renames


@pytest.mark.vmcctl_sim("an inventory with long names")
def test_no_name_is_cut_at_80_columns(vcsim_factory: Any, run_cli: Any) -> None:
    doc, renames = _long_names()
    sim = vcsim_factory(parse_inventory(doc))
    env = {**sim.env(), "COLUMNS": "80"}
    host, vm = renames["10.94.24.70"], renames["ML-cpu-vm-04"]
    listings = [["inventory", "hosts"], ["inventory", "vms"], ["advise", vm],
                ["host", "evacuate", host, "--dry-run"],
                ["cluster", "maintenance", "Cluster-1", "--dry-run", "--hosts",
                 f"{host},{renames['10.94.24.72']}"]]
    for args in listings:
        data = run_cli(*args, "-o", "json", env=env).json()
        shown = {n for n in renames.values() if n in json.dumps(data)}
        assert shown, args
        out = run_cli(*args, env=env).out
        cut = sorted(n for n in shown if n not in out)
        assert not cut, f"{args}: cut or missing at 80 columns: {cut}"
        assert "…" not in out, args
