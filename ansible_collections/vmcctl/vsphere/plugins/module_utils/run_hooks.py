"""The options an acting module shares with ``vmcctl host``/``cluster`` commands.

vCenter's own checks and the maintenance call (``vcenter_check``, ``vsan_mode``,
``evacuate_powered_off``), the continuity gate (``gate_cmd``, ``gate_interval``,
``gate_timeout``) and the event stream (``events``). Documented once in the
``vmcctl.vsphere.run`` doc fragment. The library does the work; here the options
become what its use cases take:

    with run_hooks(module, "host evacuate") as hooks:
        options = EvacuateOptions(..., run=RunOptions(..., gate=hooks.gate),
                                  **hooks.check_options)
        report = ops.evacuate_host(client, host, options, hooks.events)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.vmcctl.vsphere.plugins.module_utils.session import (
    check_libraries,
    failure_code,
)

try:
    from vmcctl.executor.gate import MIN_INTERVAL, CommandCheck, Gate, GateOptions
    from vmcctl.ops.events import EventStream, run_status
except ImportError:
    pass  # check_libraries reports the missing library

RUN_SPEC: dict[str, dict[str, Any]] = {
    "vcenter_check": {"type": "bool", "default": True},
    "vsan_mode": {"type": "str"},
    "evacuate_powered_off": {"type": "bool", "default": False},
    "gate_cmd": {"type": "list", "elements": "str", "default": []},
    "gate_interval": {"type": "float", "default": 5.0},
    "gate_timeout": {"type": "float", "default": 600.0},
    "events": {"type": "path"},
}


@dataclass
class Hooks:
    gate: Any  # vmcctl's Gate, or None
    events: Any  # vmcctl's EventStream, or None
    check_options: dict[str, Any]  # vcenter_check, vsan_mode, evacuate_powered_off


@contextmanager
def run_hooks(module: AnsibleModule, command: str) -> Iterator[Hooks]:
    """The gate, the event stream (``run.start`` first, ``run.end`` last) and the check
    options of one module run; the events file is closed at the end, whatever happened."""
    check_libraries(module)
    p = module.params
    if p["gate_interval"] < MIN_INTERVAL or p["gate_timeout"] < 0:
        module.fail_json(msg=f"gate_interval must be at least {MIN_INTERVAL:g} s and "
                             "gate_timeout at least 0", exit_code=2)
    gate = None
    if p["gate_cmd"]:
        gate = Gate([CommandCheck(cmd) for cmd in p["gate_cmd"]],
                    GateOptions(interval=p["gate_interval"], timeout=p["gate_timeout"]))
    check_options = {"vcenter_check": p["vcenter_check"], "vsan_mode": p["vsan_mode"],
                     "evacuate_powered_off": p["evacuate_powered_off"]}
    if not p["events"]:
        yield Hooks(gate, None, check_options)
        return
    try:
        out = open(p["events"], "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        module.fail_json(msg=f"events: cannot write {p['events']}: {exc.strerror}")
        return
    with out:
        stream = EventStream(out)
        stream.run_start(command)
        code = 1  # an exception that is not the module's own ending is a failure
        try:
            yield Hooks(gate, stream, check_options)
            code = 0
        except SystemExit as exc:  # exit_json / fail_json end the module by SystemExit
            code = 0 if exc.code in (0, None) else failure_code(module)
            raise
        finally:
            stream.run_end(run_status(code), code)
