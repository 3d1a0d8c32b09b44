"""An evacuation's maintenance step sends the options the journal keeps (vSAN mode,
evacuate powered-off VMs): on the first run, on a resume, and when vCenter forgot the
recorded task and it is started again. Over the fake vCenter."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from fake_bed import FAST_RETRY, Bed, bed

from vmcctl.errors import ConfigError
from vmcctl.executor.evacuate import run_journal
from vmcctl.executor.journal import Journal
from vmcctl.executor.maintenance import maintenance_spec
from vmcctl.executor.runner import RunOptions
from vmcctl.executor.vsan import VSAN_MODES
from vmcctl.ops.evacuate import EvacuateOptions
from vmcctl.ops.maintenance import EnterOptions
from vmcctl.ops.rolling import ClusterMaintenanceOptions
from vmcctl.playbook.schema import MaintenanceAction

OPTIONS = RunOptions(retry=FAST_RETRY, wait_slice=0.05)


def _moved(b: Bed, **kw: Any) -> Journal:
    """Every VM already moved off; the maintenance step is what is left."""
    b.vc.vms[b.vms[0]].host = b.targets[0]
    rec = b.record(b.vms[0], state="done")
    rec.origin, rec.origin_moid = "10.0.0.1", b.source
    return b.journal([rec], **kw)


@pytest.mark.parametrize(("options", "vsan", "powered_off"), [
    ({}, None, False),
    ({"vsan_mode": "no-action", "evacuate_powered_off": True}, "noAction", True),
    ({"vsan_mode": "evacuate-all"}, "evacuateAllData", False),
])
def test_the_journalled_options_reach_enter_maintenance(options: dict[str, Any], vsan: str | None,
                                                        powered_off: bool) -> None:
    b = bed(vms=1)
    journal = _moved(b, maintenance="pending", options=options)
    report = run_journal(b.client, journal, OPTIONS, maintenance_timeout=30)
    assert report.ok and journal.maintenance == "entered"
    (call,) = b.vc.calls("EnterMaintenanceMode_Task")
    seconds, evacuate_powered_off, spec = call.args
    assert (seconds, evacuate_powered_off) == (30, powered_off)
    assert (spec.vsanMode.objectAction if spec is not None else None) == vsan


def test_a_forgotten_task_is_started_again_with_the_journalled_options() -> None:
    b = bed(vms=1)
    journal = _moved(b, maintenance="entering", maintenance_task="task-404",
                     options={"vsan_mode": "ensure-accessibility",
                              "evacuate_powered_off": True})
    report = run_journal(b.client, journal, OPTIONS)
    assert report.ok and journal.maintenance == "entered"
    (call,) = b.vc.calls("EnterMaintenanceMode_Task")
    assert call.args[1] is True
    assert call.args[2].vsanMode.objectAction == "ensureObjectAccessibility"
    assert journal.maintenance_task is None  # the forgotten task is not kept


@pytest.mark.parametrize("mode", ["no-action", "noAction"])
def test_a_vsan_mode_is_given_by_its_option_name_or_vcenters(mode: str) -> None:
    assert maintenance_spec(mode).vsanMode.objectAction == "noAction"
    assert maintenance_spec(None) is None


def test_an_unknown_vsan_mode_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        maintenance_spec("keep-it")
    assert err.value.message == "unknown vSAN mode 'keep-it'"
    assert err.value.hint == "use ensure-accessibility, evacuate-all, no-action"


@pytest.mark.parametrize("make", [
    lambda mode: EvacuateOptions(maintenance=True, vsan_mode=mode),
    lambda mode: EnterOptions(vsan_mode=mode),
    lambda mode: ClusterMaintenanceOptions(vsan_mode=mode)], ids=["evacuate", "enter", "window"])
def test_every_use_case_refuses_an_unknown_vsan_mode_before_it_starts(make: Any) -> None:
    """The library's callers (Ansible, scripts) have no --vsan-mode choice list: the options
    themselves refuse, before a snapshot is taken or a VM moves."""
    with pytest.raises(ConfigError, match="unknown vSAN mode 'evacuate-everything'"):
        make("evacuate-everything")
    assert make("evacuate-all").vsan_mode == "evacuate-all"
    assert make(None).vsan_mode is None


def test_the_playbook_and_the_command_line_offer_the_same_vsan_modes() -> None:
    field = MaintenanceAction.model_fields["vsan_mode"].annotation
    assert set(get_args(get_args(field)[0])) == set(VSAN_MODES)


@pytest.mark.parametrize("extra", [{"vsan_mode": "no-action"}, {"evacuate_powered_off": True}])
def test_the_maintenance_options_are_refused_without_maintenance(extra: dict[str, Any]) -> None:
    """They would be dropped without a word: the evacuation never calls maintenance."""
    with pytest.raises(ConfigError, match="only apply when the host enters maintenance"):
        EvacuateOptions(**extra)
    assert EvacuateOptions(maintenance=True, **extra).maintenance
