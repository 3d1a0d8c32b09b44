"""Client for the simulator's control endpoints (``/_sim/...``).

These exist only on vmcctl's own simulator; the official vcsim container has
none of them (``available()`` is then False).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from vmcctl.errors import SimulatorError


class SimControl:
    """Reads the audit, injects faults, expires sessions."""

    def __init__(self, sdk_url: str, *, verify: bool | str = True, timeout: float = 10.0) -> None:
        parts = urlsplit(sdk_url)
        self.base = urlunsplit((parts.scheme, parts.netloc, "/_sim", "", ""))
        self._verify = verify
        self._timeout = timeout

    def _call(self, method: str, path: str, body: object = None) -> Any:
        try:
            resp = requests.request(method, f"{self.base}/{path}", json=body,
                                    verify=self._verify, timeout=self._timeout)
        except requests.RequestException as exc:
            raise SimulatorError(f"simulator control call {path} failed: {exc}") from None
        if resp.status_code >= 400:
            raise SimulatorError(
                f"simulator refused {path}: {resp.status_code} {resp.text.strip()}")
        return resp.json() if resp.content else None

    def available(self) -> bool:
        try:
            return bool(self._call("GET", "health").get("ok"))
        except (SimulatorError, ValueError, AttributeError):
            return False

    def audit(self) -> list[dict[str, Any]]:
        """Every mutating call and every Login attempt the simulator has seen, in order."""
        result = self._call("GET", "audit")
        return list(result or [])

    def calls(self) -> list[dict[str, Any]]:
        """The audit without its ``Login`` entries."""
        return [e for e in self.audit() if e.get("method") != "Login"]

    def logins(self) -> list[dict[str, Any]]:
        """The audit's ``Login`` entries: ``args.userName`` and ``result`` (never a password)."""
        return [e for e in self.audit() if e.get("method") == "Login"]

    def add_fault(self, fault: dict[str, Any]) -> None:
        """Inject a fault: ``{vm, method, fault, message, at_progress, times}``, or a
        relocation effect: ``{vm, effect, at_progress, times[, land_on]}``.

        ``vm`` is a VM's moid, full path (``/DC/vm/folder/name``), ``folder/name``
        or unambiguous name; for host methods, a host name.
        """
        self._call("POST", "faults", fault)

    def add_effect(self, vm: str, effect: str, *, at_progress: int = 50, times: int = 1,
                   land_on: str | None = None) -> None:
        """Make the next relocation(s) of ``vm`` succeed with a side effect at
        ``at_progress`` %: ``reboot`` (new bootTime, still on), ``power-off`` (ends
        powered off) or ``land-on`` (ends on host ``land_on``, not the one asked)."""
        body: dict[str, Any] = {"vm": vm, "method": "RelocateVM_Task", "effect": effect,
                                "at_progress": at_progress, "times": times}
        if land_on is not None:
            body["land_on"] = land_on
        self._call("POST", "faults", body)

    def expire_sessions(self) -> None:
        """Drop every session; the next SOAP call gets ``NotAuthenticated``."""
        self._call("POST", "sessions/expire")

    def relocations(self, vm: str | None = None) -> list[dict[str, Any]]:
        """The audit's ``RelocateVM_Task`` entries, optionally for one VM."""
        return [e for e in self.audit() if e.get("method") == "RelocateVM_Task"
                and (vm is None or e.get("target", {}).get("name") == vm)]
