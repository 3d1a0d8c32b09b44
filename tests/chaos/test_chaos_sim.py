"""Chaos: vmcctl evacuates, enters and leaves maintenance and restores while
another actor, through plain pyVmomi, powers VMs on and off, moves them,
deletes powered-off ones, renames them and expires every session.

Each seed is one episode against a fresh simulator: a random sequence of
``host evacuate`` / ``host maintenance enter --evacuate`` (runs again, resumes)
on one host while the actor acts, then the actor stops, the host leaves
maintenance and ``host restore`` brings the VMs home. After every command the
simulator's audit and state are checked:

- vmcctl never relocates a VM its journals did not plan, and never moves a VM
  successfully twice in one run;
- every command ends within its bound (a watchdog turns a hang into a failure)
  with exit 0, 1 or 2 and never an "internal error";
- a host vmcctl put into maintenance had no powered-on VM left (the
  simulator's EnterMaintenanceMode only succeeds on such a host);
- every relocation of vmcctl's that succeeded is recorded in a journal with
  the host the VM came from;
- at the end, every VM vmcctl moved off the host that still exists and is
  powered on is back home, each with at most one relocation home.

``VMCCTL_CHAOS_SEEDS=N`` runs seeds 1..N (CI runs a few);
``VMCCTL_CHAOS_SEED=K`` runs seed K alone (to replay a failure).
"""

from __future__ import annotations

import _thread
import collections
import contextlib
import json
import os
import random
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyVmomi import vim, vmodl

pytestmark = [pytest.mark.sim, pytest.mark.slow]

COMMAND_BOUND_S = 45.0  # no command may take longer (the moves take ~0.1-0.5 s each)
ENTER_TIMEOUT_S = "8"  # a maintenance task waiting on a VM the actor powered on gives up
ACTOR_MOVE_S = 15.0  # longer than any relocation takes at this time scale
VERBOSE = bool(os.environ.get("VMCCTL_CHAOS_VERBOSE"))  # read before run_cli clears VMCCTL_*


def _seeds() -> list[int]:
    one = os.environ.get("VMCCTL_CHAOS_SEED")
    if one:
        return [int(one)]
    return list(range(1, int(os.environ.get("VMCCTL_CHAOS_SEEDS", "10")) + 1))


def _host(name: str) -> dict[str, Any]:
    return {"name": name, "cpu_cores": 16, "cpu_mhz_per_core": 2000, "memory_gb": 128,
            "background_cpu_mhz": 500}


def inventory(rng: random.Random) -> dict[str, Any]:
    """Four hosts, a dozen VMs (two called ``app`` in different folders), some off."""
    hosts = ["h1", "h2", "h3", "h4"]
    vms = []
    for i in range(12):
        on = rng.random() < 0.75
        vms.append({"name": "app" if i < 2 else f"vm-{i:02d}", "folder": f"f{i % 3}",
                    "host": "h1" if i < 6 else rng.choice(hosts[1:]), "cpus": 2,
                    "memory_gb": rng.choice((2, 4, 8)), "cpu_usage_mhz": rng.randint(100, 900),
                    "memory_usage_gb": 1, "power": "on" if on else "off", "datastore": "ds"})
    return {"clusters": [{"name": "C1", "hosts": [_host(h) for h in hosts]}],
            "datastores": [{"name": "ds", "capacity_gb": 1000, "free_gb": 500}], "vms": vms}


