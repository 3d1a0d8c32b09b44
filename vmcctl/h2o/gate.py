"""H2O jobs as a continuity-gate check (``--gate-h2o URL[#JOB]``).

    with open_h2o_checks(["http://10.0.0.5:54321#job-key"], threshold=0.8, window=5) as checks:
        gate = Gate(checks, ...)          # vmcctl.executor.gate

Each check runs the ordinary ``Watcher`` (one ``RestClient``, polls in the
background) and measures the jobs' progress rate for ``window`` seconds
before the run (the baseline). ``check()`` says healthy when every followed
job is DONE, or RUNNING with its rate over the last ``window`` seconds at
least ``threshold`` times its baseline; a FAILED, CANCELLED or vanished
job, or an H2O that does not answer, is unhealthy. At the end the watcher's
samples and phases give the usual verdict (``verdict()``) for the report.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from vmcctl.errors import ConfigError
from vmcctl.h2o.client import DONE, FAILED_STATES, H2OClient, H2OEndpoint, RestClient
from vmcctl.h2o.records import Sample
from vmcctl.h2o.verdict import Verdict
from vmcctl.h2o.watcher import Watcher


def _rate(series: list[tuple[float, float]], since: float) -> float | None:
    """Progress per second over the samples at or after ``since`` (None: too few)."""
    window = [(t, p) for t, p in series if t >= since]
    if len(window) < 2 or window[-1][0] <= window[0][0]:
        return None
    return (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0])


class H2OCheck:
    """One H2O endpoint (and optionally one job) watched as a gate check."""

    def __init__(self, client: H2OClient, *, label: str, job: str | None = None,
                 threshold: float = 0.8, window: float = 5.0, interval: float = 1.0) -> None:
        self.name = f"H2O {label}"
        self.label = label
        self.threshold = threshold
        self.window = window
        self.watcher = Watcher(client, job=job, interval=interval)
        self.baseline: dict[str, float | None] = {}

    def start(self) -> None:
        """Watch, and measure each job's rate for ``window`` seconds (the baseline)."""
        self.watcher.start()
        self.watcher.mark("before")
        self.watcher.wait(self.window)
        for job, series in self._series().items():
            self.baseline[job] = _rate(series, 0.0)
        self.watcher.mark("during")

    def _series(self) -> dict[str, list[tuple[float, float]]]:
        out: dict[str, list[tuple[float, float]]] = {}
        for s in self.watcher.samples:
            if s.job and s.progress is not None:
                out.setdefault(s.job, []).append((s.t, s.progress))
        return out

    def _latest(self) -> dict[str | None, Sample]:
        latest: dict[str | None, Sample] = {}
        for s in self.watcher.samples:
            latest[s.job] = s
        return latest

    def check(self) -> str | None:
        # ask now, not only the background's last poll: a job cancelled a moment ago
        # must close the gate on this check
        self.watcher.poll()
        latest = self._latest()
        if not latest:
            return f"{self.name}: no job to watch"
        series = self._series()
        now = self.watcher.now()
        for job, s in latest.items():
            if s.error is not None:
                return f"{self.name}: no answer ({s.error})"
            if s.status in FAILED_STATES:
                return f"{self.name}: job {job} is {s.status}"
            if s.status == DONE or job is None:
                continue
            base = self.baseline.get(job)
            rate = _rate(series.get(job, []), now - self.window)
            if base and rate is not None and rate < self.threshold * base:
                return (f"{self.name}: job {job} progresses at {rate * 100:.2f} %/s, under "
                        f"{self.threshold:g} x its {base * 100:.2f} %/s before the run")
        return None

    def stop(self) -> Verdict:
        self.watcher.mark("after")
        self.watcher.stop()
        return self.watcher.verdict(threshold=self.threshold)

    def report_data(self) -> dict[str, Any]:
        return {"label": self.label, "samples": self.watcher.samples,
                "phases": self.watcher.phases}


def parse_spec(spec: str) -> tuple[str, str | None]:
    url, _, job = spec.partition("#")
    if not url:
        raise ConfigError(f"--gate-h2o {spec!r}: give URL or URL#JOB")
    return url, job or None


@contextlib.contextmanager
def open_h2o_checks(specs: Sequence[str], *, threshold: float,
                    window: float) -> Iterator[list[H2OCheck]]:
    """One started ``H2OCheck`` per spec; stopped (and their clients closed) on exit."""
    with contextlib.ExitStack() as stack:
        checks: list[H2OCheck] = []
        for spec in specs:
            url, job = parse_spec(spec)
            endpoint = H2OEndpoint.resolve(url, allow_auto=False)
            client = stack.enter_context(RestClient(endpoint))
            check = H2OCheck(client, label=endpoint.safe_url + (f"#{job}" if job else ""),
                             job=job, threshold=threshold, window=window,
                             interval=min(1.0, window / 2))
            check.start()
            stack.callback(check.watcher.stop)
            checks.append(check)
        yield checks
