"""``python -m vmcctl.testing.mutation``: the kill rate and the missed mutants of a mutmut run."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from vmcctl.testing.mutation import main, parse_results, summarise

RESULTS = """\
    vmcctl.executor.decide.x_verify__mutmut_1: killed
    vmcctl.executor.decide.x_verify__mutmut_2: survived
    vmcctl.executor.runner.xǁMoveRunnerǁ_wave__mutmut_3: timeout
    vmcctl.executor.runner.xǁMoveRunnerǁ_wave__mutmut_4: killed
    vmcctl.placement.plan.xǁEvacuationPlanǁload_rows__mutmut_5: no tests
    vmcctl.placement.plan.xǁEvacuationPlanǁload_rows__mutmut_6: skipped
some other line mutmut printed
"""


def test_timeouts_count_as_caught_and_unreached_mutants_as_missed() -> None:
    mutants = parse_results(RESULTS.splitlines())
    assert len(mutants) == 6
    assert mutants[2].module == "vmcctl.executor.runner"
    assert mutants[2].function == "xǁMoveRunnerǁ_wave"
    summary = summarise(mutants)
    assert (summary.caught, summary.judged) == (3, 5)  # skipped counts for neither
    assert summary.kill_rate == pytest.approx(60.0)
    assert [m.name.rsplit("_", 1)[-1] for m in summary.missed] == ["2", "5"]


def _fake_mutmut(tmp_path: Path, text: str) -> str:
    script = tmp_path / "mutmut"
    script.write_text("#!/bin/sh\ncat <<'EOF'\n" + text + "EOF\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_main_prints_rate_and_groups_missed_by_module(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--mutmut", _fake_mutmut(tmp_path, RESULTS)]) == 0
    out = capsys.readouterr().out
    assert "kill rate: 60.0 % (3 of 5 caught)" in out
    assert "  vmcctl.executor.decide: 1\n" in out
    assert "vmcctl.placement.plan.xǁEvacuationPlanǁload_rows__mutmut_5  [no tests]" in out
    assert "mutmut_1 " not in out  # killed ones are not listed


def test_min_fails_below_the_goal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = _fake_mutmut(tmp_path, RESULTS)
    assert main(["--mutmut", fake, "--min", "60"]) == 0
    assert main(["--mutmut", fake, "--min", "90"]) == 1
    assert "below 90 %" in capsys.readouterr().err


def test_no_mutmut_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--mutmut", str(tmp_path / "missing")]) == 2
    assert "cannot read mutmut's results" in capsys.readouterr().err


def test_rates_per_package_then_per_module(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--mutmut", _fake_mutmut(tmp_path, RESULTS)]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("by package and module:")
    assert out[start + 1:start + 6] == [
        "  vmcctl.executor: 75.0 % (3 of 4)",
        "    vmcctl.executor.decide: 50.0 % (1 of 2)",
        "    vmcctl.executor.runner: 100.0 % (2 of 2)",
        "  vmcctl.placement: 0.0 % (0 of 1)",
        "    vmcctl.placement.plan: 0.0 % (0 of 1)"]
    assert out[start - 1].startswith("kill rate: 60.0 %")
