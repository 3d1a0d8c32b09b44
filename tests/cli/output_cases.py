"""Every vmcctl command, and how to run it against the seed simulator without changing it.

Shared by the output contract tests: the command tree is walked through click's
own ``list_commands``/``get_command`` (so it works whatever the group loads
lazily), and every leaf command must have a case here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click

from vmcctl.cli import cli

REPO = Path(__file__).resolve().parents[2]
GLOSSARY_DOC = REPO / "docs" / "cli.md"
SEED_PLAYBOOKS = [REPO / "playbooks" / "seed-ml-vmotion.yaml",
                  REPO / "playbooks" / "maintenance-window.yaml"]

# The arguments that run each command against the seed without changing anything
# (dry runs for acting commands). "{journal}" becomes the journal of a real evacuation,
# "{task}" the task id of its move;
# commands in SPECIAL are run their own way, where the reason says.
CASES: dict[str, list[str]] = {
    "inventory hosts": [],
    "inventory vms": [],
    "advise": ["ML-cpu-vm-04", "--fault-domain", "other"],
    "migrate": ["ML-cpu-vm-04", "--auto", "--dry-run", "--priority", "high"],
    "host evacuate": ["10.94.24.70", "--dry-run"],
    "host maintenance enter": ["10.94.24.70", "--evacuate", "--dry-run"],
    "host maintenance exit": ["10.94.24.72", "--restore", "--dry-run", "--journal", "{journal}"],
    "host restore": ["10.94.24.72", "--dry-run", "--journal", "{journal}"],
    "cluster maintenance": ["Cluster-1", "--dry-run", "--hosts", "10.94.24.70,10.94.24.72"],
    "play": [str(SEED_PLAYBOOKS[1]), "--dry-run"],
    "sim generate": ["--hosts", "3", "--vms", "4", "--fault-domains", "1"],
    "task": ["{task}"],
}
SPECIAL = {
    "sim serve": "runs until stopped: test_output_runs_cli.py reads its first line",
    "sim build": "builds Go binaries: test_output_runs_cli.py, up to date after make setup",
    "h2o status": "needs a live H2O-3: tests/h2o/test_h2o_status_cli.py",
    "h2o demo-job": "starts a JVM and trains: its -o json is tests/h2o's",
    "config get-contexts": "reads a contexts file: -o json in test_contexts_cli.py",
}
# Commands without -o yet (merged from the contexts work at the deadline; each prints a
# line of confirmation or, `options`, help text). The list may only shrink: a command
# here that gains --output fails test_commands_without_output_really_lack_it.
WITHOUT_OUTPUT = {
    "config current-context": "prints the current context's name",
    "config delete-context": "prints one confirmation line",
    "config set-context": "prints one confirmation line",
    "config use-context": "prints one confirmation line",
    "options": "prints the connection options' help",
}
# Commands whose JSON is not vmcctl's vocabulary: `sim generate` prints an inventory
# file (its keys are the inventory format's, docs/simulator.md).
NOT_IN_GLOSSARY = {"sim generate"}
BOX = re.compile("[\u2500-\u257f]")


def walk(group: click.Group = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command, groups included, depth first."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, path
        command = found
    return command


def leaf_commands() -> list[str]:
    return [" ".join(p) for p in walk() if not isinstance(command_at(p), click.Group)]


def json_keys(doc: object, *, skip: frozenset[str] = frozenset()) -> set[str]:
    """Every object key in a JSON document, at any depth (values of ``skip`` keys, maps
    keyed by data such as names, are not descended into)."""
    keys: set[str] = set()
    if isinstance(doc, dict):
        for key, value in doc.items():
            keys.add(key)
            if key not in skip:
                keys |= json_keys(value, skip=skip)
    elif isinstance(doc, list):
        for item in doc:
            keys |= json_keys(item, skip=skip)
    return keys


# Keys whose value is a map keyed by data (reason labels, variable names, counts by
# state, sources): its keys are values, not vocabulary.
DATA_MAPS = frozenset({"rejected_by_reason", "vars", "counts", "sources"})


def glossary() -> set[str]:
    """The keys docs/cli.md's "JSON keys" section defines (`key` in its tables' first column)."""
    text = GLOSSARY_DOC.read_text(encoding="utf-8")
    start = text.index("\n## JSON keys")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end != -1 else None]
    keys: set[str] = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 2 and cells[1].startswith("`"):
            keys |= set(re.findall(r"`([a-z_0-9]+)`", cells[1]))
    return keys
