"""A fast path for the snapshot's ``RetrievePropertiesEx``/``ContinueRetrievePropertiesEx``.

pyVmomi's response deserializer builds a typed object per XML element from
Python expat callbacks; for a 10,000-VM inventory that is most of a snapshot's
time. Here pyVmomi still serializes the request and owns the connection pool,
cookie and TLS/timeout settings (``stub.GetConnection``), but the answer is
parsed by ElementTree's C parser, streamed page by page, into plain data:

    page = retrieve(collector, [spec], options, on_request=client.count_call)
    page.objects   # [("VirtualMachine", "vm-12", {"name": "web-1", "datastore": ["ds-3"]})]
    page.token     # for continue_retrieve(collector, page.token, ...)

Values: strings, numbers, booleans, enums (as ``str``), ``dateTime`` (parsed by
pyVmomi's own ISO 8601 parser), managed object references as their moid
(``str``) and arrays of those. Any other value (a data object such as a
cluster's ``configurationEx``) is handed to pyVmomi's deserializer, so it comes
back as the same typed object pyVmomi would return. A SOAP fault is
deserialized by pyVmomi and raised as the same fault type
(``vim.fault.NotAuthenticated`` included, so session renewal still works).

Requests go out on the stub's own connections, so vcrpy cassettes (which patch
``pyVmomi.SoapAdapter``'s connection classes) record and replay them like any
other pyVmomi call; the request bodies are pyVmomi's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPException
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, Protocol, cast
from xml.etree import ElementTree

from pyVmomi import Iso8601, SoapAdapter, VmomiSupport, version_info_str

from vmcctl.model import Unreadable

_VIM = "{urn:vim25}"
_OBJECTS = _VIM + "objects"
_TOKEN = _VIM + "token"
_OBJ = _VIM + "obj"
_PROPSET = _VIM + "propSet"
_NAME = _VIM + "name"
_VAL = _VIM + "val"
_MISSING_SET = _VIM + "missingSet"
_PATH = _VIM + "path"
_FAULT = _VIM + "fault"
_PRIVILEGE = _VIM + "privilegeId"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# The props key under which an object's missingSet comes back (as ``Unreadable`` entries).
MISSING = "<missingSet>"
_MOREF = "ManagedObjectReference"
_CHUNK = 64 * 1024
_USER_AGENT = f"vmcctl (pyVmomi {version_info_str})"


def _boolean(text: str) -> bool:
    return text in ("true", "1")


# XML Schema types → how pyVmomi turns their text into a value.
_SCALARS: dict[str, Callable[[str], Any]] = {
    "string": str, "anyURI": str, "base64Binary": str,
    "int": int, "long": int, "short": int, "byte": int,
    "float": float, "double": float, "boolean": _boolean,
    "dateTime": Iso8601.ParseISO8601,
}

Props = dict[str, Any]
if TYPE_CHECKING:
    _Parser = ElementTree.XMLPullParser[ElementTree.Element]


@dataclass
class Page:
    """One page of a collector result: ``(type, moid, {path: value})`` and the token."""

    objects: list[tuple[str, str, Props]] = field(default_factory=list)
    token: str | None = None


class _Response(Protocol):
    status: int
    reason: str

    def getheader(self, name: str, default: str | None = None) -> str | None: ...

    def read(self, amt: int | None = None) -> bytes: ...


def retrieve(collector: Any, specs: list[Any], options: Any, *,
             on_request: Callable[[], None] | None = None) -> Page:
    """``collector.RetrievePropertiesEx(specs, options)``, parsed fast."""
    return _invoke(collector, "RetrievePropertiesEx", [specs, options], on_request)


def continue_retrieve(collector: Any, token: str, *,
                      on_request: Callable[[], None] | None = None) -> Page:
    """``collector.ContinueRetrievePropertiesEx(token)``, parsed fast."""
    return _invoke(collector, "ContinueRetrievePropertiesEx", [token], on_request)


def _invoke(mo: Any, method: str, args: list[Any],
            on_request: Callable[[], None] | None) -> Page:
    stub = mo._stub
    info = type(mo)._GetMethodInfo(method)
    body = stub.SerializeRequest(mo, info, args)
    for modifier in stub.requestModifierList:
        body = modifier(body)
    headers = {"Cookie": stub.cookie, "SOAPAction": stub.versionId,
               "Content-Type": "text/xml; charset=UTF-8", "User-Agent": _USER_AGENT}
    if stub._customHeaders:
        headers.update(stub._customHeaders)
    if stub._acceptCompressedResponses:
        headers["Accept-Encoding"] = "gzip, deflate"
    if on_request is not None:
        on_request()
    conn = stub.GetConnection()
    try:
        conn.request("POST", stub.path, body, headers)
        resp = conn.getresponse()
    except (OSError, HTTPException):
        conn.close()  # the server may be sick: drop every pooled connection
        stub.DropConnections()
        raise
    _take_cookie(stub, resp)
    if resp.status not in (200, 500):
        conn.close()
        raise HTTPException(f"{resp.status} {resp.reason}")
    try:
        stream = _decoded(resp)
        if resp.status == 500:
            fault = SoapAdapter.SoapResponseDeserializer(stub).Deserialize(stream, info.result)
        else:
            page = parse_page(stream, stub)
    except BaseException:
        conn.close()
        stub.DropConnections()
        raise
    resp.read()
    stub.ReturnConnection(conn)
    if resp.status == 500:
        if isinstance(fault, BaseException):
            raise fault
        raise HTTPException(f"500 {resp.reason}: the server answered a non-fault")
    return page


def _take_cookie(stub: Any, resp: _Response) -> None:
    """Keep the session cookie the server set, as pyVmomi's ``InvokeMethod`` does."""
    cookie = resp.getheader("Set-Cookie") or resp.getheader("set-cookie")
    if not cookie:
        return
    stub.cookie = cookie
    session = SimpleCookie(cookie).get(SoapAdapter.COOKIE_NAME)
    if session is not None:
        SoapAdapter.StubAdapterBase.SetSessionId(stub, session.value)


