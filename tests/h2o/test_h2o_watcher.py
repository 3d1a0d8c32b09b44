"""The watcher, driven by a fake clock and a scripted H2O: no threads, no real time."""

from __future__ import annotations

import threading
import time

import pytest
from h2o_fakes import FakeClock, FakeH2O, ScriptedJob

from vmcctl.errors import ConfigError, WatcherError
from vmcctl.h2o.client import CloudInfo, JobInfo
from vmcctl.h2o.watcher import JobAlarm, Watcher


def make(clock: FakeClock, jobs: list[ScriptedJob], **kw: object) -> tuple[FakeH2O, Watcher]:
    fake_kw = {k: kw.pop(k) for k in ("latency", "down", "old_jobs", "healthy") if k in kw}
    fake = FakeH2O(clock, jobs, **fake_kw)  # type: ignore[arg-type]
    return fake, Watcher(fake, clock=clock, sleep=clock.sleep, **kw)  # type: ignore[arg-type]


def test_polls_once_per_interval_from_time_zero(clock: FakeClock) -> None:
    _, w = make(clock, [ScriptedJob("j1")], interval=1.0)
    w.run_for(5)
    assert [round(s.t, 3) for s in w.samples] == [0, 1, 2, 3, 4]
    assert [s.poll for s in w.samples] == [1, 2, 3, 4, 5]
    assert round(w.now(), 3) == 5.0          # run_for ends at its deadline
    assert all(abs(s.latency_s - 0.01) < 1e-9 for s in w.samples)


def test_progress_is_recorded_as_the_job_reports_it(clock: FakeClock) -> None:
    _, w = make(clock, [ScriptedJob("j1", rate=lambda _t: 0.02)])
    w.run_for(4)
    progress = [s.progress for s in w.samples]
    assert progress == sorted(progress) and progress[-1] == pytest.approx(0.06, abs=0.002)


def test_a_slow_answer_skips_ticks_instead_of_piling_up(clock: FakeClock) -> None:
    _, w = make(clock, [ScriptedJob("j1")], interval=1.0, latency=1.5, cloud_every=0)
    w.run_for(6)
    times = [round(s.t, 3) for s in w.samples]
    assert times == [0, 2, 4]
    assert all(x >= 0 for x in clock.slept)


def test_all_jobs_mode_follows_running_jobs_only_and_keeps_them_to_the_end(
        clock: FakeClock) -> None:
    old = JobInfo(key="old", status="DONE", progress=1.0, description="Parse")
    late = ScriptedJob("late", status_at=[(0, "CREATED"), (2.5, "RUNNING")])
    short = ScriptedJob("short", rate=lambda _t: 0.5)      # DONE after 2 s
    _, w = make(clock, [short, late], old_jobs=[old])
    w.run_for(5)
    assert w.followed_jobs == ["short", "late"]
    assert "old" not in {s.job for s in w.samples}
    short_status = [s.status for s in w.samples if s.job == "short"]
    assert short_status[0] == "RUNNING" and short_status[-1] == "DONE"
    assert len(short_status) == 5                          # still sampled after DONE


def test_a_job_that_starts_later_is_picked_up(clock: FakeClock) -> None:
    fake, w = make(clock, [ScriptedJob("a")])
    w.run_for(2)
    fake.scripts["b"] = ScriptedJob("b")
    w.run_for(2)
    assert w.followed_jobs == ["a", "b"]
    assert [s.poll for s in w.samples if s.job == "b"] == [3, 4]


def test_one_job_mode_asks_only_for_that_job(clock: FakeClock) -> None:
    fake, w = make(clock, [ScriptedJob("a"), ScriptedJob("b")], job="b", cloud_every=0)
    w.run_for(3)
    assert fake.calls == ["/3/Jobs/b"] * 3
    assert {s.job for s in w.samples} == {"b"}


def test_a_failed_poll_is_a_sample_with_the_error(clock: FakeClock) -> None:
    _, w = make(clock, [ScriptedJob("a")], down=[(2, 4)], cloud_every=0)
    w.run_for(6)
    failed = [s for s in w.samples if not s.answered]
    assert [s.poll for s in failed] == [3, 4]
    assert all(s.job is None and "connection refused" in (s.error or "") for s in failed)


def test_a_job_h2o_no_longer_lists_is_missing(clock: FakeClock) -> None:
    fake, w = make(clock, [ScriptedJob("a")])
    w.run_for(2)
    del fake.scripts["a"]
    w.run_for(1)
    assert w.samples[-1].status == "MISSING"
    assert w.alarm is not None and w.alarm.status == "MISSING"


