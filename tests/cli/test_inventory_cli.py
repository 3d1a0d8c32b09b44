"""``vmcctl inventory`` against the seed simulator."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.sim


def test_hosts_table_lists_every_host_with_its_fault_domain(vcsim: Any, run_cli: Any) -> None:
    result = run_cli("inventory", "hosts", env=vcsim.env())
    assert result.code == 0, result.err
    for host in vcsim.inventory.hosts:
        line = next(ln for ln in result.out.splitlines() if host.name in ln)
        assert host.fault_domain in line


@pytest.mark.vmcctl_sim("the seed inventory")
def test_hosts_json_has_load_and_vm_counts(vcsim: Any, run_cli: Any) -> None:
    rows = run_cli("inventory", "hosts", "-o", "json", env=vcsim.env()).json()
    by_name = {r["name"]: r for r in rows}
    assert len(by_name) == 9
    assert {r["fault_domain"] for r in rows} == {"us-west-2a", "us-west-2b"}
    spec_vms = [v for v in vcsim.inventory.vms if v.host == "10.94.24.70"]
    assert by_name["10.94.24.70"]["vms"] == len(spec_vms)
    # 10.94.24.85 is the lightly loaded host of the seed story
    a_hosts = [r for r in rows if r["fault_domain"] == "us-west-2a"]
    assert min(a_hosts, key=lambda r: r["cpu_pct"])["name"] == "10.94.24.85"


@pytest.mark.vmcctl_sim("the seed inventory")
def test_vms_filters_by_host_and_fault_domain(vcsim: Any, run_cli: Any) -> None:
    on_70 = run_cli("inventory", "vms", "--host", "10.94.24.70", "-o", "json",
                    env=vcsim.env()).json()
    assert {r["name"] for r in on_70} == {v.name for v in vcsim.inventory.vms
                                          if v.host == "10.94.24.70"}
    ml = next(r for r in on_70 if r["name"] == "ML-cpu-vm-04")
    assert ml["fault_domain"] == "us-west-2b"
    assert ml["ip_address"] == "127.0.0.1"
    in_2a = run_cli("inventory", "vms", "--fault-domain", "us-west-2a", "-o", "json",
                    env=vcsim.env()).json()
    assert in_2a and all(r["fault_domain"] == "us-west-2a" for r in in_2a)


@pytest.mark.vmcctl_sim("the seed inventory")
def test_unknown_host_filter_is_a_usage_error_with_suggestion(vcsim: Any,
                                                              run_cli: Any) -> None:
    result = run_cli("inventory", "vms", "--host", "10.94.24.07", env=vcsim.env())
    assert result.code == 2
    assert "no host named '10.94.24.07'" in result.err
    assert "did you mean 10.94.24.87" in result.err
    assert "Traceback" not in result.err


def test_a_url_that_is_no_vsphere_api_is_an_input_error(vcsim: Any, run_cli: Any) -> None:
    env = vcsim.env()
    env["VMCCTL_URL"] = vcsim.url.replace("/sdk", "/foo")
    result = run_cli("inventory", "hosts", env=env)
    assert result.code == 2
    assert "no vSphere API at" in result.err and "internal error" not in result.err


def test_a_server_that_never_answers_times_out(run_cli: Any) -> None:
    """Found in review: the TCP connect succeeded, then SmartConnect waited forever."""
    import socket
    import time

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        port = listener.getsockname()[1]
        started = time.monotonic()
        result = run_cli("inventory", "hosts", "--connect-timeout", "2",
                         env={"VMCCTL_URL": f"https://127.0.0.1:{port}/sdk",
                              "VMCCTL_USERNAME": "u", "VMCCTL_PASSWORD": "p"})
        elapsed = time.monotonic() - started
    assert result.code == 1
    assert "did not answer in time" in result.err
    assert elapsed < 20