def _decoded(resp: _Response) -> Any:
    encoding = (resp.getheader("Content-Encoding", "identity") or "identity").lower()
    if encoding == "gzip":
        return SoapAdapter.GzipReader(resp, encoding=SoapAdapter.GzipReader.GZIP)
    if encoding == "deflate":
        return SoapAdapter.GzipReader(resp, encoding=SoapAdapter.GzipReader.DEFLATE)
    return resp


def parse_page(stream: Any, stub: Any = None) -> Page:
    """Parse a ``RetrievePropertiesEx``-style response body read from ``stream``.

    ``stub`` is given to the managed object references inside values that
    pyVmomi deserializes (data objects).
    """
    page = Page()
    parser: _Parser = ElementTree.XMLPullParser(events=("end",))
    for chunk in _chunks(stream):
        parser.feed(chunk)
        _take_events(parser, page, stub)
    parser.close()
    _take_events(parser, page, stub)
    return page


def _chunks(stream: Any) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _take_events(parser: _Parser, page: Page, stub: Any) -> None:
    # Only "end" events were asked for: each carries an element.
    events = cast(Iterator[tuple[str, ElementTree.Element]], parser.read_events())
    for _event, elem in events:
        tag = elem.tag
        if tag == _OBJECTS:
            page.objects.append(_object(elem, stub))
            elem.clear()
        elif tag == _TOKEN:
            page.token = elem.text


def _object(elem: ElementTree.Element, stub: Any) -> tuple[str, str, Props]:
    obj = elem.find(_OBJ)
    if obj is None:
        raise HTTPException("a collector result object without <obj>")
    props: Props = {}
    for prop in elem.iterfind(_PROPSET):
        name, val = prop.findtext(_NAME), prop.find(_VAL)
        if name is not None and val is not None:
            props[name] = _value(val, stub)
    missing = [_missing(m) for m in elem.iterfind(_MISSING_SET)]
    if missing:
        props[MISSING] = missing
    return obj.get("type", ""), obj.text or "", props


def _missing(elem: ElementTree.Element) -> Unreadable:
    """One missingSet entry: the path and the fault (``<fault><fault xsi:type=…>``)."""
    outer = elem.find(_FAULT)
    inner = outer.find(_FAULT) if outer is not None else None
    kind = (inner.get(_XSI_TYPE) or "").rpartition(":")[2] if inner is not None else ""
    privilege = inner.findtext(_PRIVILEGE) if inner is not None else None
    return Unreadable(path=elem.findtext(_PATH) or "", fault=kind or "unknown",
                      privilege=privilege or None)


def _value(val: ElementTree.Element, stub: Any) -> Any:
    kind = (val.get(_XSI_TYPE) or "").rpartition(":")[2]
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        return scalar(val.text or "")
    if kind == _MOREF:
        return val.text or ""
    if kind.startswith("ArrayOf"):
        item = kind[7:]
        if item == _MOREF:
            return [child.text or "" for child in val]
        scalar = _SCALARS.get(item[0].lower() + item[1:]) if item else None
        if scalar is not None:
            return [scalar(child.text or "") for child in val]
    elif _is_enum(kind):
        return val.text or ""
    return _pyvmomi_value(val, stub)


_ENUMS: dict[str, bool] = {}


def _is_enum(kind: str) -> bool:
    known = _ENUMS.get(kind)
    if known is None:
        try:
            known = issubclass(VmomiSupport.GetWsdlType("urn:vim25", kind), VmomiSupport.Enum)
        except (KeyError, TypeError):
            known = False
        _ENUMS[kind] = known
    return known


def _pyvmomi_value(val: ElementTree.Element, stub: Any) -> Any:
    """Let pyVmomi deserialize one value (a data object) exactly as it would in a response."""
    return SoapAdapter.Deserialize(ElementTree.tostring(val), object, stub)
