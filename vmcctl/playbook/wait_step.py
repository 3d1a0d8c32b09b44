"""The ``wait`` step: a fixed time, or until H2O jobs reach a status.

``until: {h2o_job: KEY}`` follows one job; ``h2o_job: running`` follows every
job that is CREATED or RUNNING when the wait starts. The step fails as soon
as a followed job ends in a state that can no longer become the one waited
for (FAILED, CANCELLED, or DONE when waiting for RUNNING), and when
``timeout`` passes first.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from vmcctl.errors import TaskTimeoutError, WatcherError
from vmcctl.h2o.client import RUNNING_STATES, H2OEndpoint, JobInfo, RestClient
from vmcctl.playbook.context import RunContext
from vmcctl.playbook.outcome import StepOutput
from vmcctl.playbook.schema import WaitAction, WaitUntil

if TYPE_CHECKING:
    from vmcctl.h2o.client import H2OClient

DEFAULT_UNTIL_TIMEOUT = 3600.0
RUNNING_JOBS = "running"


def default_h2o(until: WaitUntil) -> H2OClient:
    """The real H2O client: ``h2o_url``, else ``VMCCTL_H2O_URL`` (and its user/password)."""
    return RestClient(H2OEndpoint.resolve(until.h2o_url))


def run_wait(ctx: RunContext, action: WaitAction) -> StepOutput:
    if action.until is None:
        seconds = action.seconds or 0.0
        if ctx.dry_run:
            return StepOutput(f"would wait {seconds:g} s", {"seconds": seconds})
        _count_down(ctx, seconds)
        return StepOutput(f"waited {seconds:g} s", {"seconds": seconds})
    until = action.until
    timeout = action.timeout or DEFAULT_UNTIL_TIMEOUT
    what = ("the H2O jobs running now" if until.h2o_job == RUNNING_JOBS
            else f"H2O job {until.h2o_job}")
    if ctx.dry_run:
        return StepOutput(f"would wait until {what} is {until.status} (at most {timeout:g} s)",
                          {"h2o_job": until.h2o_job, "status": until.status,
                           "timeout": timeout})
    client = (ctx.h2o or default_h2o)(until)
    try:
        return _follow(ctx, client, until, timeout)
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


def _count_down(ctx: RunContext, seconds: float) -> None:
    """Sleep ``seconds`` in slices of at most one, telling the events what is left."""
    left = seconds
    while left > 0:
        ctx.events.countdown(ctx.label, left, seconds)
        nap = min(1.0, left)
        ctx.sleep(nap)
        left -= nap
    ctx.events.countdown(ctx.label, 0.0, seconds)


def _jobs_to_follow(client: H2OClient, until: WaitUntil) -> list[str]:
    if until.h2o_job != RUNNING_JOBS:
        return [until.h2o_job]
    keys = [j.key for j in client.jobs() if j.status in RUNNING_STATES]
    if not keys:
        raise WatcherError("no H2O job is CREATED or RUNNING",
                           hint="name the job: until: {h2o_job: KEY}")
    return keys


def _hopeless(job: JobInfo, wanted: str) -> bool:
    """The job ended (or is ending) in a state other than the one waited for."""
    if job.status == wanted or job.status in RUNNING_STATES:
        return False
    return not (wanted == "CANCELLED" and job.status == "CANCEL_PENDING")


def _follow(ctx: RunContext, client: H2OClient, until: WaitUntil,
            timeout: float) -> StepOutput:
    started = ctx.clock()
    keys = _jobs_to_follow(client, until)
    polls = 0
    while True:
        jobs = [client.job(k) for k in keys]
        polls += 1
        details = {"jobs": [{"key": j.key, "status": j.status, "progress": j.progress}
                            for j in jobs], "polls": polls}
        if all(j.status == until.status for j in jobs):
            waited = ctx.clock() - started
            details["seconds"] = round(waited, 3)
            names = ", ".join(keys)
            return StepOutput(f"H2O job {names} {until.status} after {waited:.1f} s", details)
        for job in jobs:
            if _hopeless(job, until.status):
                why = f": {job.exception}" if job.exception else ""
                raise WatcherError(f"H2O job {job.key} is {job.status} at "
                                   f"{job.progress:.0%}, waiting for {until.status}{why}")
        if ctx.clock() - started >= timeout:
            state = ", ".join(f"{j.key} {j.status} {j.progress:.0%}" for j in jobs)
            raise TaskTimeoutError(f"waited {timeout:g} s for {until.status}; now {state}",
                                   hint="raise the wait's timeout:")
        ctx.note(", ".join(f"{j.key} {j.status} {j.progress:.0%}" for j in jobs))
        ctx.sleep(until.interval)
