"""``--watch-h2o``: watch an H2O training job before, during and after a migration.

The watcher polls in a background thread while the command submits and
follows the vCenter task; phases are marked at submit and at task end, so the
verdict compares the job's progress rate during the vMotion with before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from vmcctl.cli.render import say, show, table

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class WatchOptions:
    url: str | None  # None: not watching; "auto": the VM's guest IP, port 54321
    job: str | None
    username: str | None
    password: str | None
    before: float
    after: float
    interval: float
    threshold: float
    report: Path | None

    @property
    def enabled(self) -> bool:
        return self.url is not None


def watch_options(func: F) -> F:
    """The ``--watch-h2o`` family of options."""
    options = [
        click.option("--watch-h2o", "watch_url", is_flag=False, flag_value="auto", default=None,
                     metavar="[URL|auto]",
                     help="Watch the H2O training job(s) before, during and after the move "
                          "and give a verdict. auto (the default value): the VM's guest IP, "
                          "port 54321."),
        click.option("--h2o-job", "watch_job", metavar="KEY",
                     help="Follow this job only (default: every running job)."),
        click.option("--h2o-user", "watch_user", envvar="VMCCTL_H2O_USER", metavar="USER",
                     help="User of a secured H2O.  [env: VMCCTL_H2O_USER]"),
        click.option("--h2o-password", "watch_password", envvar="VMCCTL_H2O_PASSWORD",
                     metavar="PASSWORD", help="[env: VMCCTL_H2O_PASSWORD]"),
        click.option("--before", "watch_before", type=click.FloatRange(min=0), default=10.0,
                     show_default=True, metavar="S", help="Seconds to watch before submitting."),
        click.option("--after", "watch_after", type=click.FloatRange(min=0), default=10.0,
                     show_default=True, metavar="S", help="Seconds to watch after the move."),
        click.option("--poll-interval", "watch_interval", type=click.FloatRange(min=0.1),
                     default=1.0, show_default=True, metavar="S", help="Seconds between polls."),
        click.option("--threshold", "watch_threshold", type=click.FloatRange(0, 10),
                     default=0.8, show_default=True,
                     help="PASS needs the during/before progress-rate ratio at least this."),
        click.option("--report", "watch_report", metavar="DIR",
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Write report.json and timeline.png here."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def collect_watch_options(kwargs: dict[str, Any]) -> WatchOptions:
    """Pop the watch options out of a command's keyword arguments."""
    return WatchOptions(url=kwargs.pop("watch_url"), job=kwargs.pop("watch_job"),
                        username=kwargs.pop("watch_user"), password=kwargs.pop("watch_password"),
                        before=kwargs.pop("watch_before"), after=kwargs.pop("watch_after"),
                        interval=kwargs.pop("watch_interval"),
                        threshold=kwargs.pop("watch_threshold"),
                        report=kwargs.pop("watch_report"))


class MigrationWatch:
    """Drives a Watcher through the before / during / after windows of one move."""

    def __init__(self, opts: WatchOptions, guest_ip: str | None) -> None:
        from vmcctl.h2o.client import H2OEndpoint, RestClient
        from vmcctl.h2o.watcher import Watcher

        self.opts = opts
        self.endpoint = H2OEndpoint.resolve(opts.url, opts.username, opts.password,
                                            guest_ip=guest_ip, flag="--watch-h2o")
        self.client = RestClient(self.endpoint)
        self.watcher = Watcher(self.client, job=opts.job, interval=opts.interval)
        self.verdict: Any = None
        self.files: Any = None

    def before(self) -> None:
        click.echo(f"watching H2O at {self.endpoint.safe_url} for {self.opts.before:g} s "
                   "before the move", err=True)
        self.client.cloud()  # unreachable or refused: fail now, before anything moves
        self.watcher.start()
        self.watcher.mark("before")
        self.watcher.wait(self.opts.before)

    @contextmanager
    def during(self, source: str, target: str) -> Iterator[None]:
        self.watcher.mark("during", source=source, target=target)
        try:
            yield
        finally:
            self.watcher.mark("after", source=source, target=target)

    def after(self, meta: dict[str, Any]) -> None:
        if self.opts.after:
            click.echo(f"watching H2O for {self.opts.after:g} s after the move", err=True)
            self.watcher.wait(self.opts.after)
        self.finish(meta)

    def finish(self, meta: dict[str, Any]) -> None:
        from vmcctl.h2o.report import write_report

        self.watcher.stop()
        self.client.close()
        self.verdict = self.watcher.verdict(threshold=self.opts.threshold)
        if self.opts.report is not None:
            self.files = write_report(self.opts.report, self.watcher.samples,
                                      self.watcher.phases, self.verdict,
                                      health=self.watcher.health,
                                      meta={**meta, "h2o_url": self.endpoint.safe_url})

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"h2o_url": self.endpoint.safe_url,
                                "verdict": self.verdict.to_dict() if self.verdict else None}
        if self.files is not None:
            data["report"] = {"json": str(self.files.json), "png": str(self.files.png)}
        return data

    def render(self) -> None:
        if self.verdict is None:
            return
        show(table(f"H2O verdict: {self.verdict.outcome}", ["", ""], self.verdict.table_rows()))
        if self.files is not None:
            say(f"report: {self.files.json}")
            say(f"plot:   {self.files.png}")
