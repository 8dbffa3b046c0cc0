"""What a value read from a source must be to be stored, and how a reason quotes one that is not.

PostgreSQL ``bigint`` and BSON ``int64`` hold 64-bit integers; PostgreSQL text and UTF-8 hold no NUL
character and no unpaired UTF-16 surrogate. A reason quotes a hostile value escaped and cut short,
since it may be megabytes.
"""

from __future__ import annotations

import re
from typing import Any

# What PostgreSQL bigint and BSON int64 hold; 2**63 - 1 has 19 digits.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# How much of a value a reason quotes: a hostile value may be megabytes.
_SHOWN_CHARS = 60
_SHOWN_BITS = 128
_UNPAIRED_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ItemError(ValueError):
    """One item cannot be parsed; the message is the ParseFailure reason."""


def describe_type(value: Any) -> str:
    """The JSON type of ``value`` with its article ("a string", "an object"), for failure reasons."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def shown(value: Any) -> str:
    """``value`` as a reason quotes it: its ASCII repr (NULs and surrogates escaped), cut short."""
    if isinstance(value, int) and value.bit_length() > _SHOWN_BITS:
        # too long to quote, and repr() of a huge integer meets the int-to-str limit the reason is about
        return f"a {value.bit_length()}-bit number"
    text = ascii(value)
    return text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}… ({len(text)} characters)"


def text_flaw(text: str) -> str | None:
    """What keeps ``text`` out of PostgreSQL and UTF-8 (a NUL character, an unpaired surrogate), or None."""
    if "\x00" in text:
        return "a NUL character"
    if has_unpaired_surrogate(text):
        return "an unpaired surrogate"
    return None


def has_unpaired_surrogate(text: str) -> bool:
    """Whether ``text`` holds a surrogate code point, which UTF-8 cannot encode. JSON decoding joins
    an escaped pair into its character, so one left in a string was unpaired where it came from."""
    return not text.isascii() and _UNPAIRED_SURROGATE.search(text) is not None


def printable(message: str) -> str:
    """A source's message as it may be logged and stored: NULs and surrogates escaped, not kept."""
    return message if text_flaw(message) is None else _UNSTORABLE.sub(lambda match: ascii(match[0])[1:-1], message)
