"""``vmcctl h2o status`` against a real local H2O-3: JSON in the glossary's words, plain
text without box drawing (the CLI output contract, tests/cli/test_output_contract.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import LiveH2O

pytestmark = pytest.mark.h2o


def _output_cases() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "cli" / "output_cases.py"
    spec = importlib.util.spec_from_file_location("output_cases", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_h2o_status_json_and_plain(live_h2o: LiveH2O, run_cli: Any) -> None:
    cases = _output_cases()
    url = live_h2o.cluster.url
    result = run_cli("h2o", "status", "--h2o-url", url, "-o", "json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["cloud"]["healthy"] is True and isinstance(doc["jobs"], list)
    assert not cases.json_keys(doc) - cases.glossary()
    plain = run_cli("h2o", "status", "--h2o-url", url, "-o", "plain", "--no-headers")
    assert plain.code == 0, plain.err
    assert "healthy" in plain.out and not cases.BOX.search(plain.out)
