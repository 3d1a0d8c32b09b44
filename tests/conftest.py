"""Suite-wide pytest configuration and the in-process CLI runner."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from vmcctl.cli import cli
from vmcctl.cli.errors import run_guarded

ENV_PREFIXES = ("VMCCTL_", "GOVC_")

# pytest-timeout's bound for tests marked h2o (the default, in pyproject.toml, is 60 s):
# the first one also starts the session's H2O-3 (~8 s quiet, much more on a loaded
# machine) and the migration stories train for ~13 s.
H2O_TIMEOUT_S = 180
SIM_FIXTURES = frozenset({"vcsim", "vcsim_factory", "stock_vcsim", "stock_vcsim_factory"})
NO_SIM_ENV = "VMCCTL_TESTS_NO_SIM"  # set: simulator tests are deselected


def pytest_configure(config: pytest.Config) -> None:
    # A shell starts background jobs (`make test &`, nohup, some CI runners) with SIGINT
    # ignored, and an ignored signal stays ignored in every child: the vmcctl processes
    # the Ctrl-C tests interrupt would then never see it and exit 0. Give the suite, and
    # so its children, the default that an operator's terminal gives vmcctl.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A run that collects no test is a broken run (a bad -m/-k, a moved
    # directory), never a pass: turn pytest's "no tests" (5) into a failure.
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    explicit_timeout = config.getoption("timeout", None) is not None
    for item in items:
        # A test that starts a simulator is a sim test, marked or not (-m "not sim" works).
        if SIM_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.sim)
        # A longer bound for H2O tests, unless the test names its own or --timeout was given.
        if (item.get_closest_marker("h2o") and not item.get_closest_marker("timeout")
                and not explicit_timeout):
            item.add_marker(pytest.mark.timeout(H2O_TIMEOUT_S))
    if os.environ.get(NO_SIM_ENV):
        # `make mutate` without MUTATE_SIM=1: leave out every simulator test (docs/testing.md)
        dropped = [i for i in items if i.get_closest_marker("sim")]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [i for i in items if not i.get_closest_marker("sim")]


@pytest.fixture(autouse=True)
def _no_user_contexts(monkeypatch: pytest.MonkeyPatch,
                      tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's own vmcctl contexts (``~/.config/vmcctl``): a
    current context there would answer where a test expects "no vCenter URL"."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "no-config"))
    for name in ("VMCCTL_CONFIG", "VMCCTL_CONTEXT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _private_names_cache(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Inventory reads leave names for shell completion in the XDG cache: in tests, not
    in the user's own (vmcctl/cli/complete.py)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``run_cli(*args, env={...})``: exit code, stdout and stderr of one vmcctl run.

    Every ``VMCCTL_*``/``GOVC_*`` variable of the test's own environment is
    removed first, so only ``env`` points the CLI somewhere.
    """

    def run(*args: str, env: dict[str, str] | None = None) -> CliResult:
        for name in list(os.environ):
            if name.startswith(ENV_PREFIXES):
                monkeypatch.delenv(name, raising=False)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = run_guarded(cli, list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
