"""``${name}`` substitution in a playbook's strings.

A string that is exactly ``${name}`` takes the variable's value with its type
(so ``max_parallel: ${n}`` can be a number); anywhere else the value is
formatted into the string. ``$$`` is a literal ``$``. A reference to a
variable that is not known raises ``UnknownVariable`` with the path of the
field that holds it; the loader turns that into a one-line ``PlaybookError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from vmcctl.errors import ConfigError

_TOKEN = re.compile(r"\$\{([^}]*)\}|\$\$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Path = tuple[str | int, ...]


class UnknownVariable(Exception):
    """A ``${name}`` with no value; ``path`` is where it was found."""

    def __init__(self, name: str, path: Path, known: Sequence[str]) -> None:
        super().__init__(name)
        self.name = name
        self.path = path
        self.known = tuple(known)


def substitute(value: Any, values: Mapping[str, object], path: Path = ()) -> Any:
    """``value`` with every ``${name}`` replaced, recursing into lists and mappings."""
    if isinstance(value, str):
        return _in_string(value, values, path)
    if isinstance(value, list):
        return [substitute(v, values, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: substitute(v, values, (*path, str(k))) for k, v in value.items()}
    return value


def _lookup(name: str, values: Mapping[str, object], path: Path) -> object:
    if name not in values:
        raise UnknownVariable(name, path, sorted(values))
    return values[name]


def _in_string(text: str, values: Mapping[str, object], path: Path) -> object:
    whole = _TOKEN.fullmatch(text)
    if whole is not None and whole.group(1) is not None:
        return _lookup(whole.group(1).strip(), values, path)

    def one(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "$"
        found = _lookup(match.group(1).strip(), values, path)
        if isinstance(found, bool):
            return "true" if found else "false"
        return str(found)

    return _TOKEN.sub(one, text)


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """``["host=10.0.0.1", ...]`` from ``--var`` → a dict; ``ConfigError`` if malformed."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise ConfigError(f"--var {pair!r} is not KEY=VALUE",
                              hint="KEY is letters, digits and _, e.g. --var host=10.94.24.71")
        out[name] = value
    return out
