"""Checking an ``--events`` stream against docs/events.schema.json, for every test folder.

``tests/`` is on ``sys.path`` (its conftest.py is loaded first), so any test can
``from events_check import read, validate``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "events.schema.json")
                    .read_text(encoding="utf-8"))
# built once: jsonschema.validate() would check the schema itself again for every line
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def schema_errors(line: dict[str, Any]) -> list[str]:
    return sorted(e.message for e in VALIDATOR.iter_errors(line))


def validate(lines: list[dict[str, Any]]) -> None:
    """Every line valid; one run; ``seq`` 1, 2, ...; ``run.start`` first, ``run.end`` last."""
    for line in lines:
        errors = schema_errors(line)
        assert not errors, f"{line}: {errors[0]}"
    assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1))
    assert len({e["run"] for e in lines}) == 1
    assert lines[0]["type"] == "run.start" and lines[-1]["type"] == "run.end"
