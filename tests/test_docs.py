"""The user docs keep up with the CLI: every command and option is documented."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from vmcctl.cli import cli

CLI_DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def _commands(cmd: click.Command, path: tuple[str, ...]) -> Iterator[tuple[str, click.Command]]:
    if isinstance(cmd, click.Group):  # list_commands/get_command: the CLI loads them lazily
        ctx = click.Context(cmd)
        for name in sorted(cmd.list_commands(ctx)):
            sub = cmd.get_command(ctx, name)
            assert sub is not None, name
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), cmd


COMMANDS = list(_commands(cli, ("vmcctl",)))


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_and_option_is_in_cli_md(name: str, command: click.Command) -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    assert f"`{name}" in text, f"{name} is not documented in docs/cli.md"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            longs = [o for o in param.opts if o.startswith("--")]
            assert any(o in text for o in longs), f"{name} {longs} missing from docs/cli.md"


def test_global_options_are_in_cli_md() -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    for param in cli.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert any(o in text for o in param.opts if o.startswith("--")), param.opts


DOCS = CLI_DOC.parent
PLACEMENT = Path(__file__).resolve().parent.parent / "vmcctl" / "placement"


def _reason_codes() -> set[str]:
    """Every reason code the advisor and the movability check can give, read from the
    source: literal ``Reason("code", ...)``, the four rule filters, the device codes."""
    from vmcctl.placement.movable import DEVICE_CODES, HINTS

    src = "".join(p.read_text(encoding="utf-8") for p in sorted(PLACEMENT.glob("*.py")))
    codes = set(re.findall(r'Reason\(\s*"([a-z0-9-]+)"', src))
    codes |= set(re.findall(r'_rule_filter\("[a-z-]+", "([a-z-]+)"', src))
    return codes | set(DEVICE_CODES.values()) | set(HINTS)


def test_every_reason_code_is_in_placement_md() -> None:
    codes = _reason_codes()
    doc = (DOCS / "placement.md").read_text(encoding="utf-8")
    assert len(codes) > 20  # the scan found them (a renamed class would make this empty)
    assert sorted(c for c in codes if f"`{c}`" not in doc) == []


def test_every_inventory_key_is_in_simulator_md() -> None:
    from vmcctl.sim import inventory
    from vmcctl.sim.users import UserSpec

    doc = (DOCS / "simulator.md").read_text(encoding="utf-8")
    models = [inventory.InventorySpec, inventory.ClusterSpec, inventory.HostSpec,
              inventory.VmSpec, inventory.DatastoreSpec, inventory.RuleSpec,
              inventory.FaultSpec, inventory.MigrationModel, inventory.Credentials, UserSpec]
    missing = [f"{m.__name__}.{key}" for m in models for key in m.model_fields
               if f"{key}:" not in doc and f"`{key}`" not in doc]
    assert missing == []
