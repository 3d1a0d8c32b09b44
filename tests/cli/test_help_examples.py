"""Help like govc's and kubectl's: every ``--help`` has examples and fits 80 columns, the
command lists are not cut, and every example parses (its command exists and click
accepts its options and arguments; nothing runs, a typo in an example fails here)."""

from __future__ import annotations

import shlex
import warnings

import click
import pytest
from click.testing import CliRunner
from output_cases import command_at, walk

from vmcctl.cli import cli


def examples(path: tuple[str, ...]) -> list[str]:
    """The example command lines of one help page (continuations joined, comments and
    pipes cut, an environment prefix dropped)."""
    text = CliRunner().invoke(cli, [*path, "--help"], terminal_width=80).output
    block = text.split("Examples:", 1)[1].split("\n\n", 1)[0]
    lines: list[str] = []
    for raw in block.splitlines():
        line = raw.strip()
        if lines and lines[-1].endswith("\\"):
            lines[-1] = lines[-1][:-1] + " " + line
        elif line:
            lines.append(line)
    out = []
    for line in lines:
        words = shlex.split(line, comments=True)
        while words and "=" in words[0] and words[0] != "vmcctl":  # VAR=value vmcctl ...
            words.pop(0)
        if not words or words[0] != "vmcctl":
            continue  # eval "$(_VMCCTL_COMPLETE=... vmcctl)" and the like
        cut = next((i for i, w in enumerate(words) if w in ("|", ">", "&&")), len(words))
        out.append(shlex.join(words[1:cut]))
    return out


def parse(args: list[str]) -> click.Command:
    """Resolve and parse ``vmcctl ARGS`` as click would, without invoking anything."""
    command: click.Command = cli
    ctx = cli.make_context("vmcctl", list(args))
    while isinstance(command, click.Group):
        with warnings.catch_warnings():  # click 8.2 deprecates protected_args, 9 drops it
            warnings.simplefilter("ignore", DeprecationWarning)
            rest = [*getattr(ctx, "protected_args", []), *ctx.args]
        assert rest, f"{args}: a group needs a command"
        name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None and name is not None
        ctx = sub.make_context(name, rest, parent=ctx)
        command = sub
    return command


@pytest.mark.parametrize("path", [(), *walk()], ids=lambda p: " ".join(p) or "vmcctl")
def test_every_example_parses(path: tuple[str, ...]) -> None:
    found = examples(path)
    assert found, "no runnable example"
    for example in found:
        try:
            parse(shlex.split(example))
        except click.ClickException as exc:
            pytest.fail(f"`vmcctl {example}`: {exc.format_message()}")


@pytest.mark.parametrize("path", [(), *walk()], ids=lambda p: " ".join(p) or "vmcctl")
def test_every_help_has_examples_and_fits_80_columns(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], env={"COLUMNS": "80"},
                                terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "\nExamples:\n" in result.output or "\n  Examples:\n" in result.output
    examples = result.output.split("Examples:", 1)[1].split("\n\n", 1)[0]
    assert "vmcctl" in examples
    too_long = [line for line in result.output.splitlines() if len(line) > 80]
    assert not too_long, too_long
    if "Commands:" in result.output:
        commands = result.output.split("Commands:", 1)[1]
        assert "..." not in commands, commands  # click cuts a long short-help with "..."
    assert command_at(path).short_help or not path
