"""``vmcctl advise`` on the seed simulator."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.sim

B_HOSTS = {"10.94.24.70", "10.94.24.71", "10.94.24.72", "10.94.24.73"}
A_HOSTS = {"10.94.24.84", "10.94.24.85", "10.94.24.86", "10.94.24.87", "10.94.24.88"}


@pytest.mark.vmcctl_sim("the seed inventory")
def test_other_fault_domain_rejects_every_us_west_2b_host(vcsim: Any, run_cli: Any) -> None:
    result = run_cli("advise", "ML-cpu-vm-04", "--fault-domain", "other", "-o", "json",
                     env=vcsim.env())
    assert result.code == 0, result.err
    data = result.json()
    ranked = [c["host"] for c in data["candidates"]]
    assert set(ranked) <= A_HOSTS and ranked[0] == "10.94.24.85"
    rejected = {r["host"]: [reason["reason"] for reason in r["reasons"]]
                for r in data["rejected"]}
    assert set(rejected) == B_HOSTS
    for host in B_HOSTS - {"10.94.24.70"}:
        assert "same fault domain" in rejected[host]


@pytest.mark.vmcctl_sim("the seed inventory")
def test_table_groups_rejections_by_reason(vcsim: Any, run_cli: Any) -> None:
    result = run_cli("advise", "ML-cpu-vm-04", "--fault-domain", "other", env=vcsim.env())
    assert result.code == 0, result.err
    assert "Rejected hosts" in result.out
    line = next(ln for ln in result.out.splitlines() if "same fault domain" in ln)
    assert "10.94.24.71" in line and "10.94.24.73" in line


@pytest.mark.vmcctl_sim("the seed inventory")
def test_no_host_qualifies_exits_1_naming_the_option(vcsim: Any, run_cli: Any) -> None:
    result = run_cli("advise", "ML-cpu-vm-04", "--max-cpu", "1", env=vcsim.env())
    assert result.code == 1
    assert "--max-cpu" in result.err
    assert "Traceback" not in result.err


@pytest.mark.vmcctl_sim("the seed inventory")
def test_unknown_fault_domain_suggests_names(vcsim: Any, run_cli: Any) -> None:
    result = run_cli("advise", "ML-cpu-vm-04", "--fault-domain", "us-west-2c", env=vcsim.env())
    assert result.code == 2
    assert "us-west-2a" in result.err or "us-west-2b" in result.err
