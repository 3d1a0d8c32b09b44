"""Every precheck refusal of a compute-only move, word for word, with its hint (pure).

The message and hint are all a user gets before anything reaches vCenter:
each says what is wrong and what to do next.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from test_relocate_prechecks import inventory

from vmcctl.errors import PrecheckError
from vmcctl.model import Inventory, Unreadable
from vmcctl.vsphere.relocate import plan_checked_move

BLIND_VM = (Unreadable("runtime.powerState", "NoPermission", "System.Read"),
            Unreadable("summary.quickStats", "NoPermission"))
BLIND_HOST = (Unreadable("runtime.connectionState", "NoPermission", "System.Read"),
              Unreadable("summary.quickStats", "NoPermission"))


def _refusal(inv: Inventory, vm: str = "app-01", target: str = "10.0.0.2",
             **vm_changes: Any) -> PrecheckError:
    the_vm = replace(inv.find_vm(vm), **vm_changes)
    with pytest.raises(PrecheckError) as err:
        plan_checked_move(inv, the_vm, inv.find_host(target))
    return err.value


def test_a_vm_we_may_not_read_is_never_moved() -> None:
    err = _refusal(inventory(), unknown=BLIND_VM)
    assert err.message == ("VM app-01 (vm-1) cannot be moved safely: vCenter did not let us "
                           "read runtime.powerState: NoPermission (System.Read); "
                           "summary.quickStats: NoPermission")
    assert err.hint == "ask for System.Read on the VM"


@pytest.mark.parametrize("host_moid", [None, "host-404"])
def test_a_vm_without_a_known_host_is_refused(host_moid: str | None) -> None:
    err = _refusal(inventory(), host_moid=host_moid)
    assert err.message == "VM app-01 has no host (it is orphaned or inaccessible)"


@pytest.mark.parametrize("path, shown", [("/DC1/vm/team/app-01", "/DC1/vm/team/app-01"),
                                         (None, "vm-1")])
def test_a_move_to_another_datacenter_is_refused(path: str | None, shown: str) -> None:
    inv = inventory(**{"10.0.0.2": {"datacenter": "DC2"}})
    err = _refusal(inv, datacenter="DC1", path=path)
    assert err.message == f"host 10.0.0.2 is in datacenter DC2, VM app-01 ({shown}) in DC1"
    assert err.hint == "a compute-only move stays within its datacenter"


def test_a_target_we_may_not_read_is_never_chosen() -> None:
    err = _refusal(inventory(**{"10.0.0.2": {"unknown": BLIND_HOST}}))
    assert err.message == ("host 10.0.0.2 cannot be checked: vCenter did not let us read "
                           "runtime.connectionState: NoPermission (System.Read); "
                           "summary.quickStats: NoPermission")
    assert err.hint == "ask for System.Read on the host, or choose another host"


def test_a_disconnected_target_is_refused() -> None:
    err = _refusal(inventory(**{"10.0.0.2": {"connection_state": "disconnected"}}))
    assert (err.message, err.hint) == ("host 10.0.0.2 is disconnected",
                                       "choose a connected host")


@pytest.mark.parametrize("power, standby", [("standBy", None), ("poweredOff", "none"),
                                            ("poweredOn", "in"), ("poweredOn", "entering")])
def test_a_target_in_standby_or_powered_off_is_refused(power: str, standby: str | None) -> None:
    err = _refusal(inventory(**{"10.0.0.2": {"power_state": power, "standby_mode": standby}}))
    assert err.message == f"host 10.0.0.2 is in standby or powered off (power state {power})"
    assert err.hint == "choose a powered-on host, or take it out of standby first"


def test_a_target_leaving_standby_may_receive() -> None:
    inv = inventory(**{"10.0.0.2": {"standby_mode": "exiting"}})
    assert plan_checked_move(inv, inv.find_vm("app-01"), inv.find_host("10.0.0.2")).target \
        == "10.0.0.2"


def test_a_target_in_maintenance_is_refused() -> None:
    err = _refusal(inventory(**{"10.0.0.2": {"in_maintenance": True}}))
    assert (err.message, err.hint) == ("host 10.0.0.2 is in maintenance mode",
                                       "choose another host or exit maintenance first")


def test_every_datastore_the_target_lacks_is_named() -> None:
    inv = inventory()
    err = _refusal(inv, vm="local-01", datastore_moids=("datastore-3", "datastore-4",
                                                        "datastore-1"))
    assert err.message.startswith("host 10.0.0.2 does not mount datastore local-ds-1, ")
    assert err.message.endswith(" of VM local-01")
    assert err.hint == "a compute-only move keeps the VM's storage"


def test_a_host_outside_any_cluster_is_refused() -> None:
    inv = inventory(**{"10.0.0.2": {"cluster_moid": None}})
    err = _refusal(inv)
    assert err.message == "host 10.0.0.2 is not in a cluster with a resource pool"
