"""Exactly what the executor tells people, and the small rules behind its numbers.

A skip reason, a verification problem or a journal error is the only thing
a user sees of a decision: each is pinned word for word here, with the
decision it goes with. Also the journal's ids and times, the back-off
bounds and the slot limits.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from executor_fixtures import record

from vmcctl.errors import ConfigError
from vmcctl.executor.decide import HostLive, VmLive, precheck, verify
from vmcctl.executor.journal import GatePeriod, Journal, MoveRecord, new_run_id, now_iso
from vmcctl.executor.retry import RetryPolicy
from vmcctl.executor.schedule import Limits, SlotBook, pick

TARGET = HostLive(moid="host-h1", name="h1", connection_state="connected", in_maintenance=False)


def _vm(**kw: object) -> VmLive:
    values: dict[str, object] = {"moid": "vm-a", "host_moid": "host-h0", "host": "h0",
                                 "power_state": "poweredOn", "boot_time": "t0"}
    values.update(kw)
    return VmLive(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("vm, target, reason", [
    (_vm(unreadable="runtime.host: NoPermission"), TARGET,
     "cannot read VM a (runtime.host: NoPermission); not moved"),
    (_vm(), HostLive("host-h1", "h1", "connected", False, unreadable="x: NoPermission"),
     "cannot read target host h1 (x: NoPermission); evacuate again to re-plan"),
    (_vm(), HostLive("host-h1", "h1", "notResponding", False),
     "target host h1 is notResponding; evacuate again to re-plan"),
    (_vm(), HostLive("host-h1", "h1", "connected", True),
     "target host h1 is in maintenance mode; evacuate again to re-plan"),
    (_vm(), None, "target host h1 no longer exists"),
    (_vm(host_moid="host-h7", host=None), TARGET,
     "VM a is now on host-h7, not h0 (moved by someone else since the plan)"),
])
def test_every_skip_says_why_in_words(vm: VmLive, target: HostLive | None,
                                      reason: str) -> None:
    decision = precheck(record("a"), vm, target)
    assert (decision.action, decision.reason) == ("skip", reason)


def test_verify_names_the_host_by_name_or_by_id() -> None:
    rec = record("a")
    rec.boot_time = "t0"
    assert verify(rec, _vm(host_moid="host-h9", host="h9")) == ("VM a is on h9, not h1",)
    assert verify(rec, _vm(host_moid="host-h9", host=None)) == ("VM a is on host-h9, not h1",)
    assert verify(rec, _vm(host_moid="host-h1", boot_time="t1")) == (
        "boot time changed from t0 to t1 (the VM restarted)",)
    assert verify(rec, _vm(host_moid="host-h1", boot_time=None)) == ()  # not readable: no claim


def test_times_and_run_ids_are_utc_and_sortable() -> None:
    stamp = datetime.fromisoformat(now_iso())
    assert stamp.utcoffset() == timedelta(0)
    assert abs(stamp - datetime.now(UTC)) < timedelta(seconds=5)
    run = new_run_id()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{4}", run)
    started = datetime.strptime(run[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(started - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_gate_period_reads_back_with_defaults_for_what_is_missing() -> None:
    period = GatePeriod.from_dict({"from": "t0"})
    assert (period.start, period.end, period.why, period.seconds, period.outcome) == (
        "t0", None, "", 0.0, "closed")
    assert GatePeriod("t0", "slow", seconds=1.23456).to_dict()["seconds"] == 1.235


def test_a_record_reads_back_without_its_monotonic_back_off() -> None:
    rec = MoveRecord.from_dict({**record("a").to_dict(), "not_before": 99.0, "extra": 1})
    assert rec.not_before == 0.0 and rec.vm == "a"


def test_journal_lookups_and_counts() -> None:
    journal = Journal(kind="evacuate", host="h0", moves=[
        record("a", state="done"), record("b", state="failed"), record("c", state="done")])
    assert journal.counts() == {"done": 2, "failed": 1}
    assert journal.move("vm-b").vm == "b" and journal.move("c").vm_moid == "vm-c"
    with pytest.raises(KeyError, match="nope"):
        journal.move("nope")


def test_a_journal_of_another_version_is_refused_naming_the_file() -> None:
    with pytest.raises(ConfigError) as err:
        Journal.from_dict({"version": 9, "kind": "evacuate"}, Path("j.json"))
    assert err.value.message == "journal j.json has version 9; this vmcctl reads version 1"


def test_back_off_grows_from_the_initial_delay_within_the_maximum() -> None:
    policy = RetryPolicy(attempts=2, initial=0.01, maximum=0.05)
    assert policy.should_retry("Timedout", 0)  # nothing tried yet
    assert policy.should_retry("Timedout", 1) and not policy.should_retry("Timedout", 2)
    assert not policy.should_retry("MigrationFault", 0)
    assert all(0 <= policy.delay(1) <= 0.01 for _ in range(50))
    assert all(0 <= policy.delay(5) <= 0.05 for _ in range(50))
    assert max(policy.delay(3) for _ in range(200)) > 0.01


def test_limits_and_slots() -> None:
    assert Limits(3, 2).to_dict() == {"max_parallel": 3, "max_per_host": 2}
    book = SlotBook(Limits(8, 1))
    book.take("a", "h0", "h1")
    with pytest.raises(ValueError, match="no slot for b"):
        book.take("b", "h0", "h2")  # the source is full
    with pytest.raises(ValueError, match="no slot for c"):
        book.take("c", "h3", "h1")  # the target is full


def test_pick_fills_the_parallel_limit_and_skips_what_does_not_fit() -> None:
    moves = [record("big", "h0", "h1", memory_mb=9000), record("mid", "h0", "h2", memory_mb=5000),
             record("small", "h3", "h4", memory_mb=100)]
    chosen = pick(moves, SlotBook(Limits(2, 1)), now=0.0)
    assert [r.vm for r in chosen] == ["big", "small"]  # mid shares big's source
    assert [r.vm for r in pick(moves, SlotBook(Limits(3, 8)), now=0.0)] == [
        "big", "mid", "small"]
    moves[0].not_before = 10.0
    assert [r.vm for r in pick(moves, SlotBook(Limits(2, 8)), now=0.0)] == ["mid", "small"]
