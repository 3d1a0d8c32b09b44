"""The scrubber on hand-written SOAP traffic: no server needed."""

from __future__ import annotations

from typing import Any

from vcr.request import Request

from vmcctl.testing.scrub import (
    PASSWORD_PLACEHOLDER,
    SECRET_PLACEHOLDER,
    SESSION_PLACEHOLDER,
    USER_PLACEHOLDER,
    Scrubber,
    leaked,
)

USER = "alice@corp.example"
PASSWORD = "p&ss<word>"
SESSION = "52a9f3c1-0c77-4d2e-9f00-1b2c3d4e5f60"


def login_request(user: str, password: str) -> Request:
    body = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
            '<soapenv:Body><Login xmlns="urn:vim25"><_this type="SessionManager">'
            f'SessionManager</_this><userName>{user}</userName>'
            f'<password>{password.replace("&", "&amp;").replace("<", "&lt;")}</password>'
            '</Login></soapenv:Body></soapenv:Envelope>')
    return Request("POST", "https://vc.corp.example:443/sdk", body.encode(),
                   {"Cookie": "", "Authorization": "Basic YWxpY2U6cA==",
                    "User-Agent": "pyvmomi 9.1.1.0 OSS Python/3.11.7 (Linux; 6.1; x86_64)"})


def login_response() -> dict[str, Any]:
    body = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
            '<soapenv:Body><LoginResponse xmlns="urn:vim25"><returnval>'
            f'<key>{SESSION}</key><userName>{USER}</userName><fullName>Alice A.</fullName>'
            '<loginTime>2024-05-01T10:00:00Z</loginTime><ipAddress>10.1.2.3</ipAddress>'
            '<userAgent>pyvmomi</userAgent><callCount>1</callCount></returnval>'
            '</LoginResponse></soapenv:Body></soapenv:Envelope>')
    return {"status": {"code": 200, "message": "OK"},
            "headers": {"Set-Cookie": [f'vmware_soap_session="{SESSION}"; Path=/; HttpOnly'],
                        "Date": ["Mon, 01 May 2024 10:00:00 GMT"],
                        "Content-Length": ["999"]},
            "body": {"string": body.encode()}}


def test_login_request_loses_credentials_and_auth_headers() -> None:
    scrubbed = Scrubber().request(login_request(USER, PASSWORD))
    text = scrubbed.body.decode()
    assert leaked(text + str(dict(scrubbed.headers)), [USER, PASSWORD, "YWxpY2U6cA=="]) == []
    assert f"<userName>{USER_PLACEHOLDER}</userName>" in text
    assert f"<password>{PASSWORD_PLACEHOLDER}</password>" in text
    assert scrubbed.headers["Authorization"] == SECRET_PLACEHOLDER
    assert scrubbed.headers["User-Agent"] == "pyvmomi 9.1.1.0"
    assert "vc.corp.example" not in scrubbed.uri


def test_any_credentials_scrub_to_the_same_request() -> None:
    first = Scrubber().request(login_request(USER, PASSWORD))
    other = Scrubber().request(login_request("bob", "hunter2"))
    assert first.body == other.body
    again = Scrubber().request(first)
    assert again.body == first.body


def test_login_response_cookie_and_session_key_are_replaced_everywhere() -> None:
    scrubber = Scrubber()
    scrubber.request(login_request(USER, PASSWORD))
    response = scrubber.response(login_response())
    body = response["body"]["string"].decode()
    assert leaked(body + str(response["headers"]), [USER, SESSION, "Alice A.", "10.1.2.3"]) == []
    assert response["headers"]["Set-Cookie"] == [
        f"vmware_soap_session={SESSION_PLACEHOLDER}; Path=/; HttpOnly"]
    assert "Date" not in response["headers"]
    assert response["headers"]["Content-Length"] == [str(len(response["body"]["string"]))]

    # Later traffic that echoes what was learnt: an event message, a view id, a cookie.
    later = {"status": {"code": 200, "message": "OK"}, "headers": {},
             "body": {"string": (
                 f"<fullFormattedMessage>User CORP.EXAMPLE\\alice logged in as {USER.upper()}"
                 f"</fullFormattedMessage><returnval type=\"ContainerView\">session[{SESSION}]"
                 "7c1e2d3f-aaaa-bbbb-cccc-1234567890ab</returnval>").encode()}}
    text = scrubber.response(later)["body"]["string"].decode()
    assert leaked(text, [USER, SESSION, "7c1e2d3f-aaaa"]) == []
    assert f"session[{SESSION_PLACEHOLDER}]object-1" in text
    request = Request("POST", "https://vc/sdk", b"<x/>",
                      {"Cookie": f'vmware_soap_session="{SESSION}"'})
    assert scrubber.request(request).headers["Cookie"] == \
        f"vmware_soap_session={SESSION_PLACEHOLDER}"


def test_secrets_given_up_front_are_scrubbed_before_any_login() -> None:
    scrubber = Scrubber()
    scrubber.add_credentials(USER, PASSWORD)
    scrubber.add_secret("tok-123456")
    response = {"status": {"code": 200, "message": "OK"}, "headers": {},
                "body": {"string": f"<a>{USER} tok-123456 p&amp;ss&lt;word&gt;</a>".encode()}}
    text = scrubber.response(response)["body"]["string"].decode()
    assert leaked(text, [USER, PASSWORD, "tok-123456"]) == []


def test_ticket_answers_are_blanked() -> None:
    response = {"status": {"code": 200, "message": "OK"}, "headers": {},
                "body": {"string": b"<AcquireCloneTicketResponse xmlns=\"urn:vim25\">"
                                   b"<returnval>cst-VCT-52ab</returnval>"
                                   b"</AcquireCloneTicketResponse>"}}
    text = Scrubber().response(response)["body"]["string"].decode()
    assert "cst-VCT-52ab" not in text and SECRET_PLACEHOLDER in text


def test_leaked_finds_escaped_forms_and_ignores_case() -> None:
    assert leaked("x p&amp;ss&lt;word&gt; y", [PASSWORD]) == [PASSWORD]
    assert leaked("ALICE@CORP.EXAMPLE", [USER]) == [USER]
    assert leaked("nothing here", [USER, PASSWORD]) == []


def test_client_address_is_scrubbed_in_the_session_only_not_in_inventory_data() -> None:
    # The client's address is not a credential: a VM whose guest IP happens to equal
    # it (a simulator on localhost) must replay with its real IP.
    scrubber = Scrubber()
    scrubber.request(login_request(USER, PASSWORD))
    session = scrubber.response(login_response())["body"]["string"].decode()
    assert "10.1.2.3" not in session
    inventory = {"status": {"code": 200, "message": "OK"}, "headers": {},
                 "body": {"string": b"<propSet><name>guest.ipAddress</name>"
                                    b"<val xsi:type=\"xsd:string\">10.1.2.3</val></propSet>"}}
    assert b">10.1.2.3</val>" in scrubber.response(inventory)["body"]["string"]
