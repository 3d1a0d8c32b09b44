"""Match recorded SOAP requests: by operation and by a normalised body.

Every vSphere API call is a ``POST /sdk``, so the URL says nothing about which
answer to replay. Two requests are the same call when they name the same
operation on the same managed object (``_this``) with the same arguments,
after blanking what legitimately differs between a recording and a replay:

- timestamps the client computed (``2024-05-01T10:00:00Z``),
- ids the server chose for session-scoped objects (views, collectors,
  filters: ``session[...]...``) and tasks (``task-123``),
- XML spelling: namespace prefixes, attribute order, whitespace, the
  ``versionId`` attribute.

Blanking server-chosen ids makes several recorded calls look alike (two
``DestroyView`` calls on different views); the cassette then plays them in
recorded order, because every interaction is played at most once.

Matchers follow vcrpy's protocol: they return ``None`` when two requests
match and raise ``AssertionError`` saying why when they do not.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree

DATETIME_PLACEHOLDER = "<datetime>"
SESSION_OBJECT_PLACEHOLDER = "<session-object>"
TASK_PLACEHOLDER = "<task>"

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?")
_SESSION_OBJECT = re.compile(r"session\[[^\]]*\].*")
_TASK = re.compile(r"(ha)?[tT]ask-\d+")
_IGNORED_ATTRIBUTES = frozenset({"versionId"})

# (local element name, attributes, text, children) — hashable and comparable.
Canonical = tuple[str, tuple[tuple[str, str], ...], str, tuple[Any, ...]]


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def normalise_text(text: str | None) -> str:
    """A value with run-to-run noise blanked; everything else unchanged."""
    value = (text or "").strip()
    if _DATETIME.fullmatch(value):
        return DATETIME_PLACEHOLDER
    if _SESSION_OBJECT.fullmatch(value):
        return SESSION_OBJECT_PLACEHOLDER
    if _TASK.fullmatch(value):
        return TASK_PLACEHOLDER
    return value


def _canonical(element: ElementTree.Element) -> Canonical:
    attributes = tuple(sorted(
        (_local(key), _local(value) if _local(key) == "type" else normalise_text(value))
        for key, value in element.attrib.items()
        if _local(key) not in _IGNORED_ATTRIBUTES))
    children = tuple(_canonical(child) for child in element)
    return _local(element.tag), attributes, normalise_text(element.text), children


def _body_bytes(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    raise AssertionError(f"request body of unexpected type {type(body).__name__}")


@lru_cache(maxsize=4096)
def _parse(body: bytes) -> Canonical | None:
    """The canonical form of the SOAP Body's first element, or None if not SOAP."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    for element in root:
        if _local(element.tag) == "Body":
            call = next(iter(element), None)
            return None if call is None else _canonical(call)
    return None


def canonical_call(body: Any) -> Canonical | None:
    """The normalised SOAP call in a request body (None for non-SOAP bodies)."""
    raw = _body_bytes(body)
    if not raw:
        return None
    return _parse(raw)


def operation_of(body: Any) -> tuple[str, str, str] | None:
    """``(operation, _this type, normalised _this id)`` of a SOAP request body."""
    call = canonical_call(body)
    if call is None:
        return None
    name, _attributes, _text, children = call
    for child_name, child_attributes, child_text, _ in children:
        if child_name == "_this":
            return name, dict(child_attributes).get("type", ""), child_text
    return name, "", ""


def _describe(op: tuple[str, str, str] | None) -> str:
    if op is None:
        return "no SOAP call"
    name, kind, moid = op
    return f"{name} on {kind}:{moid}" if kind else name


def soap_operation(r1: Any, r2: Any) -> None:
    """vcrpy matcher: same SOAP operation on the same managed object."""
    op1, op2 = operation_of(r1.body), operation_of(r2.body)
    if op1 != op2:
        raise AssertionError(f"{_describe(op1)} != {_describe(op2)}")


def soap_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: same arguments once run-to-run noise is blanked."""
    raw1, raw2 = _body_bytes(r1.body), _body_bytes(r2.body)
    call1, call2 = canonical_call(raw1), canonical_call(raw2)
    if call1 is None and call2 is None:
        if (raw1 or b"") != (raw2 or b""):
            raise AssertionError("the non-SOAP request bodies differ")
        return
    if call1 != call2:
        raise AssertionError(f"the arguments of {_describe(operation_of(raw1))} differ "
                             "after normalisation")
