"""Ask before acting: acting commands on a terminal show what they will change and wait for y.

    @yes_option
    def cmd(..., yes: bool) -> None:
        confirm(report.changes(), yes=yes)      # the ops layer says what would change

Asked only when stdin is a terminal and ``--yes`` was not given: scripts,
pipes, CI and every test without a terminal run as before. Nothing to change
(an empty list): nothing to ask. "n" (or Enter, or end of input) raises
``DeclinedError``: exit 1, "declined: nothing was changed", like a command
that did not do what was asked (kubectl and apt also exit 1 on "no"); 130
stays for Ctrl-C.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from vmcctl.errors import DeclinedError

F = TypeVar("F", bound=Callable[..., Any])


def yes_option(func: F) -> F:
    """``-y/--yes``: do not ask."""
    return click.option("-y", "--yes", is_flag=True,
                        help="Do not ask for confirmation (it is only asked when stdin is a "
                             "terminal).")(func)


def asking(yes: bool) -> bool:
    """Whether ``confirm`` would ask: stdin is a terminal and --yes was not given."""
    return not yes and sys.stdin.isatty()


def confirm(changes: Sequence[str], *, yes: bool) -> None:
    """List ``changes`` on stderr and ask; ``DeclinedError`` unless the answer is yes."""
    if not changes or not asking(yes):
        return
    click.echo("This will:", err=True)
    for change in changes:
        click.echo(f"  - {change}", err=True)
    if not click.confirm("Go ahead?", default=False, err=True):  # Ctrl-C here: exit 130
        raise DeclinedError("declined: nothing was changed",
                            hint="answer y to go ahead, or pass --yes to skip the question")
