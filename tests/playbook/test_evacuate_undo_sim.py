"""A failed evacuate step says how to bring back the VMs it did move."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.sim

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"


@pytest.mark.vmcctl_sim("the seed inventory")
def test_failed_evacuate_says_how_to_bring_the_moved_vms_back(vcsim_factory: Any,
                                                              play: Any) -> None:
    """Found in review: the error did not say how to undo the moves that happened."""
    sim = vcsim_factory(time_scale=50)
    # web-01's vMotion fails; the other VMs of 10.94.24.70 move
    sim.control.add_fault({"vm": "web-01", "method": "RelocateVM_Task",
                           "fault": "MigrationFault", "message": "injected vMotion failure"})
    result = play(str(PLAYBOOKS / "maintenance-window.yaml"), "--var", "host=10.94.24.70",
                  "--var", "pause=0", env=sim.env())
    assert result.code == 1
    assert ("vmcctl host restore 10.94.24.70 --journal vmcctl-journal-10.94.24.70.json"
            in result.err)  # the play fixture runs in tmp_path, where the journal is
