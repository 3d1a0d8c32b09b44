"""Summarise a mutmut run: the kill rate and the surviving mutants, grouped by module.

    python -m vmcctl.testing.mutation            # after `mutmut run` (what `make mutate` does)
    python -m vmcctl.testing.mutation --min 90   # exit 1 if the kill rate is below 90 %

Reads ``mutmut results --all true`` (one ``name: status`` line per mutant,
run in the project folder). A mutant is *caught* when a test failed on it
(``killed``) or it made the tests hang past mutmut's bound (``timeout``: a
hang is a failure). ``survived`` mutants and those no selected test reaches
(``no tests``) are *missed*; the kill rate is caught / (caught + missed).
``skipped`` mutants (not run) count for neither. The denominator is every
mutant judged, reached by a test or not: a function no fast test reaches
counts against the rate. The rate is printed overall, per package
(``vmcctl.executor``, ``vmcctl.placement``, ``vmcctl.vsphere``) and per module.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CAUGHT = frozenset({"killed", "timeout"})
MISSED = frozenset({"survived", "no tests"})


@dataclass(frozen=True)
class Mutant:
    name: str  # e.g. vmcctl.executor.decide.x_verify__mutmut_7
    status: str

    @property
    def module(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def function(self) -> str:
        """The mutated function as mutmut names it (``x_verify``, ``xǁClassǁmethod``)."""
        return self.name.rsplit(".", 1)[-1].split("__mutmut_")[0]


def parse_results(lines: Iterable[str]) -> list[Mutant]:
    """``    name: status`` lines of ``mutmut results --all true``; other lines are ignored."""
    out = []
    for line in lines:
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            out.append(Mutant(name, status.strip()))
    return out


@dataclass(frozen=True)
class Summary:
    counts: Counter[str]
    missed: tuple[Mutant, ...]

    @property
    def caught(self) -> int:
        return sum(self.counts[s] for s in CAUGHT)

    @property
    def judged(self) -> int:
        return self.caught + sum(self.counts[s] for s in MISSED)

    @property
    def kill_rate(self) -> float | None:
        return None if not self.judged else 100.0 * self.caught / self.judged


def summarise(mutants: Sequence[Mutant]) -> Summary:
    counts = Counter(m.status for m in mutants)
    return Summary(counts, tuple(m for m in mutants if m.status in MISSED))


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def rate_lines(mutants: Sequence[Mutant]) -> list[str]:
    """``  NAME  RATE % (CAUGHT of JUDGED)`` per package, each followed by its modules."""
    by: dict[str, list[Mutant]] = defaultdict(list)
    for m in mutants:
        by[_package(m.module)].append(m)
        by[m.module].append(m)
    lines = []
    for name in sorted(by, key=lambda n: (_package(n), n != _package(n), n)):
        rate = summarise(by[name])
        if rate.kill_rate is None:
            continue
        indent = "  " if name == _package(name) else "    "
        lines.append(f"{indent}{name}: {rate.kill_rate:.1f} % ({rate.caught} of {rate.judged})")
    return lines


def render(summary: Summary) -> list[str]:
    rate = summary.kill_rate
    lines = [f"mutants: {sum(summary.counts.values())} ("
             + ", ".join(f"{n} {s}" for s, n in sorted(summary.counts.items())) + ")",
             "kill rate: " + ("n/a (no mutant was judged)" if rate is None else
                              f"{rate:.1f} % ({summary.caught} of {summary.judged} caught)")]
    by_module: dict[str, list[Mutant]] = defaultdict(list)
    for m in summary.missed:
        by_module[m.module].append(m)
    if by_module:
        lines.append("missed (`mutmut show NAME` prints the change):")
    for module in sorted(by_module):
        lines.append(f"  {module}: {len(by_module[module])}")
        for m in sorted(by_module[module], key=lambda x: x.name):
            lines.append(f"    {m.name}  [{m.status}]")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vmcctl.testing.mutation",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=None, metavar="PERCENT",
                        help="exit 1 when the kill rate is below PERCENT")
    parser.add_argument("--mutmut", default="mutmut", help="the mutmut command")
    args = parser.parse_args(argv)
    try:
        proc = subprocess.run([args.mutmut, "results", "--all", "true"], check=True,
                              capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.stderr.write(f"error: cannot read mutmut's results: {exc}\n")
        return 2
    mutants = parse_results(proc.stdout.splitlines())
    summary = summarise(mutants)
    lines = render(summary)
    lines[2:2] = ["by package and module:", *rate_lines(mutants)]
    sys.stdout.write("\n".join(lines) + "\n")
    rate = summary.kill_rate
    if args.min is not None and (rate is None or rate < args.min):
        sys.stderr.write(f"error: kill rate below {args.min:g} %\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
