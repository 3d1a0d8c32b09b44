"""A small world in the in-process fake vCenter, and an event recorder, for the fast tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmcctl.executor.events import ExecutorEvents, StopWhy
from vmcctl.executor.journal import GatePeriod, Journal, JournalKind, MoveRecord
from vmcctl.executor.retry import RetryPolicy
from vmcctl.executor.runner import MoveRunner, RunOptions, RunOutcome
from vmcctl.testing.fakevc import FakeVCenter
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.tasks import TaskState

# Retries in milliseconds: the back-off is real time.
FAST_RETRY = RetryPolicy(attempts=3, initial=0.001, maximum=0.005)


@dataclass
class Bed:
    """One source host, ``targets`` target hosts, ``vms`` VMs on the source."""

    vc: FakeVCenter
    client: Client
    source: str
    targets: list[str]
    vms: list[str]

    def name(self, moid: str) -> str:
        return (self.vc.hosts[moid].name if moid in self.vc.hosts
                else self.vc.vms[moid].name)

    def record(self, vm: str, target: str | None = None, **kw: Any) -> MoveRecord:
        fake = self.vc.vms[vm]
        target = target or self.targets[0]
        origin = fake.host or self.source
        boot = fake.boot_time.isoformat() if fake.boot_time else None
        values: dict[str, Any] = {
            "vm": fake.name, "vm_moid": vm, "origin": self.name(origin), "origin_moid": origin,
            "target": self.name(target), "target_moid": target, "pool_moid": "resgroup-7",
            "power_state": fake.power_state, "boot_time": boot,
            "memory_mb": 1024 * (1 + int(vm.split("-")[1]))}
        values.update(kw)
        return MoveRecord(**values)

    def journal(self, records: list[MoveRecord] | None = None, *, path: Path | None = None,
                kind: JournalKind = "evacuate", **kw: Any) -> Journal:
        moves = records if records is not None else [self.record(v) for v in self.vms]
        return Journal(kind=kind, host=self.name(self.source), host_moid=self.source,
                       moves=moves, path=path, **kw)

    def run(self, journal: Journal, events: ExecutorEvents | None = None,
            **options: Any) -> tuple[MoveRunner, RunOutcome]:
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("wait_slice", 0.05)
        runner = MoveRunner(self.client, journal, RunOptions(**options), events)
        return runner, runner.run()

    def host_of(self, vm: str) -> str | None:
        return self.vc.vms[vm].host


def bed(vms: int = 3, targets: int = 2) -> Bed:
    vc = FakeVCenter()
    source = vc.add_host("10.0.0.1")
    target_ids = [vc.add_host(f"10.0.0.{i + 2}") for i in range(targets)]
    vm_ids = [vc.add_vm(f"app-{i:02d}", source) for i in range(vms)]
    return Bed(vc, vc.client(), source, target_ids, vm_ids)


@dataclass
class Recorder(ExecutorEvents):
    """Every event, as ``(name, details...)``; ``in_flight_max``: most moves running at once."""

    seen: list[tuple[Any, ...]] = field(default_factory=list)
    running: set[str] = field(default_factory=set)
    in_flight_max: int = 0

    def names(self, event: str) -> list[tuple[Any, ...]]:
        return [e for e in self.seen if e[0] == event]

    def run_started(self, total: int, done: int) -> None:
        self.seen.append(("run_started", total, done))

    def move_started(self, rec: MoveRecord) -> None:
        self.seen.append(("move_started", rec.vm, rec.task, rec.state))
        self.running.add(rec.vm)
        self.in_flight_max = max(self.in_flight_max, len(self.running))

    def move_progress(self, rec: MoveRecord, state: TaskState) -> None:
        self.seen.append(("move_progress", rec.vm, state.state))

    def move_ended(self, rec: MoveRecord) -> None:
        self.seen.append(("move_ended", rec.vm, rec.state, rec.fault))
        self.running.discard(rec.vm)

    def move_retry(self, rec: MoveRecord, delay: float) -> None:
        self.seen.append(("move_retry", rec.vm, rec.task, delay))
        self.running.discard(rec.vm)

    def stopping(self, in_flight: int, cancelling: bool, *, why: StopWhy = "interrupt",
                 running: Sequence[MoveRecord] = (), not_started: int = 0) -> None:
        self.seen.append(("stopping", in_flight, cancelling))

    def maintenance(self, host: str, state: str, message: str | None = None) -> None:
        self.seen.append(("maintenance", host, state, message))

    def planned(self, journal: Journal) -> None:
        self.seen.append(("planned", len(journal.moves)))

    def gate(self, change: str, period: GatePeriod) -> None:
        self.seen.append(("gate", change, period.why))
