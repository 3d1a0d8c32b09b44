"""Run ``ansible-playbook`` with the repo's vmcctl.vsphere collection against simulators.

- ``fleet_sim``: one seed simulator per test module (fast moves, its own
  credentials), so the playbook runs of a module share its start-up;
- ``play(tasks, ...)``: write a one-play playbook around ``tasks`` (task
  dicts), run it on the implicit localhost and return an ``AnsibleRun``
  whose ``results`` holds every registered result (the play writes them to
  a JSON file at the end, whatever failed).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ansible_fixtures import BIN, AnsibleRun, Play, ansible_env, connection_vars

from vmcctl.sim.inventory import Credentials, load_inventory
from vmcctl.sim.plugin import SEED_INVENTORY, SimHandle
from vmcctl.sim.server import SimServer


@pytest.fixture(scope="module")
def fleet_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimHandle]:
    """A seed simulator for the whole test module; credentials unlike any other word."""
    spec = load_inventory(SEED_INVENTORY).model_copy(update={"credentials": Credentials(
        username="ansible-tester", password="Vx9-q7Lr-no-log-probe")})
    server = SimServer(spec, time_scale=20)
    handle = SimHandle(server.start())
    try:
        yield handle
    finally:
        handle.close()
        server.stop()


@pytest.fixture
def play(tmp_path: Path) -> Play:
    """``play(tasks, sim=..., args=[...], env={...}, registered=[...])`` → ``AnsibleRun``.

    ``tasks`` is a list of task dicts (the playbook is written as JSON, which
    is YAML). With ``sim`` the connection options come from ``module_defaults``
    for the collection's action group, the password through a play variable.
    ``registered`` names the registered variables to return; they are saved
    in an ``always`` section, so failed tasks' results come back too.
    """

    def run(tasks: list[dict[str, Any]], *, sim: SimHandle | None = None,
            args: tuple[str, ...] = (), env: dict[str, str] | None = None,
            registered: tuple[str, ...] = (),
            play_vars: dict[str, Any] | None = None) -> AnsibleRun:
        out = tmp_path / "results.json"
        header: dict[str, Any] = {"hosts": "localhost", "gather_facts": False,
                                  "vars": dict(play_vars or {})}
        if sim is not None:
            conn = connection_vars(sim)
            header["vars"]["vc_password"] = conn.pop("password")
            header["module_defaults"] = {"group/vmcctl.vsphere.vmcctl": {
                **conn, "password": "{{ vc_password }}"}}
        saved = ", ".join(f"'{name}': {name} | default(None)" for name in registered)
        save = {"name": "save the registered results", "check_mode": False,
                "ansible.builtin.copy": {
            "dest": str(out), "content": "{{ {" + saved + "} | to_json }}"}}
        path = tmp_path / "play.yml"
        path.write_text(json.dumps([{**header, "tasks": [
            {"block": tasks, "always": [save]}]}], indent=1))
        proc = subprocess.run([str(BIN / "ansible-playbook"), str(path), *args],
                              env=ansible_env(tmp_path / "ansible-home", **(env or {})),
                              capture_output=True, text=True, timeout=300, check=False,
                              cwd=tmp_path)
        results = json.loads(out.read_text()) if out.exists() else {}
        return AnsibleRun(proc.returncode, proc.stdout + proc.stderr, results)

    return run
