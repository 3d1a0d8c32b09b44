"""The ``vmcctl`` command line: thin click commands over the library.

One module per command group, imported only when that command runs or shows
its help (``vmcctl.cli.lazy``): ``vmcctl --version`` and ``--help`` load click
and nothing heavy. ``main`` is the only place where errors become messages
and exit codes: 0 done, 1 operation failed, 2 usage or input error, 130
interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vmcctl import __version__
from vmcctl.cli.conversation import RecordingGroup
from vmcctl.cli.errors import run_guarded
from vmcctl.cli.lazy import LazyCommand, LazyGroup
from vmcctl.cli.state import AppState

# name -> where the command lives and the line `vmcctl --help` shows for it: the command's
# own short help (at most 64 characters; a test compares them), so the list fits 80 columns.
COMMANDS: dict[str, LazyCommand] = {
    "inventory": LazyCommand("vmcctl.cli.inventory:inventory",
                             "List hosts and VMs as vCenter sees them."),
    "migrate": LazyCommand("vmcctl.cli.migrate:migrate",
                           "Move a VM to another host (compute only)."),
    "advise": LazyCommand("vmcctl.cli.advise:advise",
                          "Rank the hosts that could take a VM, and why."),
    "host": LazyCommand("vmcctl.cli.host:host",
                        "Evacuate, maintenance mode, bring VMs home."),
    "cluster": LazyCommand("vmcctl.cli.cluster:cluster",
                           "Rolling maintenance windows over a cluster."),
    "play": LazyCommand("vmcctl.cli.play:play",
                        "Run a YAML playbook, step by step."),
    "task": LazyCommand("vmcctl.cli.task:task",
                        "Show, follow or cancel a vCenter task."),
    "h2o": LazyCommand("vmcctl.cli.h2o:h2o",
                       "Look at the H2O cluster vmcctl watches."),
    "sim": LazyCommand("vmcctl.cli.sim:sim",
                       "Run a local vCenter simulator."),
    "config": LazyCommand("vmcctl.cli.config:config",
                          "Named contexts: which vCenter, as whom."),
    "options": LazyCommand("vmcctl.cli.options:options",
                           "Every connection option, in full."),
}


_HELP_ONLY = "vmcctl.help_only"


def _on_load(command: click.Command) -> None:
    from vmcctl.cli.connect import note_connection_options

    note_connection_options(command)


class VmcctlGroup(LazyGroup, RecordingGroup):
    """Lazily loaded subcommands; ``--record``/``--replay`` wrap the whole subcommand."""

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        # `vmcctl CMD ... --help` only prints help: the callback skips setting up logs
        # (structlog is the slowest import of all).
        options = rest[:rest.index("--")] if "--" in rest else rest
        ctx.meta[_HELP_ONLY] = any(a in ctx.help_option_names for a in options)
        return name, command, rest


@click.group(cls=VmcctlGroup, lazy_commands=COMMANDS, on_load=_on_load,
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
@click.option("--context", "context_name", metavar="NAME",
              help="Connect as this context of the config file (`vmcctl config`); also "
                   "after the command name.  [env: VMCCTL_CONTEXT]")
@click.version_option(__version__, prog_name="vmcctl")
@click.pass_context
def cli(ctx: click.Context, log_format: str, verbose: int, debug: bool,
        record: Path | None, replay: Path | None, context_name: str | None) -> None:
    """Move live VMs around a vSphere / VMware Cloud on AWS cluster, safely.

    Which vCenter: --context NAME (contexts: `vmcctl config`), --url, or
    VMCCTL_URL / govc's GOVC_URL with their user and password; `vmcctl
    options` lists every connection option. vCenter gets 10 s to accept the
    connection and 120 s to answer each call (--connect-timeout S sets both).

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
    if context_name is not None:  # a subcommand's own --context, stored later, wins
        state.connection["context"] = context_name
    if not ctx.meta.get(_HELP_ONLY):
        from vmcctl import log  # structlog: only for a command that runs

        log.configure("json" if log_format == "json" else "console", 2 if debug else verbose)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    sys.exit(run_guarded(cli, argv))
