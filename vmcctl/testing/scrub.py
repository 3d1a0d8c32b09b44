"""Remove credentials and session secrets from recorded vSphere traffic.

A ``Scrubber`` sees every request before it is matched or recorded and every
response before it is recorded, and once more every interaction as the
cassette is written. It works in two layers:

1. By structure. Request elements that carry credentials (``userName``,
   ``password``, ``sessionID``, ``cloneTicket``, a SOAP ``Security`` header)
   get placeholders; in responses, the fields of a ``UserSession`` (``key``,
   ``userName``, ``fullName``, ``ipAddress``, ``userAgent``), every
   ``userName`` and ``sessionId`` and the answers of ticket operations do.
   ``Cookie``, ``Set-Cookie`` and ``Authorization`` headers keep their cookie
   names but lose their values.
2. By value. Whatever the first layer removed (the user name, the password,
   cookie values, session keys), and any value handed in up front, is learnt
   and replaced wherever else it shows up: event messages, the session key
   inside ``session[...]`` object ids, headers, the URL.

Scrubbing a request twice gives the same result, and a replaying client that
logs in with other credentials produces the same scrubbed ``Login`` request,
so it still matches the recording.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from xml.sax.saxutils import escape, unescape

USER_PLACEHOLDER = "scrubbed-user"
PASSWORD_PLACEHOLDER = "scrubbed-password"
SESSION_PLACEHOLDER = "scrubbed-session"
SECRET_PLACEHOLDER = "scrubbed"
HOST_PLACEHOLDER = "vcenter.invalid"
FIXED_TIME = "2000-01-01T00:00:00Z"
SESSION_OBJECT_PREFIX = "object-"

# Request elements whose text is a credential: element name -> placeholder.
_REQUEST_ELEMENTS = {
    "userName": USER_PLACEHOLDER,
    "username": USER_PLACEHOLDER,
    "password": PASSWORD_PLACEHOLDER,
    "sessionID": SESSION_PLACEHOLDER,
    "sessionId": SESSION_PLACEHOLDER,
    "cloneTicket": SECRET_PLACEHOLDER,
}
# Response elements scrubbed wherever they appear.
_RESPONSE_ELEMENTS = {
    "userName": USER_PLACEHOLDER,
    "sessionId": SESSION_PLACEHOLDER,
}
# Fields of a UserSession that identify the user or the session: scrubbed, then learnt
# and replaced wherever else they appear.
_USER_SESSION_FIELDS = {
    "key": SESSION_PLACEHOLDER,
    "userName": USER_PLACEHOLDER,
    "fullName": USER_PLACEHOLDER,
}
# Fields that describe the client: scrubbed in the session answer only. Not learnt, as
# the same address or agent string is ordinary data elsewhere (a VM's guest IP).
_USER_SESSION_CLIENT = {
    "ipAddress": SECRET_PLACEHOLDER,
    "userAgent": SECRET_PLACEHOLDER,
}
# UserSession times: not secret, but they make every recording differ.
_USER_SESSION_TIMES = {"loginTime": FIXED_TIME, "lastActiveTime": FIXED_TIME}
_SECRET_HEADERS = re.compile(r"authorization|proxy-authorization|.*(token|api-key|session-id).*",
                             re.IGNORECASE)
_COOKIE_HEADERS = frozenset({"cookie", "set-cookie"})
_DROPPED_RESPONSE_HEADERS = frozenset({"date", "transfer-encoding", "connection", "keep-alive"})

_USER_SESSION = re.compile(
    r"<key>(?P<key>[^<]*)</key>\s*<userName>.*?(?:</callCount>|(?=</returnval>|</val>)|$)",
    re.DOTALL)
_TICKET_RESPONSE = re.compile(
    r"<(?P<op>Acquire\w*Ticket|AcquireCredentialsInGuest)Response\b.*?</(?P=op)Response>",
    re.DOTALL)
_SESSION_OBJECT = re.compile(r"session\[[^\]]*\](?P<id>[\w-]+)")
_LEAF_TEXT = re.compile(r">([^<>]+)</")
_SECURITY_HEADER = re.compile(r"(<(?P<tag>[\w.-]+:)?Security\b[^>]*>).*?(</(?P=tag)?Security>)",
                              re.DOTALL)


def _element(name: str) -> re.Pattern[str]:
    """An element with plain text content, any namespace prefix, any attributes."""
    return re.compile(rf"(<(?:[\w.-]+:)?{name}(?:\s[^>]*)?>)([^<]*)(</(?:[\w.-]+:)?{name}>)")


_ELEMENT_PATTERNS = {name: _element(name) for name in
                     {*_REQUEST_ELEMENTS, *_RESPONSE_ELEMENTS, *_USER_SESSION_FIELDS,
                      *_USER_SESSION_TIMES, *_USER_SESSION_CLIENT}}


def _decode(body: bytes | bytearray | str) -> str:
    # surrogateescape: bytes that are not UTF-8 survive the round trip unchanged.
    return body if isinstance(body, str) else bytes(body).decode("utf-8", "surrogateescape")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class Scrubber:
    """Stateful scrubber for one recording; thread-safe."""

    def __init__(self, secrets: Iterable[tuple[str, str]] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}  # lower-cased form -> placeholder
        self._pattern: re.Pattern[str] | None = None
        self._session_objects = 0
        for value, placeholder in secrets:
            self.add_secret(value, placeholder)

    # -- learning -----------------------------------------------------------------

    def add_secret(self, value: str, placeholder: str = SECRET_PLACEHOLDER) -> None:
        """Replace ``value`` (and its XML- and URL-escaped forms) from now on."""
        value = value.strip()
        if not value or value in {USER_PLACEHOLDER, PASSWORD_PLACEHOLDER, SESSION_PLACEHOLDER,
                                  SECRET_PLACEHOLDER}:
            return
        forms = {value, escape(value), escape(value, {'"': "&quot;"}), quote(value, safe=""),
                 quote(value)}
        if placeholder == USER_PLACEHOLDER and "@" in value:
            # vCenter also writes user@domain as DOMAIN\user (events, permissions).
            user, _, domain = value.partition("@")
            forms |= {f"{domain}\\{user}", escape(f"{domain}\\{user}")}
        with self._lock:
            changed = False
            for form in forms:
                if form and form.lower() not in self._secrets:
                    self._secrets[form.lower()] = placeholder
                    changed = True
            if changed:
                ordered = sorted(self._secrets, key=len, reverse=True)
                alternatives = "|".join(re.escape(form) for form in ordered)
                self._pattern = re.compile(rf"(?<![\w.@-])(?:{alternatives})(?![\w@-])",
                                           re.IGNORECASE)

    def add_credentials(self, username: str | None, password: str | None) -> None:
        if username:
            self.add_secret(username, USER_PLACEHOLDER)
        if password:
            self.add_secret(password, PASSWORD_PLACEHOLDER)

    def _placeholder_for(self, found: str) -> str:
        return self._secrets.get(found.lower(), SECRET_PLACEHOLDER)

    def text(self, value: str) -> str:
        """``value`` with every learnt secret replaced by its placeholder."""
        pattern = self._pattern
        if pattern is None or not value:
            return value
        return pattern.sub(lambda m: self._placeholder_for(m.group(0)), value)

    # -- XML bodies -----------------------------------------------------------------

    def _replace_elements(self, body: str, placeholders: dict[str, str],
                          learn: bool) -> str:
        for name, placeholder in placeholders.items():
            def swap(m: re.Match[str], placeholder: str = placeholder) -> str:
                if learn and m.group(2).strip():
                    self.add_secret(unescape(m.group(2)), placeholder)
                return f"{m.group(1)}{placeholder}{m.group(3)}"

            body = _ELEMENT_PATTERNS[name].sub(swap, body)
        return body

    def request_body(self, body: str) -> str:
        body = _SECURITY_HEADER.sub(rf"\g<1>{SECRET_PLACEHOLDER}\g<3>", body)
        body = self._replace_elements(body, _REQUEST_ELEMENTS, learn=True)
        return self.text(body)

    def response_body(self, body: str) -> str:
        def user_session(m: re.Match[str]) -> str:
            block = self._replace_elements(m.group(0), _USER_SESSION_TIMES, learn=False)
            block = self._replace_elements(block, _USER_SESSION_CLIENT, learn=False)
            return self._replace_elements(block, _USER_SESSION_FIELDS, learn=True)

        def ticket(m: re.Match[str]) -> str:
            return _LEAF_TEXT.sub(f">{SECRET_PLACEHOLDER}</", m.group(0))

        body = _USER_SESSION.sub(user_session, body)
        body = _TICKET_RESPONSE.sub(ticket, body)
        self._learn_session_objects(body)
        body = self._replace_elements(body, _RESPONSE_ELEMENTS, learn=True)
        return self.text(body)

    def _learn_session_objects(self, body: str) -> None:
        """Rename server-chosen ids of session objects (views, collectors) in order seen.

        They embed the session key and a random id; ``object-N`` keeps a
        re-recorded cassette's diff down to what really changed.
        """
        for m in _SESSION_OBJECT.finditer(body):
            found = m.group("id")
            if found.startswith(SESSION_OBJECT_PREFIX) or found.lower() in self._secrets:
                continue
            self._session_objects += 1
            self.add_secret(found, f"{SESSION_OBJECT_PREFIX}{self._session_objects}")

    # -- headers --------------------------------------------------------------------

    def _cookie(self, header: str, value: str) -> str:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(value)
        except CookieError:
            return SECRET_PLACEHOLDER
        if not jar:
            return SECRET_PLACEHOLDER if value.strip() else ""
        parts: list[str] = []
        for name, morsel in jar.items():
            if morsel.value.strip('"'):
                self.add_secret(morsel.value.strip('"'), SESSION_PLACEHOLDER)
            piece = f"{name}={SESSION_PLACEHOLDER}"
            if header == "set-cookie":
                if morsel["path"]:
                    piece += f"; Path={morsel['path']}"
                piece += "; HttpOnly" if morsel["httponly"] else ""
                piece += "; Secure" if morsel["secure"] else ""
            parts.append(piece)
        return "; ".join(parts)

    def _header_value(self, name: str, value: str) -> str:
        lower = name.lower()
        if lower in _COOKIE_HEADERS:
            return self._cookie(lower, value)
        if _SECRET_HEADERS.fullmatch(lower):
            return SECRET_PLACEHOLDER
        if lower == "user-agent" and value.startswith("pyvmomi "):
            # Keep the pyVmomi version; drop the OS, kernel and Python build.
            return " ".join(value.split(" ")[:2])
        return self.text(value)

    def _headers(self, headers: dict[str, Any], *, response: bool) -> dict[str, Any]:
        cleaned: dict[str, Any] = {}
        for name, value in sorted(headers.items()):
            if response and name.lower() in _DROPPED_RESPONSE_HEADERS:
                continue
            if isinstance(value, list | tuple):
                cleaned[name] = [self._header_value(name, str(v)) for v in value]
            else:
                cleaned[name] = self._header_value(name, str(value))
        return cleaned

    # -- vcrpy hooks ----------------------------------------------------------------

    def request(self, request: Any) -> Any:
        """``before_record_request`` hook: scrub a (copied) vcrpy Request."""
        request.headers = self._headers(dict(request.headers), response=False)
        body = request.body
        if isinstance(body, bytes | bytearray | str):
            request.body = _encode(self.request_body(_decode(body)))
        parts = urlsplit(request.uri)
        if parts.netloc:
            request.uri = urlunsplit((parts.scheme, HOST_PLACEHOLDER, parts.path,
                                      self.text(parts.query), ""))
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """``before_record_response`` hook: scrub a (copied) response dict."""
        response["headers"] = self._headers(response.get("headers", {}), response=True)
        body = response.get("body", {}).get("string")
        if not isinstance(body, bytes | bytearray | str):
            return response
        new = _encode(self.response_body(_decode(body)))
        response["body"]["string"] = new
        for name in list(response["headers"]):
            if name.lower() == "content-length":
                response["headers"][name] = [str(len(new))]
        return response

    def interaction(self, request: Any, response: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """``before_save_interaction`` hook: a last pass with everything learnt."""
        return self.request(request), self.response(response)



def leaked(text: str, values: Iterable[str]) -> list[str]:
    """Which of ``values`` occur in ``text`` (as a substring, ignoring case).

    The check a committed cassette must pass. It is stricter than the
    scrubber's own whole-token replacement, so record with credentials that
    are not everyday words (a user called ``user`` occurs in every
    ``<userName>`` tag).
    """
    lowered = text.lower()
    found = []
    for value in values:
        forms = {value, escape(value), quote(value, safe="")} if value else set()
        if any(form.lower() in lowered for form in forms):
            found.append(value)
    return found
