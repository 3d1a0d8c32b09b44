"""Test and bug-report support: recorded, scrubbed vCenter cassettes.

``recording(path, mode)`` records (or replays) everything pyVmomi says to
vCenter inside a ``with`` block; see ``vmcctl.testing.cassettes``. vcrpy is
imported only when a recording starts.
"""

from __future__ import annotations

from vmcctl.testing.cassettes import RECORD_MODES, Recording, active_recording, recording
from vmcctl.testing.scrub import Scrubber

__all__ = ["RECORD_MODES", "Recording", "Scrubber", "active_recording", "recording"]
