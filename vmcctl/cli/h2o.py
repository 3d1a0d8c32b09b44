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
