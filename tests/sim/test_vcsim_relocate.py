"""RelocateVM_Task behaves like vCenter's: progress, queues, faults, events, audit."""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim, vmodl
from vcsim_helpers import TaskWatch, find, host_entry, relocate, seed_dict, wait_task

pytestmark = [pytest.mark.sim,
              pytest.mark.vmcctl_sim("relocation progress, duration and load (our model)")]

SCALE = 20.0  # seed ML-cpu-vm-04 (64 GB): (2 + 0.25 * 64) / 20 = 0.9 s


def test_relocation_progresses_then_moves_vm_and_load(vcsim_factory: Any) -> None:
    sim = vcsim_factory(time_scale=SCALE)
    si = sim.connect()
    vm = find(si, vim.VirtualMachine, "ML-cpu-vm-04")
    src, dst = vm.runtime.host, find(si, vim.HostSystem, "10.94.24.85")
    boot = vm.runtime.bootTime
    src_cpu, dst_cpu = (h.summary.quickStats.overallCpuUsage for h in (src, dst))
    src_mem, dst_mem = (h.summary.quickStats.overallMemoryUsage for h in (src, dst))
    task = vm.RelocateVM_Task(vim.vm.RelocateSpec(host=dst, pool=vm.resourcePool),
                              vim.VirtualMachine.MovePriority.highPriority)
    history = TaskWatch(si, [task]).wait()[task._moId]
    running = [p for state, p in history if state == "running" and p is not None and 0 < p < 100]
    assert running, f"no running progress observed: {history}"
    assert running == sorted(running)
    assert history[-1][0] == "success"
    assert vm.runtime.host == dst
    assert vm.runtime.powerState == "poweredOn"
    assert vm.runtime.bootTime == boot
    assert "ML-cpu-vm-04" not in [v.name for v in src.vm]
    assert "ML-cpu-vm-04" in [v.name for v in dst.vm]
    assert src.summary.quickStats.overallCpuUsage == src_cpu - 12000
    assert dst.summary.quickStats.overallCpuUsage == dst_cpu + 12000
    assert src.summary.quickStats.overallMemoryUsage == src_mem - 40 * 1024
    assert dst.summary.quickStats.overallMemoryUsage == dst_mem + 40 * 1024
    events = si.content.eventManager.QueryEvents(
        vim.event.EventFilterSpec(eventTypeId=["VmMigratedEvent"]))
    assert [(e.vm.name, e.sourceHost.name, e.host.name) for e in events] == [
        ("ML-cpu-vm-04", src.name, dst.name)]
    [entry] = sim.control.relocations("ML-cpu-vm-04")
    assert entry["args"]["priority"] == "highPriority"
    assert entry["args"]["host"] == "10.94.24.85" and entry["args"]["source"] == src.name
    assert entry["args"]["spec_fields"] == ["host", "pool"]
    assert entry["args"]["datastore"] is None
    assert entry["task"] == task._moId and entry["result"] == "success"
    assert entry["queued_at"] <= entry["start"] < entry["end"]
    # the modelled duration, within scheduling slack
    assert 0.9 * 0.9 <= entry["end"] - entry["start"] < 0.9 * 3


def test_relocation_duration_scales_with_memory(vcsim_factory: Any) -> None:
    sim = vcsim_factory(time_scale=SCALE)
    si = sim.connect()
    dst = find(si, vim.HostSystem, "10.94.24.85")
    small = relocate(find(si, vim.VirtualMachine, "web-01"), dst)  # 8 GB: 0.2 s
    big = relocate(find(si, vim.VirtualMachine, "db-01"), dst)  # 128 GB: 1.7 s
    TaskWatch(si, [small, big]).wait()
    spans = {e["target"]["name"]: e["end"] - e["start"] for e in sim.control.relocations()}
    assert spans["db-01"] > 3 * spans["web-01"]


