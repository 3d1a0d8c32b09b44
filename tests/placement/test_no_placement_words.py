"""The "no host qualifies" error word for word: the constraint that eliminated the most
hosts, the option that relaxes it, the details of one nothing relaxes, and the
cluster without fault domains."""

from __future__ import annotations

from vmcctl.placement.filters import Reason
from vmcctl.placement.result import HostRejection, no_placement_error

SAME_FD = Reason("same-fault-domain", "same fault domain", "cluster Flat has no fault domains",
                 "--fault-domain any")
CPU = Reason("cpu-headroom", "CPU headroom", "CPU would be 91.0% after the move, over the 80% "
             "limit", "--max-cpu")


def _rej(host: str, *reasons: Reason) -> HostRejection:
    return HostRejection(host, f"host-{host}", None, reasons)


def _pinned(host: str, to: str) -> Reason:
    return Reason("vm-host-rule", "VM-host rule", f"pinned to {to}")


def test_no_other_host_at_all() -> None:
    err = no_placement_error("app", ())
    assert err.message == "no host qualifies for app: the cluster has no other host"
    assert err.hint is None and err.reasons == ()


def test_a_cluster_without_fault_domains_says_other_cannot_be_met() -> None:
    err = no_placement_error("app", (_rej("h1", SAME_FD), _rej("h2", SAME_FD, CPU)))
    assert err.message == ("no host qualifies for app: cluster Flat has no fault domains, so "
                           "--fault-domain other cannot be met (also: CPU headroom 1)")
    assert err.hint == "relax it with --fault-domain any"
    assert err.reasons == (("h1", "same fault domain"), ("h2", "same fault domain"),
                           ("h2", "CPU headroom"))
    alone = no_placement_error("app", (_rej("h1", SAME_FD),))
    assert alone.message == ("no host qualifies for app: cluster Flat has no fault domains, "
                             "so --fault-domain other cannot be met")


def test_two_details_are_listed_and_more_are_cut() -> None:
    two = no_placement_error("app", (_rej("h1", _pinned("h1", "h7")),
                                     _rej("h2", _pinned("h2", "h8"))))
    assert two.message == ("no host qualifies for app: 'VM-host rule' eliminated 2 of 2 hosts: "
                           "pinned to h7; pinned to h8")
    assert two.hint is None
    three = no_placement_error("app", tuple(_rej(f"h{i}", _pinned(f"h{i}", f"h{i + 6}"))
                                            for i in range(1, 4)))
    assert three.message == ("no host qualifies for app: 'VM-host rule' eliminated 3 of 3 hosts: "
                             "pinned to h7; pinned to h8; …")


def test_on_a_tie_an_unknown_label_comes_after_the_known_ones() -> None:
    odd = Reason("odd", "something new", "whatever")
    err = no_placement_error("app", (_rej("h1", odd), _rej("h2", _pinned("h2", "h9"))))
    assert err.message.startswith("no host qualifies for app: 'VM-host rule' eliminated 1 of 2 "
                                  "hosts: pinned to h9 (also: something new 1)")
