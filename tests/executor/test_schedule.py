from __future__ import annotations

import pytest
from executor_fixtures import record

from vmcctl.errors import ConfigError
from vmcctl.executor.schedule import Limits, SlotBook, longest_first, pick


def test_longest_first_orders_by_memory_then_name() -> None:
    recs = [record("b", memory_mb=1), record("a", memory_mb=1), record("c", memory_mb=9)]
    assert [r.vm for r in longest_first(recs)] == ["c", "a", "b"]


def test_pick_respects_max_parallel_and_takes_the_longest() -> None:
    recs = [record(f"v{i}", target=f"t{i}", memory_mb=i) for i in range(10)]
    chosen = pick(recs, SlotBook(Limits(max_parallel=3, max_per_host=8)), now=0)
    assert [r.vm for r in chosen] == ["v9", "v8", "v7"]


def test_pick_counts_both_sides_of_a_move() -> None:
    book = SlotBook(Limits(max_parallel=8, max_per_host=2))
    book.take("busy", "h0", "t1")
    recs = [record("a", target="t1", memory_mb=9), record("b", target="t1", memory_mb=8),
            record("c", target="t2", memory_mb=1)]
    # the source h0 has one slot left: only the longest move fits
    assert [r.vm for r in pick(recs, book, now=0)] == ["a"]


def test_a_move_that_does_not_fit_does_not_block_smaller_ones() -> None:
    book = SlotBook(Limits(max_parallel=8, max_per_host=1))
    book.take("busy", "x", "full")
    recs = [record("big", origin="s1", target="full", memory_mb=9),
            record("small", origin="s2", target="free", memory_mb=1)]
    assert [r.vm for r in pick(recs, book, now=0)] == ["small"]


def test_pick_waits_for_back_off_and_does_not_change_the_book() -> None:
    later = record("later", memory_mb=9)
    later.not_before = 10.0
    book = SlotBook(Limits(2, 2))
    assert [r.vm for r in pick([later, record("now")], book, now=5.0)] == ["now"]
    assert len(book) == 0
    assert [r.vm for r in pick([later], book, now=10.0)] == ["later"]


def test_slot_book_release_frees_both_hosts() -> None:
    book = SlotBook(Limits(max_parallel=1, max_per_host=1))
    book.take("a", "h0", "h1")
    assert not book.fits("h2", "h3")
    with pytest.raises(ValueError):
        book.take("b", "h0", "h2")
    book.release("a")
    assert book.fits("h0", "h1") and book.in_flight("h1") == 0


def test_random_schedules_never_exceed_limits() -> None:
    import random

    rng = random.Random(7)
    limits = Limits(max_parallel=5, max_per_host=2)
    book = SlotBook(limits)
    pending = [record(f"v{i}", origin=f"s{rng.randrange(3)}", target=f"t{rng.randrange(4)}",
                      memory_mb=rng.randrange(100)) for i in range(60)]
    running: list[str] = []
    while pending or running:
        for rec in pick(pending, book, now=0):
            book.take(rec.vm, rec.origin, rec.target)
            pending.remove(rec)
            running.append(rec.vm)
        hosts = {h for r in [*pending] for h in (r.origin, r.target)} | {"s0", "t0"}
        assert len(book) <= limits.max_parallel
        assert all(book.in_flight(h) <= limits.max_per_host for h in hosts)
        assert running, "nothing runs although moves are pending"
        book.release(running.pop(rng.randrange(len(running))))


@pytest.mark.parametrize("kwargs", [{"max_parallel": 0}, {"max_per_host": 0}])
def test_limits_must_be_positive(kwargs: dict[str, int]) -> None:
    with pytest.raises(ConfigError):
        Limits(**kwargs)
