"""Limits on a source payload, enforced before it is parsed: its size, its depth and its number of values.

A source response and a saved payload file are untrusted input. Read whole, a 300 MB page held a
gigabyte; parsed, a page nested thousands of levels deep exhausted Python's recursion in every walk
after it. So a payload larger than ``max_bytes`` is refused as it arrives (the reader stops at the
limit, see :class:`~adology.sources.http.SourceHttp`), and a document nested deeper than
``max_depth`` or holding more than ``max_values`` values is refused before a Python object is built.
The defaults are far above any real page (the sources' pages nest about eight levels and hold tens
of thousands of values).

The depth and the count are read from the document's brackets with byte operations, not a walk:
strings are blanked first (a bracket inside ad copy is text), then each pass removes the innermost
``[]``/``{}`` pairs, so a document ``max_depth`` deep is empty after ``max_depth`` passes. The
standard library's reader then parses what passed: it recurses once per level, which the depth
limit keeps far from Python's stack limit, and it reads what sources send as they send it (orjson
refuses half an emoji written as an unpaired surrogate escape, and turns an integer past 64 bits
into a float).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from adology.errors import SourceError

# A JSON string: its escapes may hide a quote, never end it. Unrolled so the regex engine loops in C.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS_AS_PARENS = bytes.maketrans(b"[{]}", b"(())")
_NOT_A_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
_FIRST_TOKEN = re.compile(rb"[^ \t\r\n]")


@dataclass(frozen=True)
class PayloadLimits:
    """What one source payload may be: bytes on the wire, levels of nesting, values in it."""

    max_bytes: int = 50 * 1024 * 1024
    max_depth: int = 64
    max_values: int = 1_000_000


SOURCE_LIMITS = PayloadLimits()


class PayloadLimitError(SourceError):
    """A payload over one of :class:`PayloadLimits`; the message names the limit."""


def refuse_oversize(size: int, limits: PayloadLimits = SOURCE_LIMITS) -> None:
    """Raise :class:`PayloadLimitError` when ``size`` bytes are more than a payload may have."""
    if size > limits.max_bytes:
        raise PayloadLimitError(f"larger than the limit of {limits.max_bytes} bytes")


def parse_json(raw: bytes | bytearray, limits: PayloadLimits = SOURCE_LIMITS) -> Any:
    """The JSON document in ``raw`` once it is within ``limits``.

    Raises :class:`PayloadLimitError` naming the limit exceeded, or ``json.JSONDecodeError`` (a
    ``ValueError``) when ``raw`` is not JSON at all.
    """
    refuse_oversize(len(raw), limits)
    first = _FIRST_TOKEN.search(raw)
    if first is not None and first.group() in (b"[", b"{"):  # a scalar has no depth, anything else is no JSON
        _refuse_over_structure(raw, limits)
    try:
        return json.loads(raw, parse_int=_integer)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # bytes in no JSON encoding
        raise json.JSONDecodeError(str(exc), "", 0) from None


def _integer(digits: str) -> int | str:
    """An integer too long for Python to convert (past 4,300 digits) stays its text: the item
    carrying it then fails alone on the parsers' digit rule, where the conversion would fail the page."""
    try:
        return int(digits)
    except ValueError:
        return digits


def _refuse_over_structure(raw: bytes | bytearray, limits: PayloadLimits) -> None:
    # Blanking costs a regex match per string: a page of millions of tiny strings is refused by
    # counting its quotes first, so no page holds the event loop for seconds. Every value and key
    # may be a string, so a page within the limit has at most two per value.
    strings = raw.count(b'"') // 2
    if strings > 2 * limits.max_values:
        raise PayloadLimitError(f"holds about {strings} strings; the limit is {limits.max_values} values")
    skeleton = _STRING.sub(b'""', raw)
    # every value but the first follows a comma or opens a container: a count without a parse
    values = 1 + skeleton.count(b",") + skeleton.count(b"[") + skeleton.count(b"{")
    if values > limits.max_values:
        raise PayloadLimitError(f"holds about {values} values; the limit is {limits.max_values}")
    brackets = skeleton.translate(_BRACKETS_AS_PARENS, _NOT_A_BRACKET)
    too_deep = b"(" * (limits.max_depth + 1)
    if too_deep in brackets:  # the common deep payload, found in one search
        raise _too_deep(limits)
    for _ in range(limits.max_depth):
        shorter = brackets.replace(b"()", b"")
        if len(shorter) == len(brackets):  # nothing left to remove: empty, or unbalanced (not JSON)
            break
        brackets = shorter
    # Pairs left after max_depth passes nest deeper than the limit. Unbalanced brackets leave their
    # unclosed openers in one run, which a reader descends into before it finds the error.
    if b"()" in brackets or too_deep in brackets:
        raise _too_deep(limits)


def _too_deep(limits: PayloadLimits) -> PayloadLimitError:
    return PayloadLimitError(f"nested deeper than the limit of {limits.max_depth} levels")
