"""``vmcctl h2o``: look at the H2O cluster whose training vmcctl watches."""

from __future__ import annotations

from dataclasses import asdict

import click

from vmcctl.cli.render import emit_json, output_option, say, show, table


@click.group(short_help="Look at the H2O cluster vmcctl watches.")
def h2o() -> None:
    """The H2O-3 cluster a watched VM runs (jobs, progress, health).

    \b
    Examples:
      vmcctl h2o status --h2o-url http://10.0.0.5:54321
    """


@h2o.command(short_help="The H2O cluster's health and jobs.")
@click.option("--h2o-url", metavar="URL", envvar="VMCCTL_H2O_URL",
              help="The H2O REST URL, e.g. http://10.0.0.5:54321.  [env: VMCCTL_H2O_URL]")
@click.option("--h2o-user", metavar="USER", envvar="VMCCTL_H2O_USER",
              help="[env: VMCCTL_H2O_USER]")
@click.option("--h2o-password", metavar="PASSWORD", envvar="VMCCTL_H2O_PASSWORD",
              help="[env: VMCCTL_H2O_PASSWORD]")
@output_option
def status(h2o_url: str | None, h2o_user: str | None, h2o_password: str | None,
           output: str) -> None:
    """List the cluster's jobs with status and progress, and its health.

    \b
    Examples:
      vmcctl h2o status --h2o-url http://10.0.0.5:54321
      VMCCTL_H2O_URL=http://10.0.0.5:54321 vmcctl h2o status -o json
    """
    from vmcctl.h2o.client import H2OEndpoint, RestClient

    endpoint = H2OEndpoint.resolve(h2o_url, h2o_user, h2o_password, allow_auto=False)
    with RestClient(endpoint) as client:
        cloud = client.cloud()
        jobs = client.jobs()
    if output == "json":
        emit_json({"h2o_url": endpoint.safe_url, "cloud": asdict(cloud),
                   "jobs": [asdict(j) for j in jobs]})
        return
    health = "healthy" if cloud.healthy else f"UNHEALTHY ({cloud.bad_nodes} bad nodes)"
    say(f"H2O {cloud.version} at {endpoint.safe_url}: cloud {cloud.name!r}, "
        f"{cloud.size} node(s), {health}")
    show(table(None, ["JOB", "STATUS", "PROGRESS", "DESCRIPTION"],
               ([j.key, j.status, f"{j.progress * 100:.1f}%", j.description] for j in jobs),
               right=["PROGRESS"]))


@h2o.command("demo-job", short_help="Start a local H2O with a training job.")
@click.option("--port", default=54321, show_default=True, type=click.IntRange(1024, 65534),
              help="REST port of the local H2O (the next free pair if taken). 54321 is the "
                   "one `--watch-h2o auto` finds for the seed's ML-cpu-vm-04.")
@click.option("--seconds", default=600.0, show_default=True, type=click.FloatRange(min=5),
              help="About how long the training job runs.")
@click.option("--nthreads", default=2, show_default=True, type=click.IntRange(1, 64),
              help="CPU threads the local H2O may use.")
@output_option
def demo_job(port: int, seconds: float, nthreads: int, output: str) -> None:
    """Start a local H2O-3 with a demo training job, for watching a migration.

    Prints the H2O URL and the job id (JSON with -o json), then keeps H2O up
    until Ctrl-C (exit 130, H2O stopped). Needs Java and the h2o package.

    \b
    Examples:
      vmcctl h2o demo-job
      vmcctl h2o demo-job --port 54421 --seconds 120 -o json
    """
    import signal
    import time

    from vmcctl.errors import WatcherError
    from vmcctl.h2o.demo import start_local_h2o, start_training_job

    def _terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops H2O like Ctrl-C: no JVM left behind

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started ignoring it

    click.echo(f"starting a local H2O-3 near port {port} and calibrating the job "
               "(about 20 s)...", err=True)
    with start_local_h2o(port=port, nthreads=nthreads) as cluster:
        try:
            job = start_training_job(duration_s=seconds)
            info = {"h2o_url": cluster.url, "job": job.key, "ntrees": job.ntrees,
                    "expected_seconds": round(job.expected_s), "pid": cluster.pid}
            if output == "json":
                emit_json(info)
            else:
                click.echo(f"H2O at {cluster.url}; training job {job.key} "
                           f"({job.ntrees} trees, ~{job.expected_s:.0f} s)")
            watch = "auto" if cluster.port == 54321 else cluster.url
            click.echo(f"watch it: vmcctl migrate ML-cpu-vm-04 --fault-domain other "
                       f"--watch-h2o {watch} ...; Ctrl-C stops H2O", err=True)
            try:
                ran = job.wait()
                click.echo(f"training job {job.key} finished after {ran:.0f} s; H2O stays "
                           "up until Ctrl-C", err=True)
            except WatcherError as exc:
                click.echo(f"warning: {exc}; H2O stays up until Ctrl-C", err=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopping H2O...", err=True)
            raise
