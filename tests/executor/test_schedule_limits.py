"""Slots: the overall and per-host limits hold exactly, and a blocked move does not block others."""

from __future__ import annotations

import pytest
from executor_fixtures import record

from vmcctl.errors import ConfigError
from vmcctl.executor.schedule import Limits, SlotBook, pick


def test_pick_fills_exactly_max_parallel_slots() -> None:
    pending = [record(f"v{i}", origin="h0", target=f"t{i}") for i in range(5)]
    chosen = pick(pending, SlotBook(Limits(max_parallel=3, max_per_host=8)), now=0.0)
    assert len(chosen) == 3


def test_a_move_whose_hosts_are_full_does_not_stop_the_ones_after_it() -> None:
    book = SlotBook(Limits(max_parallel=8, max_per_host=1))
    book.take("busy", "h9", "t1")  # t1 is full
    pending = [record("big", origin="h0", target="t1", memory_mb=8000),
               record("small", origin="h1", target="t2", memory_mb=1000)]
    assert [r.vm for r in pick(pending, book, now=0.0)] == ["small"]


def test_per_host_counts_add_up_on_both_sides() -> None:
    book = SlotBook(Limits(max_parallel=8, max_per_host=2))
    book.take("a", "h0", "t")
    book.take("b", "h1", "t")
    assert (book.in_flight("t"), book.in_flight("h0")) == (2, 1)
    assert not book.fits("h2", "t") and not book.fits("t", "h2")
    with pytest.raises(ValueError, match="no slot for c \\(h2 -> t\\)"):
        book.take("c", "h2", "t")
    with pytest.raises(ValueError, match="a already holds a slot"):
        book.take("a", "h5", "h6")
    book.release("a")
    book.release("a")  # twice: no effect
    assert (book.in_flight("t"), book.in_flight("h0"), len(book)) == (1, 0, 1)


@pytest.mark.parametrize("kwargs, flag", [({"max_parallel": 0}, "--max-parallel"),
                                          ({"max_per_host": 0}, "--max-per-host")])
def test_limits_below_one_name_the_flag(kwargs: dict[str, int], flag: str) -> None:
    with pytest.raises(ConfigError) as info:
        Limits(**kwargs)
    assert str(info.value) == f"{flag} must be at least 1, not 0"


def test_why_waiting_names_the_full_host_or_the_overall_limit() -> None:
    from vmcctl.executor.schedule import why_waiting

    book = SlotBook(Limits(max_parallel=3, max_per_host=2))
    book.take("a", "h0", "h1")
    book.take("b", "h0", "h2")
    waiting = record("c", "h0", "h3")
    assert why_waiting(waiting, book, 0.0) == "host slots 2/2 busy on h0 (--max-per-host)"
    assert why_waiting(record("d", "h4", "h3"), book, 0.0) is None
    book.take("e", "h4", "h5")
    assert why_waiting(record("d", "h4", "h3"), book, 0.0) == (
        "vMotions 3/3 in flight (--max-parallel)")
    later = record("f", "h6", "h7")
    later.not_before = 10.0
    assert why_waiting(later, SlotBook(Limits()), 5.0) == (
        "waiting to retry after a transient fault")


def test_take_anyway_counts_a_move_beyond_the_limits_once() -> None:
    book = SlotBook(Limits(max_parallel=1, max_per_host=1))
    book.take("a", "h0", "h1")
    book.take_anyway("b", "h0", "h2")  # adopted on resume: counted although no slot was free
    book.take_anyway("b", "h0", "h2")  # twice: counted once
    assert (len(book), book.in_flight("h0"), book.in_flight("h1"), book.in_flight("h2")) == (
        2, 2, 1, 1)
    assert "b" in book and "c" not in book
    book.release("b")
    assert (len(book), book.in_flight("h0"), book.in_flight("h2")) == (1, 1, 0)


def test_waiting_lists_each_pending_move_not_started_with_why() -> None:
    from vmcctl.executor.schedule import waiting

    book = SlotBook(Limits(max_parallel=8, max_per_host=1))
    book.take("busy", "h0", "h9")
    full = record("full", "h0", "h1")  # h0 has no slot left
    free = record("free", "h2", "h3")  # fits: waits only while the gate is closed
    started = record("started", "h4", "h5")
    done = record("done", "h0", "h6", state="done")
    backoff = record("backoff", "h7", "h8")
    backoff.not_before = 10.0
    pending = [full, free, started, done, backoff]
    host_full = "host slots 1/1 busy on h0 (--max-per-host)"
    retry = "waiting to retry after a transient fault"
    assert [(r.vm, why) for r, why in waiting(pending, [started], book, 5.0)] == [
        ("full", host_full), ("backoff", retry)]
    assert [(r.vm, why) for r, why in waiting(pending, [started], book, 5.0,
                                              gate_closed=True)] == [
        ("full", host_full), ("free", "continuity gate closed"), ("backoff", retry)]
    assert [r.vm for r, _ in waiting(pending, [], book, 11.0)] == ["full"]
    assert [r.vm for r, _ in waiting(pending, [], book, 11.0, gate_closed=True)] == [
        "full", "free", "started", "backoff"]
