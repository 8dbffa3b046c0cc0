"""Structured logging: context fields (request id, brand, ad, run) travel with every record.

``log_context(brand="acme")`` binds fields for the current task or thread (contextvars), and
every record logged inside carries them, as ``key=value`` pairs in text form or as JSON keys.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from adology.settings import LogFormat

# a tuple of pairs, immutable, so no block can change what an outer block bound
_context: contextvars.ContextVar[tuple[tuple[str, Any], ...]] = contextvars.ContextVar(
    "adology_log_context", default=()
)

# Attributes every LogRecord has; anything else on a record is a context or `extra=` field.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Attach ``fields`` to every record logged inside the block (nested blocks add to them)."""
    token = _context.set(tuple({**dict(_context.get()), **fields}.items()))
    try:
        yield
    finally:
        _context.reset(token)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class _TextFormatter(logging.Formatter):
    """``time level logger message key=value ...``: readable on a terminal, greppable in files."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRIBUTES}
        if fields:
            line += " " + " ".join(f"{k}={v}" for k, v in sorted(fields.items()))
        return line


# the field a record's CloudWatch embedded-metric directive travels in (adology.metrics); JSON logs
# write it as `_aws`, the name CloudWatch reads (python-json-logger drops extra fields named with _)
EMBEDDED_METRICS_FIELD = "cloudwatch_metrics"


def configure_logging(*, level: str = "INFO", log_format: LogFormat = LogFormat.TEXT) -> None:
    """Send Adology's records to stderr in the chosen format; safe to call more than once."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter())
    if log_format is LogFormat.JSON:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"levelname": "level", EMBEDDED_METRICS_FIELD: "_aws"},
            )
        )
    else:
        handler.setFormatter(_TextFormatter("%(asctime)s %(levelname)-7s %(name)s %(message)s"))
    root = logging.getLogger("adology")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def get_logger(name: str) -> logging.Logger:
    """A logger under the ``adology`` hierarchy, so :func:`configure_logging` governs it."""
    # "adology_assets.x" is not under "adology": only the package itself and its modules are
    inside = name == "adology" or name.startswith("adology.")
    return logging.getLogger(name if inside else f"adology.{name}")


def at_most_every(
    seconds: float, callback: Callable[..., None], *, clock: Callable[[], float] = time.monotonic
) -> Callable[..., None]:
    """``callback``, passed through at most once per ``seconds`` (the first call always).

    For progress lines written where each costs a database write (Dagster's event log): a run's
    acquisition reports every page of every brand, which would be a hundred events a run.
    """
    last: float | None = None

    def throttled(*args: Any) -> None:
        nonlocal last
        now = clock()
        if last is None or now - last >= seconds:
            last = now
            callback(*args)

    return throttled
