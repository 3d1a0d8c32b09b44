"""Logging through structlog, to stderr, as console lines or JSON.

A redaction processor runs before rendering, so no password, cookie or token
reaches a log whatever a caller passes as a key.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal

import structlog

LogFormat = Literal["console", "json"]
SECRET_KEYS = ("password", "pwd", "passwd", "secret", "token", "cookie", "authorization",
               "session_key")
REDACTED = "***"


def redact(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask values whose key looks secret."""
    for key in list(event):
        if any(s in key.lower() for s in SECRET_KEYS):
            event[key] = REDACTED
    return event


class StderrLogger:
    """Writes each line to the *current* ``sys.stderr``.

    structlog's print logger keeps the stream it was created with; a CLI run
    inside a test (or any caller that swaps ``sys.stderr``) would leave it
    writing to a closed file.
    """

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _stderr_logger(*_args: Any) -> StderrLogger:
    return StderrLogger()


def configure(fmt: LogFormat = "console", verbosity: int = 0) -> None:
    """Send vmcctl's logs to stderr; ``verbosity`` 0 = warnings, 1 = info, 2+ = debug."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    renderer: Any = (structlog.processors.JSONRenderer() if fmt == "json"
                     else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
