"""What the advisor says about VMs it may not place, and how its answers are laid out.

Word-for-word checks of the messages a user acts on (an unreadable VM, a VM
that cannot move, an evacuation that cannot finish), and of the identity
and ordering fields of a recommendation.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from placement_fixtures import inventory, three_hosts, vm

from vmcctl.errors import NotFoundError, NotMovableError, PrecheckError
from vmcctl.model import Inventory, Unreadable, VmDevice
from vmcctl.placement import plan_evacuation
from vmcctl.placement.advisor import rank_hosts
from vmcctl.placement.filters import REASON_ORDER, Reason
from vmcctl.placement.movable import blockers, check_movable, hint_for
from vmcctl.placement.plan import (
    PARTIAL_HINT,
    Blocked,
    EvacuationPlan,
    HostLoad,
    Stays,
    Unplaceable,
)
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.result import (
    Candidate,
    HostRejection,
    Recommendation,
    group_by_reason,
    no_placement_error,
)

BLIND = (Unreadable("runtime.powerState", "NoPermission", "System.Read"),
         Unreadable("summary.quickStats", "NoPermission"))


def _with_blind_vm() -> Inventory:
    inv = inventory(three_hosts(), [vm("a", "h1"), vm("b", "h1")])
    return replace(inv, vms=tuple(replace(v, unknown=BLIND) if v.name == "a" else v
                                  for v in inv.vms))


def test_an_unreadable_vm_is_unplaceable_in_an_evacuation_with_what_was_denied() -> None:
    inv = _with_blind_vm()
    plan = plan_evacuation(inv, "h1")
    (blind,) = plan.unplaceable
    a = inv.find_vm("a")
    assert (blind.vm, blind.vm_moid, blind.rejected) == ("a", a.moid, ())
    assert blind.message == ("vCenter did not let us read what a move needs "
                             "(runtime.powerState: NoPermission (System.Read); "
                             "summary.quickStats: NoPermission)")
    assert blind.hint == "ask for System.Read on the VM"
    assert [m.vm for m in plan.moves] == ["b"]


def test_ranking_an_unreadable_vm_is_refused_naming_what_was_denied() -> None:
    inv = _with_blind_vm()
    with pytest.raises(PrecheckError) as err:
        rank_hosts(inv, "a")
    a = inv.find_vm("a")
    assert err.value.message == (f"VM a ({a.moid}) cannot be placed: vCenter did not let us "
                                 "read runtime.powerState: NoPermission (System.Read); "
                                 "summary.quickStats: NoPermission")
    assert err.value.hint == ("ask for System.Read on the VM (a role with read access to the "
                              "inventory)")


def test_a_recommendation_names_the_vm_and_its_source_by_id() -> None:
    inv = inventory(three_hosts(), [vm("a", "h1")])
    rec = rank_hosts(inv, "a")
    h1 = inv.find_host("h1")
    data = rec.to_dict()
    assert (data["vm"], data["vm_moid"]) == ("a", inv.find_vm("a").moid)
    assert (data["source"], data["source_moid"], data["source_fault_domain"]) == (
        "h1", h1.moid, "us-west-2a")
    assert len(data["candidates"]) == 2 and len(rec.to_dict(top=1)["candidates"]) == 1
    assert [r[0] for r in rec.candidate_rows(top=1)] == ["1"]
    assert [r[0] for r in rec.candidate_rows()] == ["1", "2"]
    assert "a" in rec.error().message.split(":")[0]


def _cand(host: str, fd: str | None, rules: tuple[str, ...] = ()) -> Candidate:
    return Candidate(host=host, host_moid=f"host-{host}", fault_domain=fd, cpu_pct=10.04,
                     cpu_pct_after=20.06, mem_pct=30, mem_pct_after=40, score=0.5,
                     cluster_cpu_max=0, cluster_mem_max=0, cpu_spread=0, mem_spread=0,
                     should_rules=rules)


def test_candidate_rows_show_a_missing_fault_domain_as_blank_and_every_should_rule() -> None:
    inv = inventory(three_hosts(), [vm("a", "h1")])
    rec = replace(rank_hosts(inv, "a"), candidates=(
        _cand("x", None, ("keep-apart", "near-db")), _cand("y", "az-2")))
    assert rec.candidate_rows() == [
        ("1", "x", "", "10.0%", "20.1%", "30.0%", "40.0%", "0.50",
         "breaks should-rule keep-apart, near-db"),
        ("2", "y", "az-2", "10.0%", "20.1%", "30.0%", "40.0%", "0.50", "")]


def _rej(host: str, *labels: str, rules: tuple[str, ...] = ()) -> HostRejection:
    return HostRejection(host, f"host-{host}", None,
                         tuple(Reason("c", label, "d", f"relax {label}", rules)
                               for label in labels))


# filter order is not alphabetical order: "in maintenance" comes before "CPU headroom"
EARLY, LATE = "in maintenance", "CPU headroom"


def test_rejections_are_grouped_in_filter_order_unknown_labels_last() -> None:
    assert REASON_ORDER.index(EARLY) < REASON_ORDER.index(LATE) and LATE < EARLY
    groups = group_by_reason((_rej("h1", "a-unknown", LATE), _rej("h2", EARLY, LATE)))
    assert list(groups) == [EARLY, LATE, "a-unknown"]
    assert groups[LATE] == ["h1", "h2"] and groups[EARLY] == ["h2"]


def test_the_rejected_table_is_in_filter_order_and_names_the_rules() -> None:
    rec = Recommendation("app", "vm-1", "h0", "host-0", None, PlacementOptions(), (),
                         (_rej("h1", LATE, "a-unknown"), _rej("h2", EARLY, LATE),
                          _rej("h3", "VM-host rule", rules=("pin-to-h0",))))
    assert rec.rejected_rows() == [
        (EARLY, "h2", f"relax {EARLY}"), (LATE, "h1, h2", f"relax {LATE}"),
        ("VM-host rule pin-to-h0", "h3", "relax VM-host rule"),
        ("a-unknown", "h1", "relax a-unknown")]


def test_a_vm_that_stays_has_the_documented_json_keys() -> None:
    stays = Stays("old-01", "vm-9", "poweredOff", host="h1")
    assert stays.to_dict() == {"vm": "old-01", "vm_moid": "vm-9", "power_state": "poweredOff",
                               "host": "h1",
                               "message": "stays, powered off: --include-powered-off moves it"}


def test_an_evacuation_that_cannot_finish_names_every_vm_and_the_first_hint() -> None:
    blocked = Blocked("ft", "vm-1", ("fault-tolerance",), "ft: protected", "turn FT off")
    stuck = Unplaceable("big", "vm-2", "big: no host has room", "relax with --max-mem", ())
    plan = EvacuationPlan("h1", "host-1", (), unplaceable=(stuck,), blocked=(blocked,))
    err = plan.error()
    assert err is not None
    assert err.message == "2 VM(s) on h1 cannot be moved: ft: protected; big: no host has room"
    assert err.hint == f"turn FT off; or {PARTIAL_HINT}"
    bare = EvacuationPlan("h1", "host-1", (), blocked=(replace(blocked, hint=None),))
    err = bare.error()
    assert err is not None and err.hint == PARTIAL_HINT
    assert EvacuationPlan("h1", "host-1", ()).error() is None


def test_load_rows_show_a_missing_fault_domain_as_blank() -> None:
    load = HostLoad("h2", "host-2", None, 3, 10.0, 12.55, 20.0, 22.0)
    plan = EvacuationPlan("h1", "host-1", (), loads=(load,))
    assert plan.load_rows() == [("h2", "", "3", "10.0%", "12.6%", "20.0%", "22.0%")]


def test_a_vm_that_cannot_move_names_every_reason_and_the_first_hint() -> None:
    inv = inventory(three_hosts(), [vm("a", "h1")])
    a = replace(inv.find_vm("a"), template=True, ft_state="running",
                devices=(VmDevice(kind="cdrom-host", label="CD/DVD drive 1", connected=True),))
    with pytest.raises(NotMovableError) as err:
        check_movable(a)
    assert err.value.message == (
        f"VM a ({a.moid}) cannot be moved: template: a is a template; "
        "fault-tolerance: a is protected by Fault Tolerance (running); "
        "host-device: a runs with a device connected to the host's own hardware "
        "(CD/DVD drive 1)")
    assert err.value.hint == "a template is not moved by vmcctl: convert it to a VM or leave it"
    assert hint_for(()) is None


def _rejected(*hosts: tuple[str, tuple[tuple[str, str | None, str], ...]]) -> tuple[
        HostRejection, ...]:
    return tuple(HostRejection(h, f"host-{h}", None,
                               tuple(Reason("c", label, detail, relax)
                                     for label, relax, detail in reasons))
                 for h, reasons in hosts)


def test_on_a_tie_the_constraint_one_can_relax_is_named_with_its_option() -> None:
    rejected = _rejected(("h2", (("anti-affinity rule", None, "keep apart"),)),
                         ("h3", (("CPU headroom", "--max-cpu", "92% > 80%"),)))
    err = no_placement_error("app", rejected)
    assert err.message == ("no host qualifies for app: 'CPU headroom' eliminated 1 of 2 hosts "
                           "(also: anti-affinity rule 1)")
    assert err.hint == "relax it with --max-cpu"
    assert err.reasons == (("h2", "anti-affinity rule"), ("h3", "CPU headroom"))


def test_on_a_tie_between_options_the_first_filter_wins() -> None:
    rejected = _rejected(("h2", (("memory headroom", "--max-mem", "m"),)),
                         ("h3", (("CPU headroom", "--max-cpu", "c"),)))
    assert no_placement_error("app", rejected).hint == "relax it with --max-cpu"


def test_a_constraint_no_option_relaxes_is_named_by_its_details() -> None:
    rejected = _rejected(*[(f"h{i}", (("VM-host rule", None, f"pinned to h{i % 3}"),))
                           for i in range(5)])
    err = no_placement_error("app", rejected)
    assert err.message == ("no host qualifies for app: 'VM-host rule' eliminated 5 of 5 hosts: "
                           "pinned to h0; pinned to h1; …")
    assert err.hint is None
    assert no_placement_error("app", ()).message == (
        "no host qualifies for app: the cluster has no other host")


def test_an_unknown_fault_domain_is_refused_before_planning() -> None:
    inv = inventory(three_hosts(), [vm("a", "h1")])
    with pytest.raises(NotFoundError):
        plan_evacuation(inv, "h1", PlacementOptions(fault_domain="us-west-2z"))


def test_a_vm_blocked_twice_lists_both_reasons() -> None:
    inv = inventory(three_hosts(), [vm("a", "h1"), vm("b", "h1")])
    inv = replace(inv, vms=tuple(replace(v, template=True, ft_state="running")
                                 if v.name == "a" else v for v in inv.vms))
    (blocked,) = plan_evacuation(inv, "h1").blocked
    assert blocked.codes == ("template", "fault-tolerance")
    assert blocked.message == ("template: a is a template; fault-tolerance: a is protected by "
                               "Fault Tolerance (running)")


def test_every_blocker_has_its_label_and_details() -> None:


    inv = inventory(three_hosts(), [vm("a", "h1")])
    a = replace(inv.find_vm("a"), connection_state="orphaned", template=True,
                ft_state="secondary", devices=(
                    VmDevice(kind="floppy-host", label="Floppy 1", connected=False),
                    VmDevice(kind="passthrough", label="PCI device 0"),
                    VmDevice(kind="vgpu", label="PCI device 1"),
                    VmDevice(kind="serial-host", label="Serial port 1")))
    assert [(r.code, r.reason, r.detail) for r in blockers(a)] == [
        ("vm-not-connected", "VM not connected", "VM a is orphaned in vCenter"),
        ("template", "template", "a is a template"),
        ("fault-tolerance", "Fault Tolerance", "a is protected by Fault Tolerance (secondary)"),
        ("passthrough-device", "PCI passthrough device",
         "a runs with a PCI passthrough device (PCI device 0)"),
        ("vgpu-device", "vGPU device", "a runs with a vGPU device (PCI device 1)"),
        ("host-device", "device connected to the host's own hardware",
         "a runs with a device connected to the host's own hardware (Serial port 1)")]
    cold = replace(a, power_state="poweredOff", connection_state="connected", template=False,
                   ft_state=None)
    assert blockers(cold) == ()  # devices only matter while the VM runs
