"""Each host filter's Reason word for word (code, label, detail, the option that
relaxes it): what `advise` prints for a rejected host. Driven on a Projection whose
per-host values are set one at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from placement_fixtures import CPU_CAP, MEM_CAP_MB, host, inventory, vm

from vmcctl.placement import filters as f
from vmcctl.placement.filters import Ask, Reason
from vmcctl.placement.request import PlacementOptions
from vmcctl.placement.state import Projection

Setup = Callable[[Projection], None]


def _ask(options: PlacementOptions | None = None,
         setup: Setup | None = None) -> tuple[Ask, Projection]:
    """h0 (us-west-2a) runs app; h1 in us-west-2b; h2 in no fault domain."""
    inv = inventory([host("h0"), host("h1", "us-west-2b"), host("h2", "us-west-2c")],
                    [vm("app", "h0", cpu=8280, mem_gb=51.2)])
    proj = Projection.from_inventory(inv)
    proj.fault_domain[2] = None
    if setup is not None:
        setup(proj)
    return Ask.build(proj, inv.find_vm("app"), options or PlacementOptions()), proj


def _set(**values: object) -> Setup:
    def setup(proj: Projection) -> None:
        for name, value in values.items():
            getattr(proj, name)[1] = value
    return setup


CASES: list[tuple[str, Setup, Callable[..., Reason | None], Reason]] = [
    ("not-responding", _set(connection_state="notResponding"), f.disconnected,
     Reason("not-responding", "not responding",
            "host is not responding (vCenter lost contact with it)")),
    ("disconnected", _set(connection_state="disconnected"), f.disconnected,
     Reason("disconnected", "disconnected", "host is disconnected")),
    ("standby-power", _set(power_state="standBy"), f.powered_down,
     Reason("standby", "standby", "host is in standby mode (power state standBy, standby -)")),
    ("standby-entering", _set(standby_mode="entering"), f.powered_down,
     Reason("standby", "standby",
            "host is in standby mode (power state poweredOn, standby entering)")),
    ("powered-off", _set(power_state="poweredOff"), f.powered_down,
     Reason("powered-off", "powered off", "host power state is poweredOff")),
    ("quarantine", _set(in_quarantine=True), f.quarantine,
     Reason("quarantine", "quarantine",
            "host is in quarantine mode (Proactive HA: degraded hardware)")),
    ("unreadable", _set(unreadable="summary.quickStats: NoPermission"), f.unreadable,
     Reason("unreadable", "unreadable", "vCenter did not let us read what placement needs "
            "(summary.quickStats: NoPermission)")),
    ("maintenance", _set(in_maintenance=True), f.in_maintenance,
     Reason("maintenance", "in maintenance", "host is in maintenance mode")),
    ("other-cluster", _set(cluster="domain-c9", cluster_name="C9"), f.other_cluster,
     Reason("other-cluster", "other cluster", "host is in cluster C9, the VM in Cluster-1")),
    ("other-cluster-unnamed", _set(cluster=None, cluster_name=None), f.other_cluster,
     Reason("other-cluster", "other cluster",
            "host is in cluster no cluster, the VM in Cluster-1")),
    ("missing-datastore", _set(datastores=frozenset()), f.missing_datastore,
     Reason("missing-datastore", "missing datastore", "ds1 not mounted on this host")),
]


@pytest.mark.parametrize(("setup", "check", "want"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_each_static_filter_words_its_rejection(setup: Setup,
                                                check: Callable[..., Reason | None],
                                                want: Reason) -> None:
    ask, proj = _ask(setup=setup)
    assert check(ask, proj, 1) == want
    assert f.reasons(ask, proj, 1) == [want]
    assert not f.passes(ask, proj, 1)
    assert check(ask, proj, 2) is None  # the untouched host passes this filter


def test_the_current_host_and_a_host_about_to_enter_maintenance() -> None:
    h2 = _ask()[1].moids[2]
    ask, proj = _ask(PlacementOptions(avoid_hosts=frozenset({h2, "host-not-here"})))
    assert f.current_host(ask, proj, 0) == Reason("current-host", "current host",
                                                  "app already runs here")
    assert f.current_host(ask, proj, 1) is None
    assert f.entering_maintenance(ask, proj, 2) == Reason(
        "entering-maintenance", "entering maintenance", "host is about to enter maintenance mode")
    assert f.entering_maintenance(ask, proj, 1) is None
    assert f.passes(ask, proj, 1) and f.reasons(ask, proj, 1) == []


@pytest.mark.parametrize(("policy", "i", "want"), [
    ("any", 0, None), ("any", 2, None),
    ("other", 0, Reason("same-fault-domain", "same fault domain",
                        "host is in us-west-2a, the VM's current fault domain",
                        "--fault-domain any")),
    ("other", 1, None), ("other", 2, None),
    ("same", 0, None),
    ("same", 1, Reason("other-fault-domain", "other fault domain",
                       "host is in us-west-2b, the VM in us-west-2a", "--fault-domain any")),
    ("same", 2, Reason("other-fault-domain", "other fault domain",
                       "host is in no fault domain, the VM in us-west-2a",
                       "--fault-domain any")),
    ("us-west-2b", 1, None),
    ("us-west-2b", 0, Reason("not-requested-fault-domain", "not in requested fault domain",
                             "host is in us-west-2a, not us-west-2b", "--fault-domain any")),
    ("us-west-2b", 2, Reason("not-requested-fault-domain", "not in requested fault domain",
                             "host is in no fault domain, not us-west-2b",
                             "--fault-domain any")),
])
def test_fault_domain_policies(policy: str, i: int, want: Reason | None) -> None:
    ask, proj = _ask(PlacementOptions(fault_domain=policy))
    assert f.fault_domain(ask, proj, i) == want


def test_a_vm_outside_any_fault_domain() -> None:
    def nowhere(proj: Projection) -> None:
        proj.fault_domain[0] = None

    ask, proj = _ask(PlacementOptions(fault_domain="other"), nowhere)
    assert f.fault_domain(ask, proj, 2) == Reason(
        "same-fault-domain", "same fault domain",
        "host is in no fault domain, the VM's current fault domain", "--fault-domain any")
    ask, proj = _ask(PlacementOptions(fault_domain="same"), nowhere)
    assert f.fault_domain(ask, proj, 1) == Reason(
        "other-fault-domain", "other fault domain",
        "host is in us-west-2b, the VM in no fault domain", "--fault-domain any")

    def none_at_all(proj: Projection) -> None:
        proj.fault_domain[:] = [None, None, None]

    ask, proj = _ask(PlacementOptions(fault_domain="other"), none_at_all)
    assert f.fault_domain(ask, proj, 1) == Reason(
        "same-fault-domain", "same fault domain", "cluster Cluster-1 has no fault domains",
        "--fault-domain any")


def test_headroom_is_checked_after_the_move_and_the_limit_itself_is_allowed() -> None:
    ask, proj = _ask(PlacementOptions(max_cpu_pct=50, max_mem_pct=50))
    proj.cpu_used[1] = CPU_CAP // 2 - ask.cpu  # exactly 50 % once the VM is there
    proj.mem_used[1] = MEM_CAP_MB // 2 - ask.mem
    assert f.cpu_headroom(ask, proj, 1) is None
    assert f.memory_headroom(ask, proj, 1) is None
    assert f.cpu_headroom(ask, proj, 0) is None and f.memory_headroom(ask, proj, 0) is None
    proj.cpu_used[1] += CPU_CAP // 100
    proj.mem_used[1] += MEM_CAP_MB // 100 + 1
    assert f.cpu_headroom(ask, proj, 1) == Reason(
        "cpu-headroom", "CPU headroom", "CPU would be 51.0% after the move, over the 50% limit",
        "--max-cpu")
    assert f.memory_headroom(ask, proj, 1) == Reason(
        "memory-headroom", "memory headroom",
        "memory would be 51.0% after the move, over the 50% limit", "--max-mem")
    proj.cpu_used[0] = proj.mem_used[0] = 10**9  # the source is never judged on headroom
    assert f.cpu_headroom(ask, proj, 0) is None and f.memory_headroom(ask, proj, 0) is None


def test_vcenters_refusal_names_its_message_and_the_option() -> None:
    ask, proj = _ask()
    assert f.vcenter_check(ask, proj, 1) is None
    rejects = (("vm-x", proj.moids[1], "other VM"), (ask.vm.moid, proj.moids[1], "CPU flags"))
    ask, proj = _ask(PlacementOptions(vcenter_rejects=rejects))
    assert f.vcenter_check(ask, proj, 1) == Reason(
        "vcenter-check", "vCenter check", "vCenter's compatibility check refuses it: CPU flags",
        "--no-vcenter-check")
    assert f.vcenter_check(ask, proj, 2) is None


def test_standby_in_and_a_cluster_known_only_by_its_id() -> None:
    ask, proj = _ask(setup=_set(standby_mode="in"))
    assert f.powered_down(ask, proj, 1) == Reason(
        "standby", "standby", "host is in standby mode (power state poweredOn, standby in)")
    ask, proj = _ask(setup=_set(cluster="domain-c9", cluster_name=None))
    assert f.other_cluster(ask, proj, 1) == Reason(
        "other-cluster", "other cluster", "host is in cluster domain-c9, the VM in Cluster-1")


def test_every_missing_datastore_is_named_sorted_unknown_ones_by_id() -> None:
    ask, proj = _ask()
    wide = replace(ask, datastores=ask.datastores | {"datastore-zz", "datastore-aa"})
    proj.datastore_names["datastore-zz"] = "A-first"
    proj.datastores[1] = frozenset(ask.datastores)
    assert f.missing_datastore(wide, proj, 1) == Reason(
        "missing-datastore", "missing datastore",
        "A-first, datastore-aa not mounted on this host")


def test_a_vm_without_a_host_has_no_cluster_or_fault_domain_to_keep() -> None:
    ask, proj = _ask(PlacementOptions(fault_domain="same"))
    lost = replace(ask, source=None)
    assert (lost.cluster(proj), lost.fault_domain(proj)) == (None, None)
    assert (ask.cluster(proj), ask.fault_domain(proj)) == (proj.cluster[0], "us-west-2a")
    assert f.other_cluster(lost, proj, 1) is None
    assert f.current_host(lost, proj, 0) is None
