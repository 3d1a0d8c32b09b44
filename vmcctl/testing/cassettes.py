"""Record pyVmomi's conversation with vCenter to a cassette, and replay it.

vcrpy does not see pyVmomi's traffic on its own: ``pyVmomi.SoapAdapter``
(every SOAP call) and ``pyVim.connect`` (the ``vimServiceVersions.xml``
lookup ``SmartConnect`` starts with) hold their own references to
``http.client``'s connection classes. ``recording`` patches exactly those
four names and nothing else, so other HTTP traffic of the process (the
simulator's control endpoints, H2O) is neither recorded nor blocked.

Requests are matched on the SOAP operation and a normalised body
(``vmcctl.testing.soap``); each recorded interaction is played at most once,
in recorded order. Credentials and session secrets are scrubbed before
anything is matched or written (``vmcctl.testing.scrub``).

    with recording("bug.yaml", mode="all", secrets=(user, password)):
        si = SmartConnect(...)      # connect INSIDE the block
        ...

pyVmomi picks its connection class when the stub is created, so connect
inside the block; a stub created outside it is neither recorded nor replayed.
Record with one thread: interleaved calls of the same operation replay in
recorded order only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vmcctl.errors import CassetteError, ConfigError
from vmcctl.testing.scrub import Scrubber
from vmcctl.testing.soap import operation_of, soap_body, soap_operation

RecordModeName = Literal["new_episodes", "once", "none", "all"]
RECORD_MODES: tuple[RecordModeName, ...] = ("new_episodes", "once", "none", "all")
MATCH_ON = ("method", "path", "soap_operation", "soap_body")


def _custom_patches() -> tuple[tuple[Any, str, Any], ...]:
    import pyVim.connect
    from pyVmomi import SoapAdapter
    from vcr.stubs import VCRHTTPConnection, VCRHTTPSConnection

    return tuple((module, name, stub)
                 for module in (SoapAdapter, pyVim.connect)
                 for name, stub in (("HTTPConnection", VCRHTTPConnection),
                                    ("HTTPSConnection", VCRHTTPSConnection)))


def make_vcr(scrubber: Scrubber, mode: RecordModeName) -> Any:
    """A ``vcr.VCR`` that sees only pyVmomi, matches SOAP calls and scrubs."""
    import vcr
    from vcr.patch import PATCHER_NAMES

    def drop_loaded(request: Any, response: Any) -> None:
        return None  # "all" starts from an empty cassette

    config = vcr.VCR(
        serializer="yaml",
        record_mode=mode,
        match_on=MATCH_ON,
        custom_patches=_custom_patches(),
        skip_patchers=PATCHER_NAMES,
        decode_compressed_response=True,
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
        before_save_interaction=scrubber.interaction,
        after_load_interaction=drop_loaded if mode == "all" else None,
        record_on_exception=True,
    )
    config.register_matcher("soap_operation", soap_operation)
    config.register_matcher("soap_body", soap_body)
    return config


@dataclass
class Recording:
    """What a ``recording`` block did; read it after (or during) the block."""

    path: Path
    mode: RecordModeName
    cassette: Any  # vcr.cassette.Cassette (vcrpy is untyped)
    scrubber: Scrubber = field(default_factory=Scrubber, repr=False)

    def add_credentials(self, username: str | None, password: str | None) -> None:
        """Scrub these too, wherever they appear; known late is fine: the whole
        cassette is scrubbed once more as it is written."""
        self.scrubber.add_credentials(username, password)

    @property
    def interactions(self) -> int:
        """Interactions in the cassette (loaded plus newly recorded)."""
        return len(self.cassette)

    @property
    def played(self) -> int:
        """Requests answered from the cassette instead of the server."""
        return int(self.cassette.play_count)

    @property
    def replay_only(self) -> bool:
        """Nothing reaches the network (mode ``none``)."""
        return self.mode == "none"

    @property
    def all_played(self) -> bool:
        """Every interaction in the cassette was replayed."""
        return bool(self.cassette.all_played)


_ACTIVE: list[Recording] = []


def active_recording() -> Recording | None:
    """The innermost ``recording`` block running now, if any.

    A client that probes the network outside pyVmomi (a TCP pre-flight, say)
    should skip that probe when ``active_recording().replay_only``.
    """
    return _ACTIVE[-1] if _ACTIVE else None


def _check_mode(mode: str) -> RecordModeName:
    for known in RECORD_MODES:
        if mode == known:
            return known
    raise ConfigError(f"unknown record mode {mode!r}",
                      hint=f"use one of {', '.join(RECORD_MODES)}")


@contextmanager
def recording(path: str | Path, mode: str = "new_episodes", *,
              secrets: Iterable[str] = (), username: str | None = None,
              password: str | None = None) -> Iterator[Recording]:
    """Record (or replay) every pyVmomi call made inside the block to ``path``.

    ``mode``: ``new_episodes`` replays what the cassette has and records the
    rest; ``once`` records only if the file does not exist yet; ``none``
    replays only and never touches the network; ``all`` talks to the server
    for every call and replaces the cassette.

    ``username``/``password``/``secrets`` are scrubbed wherever they appear,
    in addition to what the scrubber finds itself (the ``Login`` credentials,
    cookies, session keys). Pass them when you know them.

    Raises ``ConfigError`` for an unknown mode or a missing cassette in
    ``none`` mode, and ``CassetteError`` when a replayed call has no
    recorded answer.
    """
    try:
        from vcr.errors import CannotOverwriteExistingCassetteException
    except ImportError:
        raise ConfigError("recording needs the vcrpy package",
                          hint="pip install vcrpy") from None
    checked = _check_mode(mode)
    target = Path(path)
    if checked == "none" and not target.is_file():
        raise ConfigError(f"no cassette at {target}",
                          hint="record it first (mode 'all' or 'once')")
    scrubber = Scrubber()
    scrubber.add_credentials(username, password)
    for value in secrets:
        scrubber.add_secret(value)
    config = make_vcr(scrubber, checked)
    with config.use_cassette(str(target)) as cassette:
        current = Recording(path=target, mode=checked, cassette=cassette,
                            scrubber=scrubber)
        _ACTIVE.append(current)
        try:
            yield current
        except Exception as exc:
            miss = _cassette_miss(exc, CannotOverwriteExistingCassetteException)
            if miss is None:
                raise
            raise CassetteError(
                f"the cassette {target} has no recorded answer for "
                f"{_describe_request(miss)}: {_first_line(miss)}",
                hint="re-record it (make cassettes, or mode 'all')") from miss
        finally:
            _ACTIVE.remove(current)


def _cassette_miss(exc: BaseException, miss_type: type[BaseException]) -> BaseException | None:
    """vcrpy's "no recorded answer" error, even when a caller wrapped it.

    ``SmartConnect`` turns any error into a ``HostConnectFault`` and a client may
    translate it again; the original stays on the ``__cause__``/``__context__``
    chain, so a replay miss is reported as such, not as a vCenter failure.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, miss_type):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _describe_request(miss: BaseException) -> str:
    """``RelocateVM_Task on VirtualMachine:vm-57`` (or the URL) of the unanswered request."""
    request = getattr(miss, "failed_request", None)
    if request is None:
        return "a request"
    operation = operation_of(request.body)
    if operation is None:
        return f"{request.method} {request.path}"
    name, kind, moid = operation
    return f"{name} on {kind}:{moid}" if kind else name


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
