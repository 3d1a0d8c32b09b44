"""Request matching on the SOAP operation and a normalised body."""

from __future__ import annotations

import pytest
from vcr.request import Request

from vmcctl.testing.soap import operation_of, soap_body, soap_operation

ENVELOPE = ('<?xml version="1.0"?><{p}:Envelope xmlns:{p}="http://schemas.xmlsoap.org/soap/'
            'envelope/"><{p}:Body>{call}</{p}:Body></{p}:Envelope>')


def soap(call: str, prefix: str = "soapenv") -> Request:
    return Request("POST", "https://vc/sdk", ENVELOPE.format(p=prefix, call=call).encode(), {})


def relocate(vm: str, host: str) -> str:
    return (f'<RelocateVM_Task xmlns="urn:vim25"><_this versionId="8.0" type="VirtualMachine">'
            f'{vm}</_this><spec><host type="HostSystem">{host}</host></spec>'
            f'<priority>highPriority</priority></RelocateVM_Task>')


def test_operation_names_the_call_and_its_managed_object() -> None:
    assert operation_of(soap(relocate("vm-42", "host-7")).body) == \
        ("RelocateVM_Task", "VirtualMachine", "vm-42")
    assert operation_of(b"") is None
    assert operation_of(b"not xml") is None


def test_same_call_matches_despite_prefix_whitespace_and_version() -> None:
    a = soap(relocate("vm-42", "host-7"))
    b = soap(relocate("vm-42", "host-7").replace('versionId="8.0"', 'versionId="7.0.3"')
             .replace("<spec>", "<spec>\n  "), prefix="ns0")
    soap_operation(a, b)
    soap_body(a, b)


@pytest.mark.parametrize(("left", "right"), [
    (relocate("vm-42", "host-7"), relocate("vm-43", "host-7")),
    (relocate("vm-42", "host-7"), relocate("vm-42", "host-8")),
])
def test_different_object_or_argument_does_not_match(left: str, right: str) -> None:
    with pytest.raises(AssertionError):
        soap_operation(soap(left), soap(right))
        soap_body(soap(left), soap(right))


def test_different_argument_on_same_object_fails_the_body_matcher() -> None:
    a, b = soap(relocate("vm-42", "host-7")), soap(relocate("vm-42", "host-8"))
    soap_operation(a, b)
    with pytest.raises(AssertionError, match="RelocateVM_Task"):
        soap_body(a, b)


def test_timestamps_and_server_chosen_ids_are_blanked() -> None:
    def query(when: str, view: str, task: str) -> Request:
        return soap(f'<QueryEvents xmlns="urn:vim25"><_this type="EventManager">EventManager'
                    f'</_this><filter><time><beginTime>{when}</beginTime></time>'
                    f'<entity type="ContainerView">{view}</entity>'
                    f'<task type="Task">{task}</task></filter></QueryEvents>')

    a = query("2024-05-01T10:00:00.123Z", "session[52aa]52bb-1", "task-101")
    b = query("2025-01-02T03:04:05+02:00", "session[scrubbed-session]object-3", "task-7")
    soap_operation(a, b)
    soap_body(a, b)


def test_non_soap_requests_compare_raw_bodies() -> None:
    get = Request("GET", "https://vc/sdk/vimServiceVersions.xml", None, {})
    soap_operation(get, get)
    soap_body(get, get)
    with pytest.raises(AssertionError):
        soap_body(Request("POST", "https://vc/x", b"a", {}),
                  Request("POST", "https://vc/x", b"b", {}))
