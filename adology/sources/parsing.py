"""Pieces every source parser shares: field readers, the per-item loop, error envelopes.

Readers are lenient about absence and strict about type. A missing or null field is normal
(sources omit what they do not disclose) and reads as None or empty; a field of the wrong type
means the item is not what we think it is, so the reader raises :class:`ItemError` naming the
field, and :func:`parse_items` turns that into a ``ParseFailure`` for that item alone.

Every parsed ad then passes :func:`adology.sources.item_rules.checked_ad`, which decides what a
hostile or impossible value costs and always says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adology.logs import get_logger
from adology.sources.item_rules import MAX_ID_CHARS, checked_ad
from adology.sources.models import MediaRef, NormalizedAd, ParseFailure, Range
from adology.sources.values import INT64_MAX, INT64_MIN, ItemError, describe_type, printable, shown, text_flaw

log = get_logger(__name__)

# 2**63 - 1 has 19 digits: a longer digit string is refused before it is converted
_MAX_DIGITS = 19


def parse_items(
    items: Sequence[Any],
    parse_one: Callable[[dict[str, Any]], NormalizedAd],
    *,
    id_keys: Sequence[str],
) -> tuple[list[NormalizedAd], list[ParseFailure]]:
    """Parse each item on its own: a bad item becomes a ParseFailure at its position, the rest parse."""
    ads: list[NormalizedAd] = []
    failures: list[ParseFailure] = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            reason = f"item is {describe_type(item)}, expected an object"
            failures.append(ParseFailure(position=position, reason=reason))
            continue
        try:
            ad = checked_ad(parse_one(item))
        except ItemError as exc:
            failures.append(ParseFailure(position=position, reason=str(exc), source_ad_id=_known_id(item, id_keys)))
        except Exception as exc:
            # a reader's bug (or an input no rule foresaw) costs its item alone, recorded as its failure
            reason = f"unexpected {type(exc).__name__}: {shown(str(exc))}"
            log.exception("parser failed on an item", extra={"position": position, "reason": reason})
            failures.append(ParseFailure(position=position, reason=reason, source_ad_id=_known_id(item, id_keys)))
        else:
            ad.position = position  # the ad is this loop's own, made from this item just now
            ads.append(ad)
    return ads, failures


def _known_id(item: dict[str, Any], id_keys: Sequence[str]) -> str | None:
    """The item's id if it has one, so a failure can still be traced to its ad; an id that could
    not be stored as it is (the reason the item failed, perhaps) is given escaped and cut short."""
    for key in id_keys:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            return text if text_flaw(text) is None and len(text) <= MAX_ID_CHARS else shown(text)
        if isinstance(value, int) and not isinstance(value, bool) and INT64_MIN <= value <= INT64_MAX:
            return str(value)
    return None


def _within_int64(number: int, field: str) -> int:
    if not INT64_MIN <= number <= INT64_MAX:
        raise ItemError(f"{field} is {shown(number)}, beyond a 64-bit integer")
    return number


def _lookup(mapping: dict[str, Any], keys: Sequence[str]) -> tuple[str, Any]:
    """The first of ``keys`` holding a non-null value (snake_case and camelCase aliases), else (keys[0], None)."""
    for key in keys:
        value = mapping.get(key)
        if value is not None:
            return key, value
    return keys[0], None


def as_text(value: Any, field: str) -> str | None:
    """Text with surrounding space removed; empty reads as None, numbers as their digits."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(_within_int64(value, field))
    if isinstance(value, float):
        return str(value)
    raise ItemError(f"{field} is {describe_type(value)}, expected text")


def get_text(mapping: dict[str, Any], *keys: str) -> str | None:
    key, value = _lookup(mapping, keys)
    return as_text(value, key)


def require_text(mapping: dict[str, Any], *keys: str) -> str:
    """An identifier the item cannot do without."""
    key, value = _lookup(mapping, keys)
    text = as_text(value, key)
    if text is None:
        raise ItemError(f"missing {' / '.join(keys)}")
    return text