def test_powered_off_vm_relocates_cold(vcsim_factory: Any) -> None:
    si = vcsim_factory(time_scale=SCALE).connect()
    vm = find(si, vim.VirtualMachine, "jump-01")
    dst = find(si, vim.HostSystem, "10.94.24.85")
    assert wait_task(si, relocate(vm, dst)).state == "success"
    assert vm.runtime.host == dst and vm.runtime.powerState == "poweredOff"


def test_max_vmotions_queues_extra_relocations(vcsim_factory: Any) -> None:
    inv = seed_dict()
    host_entry(inv, "10.94.24.85")["max_vmotions"] = 2
    sim = vcsim_factory(inv, time_scale=SCALE)
    si = sim.connect()
    dst = find(si, vim.HostSystem, "10.94.24.85")
    names = ["ML-cpu-vm-01", "cache-01", "ML-cpu-vm-02"]
    tasks = [relocate(find(si, vim.VirtualMachine, n), dst) for n in names]
    assert [t.info.state for t in tasks] == ["running", "running", "queued"]
    TaskWatch(si, tasks).wait()
    assert all(t.info.state == "success" for t in tasks)
    entries = {e["target"]["name"]: e for e in sim.control.relocations()}
    third = entries["ML-cpu-vm-02"]
    first_end = min(entries[n]["end"] for n in names[:2])
    assert third["start"] >= first_end  # started only when a slot freed
    # never more than 2 running at once on the target
    points = sorted((e[k], +1 if k == "start" else -1) for e in entries.values()
                    for k in ("start", "end"))
    running = peak = 0
    for _, delta in points:
        running += delta
        peak = max(peak, running)
    assert peak == 2


def test_source_slots_count_too(vcsim_factory: Any) -> None:
    inv = seed_dict()
    host_entry(inv, "10.94.24.70")["max_vmotions"] = 1
    si = vcsim_factory(inv, time_scale=SCALE).connect()
    vm_a, vm_b = (find(si, vim.VirtualMachine, n) for n in ("ML-cpu-vm-01", "cache-01"))
    a = relocate(vm_a, find(si, vim.HostSystem, "10.94.24.85"))
    b = relocate(vm_b, find(si, vim.HostSystem, "10.94.24.86"))
    assert (a.info.state, b.info.state) == ("running", "queued")
    TaskWatch(si, [a, b]).wait()
    assert b.info.state == "success"


def _bad_target_inventory() -> dict[str, Any]:
    inv = seed_dict()
    host_entry(inv, "10.94.24.84")["maintenance"] = True
    host_entry(inv, "10.94.24.86")["connected"] = False
    for ds in inv["datastores"]:
        if ds["name"] == "WorkloadDatastore":
            ds["hosts"] = [h["name"] for h in inv["clusters"][0]["hosts"]
                           if h["name"] != "10.94.24.87"]
    # VMs on 10.94.24.87 need a datastore mounted there
    for vm in inv["vms"]:
        if vm["host"] == "10.94.24.87":
            vm["datastore"] = "vsanDatastore"
    return inv


@pytest.mark.parametrize(("target", "fault", "words"), [
    ("10.94.24.84", vim.fault.InvalidState, "maintenance"),
    ("10.94.24.86", vim.fault.InvalidHostState, "not connected"),
    ("10.94.24.87", vim.fault.InvalidDatastore, "WorkloadDatastore"),
])
def test_bad_targets_fail_the_task(vcsim_factory: Any, target: str, fault: type,
                                   words: str) -> None:
    si = vcsim_factory(_bad_target_inventory(), time_scale=SCALE).connect()
    vm = find(si, vim.VirtualMachine, "ML-cpu-vm-04")
    src = vm.runtime.host
    task = relocate(vm, find(si, vim.HostSystem, target))  # a task, not a SOAP fault
    info = wait_task(si, task)
    assert info.state == "error"
    error: Any = info.error
    assert words in error.msg
    assert isinstance(error, fault)
    assert vm.runtime.host == src