@pytest.mark.parametrize("status", ["FAILED", "CANCELLED"])
def test_failed_or_cancelled_job_alarms_within_two_polls(clock: FakeClock, status: str) -> None:
    seen: list[JobAlarm] = []
    job = ScriptedJob("gbm", status_at=[(12.3, status)])
    _, w = make(clock, [job], interval=1.0, on_alarm=seen.append)
    w.mark("before")
    w.run_for(10)
    w.mark("during", source="h1", target="h2")
    w.run_for(10)
    assert len(seen) == 1 and w.alarm == seen[0]
    alarm = seen[0]
    assert alarm.job == "gbm" and alarm.status == status and alarm.phase == "during"
    assert 12.3 <= alarm.t <= 12.3 + 2 * w.interval
    assert f"poll {alarm.poll}" in str(alarm)
    assert len(w.alarms) == 1                     # one alarm per job, not one per poll


def test_stop_on_alarm_ends_the_watch_early(clock: FakeClock) -> None:
    job = ScriptedJob("gbm", status_at=[(3.5, "CANCELLED")])
    _, w = make(clock, [job], stop_on_alarm=True)
    w.run_for(30)
    assert w.samples[-1].status == "CANCELLED"
    assert w.now() < 5.1


def test_marks_open_and_close_phases(clock: FakeClock) -> None:
    _, w = make(clock, [ScriptedJob("a")])
    w.mark("before")
    w.run_for(3)
    w.mark("during", source="10.94.24.70", target="10.94.24.85")
    clock.advance(0.5)
    w.mark("after")
    w.run_for(2)
    assert w.phases[-1].end is None
    w.end_phases()
    names = [(p.name, round(p.start, 3), round(p.end or -1, 3)) for p in w.phases]
    assert names == [("before", 0, 3), ("during", 3, 3.5), ("after", 3.5, 5.5)]
    assert w.phases[1].title == "vMotion 10.94.24.70 → 10.94.24.85"
    with pytest.raises(ConfigError, match="unknown watch phase"):
        w.mark("sometime")  # type: ignore[arg-type]


def test_cloud_health_is_checked_every_n_polls(clock: FakeClock) -> None:
    _, w = make(clock, [ScriptedJob("a")], cloud_every=3, healthy=False)
    w.run_for(7)
    assert [h.poll for h in w.health] == [1, 4, 7]
    assert all(h.healthy is False for h in w.health)


def test_interval_must_be_positive(clock: FakeClock) -> None:
    with pytest.raises(ConfigError):
        make(clock, [], interval=0)


class RealTimeH2O:
    """A thread-safe fake for the background mode; progress grows with real time."""

    def __init__(self, cancel_after: float | None = None) -> None:
        self.t0 = time.monotonic()
        self.cancel_after = cancel_after
        self.lock = threading.Lock()
        self.calls = 0

    def job(self, key: str) -> JobInfo:
        with self.lock:
            self.calls += 1
        t = time.monotonic() - self.t0
        status = "CANCELLED" if self.cancel_after is not None and t > self.cancel_after \
            else "RUNNING"
        return JobInfo(key=key, status=status, progress=min(1.0, t / 10))

    def jobs(self) -> list[JobInfo]:
        return [self.job("bg")]

    def cloud(self) -> CloudInfo:
        return CloudInfo(name="bg", healthy=True, size=1)


def test_background_mode_polls_until_stopped_and_closes_the_phase() -> None:
    fake = RealTimeH2O()
    w = Watcher(fake, job="bg", interval=0.02)
    w.start()
    w.mark("before")
    assert w.running
    assert w.wait(0.3) is False
    w.stop()
    assert not w.running
    n = len(w.samples)
    assert 5 <= n <= 20
    assert w.phases[0].end is not None
    time.sleep(0.1)
    assert len(w.samples) == n                  # really stopped
    w.start()
    with pytest.raises(ConfigError, match="already running"):
        w.start()
    w.stop()


def test_background_wait_returns_at_once_when_a_job_is_cancelled() -> None:
    w = Watcher(RealTimeH2O(cancel_after=0.1), job="bg", interval=0.02, stop_on_alarm=True)
    with w:
        started = time.monotonic()
        assert w.wait(5.0) is True
        assert time.monotonic() - started < 2.0
    assert w.alarm is not None and w.alarm.status == "CANCELLED"


def test_an_unexpected_error_in_the_thread_surfaces_at_stop() -> None:
    class Broken(RealTimeH2O):
        def job(self, key: str) -> JobInfo:
            raise RuntimeError("boom")

    w = Watcher(Broken(), job="x", interval=0.01)
    w.start()
    time.sleep(0.05)
    with pytest.raises(WatcherError, match="boom"):
        w.stop()
