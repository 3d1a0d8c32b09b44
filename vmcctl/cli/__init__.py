"""The ``vmcctl`` command line: thin click commands over the library.

One module per command group. ``main`` is the only place where errors become
messages and exit codes: 0 done, 1 operation failed, 2 usage or input error,
130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vmcctl import __version__, log
from vmcctl.cli.advise import advise
from vmcctl.cli.cluster import cluster
from vmcctl.cli.conversation import RecordingGroup
from vmcctl.cli.errors import run_guarded
from vmcctl.cli.h2o import h2o
from vmcctl.cli.host import host
from vmcctl.cli.inventory import inventory
from vmcctl.cli.migrate import migrate
from vmcctl.cli.play import play
from vmcctl.cli.sim import sim
from vmcctl.cli.state import AppState
from vmcctl.cli.task import task


@click.group(cls=RecordingGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--log-format", type=click.Choice(["console", "json"]), default="console",
              envvar="VMCCTL_LOG_FORMAT", show_default=True,
              help="How logs on stderr look.  [env: VMCCTL_LOG_FORMAT]")
@click.option("-v", "--verbose", count=True, help="More logs (-v info, -vv debug).")
@click.option("--debug", is_flag=True, envvar="VMCCTL_DEBUG",
              help="Show Python tracebacks for errors (and debug logs).")
@click.option("--record", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Record the command's whole vCenter conversation to FILE, passwords, "
                   "user name and session cookies scrubbed (for bug reports; see "
                   "docs/cassettes.md).")
@click.option("--replay", metavar="FILE", hidden=True, envvar="VMCCTL_REPLAY",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Answer every vCenter call from a recorded FILE instead of vCenter.")
@click.version_option(__version__, prog_name="vmcctl")
@click.pass_context
def cli(ctx: click.Context, log_format: str, verbose: int, debug: bool,
        record: Path | None, replay: Path | None) -> None:
    """Move live VMs around a vSphere / VMware Cloud on AWS cluster, safely.

    Connection options can also come from VMCCTL_URL, VMCCTL_USERNAME,
    VMCCTL_PASSWORD, VMCCTL_INSECURE, VMCCTL_CA_FILE, or govc's GOVC_URL,
    GOVC_USERNAME, GOVC_PASSWORD, GOVC_INSECURE, GOVC_TLS_CA_CERTS.

    \b
    Examples:
      vmcctl inventory hosts
      vmcctl advise ML-cpu-vm-04
      vmcctl migrate ML-cpu-vm-04 --auto --dry-run
      vmcctl host maintenance enter 10.94.24.70 --evacuate
      eval "$(_VMCCTL_COMPLETE=bash_source vmcctl)"   # shell completion
    """
    state = ctx.ensure_object(AppState)
    state.debug = debug
    state.record, state.replay = record, replay
    log.configure("json" if log_format == "json" else "console", 2 if debug else verbose)


for command in (inventory, migrate, advise, host, cluster, play, task, h2o, sim):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    sys.exit(run_guarded(cli, argv))
