"""A vSphere fault that reaches the CLI is a named one-line error, never "internal error"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import pytest
from pyVmomi import vim, vmodl

from vmcctl.cli.connect import connection_options, open_session
from vmcctl.cli.errors import run_guarded
from vmcctl.cli.state import AppState


def _group(action: Callable[[Any], object]) -> click.Group:
    """A one-command CLI that opens the real session and runs ``action(client)``."""

    @click.group()
    def group() -> None:
        click.get_current_context().ensure_object(AppState)

    @group.command()
    @connection_options
    def probe() -> None:
        with open_session(click.get_current_context()) as client:
            action(client)

    return group


def _read_missing_vm(client: Any) -> object:
    vm = vim.VirtualMachine("vm-99999", client.si._stub)
    return client.read(lambda _content: vm.name)


@pytest.mark.sim
def test_a_vanished_object_read_through_the_session_is_object_gone(
        vcsim: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulator's own ManagedObjectNotFound, through open_session and run_guarded."""
    for name, value in vcsim.env().items():
        monkeypatch.setenv(name, value)
    code = run_guarded(_group(_read_missing_vm), ["probe"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines() == [
        "error: the object VirtualMachine vm-99999 no longer exists (deleted or moved by someone "
        "else?) (look again with `vmcctl inventory vms` / `inventory hosts`, then re-run)"]


@pytest.mark.parametrize(("raised", "code", "line"), [
    (vim.fault.NoPermission(privilegeId="Host.Config.Maintenance",
                            object=vim.HostSystem("host-12"), msg="denied"), 2,
     "error: the vCenter account in use lacks the privilege Host.Config.Maintenance on "
     "HostSystem host-12"),
    (vmodl.fault.ManagedObjectNotFound(obj=vim.VirtualMachine("vm-7"), msg="gone"), 1,
     "error: the object VirtualMachine vm-7 no longer exists"),
    (vmodl.fault.HostNotConnected(msg="Unable to communicate"), 1,
     "error: the host is not connected to vCenter"),
    (ConnectionResetError(104, "Connection reset by peer"), 1,
     "error: a network connection failed: Connection reset by peer"),
])
def test_run_guarded_maps_what_nobody_mapped(raised: BaseException, code: int, line: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The last net: a fault or network error raised outside any session."""

    def boom() -> None:
        raise raised

    @click.command()
    def probe() -> None:
        boom()

    group = click.Group(commands={"probe": probe})
    assert run_guarded(group, ["probe"]) == code
    err = capsys.readouterr().err
    assert err.startswith(line)
    assert "internal error" not in err and "Traceback" not in err


def test_a_real_bug_is_still_an_internal_error(capsys: pytest.CaptureFixture[str]) -> None:
    @click.command()
    def probe() -> None:
        raise KeyError("oops")

    assert run_guarded(click.Group(commands={"probe": probe}), ["probe"]) == 1
    assert "internal error: KeyError" in capsys.readouterr().err
