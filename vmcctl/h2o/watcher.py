"""The H2O job watcher: poll at an interval, record samples, mark migration phases.

Two ways to run it, both over the same :meth:`Watcher.poll`:

- synchronously, ``run_for(seconds)``, with the injected ``clock`` and
  ``sleep`` (tests pass fakes and drive it without threads or real time);
- in a background thread, ``start()`` … ``stop()``, for the CLI, which meanwhile
  submits and waits on the vCenter task.

It follows one job (``job=KEY``) or every job it sees CREATED or RUNNING (and
keeps following those to their end). A followed job seen FAILED, CANCELLED or
CANCEL_PENDING raises an alarm on that same poll, so it is known within two
polls of happening; ``on_alarm`` is called and, with ``stop_on_alarm``, the
watch ends early.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from vmcctl.errors import ConfigError, WatcherError
from vmcctl.h2o.client import FAILED_STATES, MISSING, RUNNING_STATES, H2OClient, JobInfo
from vmcctl.h2o.records import PHASE_NAMES, Health, Phase, PhaseName, Sample, phase_at
from vmcctl.h2o.verdict import DEFAULT_THRESHOLD, Verdict, compute_verdict
from vmcctl.log import get_logger

Clock = Callable[[], float]
Sleep = Callable[[float], object]

log = get_logger(__name__)


@dataclass(frozen=True)
class JobAlarm:
    """A followed job was seen failed or cancelled."""

    job: str
    status: str
    poll: int
    t: float
    phase: PhaseName | None
    message: str | None = None

    def __str__(self) -> str:
        where = f" ({self.phase})" if self.phase else ""
        why = f": {self.message}" if self.message else ""
        return f"job {self.job} {self.status} at poll {self.poll}, t={self.t:.1f}s{where}{why}"


class Watcher:
    """Polls an H2O cluster's jobs and records what it saw."""

    def __init__(self, client: H2OClient, *, job: str | None = None, interval: float = 1.0,
                 clock: Clock = time.monotonic, sleep: Sleep = time.sleep,
                 cloud_every: int = 10, stop_on_alarm: bool = False,
                 on_alarm: Callable[[JobAlarm], None] | None = None,
                 on_poll: Callable[[list[Sample]], None] | None = None) -> None:
        if interval <= 0:
            raise ConfigError(f"the watch interval must be positive, not {interval}")
        self.client = client
        self.job = job
        self.interval = interval
        self.cloud_every = max(0, cloud_every)
        self.stop_on_alarm = stop_on_alarm
        self._clock = clock
        self._sleep = sleep
        self._on_alarm = on_alarm
        self._on_poll = on_poll
        self._t0 = clock()
        self._lock = threading.Lock()
        self._samples: list[Sample] = []
        self._health: list[Health] = []
        self._phases: list[Phase] = []
        self._alarms: list[JobAlarm] = []
        self._followed: dict[str, None] = {}   # insertion-ordered set
        self._polls = 0
        self._stop = threading.Event()
        self._alarmed = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_error: BaseException | None = None

    # -- what was recorded ------------------------------------------------
    def now(self) -> float:
        """Seconds since the watcher was made, on its clock."""
        return self._clock() - self._t0

    @property
    def samples(self) -> list[Sample]:
        with self._lock:
            return list(self._samples)

    @property
    def health(self) -> list[Health]:
        with self._lock:
            return list(self._health)

    @property
    def phases(self) -> list[Phase]:
        with self._lock:
            return list(self._phases)

    @property
    def alarms(self) -> list[JobAlarm]:
        with self._lock:
            return list(self._alarms)

    @property
    def alarm(self) -> JobAlarm | None:
        """The first failed or cancelled job seen, if any."""
        with self._lock:
            return self._alarms[0] if self._alarms else None

    @property
    def polls(self) -> int:
        return self._polls

    @property
    def followed_jobs(self) -> list[str]:
        with self._lock:
            return list(self._followed)

    # -- phases ------------------------------------------------------------
    def mark(self, name: PhaseName, *, source: str | None = None, target: str | None = None,
             label: str | None = None) -> Phase:
        """Close the open phase (if any) now and open ``name``.

        ``"during"`` runs from task submit to task end; ``source``/``target``
        (host names or IPs) label the window in the plot.
        """
        if name not in PHASE_NAMES:
            raise ConfigError(f"unknown watch phase {name!r}",
                              hint=f"one of {', '.join(PHASE_NAMES)}")
        t = self.now()
        phase = Phase(name=name, start=t, source=source, target=target, label=label)
        with self._lock:
            self._close_open_phase(t)
            self._phases.append(phase)
        return phase

    def end_phases(self) -> None:
        """Close the open phase now (``stop`` and ``run_for`` leave it open)."""
        with self._lock:
            self._close_open_phase(self.now())

    def _close_open_phase(self, t: float) -> None:
        if self._phases and self._phases[-1].end is None:
            self._phases[-1] = replace(self._phases[-1], end=max(t, self._phases[-1].start))

    # -- polling -----------------------------------------------------------
    def poll(self) -> list[Sample]:
        """Ask H2O once; record and return the samples of this poll."""
        self._polls += 1
        poll = self._polls
        t = self.now()
        started = self._clock()
        error: str | None = None
        infos: list[JobInfo] = []
        try:
            infos = [self.client.job(self.job)] if self.job else self.client.jobs()
        except WatcherError as exc:
            error = str(exc)
        latency = self._clock() - started
        samples = self._to_samples(poll, t, latency, infos, error)
        health = self._check_cloud(poll) if self._cloud_due(poll) else None
        alarms = [self._alarm_for(s) for s in samples
                  if s.job and s.status in FAILED_STATES and s.job not in self._alarmed_jobs()]
        with self._lock:
            self._samples.extend(samples)
            if health is not None:
                self._health.append(health)
            self._alarms.extend(alarms)
        for alarm in alarms:
            log.warning("h2o job failed", job=alarm.job, status=alarm.status, poll=alarm.poll)
            self._alarmed.set()
            if self._on_alarm is not None:
                self._on_alarm(alarm)
        if self._on_poll is not None:
            self._on_poll(samples)
        return samples

    def _to_samples(self, poll: int, t: float, latency: float, infos: list[JobInfo],
                    error: str | None) -> list[Sample]:
        if error is not None:
            keys: list[str | None] = [self.job] if self.job else [None]
            return [Sample(t=t, poll=poll, job=k, status=None, progress=None,
                           latency_s=latency, error=error) for k in keys]
        by_key = {info.key: info for info in infos}
        if not self.job:
            for info in infos:
                if info.status in RUNNING_STATES and info.key not in self._followed:
                    with self._lock:
                        self._followed[info.key] = None
        elif self.job not in self._followed:
            with self._lock:
                self._followed[self.job] = None
        samples = []
        for key in self._followed:
            found = by_key.get(key)
            if found is None:
                samples.append(Sample(t=t, poll=poll, job=key, status=MISSING, progress=None,
                                      latency_s=latency, exception="job no longer listed by H2O"))
            else:
                samples.append(Sample(t=t, poll=poll, job=key, status=found.status,
                                      progress=found.progress, latency_s=latency,
                                      description=found.description, exception=found.exception))
        return samples

    def _cloud_due(self, poll: int) -> bool:
        return self.cloud_every > 0 and (poll - 1) % self.cloud_every == 0

    def _check_cloud(self, poll: int) -> Health:
        t = self.now()
        started = self._clock()
        try:
            cloud = self.client.cloud()
        except WatcherError as exc:
            return Health(t=t, poll=poll, healthy=None, size=None,
                          latency_s=self._clock() - started, error=str(exc))
        return Health(t=t, poll=poll, healthy=cloud.healthy, size=cloud.size,
                      latency_s=self._clock() - started)

    def _alarmed_jobs(self) -> set[str]:
        return {a.job for a in self._alarms}

    def _alarm_for(self, sample: Sample) -> JobAlarm:
        assert sample.job is not None and sample.status is not None
        return JobAlarm(job=sample.job, status=sample.status, poll=sample.poll, t=sample.t,
                        phase=phase_at(self.phases, sample.t), message=sample.exception)

    # -- synchronous loop (injected clock and sleep) ---------------------------
    def run_for(self, seconds: float) -> None:
        """Poll every ``interval`` for ``seconds`` (first poll at once), using ``sleep``.

        Returns early after an alarm when ``stop_on_alarm`` is set.
        """
        self._loop(self.now() + seconds, self._sleep)

    def _loop(self, deadline: float | None, wait: Sleep) -> None:
        next_tick = self.now()
        while not self._stop.is_set():
            if deadline is not None and self.now() >= deadline:
                return
            self.poll()
            if self.stop_on_alarm and self._alarmed.is_set():
                return
            next_tick += self.interval
            now = self.now()
            while next_tick <= now:          # a slow poll: skip the missed ticks
                next_tick += self.interval
            if deadline is not None and next_tick >= deadline:
                wait(max(0.0, deadline - now))
                return
            wait(next_tick - now)

    # -- background thread (for the CLI) ------------------------------------------
    def start(self) -> None:
        """Poll in a daemon thread until :meth:`stop` (or an alarm with ``stop_on_alarm``)."""
        if self._thread is not None:
            raise ConfigError("this watcher is already running")
        self._stop.clear()

        def target() -> None:
            try:
                self._loop(None, self._stop.wait)
            except BaseException as exc:  # reported by stop()
                self._thread_error = exc

        self._thread = threading.Thread(target=target, name="vmcctl-h2o-watcher", daemon=True)
        self._thread.start()

    def wait(self, seconds: float) -> bool:
        """Let the background watch go on for ``seconds`` (real time); True when a job alarmed.

        Returns as soon as a job fails or is cancelled.
        """
        return self._alarmed.wait(seconds)

    def stop(self, *, timeout: float | None = None) -> None:
        """Stop the background thread and close the open phase."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout if timeout is not None else self.interval + 30.0)
        self.end_phases()
        if self._thread_error is not None:
            error, self._thread_error = self._thread_error, None
            raise WatcherError(f"the H2O watcher stopped on an error: {error!r}") from error

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- verdict -----------------------------------------------------------------------
    def verdict(self, *, threshold: float = DEFAULT_THRESHOLD) -> Verdict:
        """The verdict over everything recorded so far (see :func:`compute_verdict`)."""
        return compute_verdict(self.samples, self.phases, health=self.health,
                               interval=self.interval, threshold=threshold)
