"""The demo workload: a quiet local H2O-3 cluster and a GBM training job with steady progress.

    with start_local_h2o(nthreads=2) as cluster:          # http://127.0.0.1:54321 if free
        job = start_training_job(duration_s=90)            # returns at once; job.key
        ...watch cluster.url / job.key...
        job.wait()                                         # seconds it actually ran

The job is a GBM on a generated frame whose response is a function of its
columns (a random response gives the trees nothing to split and GBM ends in
seconds), with many trees, a small learning rate, ``min_split_improvement=0``
and no early stopping, so progress rises tree by tree at a steady pace. Its
length is set by the number of trees: a short probe GBM on the same frame
measures trees per second on this machine (a first probe warms the JVM up,
a second is timed). ``max_runtime_secs`` is not used to size the job: H2O then
reports wall-clock time as progress, which would hide a slowdown.

Only one local cluster per process: the ``h2o`` package keeps one connection
per process, and the training job uses it.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from vmcctl.errors import WatcherError
from vmcctl.h2o.client import DEFAULT_PORT, FAILED_STATES, RUNNING_STATES, JobInfo, parse_job
from vmcctl.h2o.client import quiet_stdout as _quiet
from vmcctl.log import get_logger

log = get_logger(__name__)

PROBE_TREES = (15, 25)      # warm-up, then timed
DEFAULT_ROWS = 60_000
DEFAULT_COLS = 12


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` and it can be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def pick_port(preferred: int = DEFAULT_PORT) -> int:
    """``preferred`` if it and the next port (H2O's internal one) are free, else a free pair."""
    candidates: list[int] = [preferred, *range(preferred + 2, preferred + 200, 2)]
    for candidate in candidates:
        if port_free(candidate) and port_free(candidate + 1):
            return candidate
    raise WatcherError(f"no free port pair for a local H2O near {preferred}",
                       hint="stop other H2O clusters or pass another port")


@dataclass
class LocalH2O:
    """A local H2O-3 cluster this process started; :meth:`shutdown` leaves nothing behind."""

    url: str
    port: int
    nthreads: int
    _server: Any = field(repr=False)
    _workdir: str = field(repr=False)

    def shutdown(self) -> None:
        """Stop the cluster (REST shutdown, then the JVM process) and remove its files."""
        import h2o

        with _quiet(), contextlib.suppress(Exception):
            conn = h2o.connection()
            if conn is not None and conn.connected:
                h2o.api("POST /3/Shutdown")
                conn.close()
        if self._server is not None:
            with _quiet(), contextlib.suppress(Exception):
                self._server.shutdown()
            tempdir = getattr(self._server, "_tempdir", None)
            if tempdir:
                shutil.rmtree(tempdir, ignore_errors=True)
            self._server = None
        shutil.rmtree(self._workdir, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._server is not None and bool(self._server.is_running())

    @property
    def pid(self) -> int:
        """The JVM's process id (0 once shut down)."""
        process = getattr(self._server, "_process", None)
        return int(process.pid) if process is not None else 0

    def __enter__(self) -> LocalH2O:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def start_local_h2o(*, port: int = DEFAULT_PORT, nthreads: int = 2, max_mem: str = "1G",
                    name: str = "vmcctl-demo") -> LocalH2O:
    """Start a fresh local H2O-3 (never attaches to one already running), quietly.

    Uses ``port`` when it (and ``port + 1``) is free, else the next free pair:
    read the URL from the result. Takes ~7 s on this class of machine.
    """
    try:
        import h2o
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise WatcherError("the h2o package is not installed",
                           hint="pip install 'vmcctl[h2o]'") from exc
    chosen = pick_port(port)
    workdir = tempfile.mkdtemp(prefix="vmcctl-h2o-")
    started = time.monotonic()
    try:
        with _quiet():
            h2o.init(ip="127.0.0.1", port=chosen, as_port=True, name=f"{name}-{chosen}",
                     nthreads=nthreads, max_mem_size=max_mem, ice_root=workdir,
                     log_dir=workdir, log_level="WARN", verbose=False, telemetry=False,
                     strict_version_check=False, ignore_config=True)
            h2o.no_progress()
    except Exception as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        raise WatcherError(f"could not start a local H2O on port {chosen}: {exc}",
                           hint="is Java 11+ installed (java -version)?") from exc
    conn = h2o.connection()
    server = conn.local_server
    if server is None:  # attached to a cluster we did not start: leave it alone
        with _quiet(), contextlib.suppress(Exception):
            conn.close()
        shutil.rmtree(workdir, ignore_errors=True)
        raise WatcherError(f"port {chosen} already serves an H2O cluster",
                           hint="stop it, or pass another port")
    log.info("local h2o started", url=conn.base_url, seconds=round(time.monotonic() - started, 1))
    return LocalH2O(url=str(conn.base_url), port=chosen, nthreads=nthreads, _server=server,
                    _workdir=workdir)


@dataclass
class TrainingJob:
    """A GBM training job running in the local cluster. Holds its frames: do not drop it."""

    key: str
    ntrees: int
    trees_per_s: float
    expected_s: float
    started: float
    _estimator: Any = field(repr=False)
    _frames: tuple[Any, ...] = field(repr=False)

    def info(self) -> JobInfo:
        import h2o

        try:       # no stdout redirection: a watcher thread may be running
            return parse_job(h2o.api(f"GET /3/Jobs/{self.key}")["jobs"][0])
        except WatcherError:
            raise
        except Exception as exc:
            raise WatcherError(f"cannot read H2O job {self.key}: {exc}") from exc

    def wait(self, timeout: float | None = None, poll: float = 0.5) -> float:
        """Block until the job ends; return how long it ran (s). Raises if it failed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            info = self.info()
            if info.status not in RUNNING_STATES:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise WatcherError(f"H2O job {self.key} still {info.status} after {timeout} s")
            time.sleep(poll)
        if info.status in FAILED_STATES:
            raise WatcherError(f"H2O job {self.key} ended {info.status}: {info.exception}")
        return info.msec / 1000 if info.msec else time.monotonic() - self.started

    def cancel(self) -> None:
        import h2o

        try:
            h2o.api(f"POST /3/Jobs/{self.key}/cancel")
        except Exception as exc:
            raise WatcherError(f"cannot cancel H2O job {self.key}: {exc}") from exc


@dataclass(frozen=True)
class TrainingData:
    """The generated frame (and the raw one it derives from): reusable across jobs."""

    raw: Any = field(repr=False)
    frame: Any = field(repr=False)
    names: tuple[str, ...]


def make_training_data(*, rows: int = DEFAULT_ROWS, cols: int = DEFAULT_COLS,
                       seed: int = 1) -> TrainingData:
    """A frame with ``cols`` real columns and a response ``y`` the trees can learn (~3 s)."""
    try:
        with _quiet():
            raw, frame, names = _frame(rows, cols, seed)
    except Exception as exc:
        raise WatcherError(f"could not make the H2O training frame: {exc}") from exc
    return TrainingData(raw=raw, frame=frame, names=tuple(names))


def _frame(rows: int, cols: int, seed: int) -> tuple[Any, Any, list[str]]:
    import h2o

    raw = h2o.create_frame(rows=rows, cols=cols, real_fraction=1.0, categorical_fraction=0.0,
                           integer_fraction=0.0, binary_fraction=0.0, time_fraction=0.0,
                           string_fraction=0.0, missing_fraction=0.0, has_response=False,
                           seed=seed)
    names = list(raw.columns)
    response = (raw[0] * 2 + raw[1] * raw[2] / 50 - raw[3] + raw[4] * (raw[5] > 0)).set_names(["y"])
    return raw, raw.cbind(response), names


def _gbm(ntrees: int, seed: int, model_id: str) -> Any:
    from h2o.estimators import H2OGradientBoostingEstimator

    return H2OGradientBoostingEstimator(
        model_id=model_id, ntrees=ntrees, learn_rate=0.01, max_depth=6,
        min_split_improvement=0.0, stopping_rounds=0, seed=seed,
        score_tree_interval=max(ntrees, 1), sample_rate=1.0, col_sample_rate=1.0)


def measure_trees_per_s(frame: Any, names: list[str], seed: int = 1) -> float:
    """Trees per second of the demo GBM here: a warm-up probe, then a timed one.

    Includes the per-model overhead, so it errs low (the job runs a bit longer).
    """
    import h2o

    stamp = time.time_ns() % 10**12
    rate = 0.0
    for i, ntrees in enumerate(PROBE_TREES):
        probe = _gbm(ntrees, seed, f"vmcctl_probe_{stamp}_{i}")
        t0 = time.monotonic()
        probe.train(x=names, y="y", training_frame=frame)
        rate = ntrees / max(time.monotonic() - t0, 1e-3)
        h2o.remove(probe.model_id)
    return rate


def start_training_job(*, duration_s: float = 90.0, rows: int = DEFAULT_ROWS,
                       cols: int = DEFAULT_COLS, seed: int = 1,
                       trees_per_s: float | None = None,
                       data: TrainingData | None = None) -> TrainingJob:
    """Start a GBM in the connected cluster sized to run about ``duration_s``; return at once.

    ``trees_per_s`` skips the probes (5-15 s of calibration) when known; the
    frame takes ~3 s to make (pass ``data`` to reuse one). The estimate is
    within tens of percent: read :meth:`TrainingJob.wait`'s result for how
    long it really ran.
    """
    if duration_s <= 0:
        raise WatcherError(f"the training job needs a positive duration, not {duration_s}")
    stamp = int(time.time() * 1000) % 10**9
    try:
        with _quiet():
            if data is None:
                raw, frame, names = _frame(rows, cols, seed)
            else:
                raw, frame, names = data.raw, data.frame, list(data.names)
            if trees_per_s is None:
                trees_per_s = measure_trees_per_s(frame, names, seed)
            ntrees = max(10, math.ceil(duration_s * trees_per_s))
            gbm = _gbm(ntrees, seed, f"vmcctl_demo_gbm_{stamp}")
            started = time.monotonic()
            gbm.start(x=names, y="y", training_frame=frame)
    except Exception as exc:
        raise WatcherError(f"could not start the H2O training job: {exc}") from exc
    job = getattr(gbm, "_job", None)
    key = getattr(job, "job_key", None)
    if not key:
        raise WatcherError("H2O accepted the training job but returned no job key")
    log.info("h2o training job started", job=key, ntrees=ntrees,
             trees_per_s=round(trees_per_s, 1), expected_s=round(ntrees / trees_per_s, 1))
    return TrainingJob(key=str(key), ntrees=ntrees, trees_per_s=trees_per_s,
                       expected_s=ntrees / trees_per_s, started=started, _estimator=gbm,
                       _frames=(raw, frame))
