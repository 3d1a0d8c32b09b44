"""One collector read of a wave's VMs and hosts (executor.live) against the fake vCenter."""

from __future__ import annotations

from datetime import datetime

import pytest
from fake_bed import bed

from vmcctl.executor.decide import HostLive, VmLive
from vmcctl.executor.live import iso, read_live


def test_vms_and_hosts_are_read_in_one_call_with_names_and_states() -> None:
    b = bed(vms=2, targets=2)
    vc = b.vc
    vc.vms[b.vms[1]].power_state = "poweredOff"
    vc.vms[b.vms[1]].boot_time = None
    vc.hosts[b.targets[1]].in_maintenance = True
    vc.hosts[b.targets[1]].connection_state = "notResponding"
    before = len(vc.calls("RetrievePropertiesEx"))
    live = read_live(b.client, [b.vms[1], b.vms[0], b.vms[0]], b.targets, {b.source: "src"})
    assert len(vc.calls("RetrievePropertiesEx")) == before + 1
    boot = vc.vms[b.vms[0]].boot_time
    assert boot is not None
    assert live.vms == {
        b.vms[0]: VmLive(moid=b.vms[0], host_moid=b.source, host="src",
                         power_state="poweredOn", boot_time=boot.isoformat()),
        b.vms[1]: VmLive(moid=b.vms[1], host_moid=b.source, host="src",
                         power_state="poweredOff", boot_time=None)}
    assert live.hosts == {
        b.targets[0]: HostLive(b.targets[0], "10.0.0.2", "connected", False),
        b.targets[1]: HostLive(b.targets[1], "10.0.0.3", "notResponding", True)}


def test_a_vm_on_a_host_read_in_the_same_call_gets_that_hosts_name() -> None:
    b = bed(vms=1)
    b.vc.vms[b.vms[0]].host = b.targets[0]
    live = read_live(b.client, [b.vms[0]], [b.targets[0]])
    assert live.vms[b.vms[0]].host == "10.0.0.2"
    alone = read_live(b.client, [b.vms[0]], [])
    assert alone.vms[b.vms[0]].host is None and alone.vms[b.vms[0]].host_moid == b.targets[0]
    assert alone.hosts == {}


def test_nothing_asked_costs_no_call() -> None:
    b = bed(vms=1)
    before = len(b.vc.audit)
    live = read_live(b.client, [], [])
    assert live.vms == {} and live.hosts == {} and len(b.vc.audit) == before


@pytest.mark.parametrize("missing", ["reported", "absent", "raise"])
def test_deleted_objects_are_left_out_and_the_others_still_read(missing: str) -> None:
    b = bed(vms=3, targets=2)
    vc = b.vc
    vc.missing = missing  # type: ignore[assignment]
    del vc.vms[b.vms[1]]
    del vc.hosts[b.targets[1]]
    live = read_live(b.client, b.vms, b.targets)
    assert sorted(live.vms) == [b.vms[0], b.vms[2]]
    assert sorted(live.hosts) == [b.targets[0]]
    assert live.vms[b.vms[2]].power_state == "poweredOn"
    per_object = 1 + len(b.vms) + len(b.targets) if missing == "raise" else 1
    assert len(vc.calls("RetrievePropertiesEx")) == per_object


def test_an_answer_in_pages_is_read_to_the_end() -> None:
    b = bed(vms=5, targets=2)
    b.vc.page_size = 2
    live = read_live(b.client, b.vms, b.targets)
    assert len(live.vms) == 5 and len(live.hosts) == 2
    assert len(b.vc.calls("ContinueRetrievePropertiesEx")) == 3


def test_a_property_we_may_not_read_makes_the_object_unreadable_not_defaulted() -> None:
    b = bed(vms=2, targets=2)
    vc = b.vc
    vc.deny(b.vms[0], "runtime.powerState")
    vc.deny(b.vms[1], "runtime.bootTime")  # not needed for a decision
    vc.deny(b.targets[0], "runtime.inMaintenanceMode")
    vc.deny(b.targets[1], "name")
    live = read_live(b.client, b.vms, b.targets, {b.targets[1]: "known-name"})
    assert live.vms[b.vms[0]].unreadable == "runtime.powerState: NoPermission"
    assert live.vms[b.vms[0]].power_state == "unknown"
    assert live.vms[b.vms[1]].unreadable is None and live.vms[b.vms[1]].boot_time is None
    target = live.hosts[b.targets[0]]
    assert target.unreadable == "runtime.inMaintenanceMode: NoPermission"
    assert live.hosts[b.targets[1]].unreadable is None
    assert live.hosts[b.targets[1]].name == "known-name"


def test_every_needed_property_denied_is_named() -> None:
    b = bed(vms=1)
    b.vc.deny(b.vms[0], "runtime.host", "NoPermission", "System.Read")
    b.vc.deny(b.vms[0], "runtime.powerState", "SecurityError")
    live = read_live(b.client, b.vms, [])
    assert live.vms[b.vms[0]].unreadable == ("runtime.host: NoPermission (System.Read); "
                                             "runtime.powerState: SecurityError")
    assert live.vms[b.vms[0]].host_moid is None


def test_iso_of_times_and_other_values() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5)
    assert iso(when) == "2026-01-02T03:04:05"
    assert iso(None) is None
    assert iso("2026-01-02") == "2026-01-02"
