"""Helpers of the ansible tests: where the collection is, the environment of a run."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vmcctl.sim.plugin import SimHandle

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENV_PREFIXES = ("VMCCTL_", "GOVC_", "ANSIBLE_")


def ansible_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an ansible run: the collection from the repo, no stray settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(REPO), "ANSIBLE_HOME": str(home),
                "ANSIBLE_REMOTE_TMP": str(home / "tmp"), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0",
                "ANSIBLE_LOCALHOST_WARNING": "0", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
                "ANSIBLE_DEPRECATION_WARNINGS": "0"})
    env.update(extra)
    return env


@dataclass
class AnsibleRun:
    code: int
    output: str  # stdout and stderr together
    results: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.results[name]


Play = Callable[..., AnsibleRun]


def connection_vars(sim: SimHandle) -> dict[str, Any]:
    return {"hostname": sim.url, "username": sim.username, "password": sim.password,
            "ca_file": str(sim.cert_file)}
