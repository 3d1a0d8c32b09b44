"""A --gate-cmd for the tests: healthy until N relocations ended in the simulator, then
unhealthy for RECOVER seconds (or for ever with RECOVER < 0); every call logged.

    python gate_script.py STATE_DIR N RECOVER

Reads the simulator's audit through its /_sim/ control endpoint (VMCCTL_URL,
VMCCTL_CA_FILE as the CLI has them); appends ``time exit`` to STATE_DIR/calls.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from vmcctl.sim.control import SimControl


def main() -> int:
    state, after, recover = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    now = time.time()
    failed_since = state / "failed_since"
    code = 0
    if failed_since.exists():
        since = float(failed_since.read_text())
        code = 1 if recover < 0 or now - since < recover else 0
    else:
        control = SimControl(os.environ["VMCCTL_URL"],
                             verify=os.environ.get("VMCCTL_CA_FILE") or False)
        ended = [e for e in control.relocations() if e.get("end") is not None]
        if len(ended) >= after:
            failed_since.write_text(repr(now))
            code = 1
    with (state / "calls").open("a") as fh:
        fh.write(f"{now!r} {code}\n")
    if code:
        print("service unhealthy: 503", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
