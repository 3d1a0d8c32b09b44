"""The verdict: did the training job(s) survive the migration, and at what speed?

A pure function of the samples and phases (and the cluster-health checks):

- continuity - every followed job kept RUNNING or reached DONE, none was seen
  FAILED/CANCELLED/missing, H2O answered every poll (else how many failed
  and the longest time between answers), the cloud stayed healthy;
- progress - the rate (progress fraction per second) before, during and
  after, the during/before ratio, the longest stall (time with no progress
  increase while the job ran);
- outcome - PASS when continuity holds and every job that could be measured
  kept a during/before ratio of at least ``threshold``; otherwise FAIL with
  the reason. A PASS has to be shown: too few samples to measure is a FAIL
  that says so (and how to fix it), never a division by zero.

Rates use progress interpolated linearly between polls, so a migration
shorter than the poll interval still gets a rate (from the polls around it),
and a job that reaches DONE is measured only up to the poll that saw it DONE:
the time after DONE is not a slowdown.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from vmcctl.h2o.client import DONE, FAILED_STATES, RUNNING_STATES
from vmcctl.h2o.records import Health, Phase, PhaseName, Sample, phase_at

DEFAULT_THRESHOLD = 0.8
MIN_SAMPLES = 3          # answered polls needed inside "before" and "after" for a rate
_EPS = 1e-9

Outcome = Literal["PASS", "FAIL"]


@dataclass(frozen=True)
class BadStatus:
    """A followed job seen in a failed state, and the poll that saw it."""

    job: str
    status: str
    poll: int
    t: float
    phase: PhaseName | None
    description: str = ""
    message: str | None = None

    def __str__(self) -> str:
        what = f"{self.description} job" if self.description else "job"
        where = f", {self.phase}" if self.phase else ""
        why = f": {self.message}" if self.message else ""
        return (f"{what} {self.job} was {self.status}, seen at poll {self.poll} "
                f"(t={self.t:.1f}s{where}){why}")


@dataclass(frozen=True)
class Continuity:
    ok: bool
    polls: int
    failed_polls: int
    longest_gap_s: float
    bad_status: tuple[BadStatus, ...] = ()
    unhealthy_checks: int = 0
    first_failed_poll: int | None = None


@dataclass(frozen=True)
class JobRates:
    """Progress numbers of one job; rates are progress fraction per second."""

    job: str
    description: str
    final_status: str | None
    final_progress: float | None
    before: float | None
    during: float | None
    after: float | None
    ratio: float | None
    longest_stall_s: float
    stall_start: float | None
    stall_phase: PhaseName | None
    done_at: float | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str
    threshold: float
    continuity: Continuity
    jobs: tuple[JobRates, ...]
    rate_before: float | None = None
    rate_during: float | None = None
    rate_after: float | None = None
    ratio: float | None = None
    longest_stall_s: float = 0.0
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.outcome == "PASS"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; rates are progress fraction per second (0.01 = 1 %/s)."""
        data = asdict(self)
        data["rate_unit"] = "progress fraction per second"
        return data

    def table_rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for a two-column table, in reading order."""
        c = self.continuity
        rows = [("outcome", self.outcome), ("reason", self.reason),
                ("continuity", "ok" if c.ok else "broken"),
                ("polls answered", f"{c.polls - c.failed_polls}/{c.polls}"),
                ("longest gap between answers", f"{c.longest_gap_s:.1f} s")]
        rows += [("job failure", str(b)) for b in c.bad_status]
        rows += [("rate before", _pct(self.rate_before)), ("rate during", _pct(self.rate_during)),
                 ("rate after", _pct(self.rate_after)),
                 ("during/before", "n/a" if self.ratio is None else
                  f"{self.ratio:.2f} (threshold {self.threshold:.2f})"),
                 ("longest stall", f"{self.longest_stall_s:.1f} s")]
        for job in self.jobs:
            label = f"job {job.description}" if job.description else "job"
            rows.append((label, f"{job.job}: {job.final_status}, "
                                f"{_pct1(job.final_progress)} done"))
        rows += [("note", n) for n in self.notes]
        return rows


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.2f} %/s"


def _pct1(progress: float | None) -> str:
    return "?" if progress is None else f"{progress * 100:.0f} %"


def compute_verdict(samples: Sequence[Sample], phases: Sequence[Phase], *,
                    health: Sequence[Health] = (), interval: float = 1.0,
                    threshold: float = DEFAULT_THRESHOLD,
                    min_samples: int = MIN_SAMPLES) -> Verdict:
    """Turn what the watcher saw into a verdict (pure; see the module docstring)."""
    phases = tuple(phases)
    continuity = _continuity(samples, phases, health)
    end = max((s.t for s in samples), default=0.0)
    jobs = tuple(_job_rates(job, [s for s in samples if s.job == job], phases, end, min_samples)
                 for job in _job_keys(samples))
    notes: list[str] = []
    during = [p for p in phases if p.name == "during"]
    if during and all(p.end is not None and p.end - p.start < interval for p in during):
        notes.append(f"the migration took less than one poll interval ({interval:g} s): its "
                     "rate is interpolated from the polls around it")
    measured = [j for j in jobs if j.ratio is not None]
    worst = min(measured, key=lambda j: j.ratio or 0.0) if measured else (jobs[0] if jobs else None)
    outcome, reason = _outcome(continuity, jobs, measured, threshold=threshold,
                               has_during=bool(during))
    return Verdict(
        outcome=outcome, reason=reason, threshold=threshold, continuity=continuity, jobs=jobs,
        rate_before=worst.before if worst else None, rate_during=worst.during if worst else None,
        rate_after=worst.after if worst else None, ratio=worst.ratio if worst else None,
        longest_stall_s=max((j.longest_stall_s for j in jobs), default=0.0),
        notes=tuple(notes + [f"{j.job}: {n}" if len(jobs) > 1 else n
                             for j in jobs for n in j.notes]))


def _outcome(continuity: Continuity, jobs: Sequence[JobRates], measured: Sequence[JobRates],
             *, threshold: float, has_during: bool) -> tuple[Outcome, str]:
    if continuity.polls and continuity.failed_polls == continuity.polls:
        return "FAIL", f"H2O answered none of {continuity.polls} polls"
    if not jobs:
        return "FAIL", "no H2O job was running while watching (start the training job first)"
    if not continuity.ok:
        reasons = [str(b) for b in continuity.bad_status]
        if continuity.failed_polls:
            reasons.append(f"H2O did not answer {continuity.failed_polls} of {continuity.polls} "
                           f"polls (first: poll {continuity.first_failed_poll}; longest gap "
                           f"{continuity.longest_gap_s:.1f} s)")
        if continuity.unhealthy_checks:
            reasons.append(f"the H2O cloud reported unhealthy "
                           f"{continuity.unhealthy_checks} time(s)")
        return "FAIL", "; ".join(reasons)
    if not has_during:
        return "FAIL", "no migration window was marked (mark('during') at task submit)"
    if not measured:
        why = next((n for j in jobs for n in j.notes), "no rate could be measured")
        return "FAIL", f"progress rate not measurable: {why}"
    slow = [j for j in measured if (j.ratio or 0.0) < threshold]
    if slow:
        j = min(slow, key=lambda x: x.ratio or 0.0)
        return "FAIL", (f"training slowed down during the migration: rate ratio "
                        f"{j.ratio:.2f} < {threshold:.2f} (job {j.job})")
    j = min(measured, key=lambda x: x.ratio or 0.0)
    done = sum(1 for x in jobs if x.final_status == DONE)
    tail = f"; {done} job(s) reached DONE" if done else ""
    return "PASS", (f"{len(jobs)} job(s) kept running through the migration; during/before "
                    f"rate ratio {j.ratio:.2f} >= {threshold:.2f}{tail}")


def _job_keys(samples: Iterable[Sample]) -> list[str]:
    return list(dict.fromkeys(s.job for s in samples if s.job is not None))


def _continuity(samples: Sequence[Sample], phases: Sequence[Phase],
                health: Sequence[Health]) -> Continuity:
    polls: dict[int, tuple[float, bool]] = {}
    for s in samples:
        t, ok = polls.get(s.poll, (s.t, True))
        polls[s.poll] = (t, ok and s.answered)
    failed = {p for p, (_, ok) in polls.items() if not ok}
    failed |= {h.poll for h in health if h.error is not None}
    gap, last_ok = 0.0, None
    ordered = sorted(polls.values())
    for t, ok in ordered:
        if last_ok is None:
            last_ok = t
        elif ok:
            gap, last_ok = max(gap, t - last_ok), t
    if ordered and not ordered[-1][1] and last_ok is not None:
        gap = max(gap, ordered[-1][0] - last_ok)
    bad: dict[str, BadStatus] = {}
    for s in samples:
        if s.job and s.status in FAILED_STATES and s.job not in bad:
            bad[s.job] = BadStatus(job=s.job, status=s.status, poll=s.poll, t=s.t,
                                   phase=phase_at(list(phases), s.t),
                                   description=s.description, message=s.exception)
    unhealthy = sum(1 for h in health if h.healthy is False)
    all_polls = set(polls) | {h.poll for h in health}
    return Continuity(ok=not bad and not failed and not unhealthy, polls=len(all_polls),
                      failed_polls=len(failed), longest_gap_s=round(gap, 3),
                      bad_status=tuple(bad.values()), unhealthy_checks=unhealthy,
                      first_failed_poll=min(failed) if failed else None)


def _job_rates(job: str, samples: Sequence[Sample], phases: tuple[Phase, ...], end: float,
               min_samples: int) -> JobRates:
    answered = [s for s in samples if s.answered and s.status is not None]
    last = answered[-1] if answered else None
    description = next((s.description for s in answered if s.description), "")
    series: list[tuple[float, float]] = []
    done_at: float | None = None
    for s in answered:
        if s.progress is None or s.status not in RUNNING_STATES | {DONE}:
            continue
        series.append((s.t, s.progress))
        if s.status == DONE:
            done_at = s.t
            break
    notes: list[str] = []
    rates: dict[PhaseName, float | None] = {}
    for name in ("before", "during", "after"):
        windows = [(p.start, end if p.end is None else p.end) for p in phases if p.name == name]
        rates[name] = _rate(name, windows, series, done_at=done_at,
                                    min_samples=min_samples, notes=notes) if windows else None
    before, during = rates["before"], rates["during"]
    ratio: float | None = None
    if before is not None and during is not None:
        if before > _EPS:
            ratio = round(during / before, 4)
        else:
            notes.append("no progress before the migration (the job was stalled): "
                         "the during/before ratio is undefined")
    stall, stall_start = _longest_stall(series)
    return JobRates(job=job, description=description,
                    final_status=last.status if last else None,
                    final_progress=last.progress if last else None,
                    before=before, during=during, after=rates["after"], ratio=ratio,
                    longest_stall_s=round(stall, 3), stall_start=stall_start,
                    stall_phase=phase_at(list(phases), stall_start)
                    if stall_start is not None else None,
                    done_at=done_at, notes=tuple(notes))


def _rate(name: str, windows: list[tuple[float, float]], series: list[tuple[float, float]],
          *, done_at: float | None, min_samples: int, notes: list[str]) -> float | None:
    if not series:
        notes.append(f"no progress sample {name} the migration")
        return None
    first, last = series[0][0], series[-1][0]
    if done_at is not None and all(done_at <= a for a, _ in windows):
        notes.append(f"the job reached DONE at t={done_at:.1f}s, before the '{name}' window: "
                     f"no {name} rate (not a slowdown)")
        return None
    gained = covered = 0.0
    inside = 0
    for a, b in windows:
        lo, hi = max(a, first), min(b, last)
        inside += sum(1 for t, _ in series if a <= t < b)
        if hi > lo:
            gained += _interp(series, hi) - _interp(series, lo)
            covered += hi - lo
    needed = 2 if name == "during" else min_samples
    bracketed = name == "during" and covered > 0 and first <= min(a for a, _ in windows)
    if covered <= 0 or (inside < needed and not bracketed):
        hint = {"before": " (watch longer before the migration)",
                "after": " (watch longer after the migration)"}.get(name, "")
        notes.append(f"too few samples {name} the migration to measure a rate: "
                     f"{inside} < {needed}{hint}")
        return None
    return round(gained / covered, 6)


def _interp(series: list[tuple[float, float]], t: float) -> float:
    """Progress at time ``t``, linear between samples (``t`` within the series)."""
    for (t0, p0), (t1, p1) in itertools.pairwise(series):
        if t0 <= t <= t1:
            return p0 if t1 == t0 else p0 + (p1 - p0) * (t - t0) / (t1 - t0)
    return series[0][1] if t <= series[0][0] else series[-1][1]


def _longest_stall(series: list[tuple[float, float]]) -> tuple[float, float | None]:
    """Longest run of samples with no progress increase: (seconds, start time)."""
    best, best_start = 0.0, None
    run_start, top = (series[0][0], series[0][1]) if series else (0.0, 0.0)
    for t, p in series[1:]:
        if p > top + _EPS:
            run_start, top = t, p
        elif t - run_start > best:
            best, best_start = t - run_start, run_start
    return best, best_start
