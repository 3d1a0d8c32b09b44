"""The committed CLI cassettes: which command each holds and what it printed live.

Each case is one ``vmcctl`` command. ``cassettes/<name>.yaml`` is its whole
vCenter conversation, recorded with ``vmcctl --record`` from a fresh
simulator on the seed inventory; ``cassettes/<name>.expected.json`` is what
the command printed then: exit code, stdout and the ``error:`` lines of
stderr. Only values that must differ between two runs are masked (see
``MASKS``); everything else is compared byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CASSETTES = REPO / "cassettes"
ML = "ML-cpu-vm-04"

# What legitimately differs between the live run and a replay, and nothing else:
# a move's wall-clock duration (a replay answers at once).
MASKS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("a move's duration in text: 'in 0.6 s'",
     re.compile(r"(?<= in )\d+(\.\d+)? s\b"), "<seconds> s"),
    ("a move's duration in JSON: '\"seconds\": 0.6'",
     re.compile(r'("seconds": )\d+(\.\d+)?'), r'\1"<seconds>"'),
)


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    time_scale: float = 1.0  # simulated seconds per real second, while recording
    faults: tuple[dict[str, Any], ...] = ()  # injected into the simulator before the run

    @property
    def cassette(self) -> Path:
        return CASSETTES / f"{self.name}.yaml"

    @property
    def expected(self) -> Path:
        return CASSETTES / f"{self.name}.expected.json"


CASES: tuple[Case, ...] = (
    Case("inventory_hosts", ("inventory", "hosts")),
    Case("inventory_vms", ("inventory", "vms")),
    Case("advise_other_fault_domain", ("advise", ML, "--fault-domain", "other")),
    Case("migrate_high_priority", ("migrate", ML, "--fault-domain", "other",
                                   "--priority", "high"), time_scale=50),
    Case("migrate_injected_fault", ("migrate", ML, "--fault-domain", "other",
                                    "--priority", "high"), time_scale=50,
         faults=({"vm": ML, "method": "RelocateVM_Task", "fault": "MigrationFault",
                  "message": "vMotion network lost", "at_progress": 40, "times": 1},)),
    Case("host_evacuate_dry_run", ("host", "evacuate", "10.94.24.71", "--dry-run")),
)


def mask(text: str) -> str:
    for _, pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class Outcome:
    """What a run printed, masked: the part a replay must reproduce."""

    exit_code: int
    stdout: str
    errors: tuple[str, ...]  # the "error: ..." lines of stderr

    @classmethod
    def of(cls, code: int, out: str, err: str) -> Outcome:
        errors = tuple(mask(line) for line in err.splitlines() if line.startswith("error:"))
        return cls(code, mask(out), errors)

    def to_json(self, case: Case) -> dict[str, Any]:
        return {"command": ["vmcctl", *case.args], "recorded_from": {
                    "simulator": "vmcctl-vcsim", "inventory": "seed",
                    "time_scale": case.time_scale, "faults": list(case.faults)},
                "masked": [description for description, _, _ in MASKS],
                "exit_code": self.exit_code, "stdout": self.stdout,
                "stderr_errors": list(self.errors)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        return cls(int(data["exit_code"]), str(data["stdout"]),
                   tuple(str(e) for e in data["stderr_errors"]))


def write_expected(case: Case, outcome: Outcome) -> None:
    case.expected.write_text(json.dumps(outcome.to_json(case), indent=2) + "\n",
                             encoding="utf-8")


def read_expected(case: Case) -> tuple[Outcome, dict[str, Any]]:
    data = json.loads(case.expected.read_text(encoding="utf-8"))
    return Outcome.from_json(data), data


# run_cli(*args, env={...}) -> Outcome: the fixture in this directory's conftest.
RunCli = Callable[..., Outcome]
