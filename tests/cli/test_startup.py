"""Start fast: ``--version`` and ``--help`` load no heavy library; the lazy command list
is the commands' own; connection options are accepted everywhere, documented once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import click
import pytest

from vmcctl.cli import COMMANDS, cli
from vmcctl.cli.connect import CONNECTION_NOTE, ConnectionOption
from vmcctl.cli.lazy import load_target

HEAVY = ("pyVmomi", "pyVim", "rich", "structlog", "pydantic", "requests", "yaml", "vcr",
         "h2o", "vmcctl.playbook", "vmcctl.sim", "vmcctl.vsphere.connection", "vmcctl.placement",
         "vmcctl.executor", "vmcctl.ops")
SHORT_HELP_LIMIT = 64


_PROBE = """
import atexit, sys
atexit.register(lambda: print("\\n".join(sorted(sys.modules)), file=sys.stderr))
from vmcctl.cli import main
main(sys.argv[1:])
"""


def _imported(*args: str) -> set[str]:
    """Modules in ``sys.modules`` when a fresh interpreter's ``vmcctl ARGS`` exits
    (``-X importtime`` misses the modules ``importlib.import_module`` loads)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VMCCTL_", "GOVC_"))}
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True,
                          text=True, env=env, check=False, timeout=50)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set(done.stderr.split())
    assert "click" in modules  # the probe worked
    return modules


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
def test_version_and_help_import_no_heavy_library(args: tuple[str, ...]) -> None:
    assert _heavy(_imported(*args)) == []


def test_a_subcommand_help_loads_only_its_own_module() -> None:
    modules = _imported("inventory", "hosts", "--help")
    assert "vmcctl.cli.inventory" in modules
    assert {"vmcctl.cli.sim", "vmcctl.cli.play", "vmcctl.cli.host"}.isdisjoint(modules)
    assert {m.split(".")[0] for m in _heavy(modules)} <= {"rich"}  # tables: render.py


def test_registered_short_help_is_the_commands_own() -> None:
    for name, lazy in COMMANDS.items():
        command = load_target(lazy.target)
        assert command.name == name
        assert lazy.short_help == command.get_short_help_str(SHORT_HELP_LIMIT), name


def test_top_level_help_lists_every_command_on_one_line_in_80_columns() -> None:
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run([sys.executable, "-m", "vmcctl", "--help"], capture_output=True,
                          text=True, env=env, check=True, timeout=50)
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    listed = lines[lines.index("Commands:") + 1:]
    assert [line.split()[0] for line in listed] == sorted(COMMANDS)


def _walk(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...],
                                                                          click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += _walk(sub, (*path, name))
    return found


def test_connection_options_hidden_but_noted_on_every_command(
        run_cli: Callable[..., Any]) -> None:
    ctx = click.Context(cli)
    with_connection = []
    for name in cli.list_commands(ctx):
        top = cli.get_command(ctx, name)
        assert top is not None
        for path, command in _walk(top, (name,)):
            if any(isinstance(p, ConnectionOption) for p in command.params):
                with_connection.append(path)
                shown = run_cli(*path, "--help")
                assert shown.code == 0
                assert CONNECTION_NOTE.split(" (")[0] in " ".join(shown.out.split())
                assert "--ca-file PEM" not in shown.out  # not repeated in full
    assert ("inventory", "hosts") in with_connection and ("migrate",) in with_connection


def test_connection_options_still_accepted_and_listed_in_full(
        run_cli: Callable[..., Any]) -> None:
    refused = run_cli("inventory", "hosts", "--url", "https://vc.invalid/sdk",
                      "--connect-timeout", "1")
    assert refused.code == 2 and "no username for it" in refused.err
    listed = run_cli("options")
    assert listed.code == 0
    for flag in ("--context NAME", "--url URL", "--username USER", "--password PASSWORD",
                 "--insecure", "--ca-file PEM", "--connect-timeout S"):
        assert flag in listed.out
    flat = " ".join(listed.out.split())
    assert "(default 10)" in flat and "(default 120)" in flat


def test_top_level_help_states_the_timeout_defaults(run_cli: Callable[..., Any]) -> None:
    from vmcctl.vsphere.settings import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT

    flat = " ".join(run_cli("--help").out.split())
    assert (f"{DEFAULT_CONNECT_TIMEOUT:g} s to accept the connection and "
            f"{DEFAULT_READ_TIMEOUT:g} s to answer each call") in flat
