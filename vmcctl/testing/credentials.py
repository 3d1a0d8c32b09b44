"""The simulator credentials committed cassettes are recorded with.

The seed inventory logs in as ``user``/``pass``: words that occur in every
``<userName>`` tag and in ordinary text, so no check could prove they were
scrubbed. Cassettes meant for the repository are recorded from a simulator
that uses these instead, and ``tests/cassettes/test_no_secrets.py`` asserts
that neither value appears anywhere under ``cassettes/``.

They are test values for a local simulator, not secrets of any real system;
they are distinct, long and unlike any word so that a substring search for
them means something. The password holds ``&`` and ``<`` on purpose: the
scrubber must find it in its XML-escaped form too.
"""

from __future__ import annotations

from vmcctl.sim.inventory import Credentials, InventorySpec

RECORDING_USERNAME = "cassette-recorder@vsphere.local"
RECORDING_PASSWORD = "Tr0ub4dor&3<cassette>"


def with_recording_credentials(spec: InventorySpec) -> InventorySpec:
    """``spec`` with the login replaced by the recording credentials."""
    return spec.model_copy(update={
        "credentials": Credentials(username=RECORDING_USERNAME, password=RECORDING_PASSWORD)})
