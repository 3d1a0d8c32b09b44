"""The snapshot's fast collector path against the simulator: same Inventory as
pyVmomi's deserializer, same SOAP call count, faults and session renewal intact."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pyVmomi import vim, vmodl

from vmcctl.sim.generate import generate_inventory
from vmcctl.vsphere import fastparse
from vmcctl.vsphere.connection import Client, connect
from vmcctl.vsphere.snapshot import PROPERTIES, CollectStats, filter_spec, take_snapshot

pytestmark = pytest.mark.sim

_AT = datetime(2026, 1, 1, tzinfo=UTC)


def _both(client: Client, **kwargs: Any) -> tuple[Any, Any, int, int]:
    """(fast inventory, pyVmomi inventory, SOAP calls of each)."""
    client.reset_soap_calls()
    fast = take_snapshot(client, clock=lambda: _AT, fast=True, **kwargs)
    fast_calls = client.soap_calls
    client.reset_soap_calls()
    slow = take_snapshot(client, clock=lambda: _AT, fast=False, **kwargs)
    return fast, slow, fast_calls, client.soap_calls


@pytest.mark.vmcctl_sim("the seed inventory")
def test_fast_path_equals_pyvmomi_on_the_seed_inventory(client: Client) -> None:
    fast, slow, fast_calls, slow_calls = _both(client)
    assert fast == slow
    assert any(c.rules for c in fast.clusters)
    assert fast_calls == slow_calls


def test_fast_path_equals_pyvmomi_on_a_generated_inventory_with_rules(
        vcsim_factory: Any, settings_for: Any) -> None:
    sim = vcsim_factory(generate_inventory(12, 400, 3), plain_http=True)
    with connect(settings_for(sim)) as client:
        fast, slow, fast_calls, slow_calls = _both(client, page_size=50)
        stats = CollectStats()
        take_snapshot(client, page_size=50, stats=stats)
    assert fast == slow
    assert len(fast.vms) == 400
    assert sum(len(c.rules) for c in fast.clusters) > 0
    assert all(h.fault_domain for h in fast.hosts)
    assert stats.pages > 1
    assert fast_calls == slow_calls == stats.pages + 2


def test_faults_are_raised_as_pyvmomis_fault_types(vcsim: Any, client: Client) -> None:
    content = client.content
    collector = content.propertyCollector
    options = vmodl.query.PropertyCollector.RetrieveOptions()
    view = content.viewManager.CreateContainerView(content.rootFolder, list(PROPERTIES), True)
    spec = filter_spec(view, PROPERTIES)
    assert fastparse.retrieve(collector, [spec], options).objects
    view.DestroyView()
    with pytest.raises(vmodl.MethodFault) as by_pyvmomi:
        collector.RetrievePropertiesEx([spec], options)
    with pytest.raises(vmodl.MethodFault) as by_fastparse:
        fastparse.retrieve(collector, [spec], options)
    assert type(by_fastparse.value) is type(by_pyvmomi.value)
    assert by_fastparse.value.msg == by_pyvmomi.value.msg
    vcsim.control.expire_sessions()
    with pytest.raises(vim.fault.NotAuthenticated):
        fastparse.retrieve(collector, [filter_spec(view, PROPERTIES)], options)


def test_session_expiring_between_pages_is_renewed(vcsim: Any, client: Client) -> None:
    whole = take_snapshot(client, clock=lambda: _AT)
    counted = client.count_call
    seen = 0

    def expire_before_the_second_page() -> None:
        nonlocal seen
        seen += 1
        if seen == 3:  # CreateContainerView, RetrievePropertiesEx, then this continuation
            vcsim.control.expire_sessions()
        counted()

    client.count_call = expire_before_the_second_page  # type: ignore[method-assign]
    again = take_snapshot(client, page_size=4, clock=lambda: _AT)
    assert seen > 3
    assert client.renewals == 1
    assert again == whole
