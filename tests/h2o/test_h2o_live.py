"""Against a real local H2O-3: the watcher sees a training job progress, and sees it cancelled."""

from __future__ import annotations

import pytest
from conftest import LiveH2O

from vmcctl.h2o.client import H2OEndpoint, RestClient
from vmcctl.h2o.demo import TrainingJob, start_training_job
from vmcctl.h2o.watcher import Watcher

pytestmark = [pytest.mark.h2o, pytest.mark.slow]


def short_job(seconds: float = 15.0) -> TrainingJob:
    # A fixed guess instead of the calibration probes (which cost 5-15 s): the
    # tests cancel the job anyway, it only has to outlast the watch.
    return start_training_job(duration_s=seconds, rows=30_000, trees_per_s=10.0)


def test_watcher_sees_a_real_job_progress(live_h2o: LiveH2O) -> None:
    job = short_job()
    with RestClient(H2OEndpoint.resolve(live_h2o.cluster.url, environ={})) as client:
        assert client.cloud().healthy
        w = Watcher(client, job=job.key, interval=0.5, cloud_every=4)
        w.start()
        w.mark("before")
        w.wait(3)
        w.mark("during", source="10.94.24.70", target="10.94.24.85")
        w.wait(1)
        w.mark("after")
        w.wait(2)
        w.stop()
    samples = w.samples
    assert len(samples) >= 8 and all(s.answered for s in samples)
    assert {s.job for s in samples} == {job.key}
    progress = [s.progress or 0.0 for s in samples]
    assert progress == sorted(progress) and progress[-1] > progress[0]
    assert all(s.status in ("RUNNING", "DONE") for s in samples)
    assert all(h.healthy for h in w.health)
    v = w.verdict(threshold=0.5)
    assert v.continuity.ok and v.rate_before is not None and v.rate_before > 0
    job.cancel()                                   # leave the cluster idle for the next test


def test_cancelled_job_fails_the_verdict_naming_job_and_poll(live_h2o: LiveH2O) -> None:
    job = short_job(seconds=30)
    with RestClient(H2OEndpoint.resolve(live_h2o.cluster.url, environ={})) as client:
        w = Watcher(client, interval=0.5)            # every RUNNING job, as the CLI's default
        w.start()
        w.mark("before")
        w.wait(2.5)
        w.mark("during", source="10.94.24.70", target="10.94.24.85")
        cancel_poll = w.polls
        client.cancel(job.key)
        alarmed = w.wait(3.0)
        w.mark("after")
        w.wait(1.0)
        w.stop()
    assert alarmed
    alarm = w.alarm
    assert alarm is not None and alarm.job == job.key
    assert alarm.status in ("CANCELLED", "CANCEL_PENDING")
    assert alarm.poll <= cancel_poll + 2                       # seen within two polls
    v = w.verdict()
    assert v.outcome == "FAIL"
    assert job.key in v.reason and f"poll {alarm.poll}" in v.reason
