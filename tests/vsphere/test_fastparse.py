"""The fast collector-response parser gives what pyVmomi's deserializer gives."""

from __future__ import annotations

import io
from typing import Any

from pyVmomi import SoapAdapter, vim, vmodl

from vmcctl.vsphere.fastparse import parse_page

_XSI = 'xmlns:X="http://www.w3.org/2001/XMLSchema-instance"'


def _val(xsi_type: str, inner: str, extra: str = "") -> str:
    return f'<val {_XSI} X:type="{xsi_type}"{extra}>{inner}</val>'


def _prop(name: str, val: str) -> str:
    return f"<propSet><name>{name}</name>{val}</propSet>"


CONFIG_EX = _val("ClusterConfigInfoEx", (
    "<drsConfig><enabled>true</enabled></drsConfig>"
    '<rule X:type="ClusterAntiAffinityRuleSpec"><key>1</key><enabled>true</enabled>'
    '<name>apart</name><vm type="VirtualMachine">vm-1</vm><vm type="VirtualMachine">vm-2</vm>'
    "</rule>"
    '<rule X:type="ClusterVmHostRuleInfo"><key>2</key><enabled>false</enabled><name>lic</name>'
    "<mandatory>true</mandatory><vmGroupName>g-vms</vmGroupName>"
    "<affineHostGroupName>g-hosts</affineHostGroupName></rule>"
    '<group X:type="ClusterVmGroup"><name>g-vms</name><vm type="VirtualMachine">vm-2</vm>'
    "</group>"
    '<group X:type="ClusterHostGroup"><name>g-hosts</name>'
    '<host type="HostSystem">host-9</host></group>'))

VM_PROPS = "".join([
    _prop("name", _val("xsd:string", "web &amp; db-01")),
    _prop("runtime.host", _val("ManagedObjectReference", "host-9", ' type="HostSystem"')),
    _prop("runtime.powerState", _val("VirtualMachinePowerState", "poweredOn")),
    _prop("runtime.bootTime", _val("xsd:dateTime", "2026-11-22T14:27:52.000206865Z")),
    _prop("config.hardware.numCPU", _val("xsd:int", "8")),
    _prop("summary.hardware.memorySize", _val("xsd:long", "549755813888")),
    _prop("runtime.inMaintenanceMode", _val("xsd:boolean", "true")),
    _prop("guest.ipAddress", _val("xsd:string", "")),
    _prop("datastore", _val("ArrayOfManagedObjectReference",
                            '<ManagedObjectReference type="Datastore">datastore-1'
                            '</ManagedObjectReference><ManagedObjectReference type="Datastore">'
                            "datastore-2</ManagedObjectReference>")),
    _prop("guest.net.ipAddress", _val("ArrayOfString", "<string>a</string><string>b</string>")),
    _prop("recentTask", _val("ArrayOfManagedObjectReference", "")),
])


def _response(objects: str, token: str | None = None) -> bytes:
    token_xml = f"<token>{token}</token>" if token else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
        '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>'
        f"{token_xml}{objects}</returnval></RetrievePropertiesExResponse>"
        "</soapenv:Body></soapenv:Envelope>").encode()


BODY = _response(
    f'<objects><obj type="VirtualMachine">vm-1</obj>{VM_PROPS}</objects>'
    f'<objects><obj type="ClusterComputeResource">domain-c7</obj>'
    f'{_prop("configurationEx", CONFIG_EX)}</objects>', token="page-2")


def _pyvmomi(body: bytes) -> Any:
    info = vmodl.query.PropertyCollector._GetMethodInfo("RetrievePropertiesEx")
    return SoapAdapter.SoapResponseDeserializer(None).Deserialize(io.BytesIO(body), info.result)


def _plain(value: Any) -> Any:
    """pyVmomi's value with references turned into moids, as the fast path returns them."""
    if isinstance(value, vim.ManagedObject):
        return value._moId
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Trickle(io.BytesIO):
    """A stream that hands out a few bytes per read, like a slow socket."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(7)


def test_scalars_enums_and_references_equal_pyvmomis_values() -> None:
    page = parse_page(io.BytesIO(BODY))
    expected = _pyvmomi(BODY)
    assert page.token == expected.token == "page-2"
    kind, moid, props = page.objects[0]
    reference = expected.objects[0]
    assert (kind, moid) == ("VirtualMachine", reference.obj._moId)
    want = {p.name: _plain(p.val) for p in reference.propSet}
    assert props == want
    for name, value in props.items():  # same Python types too (enums are str subclasses)
        assert isinstance(want[name], type(value)), name
    assert props["name"] == "web & db-01"
    assert props["runtime.bootTime"].microsecond == 206
    assert props["datastore"] == ["datastore-1", "datastore-2"]
    assert props["recentTask"] == []


def test_data_objects_are_deserialized_by_pyvmomi() -> None:
    page = parse_page(io.BytesIO(BODY))
    kind, moid, props = page.objects[1]
    assert (kind, moid) == ("ClusterComputeResource", "domain-c7")
    config = props["configurationEx"]
    assert isinstance(config, vim.cluster.ConfigInfoEx)
    assert config.drsConfig.enabled is True
    apart, lic = config.rule
    assert isinstance(apart, vim.cluster.AntiAffinityRuleSpec)
    assert [vm._moId for vm in apart.vm] == ["vm-1", "vm-2"]
    assert isinstance(lic, vim.cluster.VmHostRuleInfo) and lic.enabled is False
    assert lic.affineHostGroupName == "g-hosts"
    assert isinstance(config.group[1], vim.cluster.HostGroup)
    assert str(config) == str(_pyvmomi(BODY).objects[1].propSet[0].val)


def test_a_response_read_in_small_pieces_parses_the_same() -> None:
    trickled, whole = parse_page(_Trickle(BODY)), parse_page(io.BytesIO(BODY))
    assert trickled.token == whole.token
    assert trickled.objects[0] == whole.objects[0]
    # pyVmomi data objects compare by identity: compare what they print.
    assert str(trickled.objects[1]) == str(whole.objects[1])


def test_last_page_has_no_token_and_empty_result_no_objects() -> None:
    last = parse_page(io.BytesIO(_response(
        f'<objects><obj type="Datastore">datastore-1</obj>'
        f'{_prop("name", _val("xsd:string", "vsan"))}</objects>')))
    assert last.token is None
    assert last.objects == [("Datastore", "datastore-1", {"name": "vsan"})]
    empty = (b'<?xml version="1.0"?><soapenv:Envelope '
             b'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
             b'<RetrievePropertiesExResponse xmlns="urn:vim25"/></soapenv:Body>'
             b"</soapenv:Envelope>")
    page = parse_page(io.BytesIO(empty))
    assert page.objects == [] and page.token is None
