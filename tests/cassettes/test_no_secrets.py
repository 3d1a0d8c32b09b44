"""No committed cassette holds the recording credentials or a session cookie value.

Every file under ``cassettes/`` and ``tests/testing/cassettes/`` is searched
as raw text (any letter case, XML- and URL-escaped forms too) and once more
after YAML parsing, so a value split or escaped by the YAML writer is still
found. Cookies may appear only with the scrubbed placeholder as their value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_cassettes import CASSETTES, REPO

from vmcctl.testing.credentials import RECORDING_PASSWORD, RECORDING_USERNAME
from vmcctl.testing.scrub import SESSION_PLACEHOLDER, leaked

pytestmark = pytest.mark.cassette

FOLDERS = (CASSETTES, REPO / "tests" / "testing" / "cassettes")
SECRETS = (RECORDING_USERNAME, RECORDING_PASSWORD)
# vmware_soap_session=VALUE, the value possibly quoted (and the quote escaped in YAML).
COOKIE = re.compile(r"vmware_soap_session=\\?\"?(?P<value>[^;\"\\\s,']*)", re.IGNORECASE)


def committed_files() -> list[Path]:
    return sorted(p for folder in FOLDERS if folder.is_dir()
                  for p in folder.rglob("*") if p.is_file())


def strings(node: Any) -> Iterator[str]:
    """Every string (and decoded bytes) inside a parsed YAML/JSON document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, bytes):
        yield node.decode("utf-8", errors="replace")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from strings(item)


def texts_of(path: Path) -> list[str]:
    raw = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml", ".json"):
        return [raw, "\n".join(strings(yaml.safe_load(raw)))]
    return [raw]


def cookie_values(text: str) -> set[str]:
    return {m.group("value") for m in COOKIE.finditer(text)}


def test_there_are_cassettes_to_check() -> None:
    files = committed_files()
    assert any(p.suffix == ".yaml" for p in files), "no cassette found: the checks prove nothing"
    assert all(SECRETS), "an empty secret would match everything"


@pytest.mark.parametrize("path", committed_files(), ids=lambda p: p.name)
def test_file_holds_no_credentials_or_session_cookie(path: Path) -> None:
    for text in texts_of(path):
        assert leaked(text, SECRETS) == [], f"{path.name} holds a recording credential"
        values = cookie_values(text)
        assert values <= {SESSION_PLACEHOLDER}, (
            f"{path.name} holds session cookie values {sorted(values - {SESSION_PLACEHOLDER})}")


def test_the_cassettes_did_record_a_login_and_a_cookie() -> None:
    # If the recording never logged in or never saw a cookie, the checks above are vacuous.
    recorded = [p for p in committed_files() if p.suffix == ".yaml"]
    for path in recorded:
        text = path.read_text(encoding="utf-8")
        assert "<Login" in text or "Login xmlns" in text, f"{path.name} has no Login call"
        assert cookie_values(text) == {SESSION_PLACEHOLDER}, path.name


@pytest.mark.parametrize("leak", [
    RECORDING_PASSWORD,
    "Tr0ub4dor&amp;3&lt;cassette&gt;",
    RECORDING_USERNAME.upper(),
    'Set-Cookie: vmware_soap_session="52a1-live-value"; Path=/',
    "Cookie: vmware_soap_session=52a1-live-value",
])
def test_the_check_catches_a_planted_leak(tmp_path: Path, leak: str) -> None:
    planted = tmp_path / "planted.yaml"
    planted.write_text(yaml.safe_dump({"interactions": [{"request": {"body": f"x {leak} y"}}]},
                                      width=40), encoding="utf-8")
    with pytest.raises(AssertionError):
        test_file_holds_no_credentials_or_session_cookie(planted)
