"""Rendering results: rich tables for people, JSON for scripts.

Every command takes ``--output table|json``. JSON goes to stdout alone (logs
and progress go to stderr), so ``vmcctl ... -o json | jq`` always works.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_CHOICES = ("table", "json")


def output_option(func: F) -> F:
    """Add ``-o/--output table|json`` to a command."""
    return click.option(
        "-o", "--output", "output", type=click.Choice(OUTPUT_CHOICES), default="table",
        show_default=True, envvar="VMCCTL_OUTPUT",
        help="table for people, json for scripts (stdout only).  [env: VMCCTL_OUTPUT]",
    )(func)


def stdout_console() -> Console:
    return Console(file=sys.stdout, soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def stderr_console() -> Console:
    return Console(file=sys.stderr, soft_wrap=False, width=None if sys.stderr.isatty() else 160)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def emit_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, default=_json_default))


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[object]],
          *, right: Iterable[str] = ()) -> Table:
    """A plain rich table; ``right`` names the numeric columns to right-align."""
    right_set = set(right)
    t = Table(title=title, title_justify="left", header_style="bold")
    for col in columns:
        t.add_column(col, justify="right" if col in right_set else "left", no_wrap=True)
    for row in rows:
        t.add_row(*("" if cell is None else str(cell) for cell in row))
    return t


def pct(value: float) -> str:
    return f"{value:.1f}%"


def gib(mb: float) -> str:
    return f"{mb / 1024:.0f} GiB"
