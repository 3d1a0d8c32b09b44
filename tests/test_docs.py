"""The user docs keep up with the CLI: every command and option is documented."""

from __future__ import annotations

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
