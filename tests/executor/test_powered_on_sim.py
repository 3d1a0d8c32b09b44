"""``powered_on_vms``: what a maintenance Timedout names as still on the host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vmcctl.errors import TaskFailedError
from vmcctl.executor.maintenance import enter_maintenance, powered_on_vms
from vmcctl.vsphere.snapshot import take_snapshot

pytestmark = [pytest.mark.sim, pytest.mark.vmcctl_sim("the seed inventory")]


def test_lists_the_powered_on_vms_of_one_host_by_name(vcsim: Any, client_for: Any) -> None:
    client = client_for(vcsim)
    inv = take_snapshot(client)
    seed = inv.find_host("10.94.24.70")
    expected = sorted(v.name for v in inv.vms_on(seed.moid) if v.powered_on)
    assert len(expected) < len(inv.vms_on(seed.moid))  # jump-01 is off: left out
    assert powered_on_vms(client, seed.moid) == expected
    assert powered_on_vms(client, inv.find_host("10.94.24.85").moid) == []  # no VM at all


def test_a_maintenance_timeout_names_the_vms_still_running(vcsim: Any, client_for: Any,
                                                          tmp_path: Path) -> None:
    client = client_for(vcsim)
    inv = take_snapshot(client)
    host = inv.find_host("10.94.24.84")
    with pytest.raises(TaskFailedError) as info:
        enter_maintenance(client, host.moid, timeout=1, host_name=host.name)
    assert info.value.fault_type == "Timedout"
    names = sorted(v.name for v in inv.vms_on(host.moid) if v.powered_on)
    assert f"Powered-on VMs still on the host: {', '.join(names)}" in str(info.value)
    assert f"vmcctl host maintenance enter {host.name} --evacuate" in (info.value.hint or "")
