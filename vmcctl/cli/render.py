"""Rendering results: tables for people, tab-separated lines for awk, JSON for scripts.

Every command takes ``-o/--output table|wide|plain|json`` and ``--no-headers``:

- ``table`` (default): a rich table sized to the terminal. A name (VM, host,
  cluster) is never cut: when the table is too wide, the columns a command
  marked optional are dropped first (least important first), then long text
  wraps between words; if it still does not fit, the table is wider than the
  terminal rather than cut.
- ``wide``: every column, also the ones only ``wide`` shows (``moid`` ...).
- ``plain``: one line per row, cells separated by a tab, no box drawing, no
  colour, every column (as ``wide``), so ``awk -F'\\t'`` always sees the same
  fields. A header line (and a ``# title`` line per table) unless
  ``--no-headers``.
- ``json``: one JSON document on stdout; logs and progress go to stderr.

Commands build a ``Grid`` with ``table(...)`` and hand it to ``show``; a line
of text goes through ``say``. Both read the chosen format from the click
context, so the command code does not branch on it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_CHOICES = ("table", "wide", "plain", "json")
META_OUTPUT, META_HEADERS = "vmcctl.output", "vmcctl.headers"
PIPE_WIDTH = 160  # stdout is no terminal and COLUMNS is unset: room for most tables
WRAP_WIDTH = 40  # long text (why, result) may wrap down to this before a column is dropped

# Column headers that hold a VM, host or cluster name: never wrapped, never cut.
NAME_HEADERS = frozenset({"vm", "host", "from", "to", "cluster", "home", "job", "name",
                          "source", "target", "current host"})


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def store(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        ctx.meta[key] = value
        return value

    return store


def output_option(func: F) -> F:
    """Add ``-o/--output table|wide|plain|json`` and ``--no-headers`` to a command."""
    func = click.option(
        "--no-headers", is_flag=True, expose_value=False, callback=_remember(META_HEADERS),
        help="Leave out header and title lines (table, wide, plain).")(func)
    return click.option(
        "-o", "--output", "output", type=click.Choice(OUTPUT_CHOICES), default="table",
        show_default=True, envvar="VMCCTL_OUTPUT", callback=_remember(META_OUTPUT),
        help="table for people, wide for every column, plain for awk (tab-separated), "
             "json for scripts (stdout only).  [env: VMCCTL_OUTPUT]",
    )(func)


def _meta() -> dict[str, Any]:
    ctx = click.get_current_context(silent=True)
    return ctx.meta if ctx is not None else {}


def output_format() -> str:
    """The ``--output`` of the running command (``table`` outside one)."""
    return str(_meta().get(META_OUTPUT) or "table")


def headers_wanted() -> bool:
    return not _meta().get(META_HEADERS, False)


def _width() -> int | None:
    """None: let rich ask the terminal (or COLUMNS); a pipe without COLUMNS gets PIPE_WIDTH."""
    return None if sys.stdout.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH


def stdout_console(width: int | None = None) -> Console:
    return Console(file=sys.stdout, soft_wrap=False, width=width or _width(), markup=False,
                   highlight=False)


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


# --- tables -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False  # numbers: right-aligned, never wrapped
    name: bool = False  # names: never wrapped, never cut
    drop: int = 0  # 0: always shown; 1, 2, ...: dropped in this order when too wide
    wide: bool = False  # only with -o wide / plain


@dataclass
class Grid:
    """A table as data: rendered by ``show`` as a rich table or as plain lines."""

    title: str | None
    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[object]], *,
          right: Iterable[str] = (), names: Iterable[str] = (), drop: Sequence[str] = (),
          wide: Iterable[str] = ()) -> Grid:
    """A table; ``right`` names the numeric columns, ``names`` the name columns (besides
    NAME_HEADERS), ``drop`` the optional columns in the order they go when the terminal is
    too narrow, ``wide`` the columns only ``-o wide``/``plain`` show."""
    right_set, name_set, wide_set = set(right), set(names), set(wide)
    order = {header: n for n, header in enumerate(drop, start=1)}
    cols = [Column(header=h, right=h in right_set,
                   name=h in name_set or h.lower() in NAME_HEADERS,
                   drop=order.get(h, 0), wide=h in wide_set) for h in columns]
    return Grid(title, cols, [["" if cell is None else str(cell) for cell in row]
                              for row in rows])


def _plain(cell: str) -> str:
    return " ".join(cell.split()) if any(c in cell for c in "\t\n\r") else cell


def _plain_lines(grid: Grid) -> list[str]:
    lines = []
    if headers_wanted():
        if grid.title:
            lines.append(f"# {grid.title}")
        if any(c.header for c in grid.columns):
            lines.append("\t".join(c.header for c in grid.columns))
    lines += ["\t".join(_plain(cell) for cell in row) for row in grid.rows]
    return lines


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _natural(grid: Grid, i: int) -> int:
    """Width of column i with nothing wrapped."""
    return max([len(grid.columns[i].header), *(len(row[i]) for row in grid.rows)])


def _minimum(grid: Grid, i: int) -> int:
    """The narrowest column i may get: whole names and numbers, whole words of text."""
    col = grid.columns[i]
    if col.name or col.right:
        return _natural(grid, i)
    return max([_longest_word(col.header), *(_longest_word(row[i]) for row in grid.rows)])


def _table_width(widths: Sequence[int]) -> int:
    return sum(w + 2 for w in widths) + len(widths) + 1  # padding and box lines


def _comfortable(grid: Grid, i: int) -> int:
    """Width of column i when long text wraps at a readable width (names never wrap)."""
    col, natural = grid.columns[i], _natural(grid, i)
    if col.name or col.right:
        return natural
    return min(natural, max(_minimum(grid, i), WRAP_WIDTH))


def fit(grid: Grid, width: int, *, wide: bool = False) -> Grid:
    """The columns to show at ``width``: wide-only ones out (unless ``wide``), then the
    optional ones out in their drop order until the table fits with long text wrapped
    at a readable width."""
    keep = [i for i, c in enumerate(grid.columns) if wide or not c.wide]
    if not wide:
        for col in sorted((c for c in grid.columns if c.drop), key=lambda c: c.drop):
            if _table_width([_comfortable(grid, i) for i in keep]) <= width:
                break
            keep = [i for i in keep if grid.columns[i] is not col]
    return Grid(grid.title, [grid.columns[i] for i in keep],
                [[row[i] for i in keep] for row in grid.rows])


def widths(grid: Grid, width: int) -> list[int]:
    """Each column's width: unwrapped if that fits ``width``, else the wrappable text
    columns give up room (the one with most to spare first) down to their longest word;
    names and numbers keep theirs. The sum may exceed ``width``: nothing is ever cut."""
    n = len(grid.columns)
    out = [_natural(grid, i) for i in range(n)]
    low = [_minimum(grid, i) for i in range(n)]
    excess = _table_width(out) - width
    while excess > 0:
        spare, i = max((out[i] - low[i], i) for i in range(n)) if n else (0, 0)
        if spare <= 0:
            break
        out[i] -= 1
        excess -= 1
    return out


def _rich(grid: Grid, width: int) -> tuple[Table, int]:
    """The rich table laid out for ``width``, and its width (more than ``width`` only when
    whole names and words need it)."""
    t = Table(title=grid.title if headers_wanted() else None, title_justify="left",
              header_style="bold",
              show_header=headers_wanted() and any(c.header for c in grid.columns))
    sizes = widths(grid, width)
    for col, size in zip(grid.columns, sizes, strict=True):
        t.add_column(col.header, justify="right" if col.right else "left",
                     no_wrap=col.name or col.right, width=size, overflow="fold")
    for row in grid.rows:
        t.add_row(*(Text(cell) for cell in row))
    return t, _table_width(sizes)


def show(item: Grid | str) -> None:
    """Print a table or a line of text on stdout, as ``--output`` asks."""
    fmt = output_format()
    if isinstance(item, str) or fmt in ("plain", "json"):
        # text as it is (the terminal wraps it); with json, stdout is the document's alone
        for line in [item] if isinstance(item, str) else _plain_lines(item):
            click.echo(line, err=fmt == "json")
        return
    console = stdout_console()
    rendered, needed = _rich(fit(item, console.width, wide=fmt == "wide"), console.width)
    if needed > console.width:  # wider than the terminal rather than a name cut
        console = stdout_console(needed)
    console.print(rendered)


def say(text: str) -> None:
    """One line of text for people: on stdout, or on stderr with ``-o json``."""
    show(text)


def pct(value: float) -> str:
    return f"{value:.1f}%"


def gib(mb: float) -> str:
    return f"{mb / 1024:.0f} GiB"
