"""Test doubles for the watcher: a clock that only moves when slept, and a scripted H2O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from vmcctl.errors import WatcherError
from vmcctl.h2o.client import CloudInfo, JobInfo


class FakeClock:
    """``clock()`` and ``sleep()`` for the watcher; each request may cost ``latency`` seconds."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class ScriptedJob:
    """A job whose progress grows at ``rate(t)`` per second (t = clock seconds since start)."""

    key: str
    rate: Callable[[float], float] = lambda _t: 0.01
    description: str = "GBM"
    status_at: list[tuple[float, str]] = field(default_factory=list)  # (t, status) changes
    progress: float = 0.0
    last_t: float = 0.0

    def at(self, t: float, step: float = 0.01) -> JobInfo:
        status = "RUNNING"
        for when, new in self.status_at:
            if t >= when:
                status = new
        while self.last_t + step <= t and status == "RUNNING":
            self.progress = min(1.0, self.progress + self.rate(self.last_t) * step)
            self.last_t += step
        if status == "RUNNING" and self.progress >= 1.0:
            status = "DONE"
        if status != "RUNNING":
            self.last_t = t
        exc = "java.lang.InterruptedException" if status == "FAILED" else None
        return JobInfo(key=self.key, status=status, progress=round(self.progress, 6),
                       description=self.description, exception=exc)


class FakeH2O:
    """An :class:`H2OClient` whose jobs follow scripts on a :class:`FakeClock`."""

    def __init__(self, clock: FakeClock, jobs: list[ScriptedJob], *, latency: float = 0.01,
                 down: list[tuple[float, float]] | None = None,
                 old_jobs: list[JobInfo] | None = None, healthy: bool = True) -> None:
        self.clock = clock
        self.t0 = clock.now
        self.scripts = {j.key: j for j in jobs}
        self.latency = latency
        self.down = down or []
        self.old_jobs = old_jobs or []
        self.healthy = healthy
        self.calls: list[str] = []

    def _request(self, what: str) -> float:
        self.calls.append(what)
        t = self.clock.now - self.t0
        self.clock.advance(self.latency)
        if any(a <= t < b for a, b in self.down):
            raise WatcherError(f"H2O GET {what} failed: connection refused")
        return t

    def jobs(self) -> list[JobInfo]:
        t = self._request("/3/Jobs")
        return [*self.old_jobs, *(s.at(t) for s in self.scripts.values())]

    def job(self, key: str) -> JobInfo:
        t = self._request(f"/3/Jobs/{key}")
        if key not in self.scripts:
            raise WatcherError(f"H2O GET /3/Jobs/{key} failed: Job is missing")
        return self.scripts[key].at(t)

    def cloud(self) -> CloudInfo:
        self._request("/3/Cloud")
        return CloudInfo(name="fake", healthy=self.healthy, size=1)
