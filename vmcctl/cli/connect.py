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

if TYPE_CHECKING:
    from vmcctl.model import Inventory
    from vmcctl.vsphere.connection import Client

F = TypeVar("F", bound=Callable[..., Any])

_FLAGS: list[tuple[str, dict[str, Any]]] = [
    ("--url", {"metavar": "URL",
               "help": "vCenter SDK URL, e.g. https://vcenter.example/sdk.  "
                       "[env: VMCCTL_URL, GOVC_URL]"}),
    ("--username", {"metavar": "USER", "help": "[env: VMCCTL_USERNAME, GOVC_USERNAME]"}),
    ("--password", {"metavar": "PASSWORD",
                    "help": "Prefer the environment: flags show in `ps`.  "
                            "[env: VMCCTL_PASSWORD, GOVC_PASSWORD]"}),
    ("--insecure", {"is_flag": True, "default": None,
                    "help": "Do not verify the TLS certificate.  "
                            "[env: VMCCTL_INSECURE, GOVC_INSECURE]"}),
    ("--ca-file", {"metavar": "PEM", "type": click.Path(dir_okay=False, path_type=Path),
                   "help": "Trust this CA / certificate.  "
                           "[env: VMCCTL_CA_FILE, GOVC_TLS_CA_CERTS]"}),
    ("--connect-timeout", {"type": click.FloatRange(min=0.1), "default": None,
                           "metavar": "S", "help": "Seconds to wait for vCenter to answer a "
                                                   "connect or a call."}),
]


def _store(ctx: click.Context, param: click.Parameter, value: object) -> object:
    if value is not None and param.name is not None:
        ctx.ensure_object(AppState).connection[param.name] = value
    return value


def connection_options(func: F) -> F:
    """Add the connection flags to a command; values land in ``AppState.connection``."""
    for flag, kwargs in reversed(_FLAGS):
        func = click.option(flag, expose_value=False, callback=_store, **kwargs)(func)
    return func


@contextmanager
def open_session(ctx: click.Context) -> Iterator[Client]:
    """A logged-in vCenter session for this command; logs out at the end."""
    from pyVmomi import vmodl

    from vmcctl.cli import conversation
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
            file=state.connection_file, **timeouts)
        conversation.note_credentials(settings.username, settings.password)
    if settings.insecure and not state.insecure_warned:
        click.echo("warning: TLS certificate verification is off (--insecure)", err=True)
        state.insecure_warned = True
    with Client(settings) as client:
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