def get_object(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    key, value = _lookup(mapping, keys)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ItemError(f"{key} is {describe_type(value)}, expected an object")
    return value


def _as_list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ItemError(f"{field} is {describe_type(value)}, expected an array")
    return value


def get_objects(mapping: dict[str, Any], *keys: str) -> list[dict[str, Any]]:
    """A list whose elements must all be objects (cards, images, variants)."""
    key, value = _lookup(mapping, keys)
    elements = _as_list(value, key)
    for index, element in enumerate(elements):
        if not isinstance(element, dict):
            raise ItemError(f"{key}[{index}] is {describe_type(element)}, expected an object")
    return elements


def get_texts(mapping: dict[str, Any], *keys: str) -> list[str]:
    """Non-empty texts of a list field; a lone string counts as a one-element list."""
    key, value = _lookup(mapping, keys)
    elements = [value] if isinstance(value, str) else _as_list(value, key)
    texts = [as_text(element, f"{key}[{index}]") for index, element in enumerate(elements)]
    return [text for text in texts if text is not None]


def first_text(mapping: dict[str, Any], *keys: str) -> str | None:
    texts = get_texts(mapping, *keys)
    return texts[0] if texts else None


def get_bool(mapping: dict[str, Any], *keys: str) -> bool | None:
    key, value = _lookup(mapping, keys)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ItemError(f"{key} is {describe_type(value)}, expected true or false")


_INTEGER = re.compile(r"[+-]?\d[\d,]*")


def as_int(value: Any, field: str) -> int | None:
    """An integer from a number or a numeric string such as "1000" or "1,000"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ItemError(f"{field} is a boolean, expected a number")
    if isinstance(value, int):
        return _within_int64(value, field)
    if isinstance(value, float) and value.is_integer():
        return _within_int64(int(value), field)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        text = value.strip()
        number = int(_significant_digits(text, field))
        return _within_int64(-number if text.startswith("-") else number, field)
    raise ItemError(f"{field} is {shown(value)}, expected a whole number")


def _significant_digits(number: str, field: str) -> str:
    """The digits of ``number``'s whole part without sign, commas or leading zeros; refused when
    longer than any 64-bit integer, before Python converts them (a 5,000-digit string would meet
    its int-conversion limit, a 400-digit amount would become an infinite float)."""
    whole = number.lstrip("+-").split(".", 1)[0].replace(",", "").lstrip("0") or "0"
    if len(whole) > _MAX_DIGITS:
        raise ItemError(f"{field} has {len(whole)} digits, more than a 64-bit integer holds")
    return whole


_EPOCH = re.compile(r"[+-]?\d+(\.\d+)?")
# Seconds beyond this (year 5138) can only be milliseconds: some scrapers emit those.
_LARGEST_EPOCH_SECONDS = 10**11


def as_timestamp(value: Any, field: str) -> datetime | None:
    """A UTC-aware datetime from unix seconds (number or numeric text), ISO-8601 or YYYY-MM-DD.

    Meta writes offsets without a colon ("2024-03-01T08:00:00+0000"); a time without an offset is
    taken as UTC, since none of the sources reports local times.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ItemError(f"{field} is a boolean, expected a timestamp")
    if isinstance(value, int):
        return _from_epoch(float(_within_int64(value, field)), field)
    if isinstance(value, float):
        return _from_epoch(value, field)
    if not isinstance(value, str):
        raise ItemError(f"{field} is {describe_type(value)}, expected a timestamp")
    text = value.strip()
    if _EPOCH.fullmatch(text):
        _significant_digits(text, field)  # refuses a digit string no date has, before float() reads it
        return _from_epoch(float(text), field)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ItemError(f"{field} is {shown(value)}, not unix seconds, ISO-8601 or YYYY-MM-DD") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 9999 west of UTC, or year 1 east of it
        raise ItemError(f"{field} is {shown(value)}, outside the range of dates") from None


def _from_epoch(seconds: float, field: str) -> datetime:
    if abs(seconds) >= _LARGEST_EPOCH_SECONDS:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ItemError(f"{field} is {seconds!r}, outside the range of dates") from None


def get_timestamp(mapping: dict[str, Any], *keys: str) -> datetime | None:
    key, value = _lookup(mapping, keys)
    return as_timestamp(value, key)


def bounds_range(value: Any, field: str, *, currency: str | None = None) -> Range | None:
    """Meta's ``{lower_bound, upper_bound}`` (numeric strings; upper absent when open-ended)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ItemError(f"{field} is {describe_type(value)}, expected {{lower_bound, upper_bound}}")
    lower = as_int(value.get("lower_bound"), f"{field}.lower_bound")
    upper = as_int(value.get("upper_bound"), f"{field}.upper_bound")
    if lower is None and upper is None:
        return None
    return Range(lower=lower, upper=upper, currency=currency)


_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*([kmb])?(?![a-z])", re.IGNORECASE)
_MULTIPLIERS = {None: 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def text_range(text: str, field: str, *, currency: str | None = None) -> Range:
    """A range from display text such as "1K-5K", "<100", ">1M", "1M+" or "$100 - $199".

    The text is kept as given; numbers are filled in only when the text has a recognisable shape.
    Raises ItemError for an amount beyond a 64-bit integer.
    """
    amounts = [_amount(number, suffix, field) for number, suffix in _AMOUNT.findall(text)]
    stripped = text.strip()
    if len(amounts) == 1 and stripped.startswith(("<", "≤")):
        return Range(lower=0, upper=amounts[0], currency=currency, text=text)
    if len(amounts) == 1 and (stripped.startswith((">", "≥")) or stripped.endswith("+")):
        return Range(lower=amounts[0], upper=None, currency=currency, text=text)
    if len(amounts) == 1:
        return Range(lower=amounts[0], upper=amounts[0], currency=currency, text=text)
    if len(amounts) == 2:
        return Range(lower=amounts[0], upper=amounts[1], currency=currency, text=text)
    return Range(currency=currency, text=text)


def _amount(number: str, suffix: str, field: str) -> int:
    """One amount of a range text ("1,000", "1.5" with suffix "K")."""
    _significant_digits(number, field)
    return _within_int64(round(float(number.replace(",", "")) * _MULTIPLIERS[suffix.lower() or None]), field)


_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")


def is_template(text: str | None) -> bool:
    """True for DPA/DCO placeholder copy such as ``{{product.name}}``, which is not ad copy."""
    return text is not None and _TEMPLATE.search(text) is not None


def copy_text(text: str | None) -> str | None:
    """Placeholder copy is not copy: analysis must not read "{{product.name}}" as the ad's words."""
    return None if is_template(text) else text


def https_url(address: str | None) -> str | None:
    """A URL from an address that may be a bare domain ("example.com")."""
    if address is None or "://" in address:
        return address
    return f"https://{address}"


def unique_media(refs: Sequence[MediaRef]) -> list[MediaRef]:
    """``refs`` without repeats of the same (kind, url); the first occurrence keeps its role."""
    seen: set[tuple[str, str]] = set()
    unique: list[MediaRef] = []
    for ref in refs:
        identity = (ref.kind.value, ref.url)
        if identity not in seen:
            seen.add(identity)
            unique.append(ref)
    return unique


@dataclass(frozen=True)
class ErrorEnvelope:
    """What a source said went wrong: Meta/Apify ``{error: {message, code, type}}`` or SerpApi ``{error: "..."}``."""

    message: str
    code: int | str | None = None
    kind: str | None = None


def error_envelope(body: Any) -> ErrorEnvelope | None:
    if not isinstance(body, dict) or body.get("error") is None:
        return None
    error = body["error"]
    if isinstance(error, str):
        return ErrorEnvelope(message=printable(error))
    if isinstance(error, dict):
        message = error.get("message")
        kind = error.get("type")
        code = error.get("code")
        return ErrorEnvelope(
            message=printable(message) if isinstance(message, str) else "no message",
            code=code if isinstance(code, int | str) and not isinstance(code, bool) else None,
            kind=kind if isinstance(kind, str) else None,
        )
    return ErrorEnvelope(message=f"error is {describe_type(error)}: {shown(error)}")
