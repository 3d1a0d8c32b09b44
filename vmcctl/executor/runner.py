"""Run the moves of a journal: parallel within limits, verified, resumable.

    runner = MoveRunner(client, journal, RunOptions(limits=Limits(8, 8)), events)
    outcome = runner.run()        # returns; never raises for a single VM's failure

One loop, one ``TaskWaiter``. Each turn is a *wave*:

1. pick the moves that fit the free slots, longest first (``schedule.pick``);
2. one collector read of those VMs and targets, and of the VMs whose tasks
   just ended (``live.read_live``);
3. verify the ended ones (or decide on a retry), precheck and submit the new
   ones, saving the journal after every change;
4. wait until any task in flight ends (``TaskWaiter.wait_any``).

Ctrl-C (``request_stop()`` from a signal handler, or a ``KeyboardInterrupt``
caught here): no new submissions; running vMotions finish (or are cancelled
with ``cancel_in_flight``) and are verified; the journal is written and
``run`` returns with ``interrupted`` set (unless nothing was left undone:
``decide.work_left``). A second ``KeyboardInterrupt`` (or ``timeout``)
returns at once, leaving the running tasks in the journal as ``running``:
a resumed run follows them instead of submitting again.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyVmomi import vim, vmodl

from vmcctl.errors import MigrationFailedError, PermissionDeniedError, VCenterConnectionError
from vmcctl.executor import decide
from vmcctl.executor.decide import VmLive
from vmcctl.executor.events import ExecutorEvents, StopWhy
from vmcctl.executor.gate import Gate
from vmcctl.executor.journal import Journal, MoveRecord, now_iso
from vmcctl.executor.live import LiveState, read_live
from vmcctl.executor.retry import RetryPolicy
from vmcctl.executor.schedule import Limits, SlotBook, pick, waiting
from vmcctl.vsphere.connection import Client
from vmcctl.vsphere.relocate import MovePlan, find_relocate_task, submit
from vmcctl.vsphere.tasks import TaskState, TaskWaiter


@dataclass(frozen=True)
class RunOptions:
    limits: Limits = field(default_factory=Limits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float | None = None  # seconds for the whole run; then no new submissions
    cancel_in_flight: bool = False  # on Ctrl-C, cancel running vMotions instead of waiting
    wait_slice: float = 2.0  # longest wait between checks of stop / timeout
    gate: Gate | None = None  # the continuity gate, consulted before each wave's submissions


@dataclass
class RunOutcome:
    interrupted: bool = False
    timed_out: bool = False
    soap_calls: int = 0
    seconds: float = 0.0
    relocations_submitted: int = 0
    gate_timed_out: bool = False  # the continuity gate stayed closed for its whole timeout


@dataclass
class _Ended:
    rec: MoveRecord
    state: TaskState


@dataclass
class _Wave:
    ended: list[_Ended] = field(default_factory=list)
    lookups: list[MoveRecord] = field(default_factory=list)


def move_plan(rec: MoveRecord, host_names: dict[str, str]) -> MovePlan:
    """The submission for a journal record (``vsphere.relocate`` submits it)."""
    return MovePlan(vm=rec.vm, vm_moid=rec.vm_moid, source=rec.origin,
                    source_moid=rec.origin_moid, target=rec.target, target_moid=rec.target_moid,
                    source_fault_domain=None, target_fault_domain=None,
                    priority=rec.priority,  # type: ignore[arg-type]
                    pool_moid=rec.pool_moid, power_state=rec.power_state,  # type: ignore[arg-type]
                    boot_time=None, host_names=host_names,
                    pool_kind="VirtualApp" if rec.pool_kind == "VirtualApp" else "ResourcePool")


class MoveRunner:
    def __init__(self, client: Client, journal: Journal, options: RunOptions | None = None,
                 events: ExecutorEvents | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.journal = journal
        self.options = options or RunOptions()
        self.events = events or ExecutorEvents()
        self._clock = clock
        self._stop = threading.Event()
        self._book = SlotBook(self.options.limits)
        self._by_task: dict[str, MoveRecord] = {}
        self._cancelled = False
        self._announced = False
        self._waiting: dict[str, str] = {}  # vm moid -> why it waits (said once per change)
        self._host_names = {r.origin_moid: r.origin for r in journal.moves}
        self._host_names.update({r.target_moid: r.target for r in journal.moves})

    def request_stop(self) -> None:
        """Stop submitting (safe from a signal handler or another thread)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # --- the loop ---------------------------------------------------------------------

    def run(self) -> RunOutcome:
        started, calls0 = self._clock(), self.client.soap_calls
        deadline = None if self.options.timeout is None else started + self.options.timeout
        outcome = RunOutcome()
        self.journal.status = "running"
        self._save()
        with TaskWaiter(self.client, on_update=self._on_update) as waiter:
            wave = self._resume(waiter)
            # skipped records (blocked, unplaceable, already home) and failed ones without a
            # target (refused by vCenter's check) are not moves to run
            self.events.run_started(sum(decide.to_run(r) for r in self.journal.moves),
                                    sum(r.state == "done" for r in self.journal.moves))
            while True:
                try:
                    if deadline is not None and self._clock() >= deadline and not outcome.timed_out:
                        outcome.timed_out = True
                        self.request_stop()
                    self._announce_stop(outcome)
                    wave = self._wave(waiter, wave, outcome)
                    if not self._book and not self._waiting_retries():
                        break
                    if not self._book:
                        self._sleep_until_retry()
                        continue
                    if outcome.timed_out:
                        break  # in-flight tasks go on in vCenter; the journal says "running"
                    self._maybe_cancel()
                    slice_s = self.options.wait_slice
                    if self.options.gate is not None and self.options.gate.closed:
                        slice_s = min(slice_s, self.options.gate.wake_in())
                    if deadline is not None:
                        slice_s = max(0.0, min(slice_s, deadline - self._clock()))
                    finished = waiter.wait_any(list(self._by_task), timeout=slice_s)
                    wave.ended.extend(self._take_ended(finished))
                except KeyboardInterrupt:
                    if self._stop.is_set():
                        break  # Ctrl-C while stopping: leave at once, tasks recorded as running
                    self.request_stop()
        # A stop that left nothing undone (every move had been submitted and has ended)
        # is no interruption: the run reports its real result.
        outcome.interrupted = (self._stop.is_set() and not outcome.timed_out
                               and not outcome.gate_timed_out
                               and decide.work_left(self.journal))
        if self.options.gate is not None and self.options.gate.closed:
            self.options.gate.stop()
            self.events.gate("stopped", self.options.gate.periods[-1])
        self.journal.status = ("interrupted" if outcome.interrupted or outcome.timed_out
                               or outcome.gate_timed_out
                               else "done" if self.journal.complete else "failed")
        self._save()
        outcome.seconds = self._clock() - started
        outcome.soap_calls = self.client.soap_calls - calls0
        return outcome

    def _wave(self, waiter: TaskWaiter, wave: _Wave, outcome: RunOutcome) -> _Wave:
        """Resolve ended moves and fill the free slots; another read if a pick was skipped."""
        while True:
            pending = [r for r in self.journal.moves if r.state == "pending"]
            # tasks adopted on resume take their slots first: pick once they are known
            adopting = bool(wave.lookups)
            candidates = ([] if self._stop.is_set() or adopting
                          else pick(pending, self._book, self._clock()))
            if candidates and not self._gate_allows(outcome):
                candidates = []
            if not candidates and not wave.ended and not wave.lookups:
                self._tell_waiting(pending, candidates)
                return _Wave()
            vm_ids = ([c.vm_moid for c in candidates] + [e.rec.vm_moid for e in wave.ended]
                      + [r.vm_moid for r in wave.lookups])
            live = read_live(self.client, vm_ids, [c.target_moid for c in candidates],
                             self._host_names)
            for ended in wave.ended:
                self._resolve(ended, live)
            for rec in wave.lookups:
                self._lookup(waiter, rec, live)
            to_submit = [rec for rec in candidates if self._checked(rec, live)]
            self._save()  # one write for the wave: outcomes, and "submitting" before submits
            submitted = [(rec, task) for rec in to_submit
                         if (task := self._submit(rec, outcome)) is not None]
            if submitted:
                self._follow(waiter, submitted)
            if to_submit:
                self._save()  # the task ids
            wave = _Wave()
            if all(c.in_flight for c in candidates) and not adopting:
                self._tell_waiting(pending, candidates)
                return wave  # every pick took its slot (or there were none)

    def _tell_waiting(self, pending: list[MoveRecord], started: list[MoveRecord]) -> None:
        """``move_queued`` for each move still pending, when why it waits changed."""
        if self._stop.is_set():
            return
        gate = self.options.gate
        for rec, why in waiting(pending, started, self._book, self._clock(),
                                gate_closed=gate is not None and gate.closed):
            if self._waiting.get(rec.vm_moid) != why:
                self._waiting[rec.vm_moid] = why
                self.events.move_queued(rec, why)

    # --- one move ---------------------------------------------------------------------

    def _checked(self, rec: MoveRecord, live: LiveState) -> bool:
        """Precheck against the live state; True: marked ``submitting``, to submit now."""
        decision = decide.precheck(rec, live.vms.get(rec.vm_moid),
                                   live.hosts.get(rec.target_moid))
        if decision.action == "done":
            self._end(rec, "done", decision.reason)
            return False
        if decision.action == "skip":
            self._end(rec, "skipped", decision.reason)
            return False
        rec.state, rec.attempts, rec.submitted_at = "submitting", rec.attempts + 1, now_iso()
        rec.task = rec.reason = rec.fault = None
        return True

    def _submit(self, rec: MoveRecord, outcome: RunOutcome) -> Any:
        """Submit one relocation; the task, or None if it failed or was not sent."""
        if self._stop.is_set():  # Ctrl-C between the journal write and this submission
            rec.state, rec.attempts = "pending", rec.attempts - 1
            return None
        try:
            task = submit(self.client, move_plan(rec, self._host_names))
        except MigrationFailedError as exc:
            if exc.fault_type == "ManagedObjectNotFound":  # deleted after the wave's read
                self._end(rec, "skipped", decide.gone(rec), fault=exc.fault_type)
            else:
                self._failed_attempt(rec, exc.fault_type, exc.fault_message)
            return None
        except PermissionDeniedError as exc:  # the role may not move it: no retry helps
            self._end(rec, "failed", str(exc), fault=exc.fault_type)
            return None
        except VCenterConnectionError:
            self._save()  # still "submitting": a resume looks in the VM's recent tasks
            raise
        outcome.relocations_submitted += 1
        rec.task, rec.state = str(task._moId), "running"
        self._book.take_anyway(rec.vm, rec.origin, rec.target)
        self._by_task[rec.task] = rec
        return task

    def _follow(self, waiter: TaskWaiter, submitted: list[tuple[MoveRecord, Any]]) -> None:
        """Follow a wave's tasks through one filter."""
        waiter.add_many([task for _, task in submitted])
        for rec, _ in submitted:
            self.events.move_started(rec)

    def _take_ended(self, finished: dict[str, TaskState]) -> list[_Ended]:
        out = []
        for moid, state in finished.items():
            rec = self._by_task.pop(moid, None)
            if rec is None:
                continue
            self._book.release(rec.vm)
            out.append(_Ended(rec, state))
        return out

    def _end_verified(self, rec: MoveRecord, vm: VmLive | None) -> None:
        """The VM is where the move wanted it: done, unless power or boot time changed."""
        rec.left_origin = True
        problems = decide.verify(rec, vm)
        if problems:
            self._end(rec, "failed", "; ".join(problems), fault="VerificationError")
        else:
            self._end(rec, "done", None)

    def _resolve(self, ended: _Ended, live: LiveState) -> None:
        rec, state = ended.rec, ended.state
        vm = live.vms.get(rec.vm_moid)
        if vm is None:  # deleted meanwhile: whatever the task did, there is nothing to move
            self._end(rec, "skipped", decide.gone(rec), fault=state.fault_type)
            return
        if state.state == "success":
            self._end_verified(rec, vm)
            return
        if vm is not None and vm.host_moid == rec.target_moid:
            rec.left_origin = True
            self._end(rec, "done", f"task ended in {state.fault_type} but the VM is on the target")
            return
        if state.fault_type == "RequestCanceled":
            self._end(rec, "cancelled", "cancelled on request (Ctrl-C with --cancel-in-flight)",
                      fault=state.fault_type)
            return
        if vm.host_moid != rec.origin_moid:
            self._end(rec, "failed", f"{state.fault_message} (the VM is on "
                                     f"{vm.host or vm.host_moid})", fault=state.fault_type)
            return
        self._failed_attempt(rec, state.fault_type, state.fault_message)

    def _failed_attempt(self, rec: MoveRecord, fault: str | None, message: str | None) -> None:
        """The VM is confirmed on its source: retry a transient fault, or fail."""
        retry = self.options.retry
        if not self._stop.is_set() and retry.should_retry(fault, rec.attempts):
            delay = retry.delay(rec.attempts)
            rec.state, rec.not_before = "pending", self._clock() + delay
            rec.reason, rec.fault = f"retrying after {fault}: {message}", fault
            self.events.move_retry(rec, delay)  # rec.task still names the failed attempt
            rec.task = None
            return
        self._end(rec, "failed", message or "the move failed", fault=fault)

    def _end(self, rec: MoveRecord, state: str, reason: str | None,
             fault: str | None = None) -> None:
        rec.state = state  # type: ignore[assignment]
        rec.reason, rec.fault, rec.ended_at = reason, fault, now_iso()
        self.events.move_ended(rec)

    # --- resume, retries, Ctrl-C ------------------------------------------------------

    def _resume(self, waiter: TaskWaiter) -> _Wave:
        """Adopt recorded tasks; queue the rest for the first wave's checks."""
        wave = _Wave()
        for rec in self.journal.moves:
            action = decide.on_resume(rec)
            if action == "keep" or decide.ended_for_good(rec):
                continue
            if action in ("adopt", "lookup"):
                # The recorded task may be gone (vCenter forgets finished tasks): look at
                # where the VM is and at its recent tasks instead of trusting the id.
                rec.state = "submitting"
                wave.lookups.append(rec)
                continue
            rec.state, rec.task, rec.not_before = "pending", None, 0.0
        self._save()
        return wave

    def _lookup(self, waiter: TaskWaiter, rec: MoveRecord, live: LiveState) -> None:
        """A move whose task id is unknown or gone: done, still running, or to do again."""
        vm = live.vms.get(rec.vm_moid)
        if vm is None:  # deleted since: its task (if any) does not matter any more
            self._end(rec, "skipped", decide.gone(rec))
            return
        if vm.host_moid == rec.target_moid:
            self._end_verified(rec, vm)
            return
        try:
            task = find_relocate_task(self.client, move_plan(rec, self._host_names))
        except vmodl.fault.ManagedObjectNotFound:  # the VM or its task vanished in between
            task = None
        if task is not None:
            rec.task, rec.state = str(task._moId), "running"
            self._book.take_anyway(rec.vm, rec.origin, rec.target)
            self._by_task[rec.task] = rec
            self._follow(waiter, [(rec, task)])
            return
        rec.state, rec.task = "pending", None

    def _gate_allows(self, outcome: RunOutcome) -> bool:
        """Ask the continuity gate (if any) whether new relocations may be submitted."""
        gate = self.options.gate
        if gate is None:
            return True
        allowed, change = gate.allows()
        if change is None:
            return allowed
        period = gate.periods[-1]
        if change == "closed":
            self.journal.gate_periods.append(period)
        elif change == "timeout":
            outcome.gate_timed_out = True
            self.request_stop()
        self._save()
        self.events.gate(change, period)
        return allowed

    def _waiting_retries(self) -> bool:
        if self._stop.is_set():
            return False
        return any(r.state == "pending" for r in self.journal.moves)

    def _sleep_until_retry(self) -> None:
        now = self._clock()
        ready = [r.not_before for r in self.journal.moves if r.state == "pending"]
        delay = min(ready) - now if ready else 0.0
        if self.options.gate is not None and self.options.gate.closed:
            delay = max(delay, self.options.gate.wake_in())
        if delay > 0:
            self._stop.wait(min(delay, self.options.wait_slice))

    def _announce_stop(self, outcome: RunOutcome) -> None:
        if self._stop.is_set() and not self._announced:
            self._announced = True
            why: StopWhy = ("timeout" if outcome.timed_out else "gate"
                            if outcome.gate_timed_out else "interrupt")
            not_started = sum(r.state == "pending" for r in self.journal.moves)
            self.events.stopping(len(self._book), self.options.cancel_in_flight, why=why,
                                 running=list(self._by_task.values()),
                                 not_started=not_started)

    def _maybe_cancel(self) -> None:
        if not (self._stop.is_set() and self.options.cancel_in_flight) or self._cancelled:
            return
        self._cancelled = True
        stub = self.client.si._stub
        for moid in list(self._by_task):
            task = vim.Task(moid, stub)
            with contextlib.suppress(vmodl.MethodFault, VCenterConnectionError):
                self.client.call(task.CancelTask)

    # --- callbacks and journal ----------------------------------------------------------

    def _on_update(self, state: TaskState) -> None:
        rec = self._by_task.get(state.task)
        if rec is not None:
            self.events.move_progress(rec, state)

    def _save(self) -> None:
        if self.journal.path is not None:
            self.journal.save()
