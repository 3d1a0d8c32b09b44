"""Start-up time of the vmcctl command line against a bare ``import click``.

    python -m benchmarks.startup [--runs 15]

Runs each command ``--runs`` times in a fresh interpreter (this one's
``sys.executable``, so the same site-packages), alternating the commands so
machine load hits them alike, and prints the median wall time of each and
its ratio to ``python -c "import click"``. Goal: ``vmcctl --version`` <= 3x.
Exit status 1 if the goal is missed. Not a timed test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

GOAL_RATIO = 3.0
BASELINE = "python -c 'import click'"
COMMANDS: dict[str, list[str]] = {
    BASELINE: [sys.executable, "-c", "import click"],
    "vmcctl --version": [sys.executable, "-m", "vmcctl", "--version"],
    "vmcctl --help": [sys.executable, "-m", "vmcctl", "--help"],
    "vmcctl inventory hosts --help": [sys.executable, "-m", "vmcctl", "inventory", "hosts",
                                      "--help"],
}


def _once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def measure(runs: int) -> dict[str, float]:
    """Median seconds per command over ``runs`` alternating rounds (after one warm-up)."""
    for argv in COMMANDS.values():
        _once(argv)
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, argv in COMMANDS.items():
            samples[name].append(_once(argv))
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    medians = measure(args.runs)
    base = medians[BASELINE]
    print(f"median of {args.runs} runs each (python {sys.version.split()[0]})")
    print(f"{'command':34} {'median':>9} {'ratio':>7}")
    for name, seconds in medians.items():
        print(f"{name:34} {seconds * 1000:7.0f} ms {seconds / base:6.2f}x")
    ratio = medians["vmcctl --version"] / base
    ok = ratio <= GOAL_RATIO
    print(f"vmcctl --version: {ratio:.2f}x import click (goal <= {GOAL_RATIO:g}x): "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
