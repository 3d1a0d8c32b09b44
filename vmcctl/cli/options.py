"""``vmcctl options``: the connection options, documented once for every command."""

from __future__ import annotations

import click

from vmcctl.cli.connect import connection_help

_INTRO = """\
Every command that talks to vCenter accepts these options (after the command
name, e.g. `vmcctl inventory hosts --context lab`). Its own --help only names them.

Which vCenter: the first of --url, --context, a playbook's connection.url,
VMCCTL_CONTEXT, VMCCTL_URL, GOVC_URL and the config file's current context.
Its user name and password come from the command line or from that same
source only (docs/cli.md, "Which credentials go with which URL").
"""


@click.command(short_help="Every connection option, in full.")
def options() -> None:
    """The connection options every command accepts, in full.

    \b
    Examples:
      vmcctl options
      vmcctl inventory hosts --url vc.example.com --ca-file ca.pem
    """
    formatter = click.HelpFormatter(max_width=100)
    formatter.write(_INTRO)
    with formatter.section("Connection options"):
        formatter.write_dl(connection_help())
    click.echo(formatter.getvalue(), nl=False)
