"""The verdict: continuity, rates, ratio, stall, and the edge cases that must not pass silently."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from h2o_fakes import FakeClock, FakeH2O, ScriptedJob

from vmcctl.h2o.records import Health, Phase, Sample
from vmcctl.h2o.verdict import compute_verdict
from vmcctl.h2o.watcher import Watcher


def story(clock: FakeClock, jobs: list[ScriptedJob], *, before: float = 10, during: float = 5,
          after: float = 10, down: list[tuple[float, float]] | None = None,
          healthy: bool = True) -> Watcher:
    """before / during / after on a fake cluster, the way the CLI marks them."""
    fake = FakeH2O(clock, jobs, down=down, healthy=healthy)
    w = Watcher(fake, clock=clock, sleep=clock.sleep, interval=1.0)
    w.mark("before")
    w.run_for(before)
    w.mark("during", source="10.94.24.70", target="10.94.24.85")
    w.run_for(during) if during >= 1 else clock.advance(during)
    w.mark("after")
    w.run_for(after)
    w.end_phases()
    return w


def rate(before: float, during: float, start: float = 10, end: float = 15
         ) -> Callable[[float], float]:
    return lambda t: during if start <= t < end else before


def test_steady_training_passes_with_numbers(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("gbm", rate=lambda _t: 0.01)]).verdict()
    assert v.outcome == "PASS" and v.passed
    assert v.continuity.ok and v.continuity.failed_polls == 0
    assert v.rate_before == pytest.approx(0.01, rel=0.02)
    assert v.rate_during == pytest.approx(0.01, rel=0.02)
    assert v.rate_after == pytest.approx(0.01, rel=0.02)
    assert v.ratio == pytest.approx(1.0, abs=0.03)
    assert "1.0" in v.reason or "0.9" in v.reason


def test_slowdown_below_threshold_fails_with_the_ratio(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("gbm", rate=rate(0.01, 0.006))]).verdict()
    assert v.outcome == "FAIL"
    assert v.ratio == pytest.approx(0.6, abs=0.03)
    assert "slowed down" in v.reason and "0.60" in v.reason and "gbm" in v.reason


def test_threshold_is_a_parameter(clock: FakeClock) -> None:
    w = story(clock, [ScriptedJob("gbm", rate=rate(0.01, 0.006))])
    assert w.verdict(threshold=0.5).outcome == "PASS"
    assert w.verdict(threshold=0.8).outcome == "FAIL"


def test_longest_stall_is_measured_and_placed(clock: FakeClock) -> None:
    stalled = lambda t: 0.0 if 11 <= t < 15 else 0.01  # noqa: E731
    v = story(clock, [ScriptedJob("gbm", rate=stalled)]).verdict()
    job = v.jobs[0]
    assert job.longest_stall_s == pytest.approx(4.0, abs=1.01)
    assert job.stall_phase == "during"
    assert v.longest_stall_s == job.longest_stall_s
    assert v.outcome == "FAIL"          # 1 s of progress in 5 s: ratio ~0.2


def test_failed_polls_break_continuity_with_count_and_gap(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("gbm")], down=[(11, 14)]).verdict()
    c = v.continuity
    assert not c.ok and c.failed_polls == 3 and c.first_failed_poll == 12
    assert c.longest_gap_s == pytest.approx(4.0, abs=0.05)
    assert v.outcome == "FAIL"
    assert "did not answer 3 of" in v.reason and "4.0 s" in v.reason


@pytest.mark.parametrize("status", ["FAILED", "CANCELLED"])
def test_job_failed_or_cancelled_during_fails_naming_job_and_poll(
        clock: FakeClock, status: str) -> None:
    w = story(clock, [ScriptedJob("$03$_gbm7", status_at=[(12.4, status)])])
    v = w.verdict()
    assert v.outcome == "FAIL"
    bad = v.continuity.bad_status[0]
    assert bad.job == "$03$_gbm7" and bad.status == status and bad.phase == "during"
    assert bad.poll == 14 and bad.t == pytest.approx(13.0, abs=0.05)   # first poll after 12.4
    assert "$03$_gbm7" in v.reason and "poll 14" in v.reason and status in v.reason


def test_job_reaching_done_during_the_window_is_not_a_slowdown(clock: FakeClock) -> None:
    # 0.08/s: 80 % at t=10, DONE at t=12.5 - inside "during", nothing to measure after.
    v = story(clock, [ScriptedJob("gbm", rate=lambda _t: 0.08)]).verdict()
    job = v.jobs[0]
    assert job.final_status == "DONE" and job.done_at is not None and 12 <= job.done_at <= 14
    assert job.during == pytest.approx(0.08, rel=0.25)
    assert job.after is None
    assert any("not a slowdown" in n for n in v.notes)
    assert v.outcome == "PASS" and "reached DONE" in v.reason


def test_job_done_before_the_migration_fails_as_not_measured(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("gbm", rate=lambda _t: 0.2)]).verdict()
    assert v.outcome == "FAIL"
    assert "not measurable" in v.reason and "DONE" in v.reason
    assert v.continuity.ok


def test_too_few_samples_before_says_so_without_dividing_by_zero(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("gbm")], before=1.5).verdict()
    assert v.rate_before is None and v.ratio is None
    assert v.outcome == "FAIL"
    assert "too few samples before" in v.reason and "watch longer" in v.reason


def test_job_stalled_before_the_migration_has_no_ratio(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("gbm", rate=lambda t: 0.0 if t < 10 else 0.01)]).verdict()
    assert v.jobs[0].before == 0.0 and v.ratio is None
    assert v.outcome == "FAIL" and "stalled" in v.reason


def test_a_vmotion_shorter_than_a_poll_is_interpolated(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("gbm")], during=0.4).verdict()
    assert v.outcome == "PASS"
    assert v.rate_during == pytest.approx(0.01, rel=0.05)
    assert any("interpolated" in n for n in v.notes)


def test_no_job_and_no_answer_and_no_migration_window_all_fail() -> None:
    phases = [Phase("before", 0, 5), Phase("during", 5, 6), Phase("after", 6, 9)]
    empty = compute_verdict([], phases)
    assert empty.outcome == "FAIL" and "no H2O job" in empty.reason
    down = [Sample(t=float(i), poll=i + 1, job=None, status=None, progress=None,
                   latency_s=5.0, error="timeout") for i in range(4)]
    assert "answered none of 4" in compute_verdict(down, phases).reason
    ok = [Sample(t=float(i), poll=i + 1, job="j", status="RUNNING", progress=i / 100,
                 latency_s=0.01) for i in range(8)]
    assert "no migration window" in compute_verdict(ok, [Phase("before", 0, 8)]).reason


def test_unhealthy_cloud_breaks_continuity(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("gbm")], healthy=False).verdict()
    assert v.continuity.unhealthy_checks >= 1 and v.outcome == "FAIL"
    assert "unhealthy" in v.reason


def test_cloud_check_that_fails_counts_as_a_failed_poll() -> None:
    samples = [Sample(t=float(i), poll=i + 1, job="j", status="RUNNING", progress=i / 100,
                      latency_s=0.01) for i in range(20)]
    phases = [Phase("before", 0, 10), Phase("during", 10, 12), Phase("after", 12, 20)]
    health = [Health(t=10.0, poll=11, healthy=None, size=None, latency_s=5, error="timeout")]
    v = compute_verdict(samples, phases, health=health)
    assert v.continuity.failed_polls == 1 and v.outcome == "FAIL"


def test_the_slowest_of_several_jobs_decides(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("fast"), ScriptedJob("slow", rate=rate(0.01, 0.005))]).verdict()
    assert [j.job for j in v.jobs] == ["fast", "slow"]
    assert v.ratio == pytest.approx(0.5, abs=0.03)
    assert v.outcome == "FAIL" and "slow" in v.reason


def test_verdict_renders_to_json_and_table(clock: FakeClock) -> None:
    v = story(clock, [ScriptedJob("gbm", status_at=[(12.4, "CANCELLED")])]).verdict()
    data = json.loads(json.dumps(v.to_dict()))
    assert data["outcome"] == "FAIL" and data["rate_unit"].startswith("progress fraction")
    assert data["continuity"]["bad_status"][0]["status"] == "CANCELLED"
    assert set(data) >= {"reason", "threshold", "jobs", "rate_before", "rate_during",
                         "rate_after", "ratio", "longest_stall_s", "notes"}
    rows = dict(v.table_rows())
    assert rows["outcome"] == "FAIL" and rows["rate before"].endswith("%/s")
    assert "poll 14" in rows["job failure"]
