"""PlacementOptions: the percentage bounds are exact and each error names its flag."""

from __future__ import annotations

import pytest

from vmcctl.errors import ConfigError
from vmcctl.placement.request import DEFAULT_MAX_PCT, PlacementOptions


@pytest.mark.parametrize("pct", [0.001, 50, 100])
def test_a_percentage_above_0_and_up_to_100_is_accepted(pct: float) -> None:
    opts = PlacementOptions(max_cpu_pct=pct, max_mem_pct=pct)
    assert (opts.max_cpu_pct, opts.max_mem_pct) == (pct, pct)


@pytest.mark.parametrize(("field", "flag"), [("max_cpu_pct", "--max-cpu"),
                                             ("max_mem_pct", "--max-mem")])
@pytest.mark.parametrize("pct", [0, -5, 100.5, 101])
def test_a_percentage_out_of_range_names_its_flag(field: str, flag: str, pct: float) -> None:
    with pytest.raises(ConfigError) as err:
        PlacementOptions(**{field: pct})  # type: ignore[arg-type]
    assert str(err.value) == (
        f"{flag} must be a percentage above 0 and at most 100, not {pct:g}")
    assert err.value.exit_code == 2


def test_an_empty_fault_domain_lists_the_choices() -> None:
    with pytest.raises(ConfigError) as err:
        PlacementOptions(fault_domain="")
    assert str(err.value) == "--fault-domain must be any, same, other or a fault domain name"


def test_defaults_and_the_json_form() -> None:
    opts = PlacementOptions(avoid_hosts=frozenset({"host-9", "host-2"}))
    assert DEFAULT_MAX_PCT == 80.0
    assert opts.to_dict() == {"fault_domain": "any", "max_cpu_pct": 80.0, "max_mem_pct": 80.0,
                              "avoid_hosts": ["host-2", "host-9"]}
    assert opts.named_fault_domain is None
    assert PlacementOptions(fault_domain="us-west-2b").named_fault_domain == "us-west-2b"
    assert PlacementOptions(fault_domain="other").named_fault_domain is None


def test_vcenter_reject_matches_vm_and_host_both() -> None:
    opts = PlacementOptions(vcenter_rejects=(("vm-1", "host-2", "CPU incompatible"),
                                             ("vm-3", "host-4", "no network")))
    assert opts.vcenter_reject("vm-1", "host-2") == "CPU incompatible"
    assert opts.vcenter_reject("vm-3", "host-4") == "no network"
    assert opts.vcenter_reject("vm-1", "host-4") is None
    assert opts.vcenter_reject("vm-3", "host-2") is None
