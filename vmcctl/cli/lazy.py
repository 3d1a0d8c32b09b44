"""A click group whose subcommands are imported only when used.

``vmcctl --version`` and ``vmcctl --help`` must not pay for pyVmomi, rich,
structlog or the playbook layer: scripts and Ansible call vmcctl in loops.
Each subcommand is registered as ``LazyCommand("module:attr", short_help)``;
the module is imported when the command runs, when its own help is shown, or
when shell completion descends into it. The top-level help lists the
commands from the registered short help, so listing them imports nothing
(``tests/cli/test_startup.py`` checks the short help matches the command's).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import click


class LazyCommand(NamedTuple):
    target: str  # "package.module:attribute"
    short_help: str  # what `vmcctl --help` lists, without importing the module


def load_target(target: str) -> click.Command:
    """Import ``module:attribute`` and check that it is a click command."""
    module_name, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command


class LazyGroup(click.Group):
    """``lazy_commands``: name → ``LazyCommand``; ``on_load`` sees each command once loaded."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyCommand] | None = None,
                 on_load: Callable[[click.Command], None] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, LazyCommand] = dict(lazy_commands or {})
        self._on_load = on_load

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            command = load_target(self.lazy_commands[cmd_name].target)
            if self._on_load is not None:
                self._on_load(command)
            self.commands[cmd_name] = command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, from the registered short help of commands not loaded yet."""
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            loaded = self.commands.get(name)
            if loaded is not None:
                if loaded.hidden:
                    continue
                limit = formatter.width - 6 - max(len(n) for n in self.list_commands(ctx))
                rows.append((name, loaded.get_short_help_str(limit)))
            else:
                rows.append((name, self.lazy_commands[name].short_help))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
