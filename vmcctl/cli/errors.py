"""Run the click group and turn every error into a message and an exit code.

A ``VmcctlError`` prints its one line and exits with its code. A pyVmomi fault or
a network error that reached here unmapped is mapped now
(``vmcctl.vsphere.faults.translate``); only anything else is an "internal error".
"""

from __future__ import annotations

import sys
import traceback

import click

from vmcctl.errors import VmcctlError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _debug_requested(argv: list[str]) -> bool:
    import os

    return "--debug" in argv or os.environ.get("VMCCTL_DEBUG", "") not in ("", "0")


def run_guarded(group: click.Group, argv: list[str] | None = None) -> int:
    """Invoke ``group``; return the exit code. Tracebacks only with ``--debug``.

    stdout and stderr are made safe from a reader that went away (``| head``, or
    ``| tee`` killed by the same Ctrl-C): output nobody reads is dropped and the
    command still ends with its own exit code (130 when interrupted) and says its
    resume hint on stderr (see ``vmcctl.cli.streams``).
    """
    from vmcctl import interrupts
    from vmcctl.cli.streams import reader_gone_safe

    interrupts.install()  # a Ctrl-C a library swallows is still seen by the waits
    with reader_gone_safe():
        return _run(group, list(sys.argv[1:] if argv is None else argv))


def _run(group: click.Group, args: list[str]) -> int:
    try:
        result = group.main(args=args, prog_name="vmcctl", standalone_mode=False)
    except VmcctlError as exc:
        if _debug_requested(args):
            traceback.print_exc()
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Exception as exc:  # a vSphere fault or network failure nobody mapped, or a bug
        if _debug_requested(args):
            traceback.print_exc()
        from vmcctl.vsphere.faults import translate  # lazily: pyVmomi keeps --help slow

        mapped = translate(exc)
        if mapped is not None:
            click.echo(f"error: {mapped}", err=True)
            return mapped.exit_code
        click.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                   "traceback, and please report it)", err=True)
        return EXIT_FAILED
    return result if isinstance(result, int) else EXIT_OK
