"""A rolling window lists the powered-off VMs that stay on the hosts it services."""

from __future__ import annotations

from placement_fixtures import seed_inventory

from vmcctl.placement.rolling import WindowOptions, plan_window


def test_the_window_names_the_powered_off_vm_left_on_a_serviced_host() -> None:
    inv = seed_inventory()
    host = inv.find_host("10.94.24.70")
    cluster = next(c for c in inv.clusters if host.moid in c.host_moids)
    plan = plan_window(inv, cluster.moid, [host.moid], WindowOptions())
    assert [(s.vm, s.host, s.power_state) for s in plan.stays] == [
        ("jump-01", "10.94.24.70", "poweredOff")]
    assert plan.to_dict()["stays"][0]["message"] == "stays, powered off"
    assert "jump-01" not in {m.vm for s in plan.steps for p in s.phases.values()
                             for m in p.moves}
    other = inv.find_host("10.94.24.72")
    assert plan_window(inv, cluster.moid, [other.moid], WindowOptions()).stays == ()