def test_pool_of_another_cluster_is_invalid_argument(vcsim_factory: Any) -> None:
    inv = seed_dict()
    inv["clusters"].append({"name": "Cluster-2", "hosts": [
        {"name": "10.94.25.10", "fault_domain": "us-west-2a", "cpu_cores": 36,
         "cpu_mhz_per_core": 2300, "memory_gb": 512}]})
    si = vcsim_factory(inv, time_scale=SCALE).connect()
    vm = find(si, vim.VirtualMachine, "ML-cpu-vm-04")
    other_pool = find(si, vim.ClusterComputeResource, "Cluster-2").resourcePool
    info = wait_task(si, relocate(vm, find(si, vim.HostSystem, "10.94.24.85"), pool=other_pool))
    assert isinstance(info.error, vmodl.fault.InvalidArgument)
    assert info.error.invalidProperty == "spec.pool"
    assert vm.runtime.host.name == "10.94.24.70"


def test_inventory_fault_fires_at_progress_then_clears(vcsim_factory: Any) -> None:
    inv = seed_dict()
    inv["faults"] = [{"vm": "ML-cpu-vm-04", "method": "RelocateVM_Task",
                      "fault": "VMotionInterfaceIssue", "message": "vMotion NIC down",
                      "at_progress": 40, "times": 1}]
    si = vcsim_factory(inv, time_scale=SCALE).connect()
    vm = find(si, vim.VirtualMachine, "ML-cpu-vm-04")
    dst = find(si, vim.HostSystem, "10.94.24.85")
    task = relocate(vm, dst)
    history = TaskWatch(si, [task]).wait()[task._moId]
    error: Any = task.info.error
    assert error.msg == "vMotion NIC down"
    assert isinstance(error, vim.fault.VMotionInterfaceIssue)
    assert task.info.progress == 40
    assert any(state == "running" for state, _ in history)
    assert vm.runtime.host.name == "10.94.24.70"
    assert "ML-cpu-vm-04" in [v.name for v in vm.runtime.host.vm]
    assert wait_task(si, relocate(vm, dst)).state == "success"  # times: 1


def test_posted_fault_fires_given_times(vcsim_factory: Any) -> None:
    sim = vcsim_factory(time_scale=SCALE)
    si = sim.connect()
    sim.control.add_fault({"vm": "web-01", "method": "RelocateVM_Task",
                           "fault": "MigrationFault", "message": "boom", "at_progress": 0,
                           "times": 2})
    vm = find(si, vim.VirtualMachine, "web-01")
    dst = find(si, vim.HostSystem, "10.94.24.85")
    results = [wait_task(si, relocate(vm, dst)) for _ in range(3)]
    assert [type(r.error).__name__ if r.error else r.state for r in results] == [
        "vim.fault.MigrationFault", "vim.fault.MigrationFault", "success"]
    assert [e["fault"] for e in sim.control.relocations("web-01")] == [
        "MigrationFault", "MigrationFault", None]


def test_cancel_running_and_queued_relocations(vcsim_factory: Any) -> None:
    inv = seed_dict()
    host_entry(inv, "10.94.24.85")["max_vmotions"] = 1
    sim = vcsim_factory(inv, time_scale=2.0)
    si = sim.connect()
    dst = find(si, vim.HostSystem, "10.94.24.85")
    a_vm, b_vm, c_vm = (find(si, vim.VirtualMachine, n)
                        for n in ("ML-cpu-vm-04", "ML-cpu-vm-01", "web-01"))
    a, b, c = relocate(a_vm, dst), relocate(b_vm, dst), relocate(c_vm, dst)
    assert (a.info.state, b.info.state, c.info.state) == ("running", "queued", "queued")
    b.CancelTask()
    a.CancelTask()
    TaskWatch(si, [a, b, c]).wait()
    for task, vm in ((a, a_vm), (b, b_vm)):
        assert isinstance(task.info.error, vmodl.fault.RequestCanceled)
        assert vm.runtime.host.name == "10.94.24.70"
    assert c.info.state == "success"  # the freed slot went to the next in line
    assert c_vm.runtime.host == dst
    entries = {e["target"]["name"]: e for e in sim.control.relocations()}
    assert entries["ML-cpu-vm-01"]["start"] is None  # never ran
    assert [e["method"] for e in sim.control.calls()].count("CancelTask") == 2
