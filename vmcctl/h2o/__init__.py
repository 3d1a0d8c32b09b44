"""Watch an H2O training job through a live migration and judge whether it kept going.

The CLI's path, in order::

    endpoint = H2OEndpoint.resolve(url, user, password, guest_ip=ip)  # flags, VMCCTL_H2O_*, auto
    with RestClient(endpoint) as client:
        watcher = Watcher(client, job=key_or_None, interval=1.0)
        watcher.start(); watcher.mark("before"); watcher.wait(before_s)
        watcher.mark("during", source=src_host, target=dst_host)   # at task submit
        ...submit the vMotion and wait for the task...
        watcher.mark("after"); watcher.wait(after_s); watcher.stop()
    verdict = watcher.verdict(threshold=0.8)      # .outcome, .reason, .table_rows(), .to_dict()
    write_report(dir, watcher.samples, watcher.phases, verdict, health=watcher.health,
                 meta={"vm": name, "h2o_url": endpoint.safe_url})

Modules: ``client`` (REST seam), ``records`` (samples, phases), ``watcher``,
``verdict`` (pure), ``report`` (JSON + PNG), ``demo`` (local cluster + GBM job).
``demo`` and ``report`` import ``h2o``/``matplotlib`` lazily.
"""

from __future__ import annotations

from vmcctl.h2o.client import (
    AUTO,
    DEFAULT_PORT,
    ENV_PASSWORD,
    ENV_URL,
    ENV_USER,
    CloudInfo,
    H2OClient,
    H2OEndpoint,
    JobInfo,
    RestClient,
    redact_url,
)
from vmcctl.h2o.records import Health, Phase, PhaseName, Sample
from vmcctl.h2o.report import ReportFiles, report_dict, write_report
from vmcctl.h2o.verdict import DEFAULT_THRESHOLD, Verdict, compute_verdict
from vmcctl.h2o.watcher import JobAlarm, Watcher

__all__ = [
    "AUTO",
    "DEFAULT_PORT",
    "DEFAULT_THRESHOLD",
    "ENV_PASSWORD",
    "ENV_URL",
    "ENV_USER",
    "CloudInfo",
    "H2OClient",
    "H2OEndpoint",
    "Health",
    "JobAlarm",
    "JobInfo",
    "Phase",
    "PhaseName",
    "ReportFiles",
    "RestClient",
    "Sample",
    "Verdict",
    "Watcher",
    "compute_verdict",
    "redact_url",
    "report_dict",
    "write_report",
]