class Actor:
    """Another admin, DRS and a script, acting at random through their own session."""

    def __init__(self, sim: Any, rng: random.Random) -> None:
        self.sim = sim
        self.rng = rng
        self.si = sim.connect()
        self.tasks: set[str] = set()  # relocations the actor submitted
        self.all_tasks: set[str] = set()  # every task the actor started
        self.moved: dict[str, float] = {}  # VM moid -> when the actor last asked to move it
        self.log: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop acting, and wait until the relocations the actor started have ended."""
        self._stop.set()
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the actor did not stop"
        deadline = time.monotonic() + 30
        while any(c["result"] in ("queued", "running") for c in self.sim.control.calls()
                  if c.get("task") in self.all_tasks):
            assert time.monotonic() < deadline, "the actor's relocations did not end"
            time.sleep(0.1)

    def _vms(self) -> list[Any]:
        view = self.si.content.viewManager.CreateContainerView(
            self.si.content.rootFolder, [vim.VirtualMachine], True)
        try:
            return list(view.view)
        finally:
            view.DestroyView()

    def _run(self) -> None:
        while not self._stop.wait(self.rng.uniform(0.02, 0.25)):
            try:
                self._act()
            except (vmodl.MethodFault, OSError) as exc:  # refused, busy, gone: keep going
                self.log.append(f"refused: {type(exc).__name__}")
            except Exception as exc:  # e.g. a session expired by our own action
                self.log.append(f"error: {type(exc).__name__}: {exc}")
                with contextlib.suppress(Exception):
                    self.si = self.sim.connect()

    def _act(self) -> None:
        vms = self._vms()
        if not vms:
            return
        vm = self.rng.choice(vms)
        action = self.rng.choices(
            ["power-on", "power-off", "move", "destroy", "rename", "expire"],
            weights=[3, 3, 4, 1, 1, 1])[0]
        self.log.append(f"{action} {vm._moId}")
        task = None
        if action == "power-on":
            task = vm.PowerOnVM_Task()
        elif action == "power-off":
            task = vm.PowerOffVM_Task()
        elif action == "move":
            hosts = [h for h in vm.runtime.host.parent.host
                     if not h.runtime.inMaintenanceMode and h != vm.runtime.host]
            if hosts:
                self.moved[vm._moId] = time.monotonic()
                task = vm.RelocateVM_Task(vim.vm.RelocateSpec(host=self.rng.choice(hosts)))
                self.tasks.add(task._moId)
        elif action == "destroy":
            if vm.runtime.powerState == "poweredOff":
                task = vm.Destroy_Task()
        elif action == "rename":
            task = vm.Rename_Task(f"{vm.name}-r")
        else:
            self.sim.control.expire_sessions()
            self.si = self.sim.connect()
        if task is not None:
            self.all_tasks.add(task._moId)


@contextlib.contextmanager
def watchdog(seconds: float) -> Iterator[list[bool]]:
    """Interrupt the main thread (as Ctrl-C would) if the block runs longer than ``seconds``."""
    fired: list[bool] = []

    def fire() -> None:
        fired.append(True)
        _thread.interrupt_main()

    timer = threading.Timer(seconds, fire)
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()


def journals(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


class Episode:
    def __init__(self, sim: Any, run_cli: Any, folder: Path, actor: Actor) -> None:
        self.sim = sim
        self.run_cli = run_cli
        self.folder = folder
        self.actor = actor
        self.journal = str(folder / "vmcctl-journal-h1.json")
        self.evacuated: dict[str, str] = {}  # vm moid -> home host (name), per journals

    def vmcctl(self, *args: str) -> Any:
        seen = len(self.sim.control.calls())
        # an actor's move asked for a little before the command may still land during it
        since = time.monotonic() - ACTOR_MOVE_S
        with watchdog(COMMAND_BOUND_S) as fired:
            result = self.run_cli(*args, env=self.sim.env())
        assert not fired, f"vmcctl {' '.join(args)} did not end within {COMMAND_BOUND_S} s"
        assert result.code in (0, 1, 2), (args, result.code, result.err)
        assert "internal error" not in result.err, result.err
        moved = {vm for vm, at in list(self.actor.moved.items()) if at >= since}
        self.check(args, self.sim.control.calls()[seen:], moved)
        return result

    def check(self, args: tuple[str, ...], calls: list[dict[str, Any]],
              moved_by_actor: set[str]) -> None:
        records = [m for j in journals(self.folder) for m in j["moves"]]
        planned = {m["vm_moid"] for m in records}
        by_task = {m["task"]: m for m in records if m.get("task")}
        done: dict[str, int] = {}
        for call in calls:
            if call["method"] == "EnterMaintenanceMode_Task":
                assert call["target"]["name"] == "h1", call
            if call["method"] != "RelocateVM_Task" or call.get("task") in self.actor.tasks:
                continue
            vm = call["target"]["moid"]
            assert vm in planned, f"{args}: relocated {vm}, which no journal planned"
            if call["result"] == "success":
                done[vm] = done.get(vm, 0) + 1
                rec = by_task.get(call["task"])
                assert rec is not None, f"{args}: the move of {vm} ({call['task']}) is unjournalled"
                # The one race no client can close: the actor's move of this VM ended
                # between vmcctl's last read and its submission, so it left from elsewhere.
                assert rec["origin"] == call["args"]["source"] or vm in moved_by_actor, (
                    rec, call)
                assert rec["state"] in ("done", "failed"), rec  # failed: verification said so
                if rec["origin"] == "h1":
                    self.evacuated[vm] = "h1"
        # Twice is right only when the actor brought the VM back onto the host meanwhile
        # (the maintenance re-check then moves it again).
        twice = [vm for vm, n in done.items() if n > 1 and vm not in moved_by_actor]
        assert not twice, f"{args}: moved {twice} more than once in one run"


def state(sim: Any) -> dict[str, tuple[str, str]]:
    """VM moid -> (host name, power state), read with plain pyVmomi."""
    si = sim.connect()
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                      [vim.VirtualMachine], True)
    try:
        return {vm._moId: (vm.runtime.host.name, vm.runtime.powerState) for vm in view.view}
    finally:
        view.DestroyView()


@pytest.mark.parametrize("seed", _seeds())
def test_vmcctl_stays_safe_while_others_act(seed: int, vcsim_factory: Any, run_cli: Any,
                                            tmp_path: Path) -> None:
    rng = random.Random(seed)
    sim = vcsim_factory(inventory(rng), time_scale=12)
    actor = Actor(sim, rng)
    episode = Episode(sim, run_cli, tmp_path, actor)
    actor.start()
    try:
        for _ in range(rng.randint(2, 3)):
            command = rng.choice([
                ("host", "evacuate", "h1"),
                ("host", "maintenance", "enter", "h1", "--evacuate", "--timeout",
                 ENTER_TIMEOUT_S),
                ("host", "evacuate", "h1", "--resume"),
            ])
            episode.vmcctl(*command, "--journal", episode.journal)
            time.sleep(rng.uniform(0, 0.5))
    finally:
        actor.stop()
    episode.vmcctl("host", "maintenance", "exit", "h1")
    restore_from = len(sim.control.calls())
    episode.vmcctl("host", "restore", "h1", "--journal", episode.journal)
    home_calls = [c for c in sim.control.calls()[restore_from:]
                  if c["method"] == "RelocateVM_Task"]
    now = state(sim)
    for vm, home in episode.evacuated.items():
        if vm not in now or now[vm][1] != "poweredOn":
            continue  # deleted or powered off by the actor: restore leaves those alone
        assert now[vm][0] == home, (f"seed {seed}: {vm} is on {now[vm][0]}, not home on "
                                    f"{home}; actor: {actor.log[-20:]}")
    per_vm = [c["target"]["moid"] for c in home_calls if c["result"] == "success"]
    if VERBOSE:
        ours = [c for c in sim.control.calls() if c["method"] == "RelocateVM_Task"
                and c.get("task") not in actor.tasks]
        print(f"seed {seed}: vmcctl relocations {len(ours)}, evacuated {len(episode.evacuated)}, "
              f"home {len(per_vm)}, actor {collections.Counter(a.split()[0] for a in actor.log)}",
              file=sys.__stderr__)
    assert len(per_vm) == len(set(per_vm)), f"seed {seed}: a VM came home twice"
