"""YAML playbooks: validated whole, then run step by step (``vmcctl play``).

    playbook = load_playbook(path, {"host": "10.94.24.71"})   # PlaybookError if invalid
    run = run_playbook(playbook, RunContext(connect=open_client, dry_run=False))

``load`` (YAML, variables, per-step validation), ``schema`` (the pydantic
models), ``variables`` (``${name}``), ``runner`` (order, results), and one
module per family of steps: ``vm_steps``, ``host_steps``, ``wait_step``.
"""

from __future__ import annotations

from vmcctl.playbook.context import PlaybookEvents, RunContext
from vmcctl.playbook.load import Playbook, Step, load_playbook, parse_playbook
from vmcctl.playbook.outcome import PlaybookRun, StepResult
from vmcctl.playbook.runner import run_playbook

__all__ = ["Playbook", "PlaybookEvents", "PlaybookRun", "RunContext", "Step", "StepResult",
           "load_playbook", "parse_playbook", "run_playbook"]
