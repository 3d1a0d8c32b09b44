"""Reading a user's YAML file (inventory, playbook) with one-line errors naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vmcctl.errors import InputError


def read_yaml(path: str | Path, error: type[InputError], loader: Any) -> object:
    """The parsed document; ``error`` (one line: file, and line number if known) if it can't be.

    ``loader`` is a PyYAML loader class: a safe one (the caller's choice of
    libyaml's, or one that refuses duplicate keys).
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error(f"{source}: not UTF-8 text (is it a YAML file?)") from None
    except OSError as exc:
        raise error(f"{source}: cannot read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        why = f": {problem}" if problem else ""
        raise error(f"{source}: not valid YAML{where}{why}") from None
