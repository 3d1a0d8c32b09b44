"""Which moves to start now: limits on slots, longest first (pure).

A move holds a slot on its source and on its target host from the moment it
is submitted until its task ends, queued time included (vCenter queues
vMotions beyond its own limits; a queued one still counts). At most
``max_parallel`` moves are in flight overall and at most ``max_per_host`` on
any host, on either side.

Among the moves that fit, the longest goes first (LPT: a vMotion's duration
grows with the VM's memory), which keeps the makespan close to the ideal; a
move that does not fit now does not block smaller ones that do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vmcctl.errors import ConfigError
from vmcctl.executor.journal import MoveRecord

DEFAULT_MAX_PARALLEL = 8
DEFAULT_MAX_PER_HOST = 8  # vCenter's concurrent vMotion limit per host


@dataclass(frozen=True)
class Limits:
    max_parallel: int = DEFAULT_MAX_PARALLEL
    max_per_host: int = DEFAULT_MAX_PER_HOST

    def __post_init__(self) -> None:
        for flag, value in (("--max-parallel", self.max_parallel),
                            ("--max-per-host", self.max_per_host)):
            if value < 1:
                raise ConfigError(f"{flag} must be at least 1, not {value}")

    def to_dict(self) -> dict[str, int]:
        return {"max_parallel": self.max_parallel, "max_per_host": self.max_per_host}


class SlotBook:
    """Moves in flight, overall and per host."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._moves: dict[str, tuple[str, str]] = {}
        self._per_host: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._moves)

    def __contains__(self, vm: object) -> bool:
        return vm in self._moves

    def in_flight(self, host: str) -> int:
        return self._per_host[host]

    def fits(self, source: str, target: str) -> bool:
        lim = self.limits
        return (len(self._moves) < lim.max_parallel
                and self._per_host[source] < lim.max_per_host
                and self._per_host[target] < lim.max_per_host)

    def take(self, vm: str, source: str, target: str) -> None:
        if vm in self._moves:
            raise ValueError(f"{vm} already holds a slot")
        if not self.fits(source, target):
            raise ValueError(f"no slot for {vm} ({source} -> {target})")
        self._moves[vm] = (source, target)
        self._per_host[source] += 1
        self._per_host[target] += 1

    def take_anyway(self, vm: str, source: str, target: str) -> None:
        """Count a move that is already in flight (submitted, or adopted on resume)."""
        if vm in self._moves:
            return
        self._moves[vm] = (source, target)
        self._per_host[source] += 1
        self._per_host[target] += 1

    def copy(self) -> SlotBook:
        other = SlotBook(self.limits)
        other._moves = dict(self._moves)
        other._per_host = Counter(self._per_host)
        return other

    def release(self, vm: str) -> None:
        hosts = self._moves.pop(vm, None)
        if hosts is None:
            return
        for host in hosts:
            self._per_host[host] -= 1


def longest_first(records: Iterable[MoveRecord]) -> list[MoveRecord]:
    """LPT order: biggest memory first, then by name (stable across runs)."""
    return sorted(records, key=lambda r: (-r.memory_mb, r.vm))


def pick(pending: Sequence[MoveRecord], book: SlotBook, now: float) -> list[MoveRecord]:
    """The moves to start now, longest first, each fitting the slots left.

    ``book`` is not changed: the caller takes a slot for each move it submits
    (a move can still be skipped after the live re-read).
    """
    trial = book.copy()
    chosen: list[MoveRecord] = []
    for rec in longest_first(pending):
        if len(trial) >= trial.limits.max_parallel:
            break
        if rec.not_before > now or rec.vm in trial:
            continue
        if trial.fits(rec.origin, rec.target):
            trial.take(rec.vm, rec.origin, rec.target)
            chosen.append(rec)
    return chosen


def why_waiting(rec: MoveRecord, book: SlotBook, now: float) -> str | None:
    """Why a pending move is not started now (no slot, or a retry's back-off), or None."""
    if rec.not_before > now:
        return "waiting to retry after a transient fault"
    lim = book.limits
    if len(book) >= lim.max_parallel:
        return f"vMotions {len(book)}/{lim.max_parallel} in flight (--max-parallel)"
    for host in (rec.origin, rec.target):
        if book.in_flight(host) >= lim.max_per_host:
            return (f"host slots {book.in_flight(host)}/{lim.max_per_host} busy on {host} "
                    "(--max-per-host)")
    return None


def waiting(pending: Sequence[MoveRecord], started: Sequence[MoveRecord], book: SlotBook,
            now: float, *, gate_closed: bool = False) -> list[tuple[MoveRecord, str]]:
    """Each pending move not started now, with why it waits (``why_waiting``, or the
    continuity gate)."""
    chosen = {r.vm_moid for r in started}
    out = []
    for rec in pending:
        if rec.vm_moid in chosen or rec.state != "pending":
            continue
        why = why_waiting(rec, book, now)
        if why is None and gate_closed:
            why = "continuity gate closed"
        if why is not None:
            out.append((rec, why))
    return out
