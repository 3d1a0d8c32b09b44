"""The ``wait`` step against a scripted H2O client and a fake clock (no real time)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from vmcctl.errors import TaskTimeoutError, WatcherError
from vmcctl.h2o.client import CloudInfo, JobInfo
from vmcctl.playbook.context import RunContext
from vmcctl.playbook.load import parse_playbook
from vmcctl.playbook.runner import run_playbook
from vmcctl.playbook.schema import WaitAction, WaitUntil
from vmcctl.playbook.wait_step import run_wait


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class ScriptedH2O:
    """Each job goes through ``statuses`` one poll at a time (then stays on the last)."""

    statuses: dict[str, list[str]]
    polls: dict[str, int] = field(default_factory=dict)
    closed: bool = False

    def _info(self, key: str, status: str) -> JobInfo:
        return JobInfo(key=key, status=status, progress=1.0 if status == "DONE" else 0.5)

    def jobs(self) -> list[JobInfo]:
        return [self._info(k, s[0]) for k, s in self.statuses.items()]

    def job(self, key: str) -> JobInfo:
        if key not in self.statuses:
            raise WatcherError(f"H2O knows no job {key!r}")
        n = self.polls.get(key, 0)
        self.polls[key] = n + 1
        seq = self.statuses[key]
        return self._info(key, seq[min(n, len(seq) - 1)])

    def cloud(self) -> CloudInfo:
        return CloudInfo(name="fake", healthy=True, size=1)

    def close(self) -> None:
        self.closed = True


def _ctx(h2o: ScriptedH2O, clock: Clock, dry_run: bool = False) -> RunContext:
    return RunContext(h2o=lambda _until: h2o, clock=clock, sleep=clock.sleep, dry_run=dry_run)


def _until(job: str, status: str = "DONE", timeout: float | None = None) -> WaitAction:
    return WaitAction(until=WaitUntil(h2o_job=job, status=status, interval=5),  # type: ignore[arg-type]
                      timeout=timeout)


def test_waits_until_the_named_job_is_done() -> None:
    clock, h2o = Clock(), ScriptedH2O({"job_1": ["RUNNING"] * 4 + ["DONE"]})
    out = run_wait(_ctx(h2o, clock), _until("job_1"))
    assert h2o.polls["job_1"] == 5
    assert clock.slept == [5, 5, 5, 5]
    assert out.details["seconds"] == 20
    assert "job_1 DONE after 20.0 s" in out.summary
    assert h2o.closed


def test_running_follows_every_job_running_at_the_start() -> None:
    clock = Clock()
    h2o = ScriptedH2O({"old": ["DONE"], "a": ["RUNNING", "DONE"],
                       "b": ["RUNNING", "RUNNING", "RUNNING", "DONE"]})
    out = run_wait(_ctx(h2o, clock), _until("running"))
    assert [j["key"] for j in out.details["jobs"]] == ["a", "b"]
    assert "old" not in h2o.polls
    assert clock.now == 15


def test_no_running_job_is_an_error_that_says_what_to_do() -> None:
    clock = Clock()
    with pytest.raises(WatcherError, match="no H2O job is CREATED or RUNNING"):
        run_wait(_ctx(ScriptedH2O({"old": ["DONE"]}), clock), _until("running"))


def test_failed_job_fails_the_step_at_once() -> None:
    clock, h2o = Clock(), ScriptedH2O({"j": ["RUNNING", "FAILED"]})
    with pytest.raises(WatcherError, match="H2O job j is FAILED"):
        run_wait(_ctx(h2o, clock), _until("j"))
    assert h2o.polls["j"] == 2


def test_done_while_waiting_for_running_is_hopeless() -> None:
    with pytest.raises(WatcherError, match="is DONE"):
        run_wait(_ctx(ScriptedH2O({"j": ["CREATED", "DONE"]}), Clock()), _until("j", "RUNNING"))


def test_timeout() -> None:
    clock, h2o = Clock(), ScriptedH2O({"j": ["RUNNING"]})
    with pytest.raises(TaskTimeoutError, match="waited 30 s for DONE"):
        run_wait(_ctx(h2o, clock), _until("j", timeout=30))
    assert 30 <= clock.now <= 35
    assert h2o.closed


def test_dry_run_contacts_nothing_and_sleeps_nothing() -> None:
    clock, h2o = Clock(), ScriptedH2O({"j": ["RUNNING"]})
    out = run_wait(_ctx(h2o, clock, dry_run=True), _until("j", timeout=60))
    assert "would wait until H2O job j is DONE" in out.summary
    assert h2o.polls == {} and clock.slept == []
    fixed = run_wait(_ctx(h2o, clock, dry_run=True), WaitAction(seconds=90))
    assert fixed.summary == "would wait 90 s" and clock.slept == []


def test_runner_stops_at_the_failed_wait_and_records_the_rest_as_not_run() -> None:
    clock, h2o = Clock(), ScriptedH2O({"j": ["RUNNING", "CANCELLED"]})
    pb = parse_playbook({"name": "t", "steps": [
        {"wait": 1},
        {"name": "training", "wait": {"until": {"h2o_job": "j"}, "timeout": 100}},
        {"wait": 2}]})
    run = run_playbook(pb, _ctx(h2o, clock))
    assert [r.status for r in run.results] == ["ok", "failed", "not-run"]
    failed = run.failed
    assert failed is not None and failed.label == 'step 2 "training"'
    assert failed.error_type == "WatcherError" and "CANCELLED" in (failed.error or "")
    assert clock.slept == [1, 2.0]  # step 1, then one poll interval; step 3 never slept
