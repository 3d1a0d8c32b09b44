"""Connection options shared by every command that talks to vCenter.

The URL comes from ``--url``, a playbook's ``connection.url``, ``VMCCTL_URL`` or
``GOVC_URL``, and its credentials from the command line or the same source
only; the resolution lives in ``vmcctl.vsphere.settings`` so scripts get the
same rules. A vSphere fault that leaves a command unhandled becomes vmcctl's
named error here (``vmcctl.vsphere.faults``), with the session's user name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from vmcctl.cli.state import AppState
from vmcctl.vsphere.settings import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT

if TYPE_CHECKING:
    from vmcctl.model import Inventory
    from vmcctl.vsphere.connection import Client

F = TypeVar("F", bound=Callable[..., Any])

CONNECTION_NOTE = ("Connection: --context, --url, --username, --password, --insecure, "
                   "--ca-file, --connect-timeout (see `vmcctl options`).")

_FLAGS: list[tuple[str, dict[str, Any]]] = [
    ("--context", {"metavar": "NAME",
                   "help": "Use the named context of the config file (see "
                           "`vmcctl config`); default: its current context.  "
                           "[env: VMCCTL_CONTEXT]"}),
    ("--url", {"metavar": "URL",
               "help": "vCenter SDK URL, e.g. https://vcenter.example/sdk.  "
                       "[env: VMCCTL_URL, GOVC_URL]"}),
    ("--username", {"metavar": "USER", "help": "[env: VMCCTL_USERNAME, GOVC_USERNAME]"}),
    ("--password", {"metavar": "PASSWORD",
                    "help": "Prefer the environment or a context: flags show in `ps`.  "
                            "[env: VMCCTL_PASSWORD, GOVC_PASSWORD]"}),
    ("--insecure", {"is_flag": True, "default": None,
                    "help": "Do not verify the TLS certificate.  "
                            "[env: VMCCTL_INSECURE, GOVC_INSECURE]"}),
    ("--ca-file", {"metavar": "PEM", "type": click.Path(dir_okay=False, path_type=Path),
                   "help": "Trust this CA / certificate.  "
                           "[env: VMCCTL_CA_FILE, GOVC_TLS_CA_CERTS]"}),
    ("--connect-timeout", {"type": click.FloatRange(min=0.1), "default": None,
                           "metavar": "S",
                           "help": "Seconds to wait for vCenter to accept the connection "
                                   f"(default {DEFAULT_CONNECT_TIMEOUT:g}) and to answer each "
                                   f"call (default {DEFAULT_READ_TIMEOUT:g}); this sets both."}),
]


class ConnectionOption(click.Option):
    """A connection flag: accepted by every command that talks to vCenter, documented once
    (``vmcctl options``); a command's own help shows only ``CONNECTION_NOTE``."""


def _store(ctx: click.Context, param: click.Parameter, value: object) -> object:
    if value is not None and param.name is not None:
        ctx.ensure_object(AppState).connection[param.name] = value
    return value


def connection_options(func: F) -> F:
    """Add the connection flags to a command; values land in ``AppState.connection``."""
    for flag, kwargs in reversed(_FLAGS):
        func = click.option(flag, cls=ConnectionOption, expose_value=False, hidden=True,
                            callback=_store, **kwargs)(func)
    return func


def connection_help() -> list[tuple[str, str]]:
    """(flag and metavar, help) of every connection option, for ``vmcctl options``."""
    rows: list[tuple[str, str]] = []
    for flag, kwargs in _FLAGS:
        metavar = "" if kwargs.get("is_flag") else f" {kwargs.get('metavar', '')}"
        rows.append((flag + metavar, kwargs.get("help", "")))
    return rows


def note_connection_options(command: click.Command) -> None:
    """Append ``CONNECTION_NOTE`` to the help of every command (sub-commands included)
    that takes the connection options."""
    if any(isinstance(p, ConnectionOption) for p in command.params):
        epilog = command.epilog or ""
        if CONNECTION_NOTE not in epilog:
            command.epilog = f"{epilog}\n\n{CONNECTION_NOTE}" if epilog else CONNECTION_NOTE
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            note_connection_options(sub)


@contextmanager
def open_session(ctx: click.Context) -> Iterator[Client]:
    """A logged-in vCenter session for this command; logs out at the end."""
    from pyVmomi import vmodl

    from vmcctl.cli import conversation
    from vmcctl.cli.spinner import spinner
    from vmcctl.vsphere.connection import Client
    from vmcctl.vsphere.faults import map_fault
    from vmcctl.vsphere.settings import resolve_settings

    state = ctx.ensure_object(AppState)
    flags = dict(state.connection)
    timeout = flags.get("connect_timeout")
    timeouts = {"connect_timeout": timeout, "read_timeout": timeout} if timeout else {}
    ca_file = flags.get("ca_file")
    if conversation.replaying():  # --replay: nothing is sent, any settings do
        settings = resolve_settings(url=conversation.REPLAY_URL, insecure=True, env={},
                                    username=conversation.REPLAY_USERNAME,
                                    password=conversation.REPLAY_PASSWORD)
        state.insecure_warned = True
    else:
        settings = resolve_settings(
            url=flags.get("url"), username=flags.get("username"),
            password=flags.get("password"), insecure=flags.get("insecure"),
            ca_file=str(ca_file) if ca_file else None, env=os.environ,
            file=state.connection_file, context=flags.get("context"), **timeouts)
        conversation.note_credentials(settings.username, settings.password)
    if settings.insecure and not state.insecure_warned:
        click.echo("warning: TLS certificate verification is off (--insecure)", err=True)
        state.insecure_warned = True
    client = Client(settings)
    with spinner(f"connecting to {settings.url} as {settings.username}"):
        client.open()
    with client:
        try:
            yield client
        except vmodl.MethodFault as fault:
            raise map_fault(fault, user=settings.username) from fault


def snapshot(client: Client) -> Inventory:
    """One bulk read of the inventory (imported lazily: keeps ``--help`` fast); its names
    are kept for shell completion (``vmcctl.cli.complete``)."""
    from vmcctl.cli.complete import remember_names
    from vmcctl.vsphere.snapshot import take_snapshot

    inv = take_snapshot(client)
    remember_names(inv)
    return inv
