"""The rules every parsed ad must keep, applied by :func:`checked_ad` after its parser has read it.

Every parsed ad then passes :func:`checked_ad`. What a hostile or impossible value costs is decided
per rule, and always said: either the item fails (a ``ParseFailure`` with its position and reason)
or one field is dropped or cleaned and a note says so (``NormalizedAd.notes``, stored with the raw
item). Nothing is changed silently.

The item fails, because no truthful ad is left:

- a number beyond a 64-bit integer (what PostgreSQL ``bigint`` and BSON ``int64`` hold), and a
  digit string longer than 19 digits, refused before it is converted (a 5,000-digit bound never
  reaches Python's int-conversion limit, a 400-digit amount never becomes an infinite float);
- an id with a NUL character or an unpaired UTF-16 surrogate, or longer than 256 characters: an id
  that has to be altered to be stored is no longer the ad's id;
- a date no calendar holds (an epoch past year 9999, 9999-12-31 west of UTC), as any timestamp
  that cannot be read.

One field is dropped or cleaned, because the rest of the ad is sound:

- text (copy, names, CTA, format, platforms, range text): NUL characters are removed (PostgreSQL
  text cannot hold them and they display as nothing) and unpaired surrogates (half an emoji cut
  off by a scraper's truncation; UTF-8 cannot encode them) become U+FFFD, the replacement
  character, so the loss stays visible in the copy too. A surrogate pair written as two code
  points is joined into its character: nothing is lost, so no note;
- a URL (landing link, creative) with either character is dropped, not cleaned: a cleaned URL is
  another URL;
- a spend or impression range with a negative bound, or with its lower bound above its upper;
- a date before 2004-01-01 (Facebook, and so the first ad either library could list, dates from
  February 2004; earlier dates come from zero or negative epochs, 1970 or 1938) or more than a day
  after the parse (the day allows for clocks and time zones; year 9999 is a placeholder);
- an end before the start: the end is dropped and the start kept, since the end is the delivery
  fact a later fetch reports again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from adology.sources.models import NormalizedAd, Range
from adology.sources.values import ItemError, shown, text_flaw

# Facebook ids have 15-17 digits and Google creative ids 22 characters; an id is a key of the ads
# table's unique index, which refuses entries above ~2,700 bytes.
MAX_ID_CHARS = 256
EARLIEST_AD_DATE = datetime(2004, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)

# Free text: cleaned with a note. Identifiers and URLs are refused or dropped instead.
_WORD_FIELDS = ("advertiser_id", "advertiser_name", "title", "body", "cta", "display_format")


def checked_ad(ad: NormalizedAd) -> NormalizedAd:
    """``ad`` kept to the module's rules: unstorable text cleaned, impossible URLs, ranges and dates
    dropped, each with a note (``ad`` itself when it keeps them all, as nearly every ad does).
    Raises ItemError for an id that cannot be stored as it is."""
    flaw = text_flaw(ad.source_ad_id)
    if flaw is not None:
        raise ItemError(f"id {shown(ad.source_ad_id)} has {flaw}")
    if len(ad.source_ad_id) > MAX_ID_CHARS:
        raise ItemError(f"id is {len(ad.source_ad_id)} characters long; no source has ids above {MAX_ID_CHARS}")
    notes: list[str] = []
    kept: dict[str, Any] = {name: _clean_words(getattr(ad, name), name, notes) for name in _WORD_FIELDS}
    if any(text_flaw(platform) for platform in ad.platforms):
        platforms = [_clean_words(text, f"platforms[{index}]", notes) for index, text in enumerate(ad.platforms)]
        kept["platforms"] = [platform for platform in platforms if platform is not None]
    kept["link_url"] = _usable_url(ad.link_url, "link_url", notes)
    if any(text_flaw(ref.url) for ref in ad.media):
        kept["media"] = [
            ref for index, ref in enumerate(ad.media) if _usable_url(ref.url, f"media[{index}]", notes) is not None
        ]
    kept["spend"] = _possible_range(ad.spend, "spend", notes)
    kept["impressions"] = _possible_range(ad.impressions, "impressions", notes)
    now = datetime.now(UTC)
    started_at = kept["started_at"] = _possible_date(ad.started_at, "started_at", now, notes)
    ended_at = kept["ended_at"] = _possible_date(ad.ended_at, "ended_at", now, notes)
    if started_at is not None and ended_at is not None and ended_at < started_at:
        notes.append(f"ended_at dropped: {ended_at.isoformat()} is before started_at {started_at.isoformat()}")
        kept["ended_at"] = None
    changed = {name: value for name, value in kept.items() if value is not getattr(ad, name)}
    if not changed:
        return ad
    return ad.model_copy(update=changed | {"notes": [*ad.notes, *notes]})


def _clean_words(text: str | None, field: str, notes: list[str]) -> str | None:
    """Free text without NUL characters and with unpaired surrogates replaced, the loss noted."""
    if text is None or text_flaw(text) is None:
        return text
    without_nul = text.replace("\x00", "")
    # UTF-16 joins a surrogate pair written as two code points; "replace" marks each unpaired one
    joined = without_nul.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    losses = []
    if removed := len(text) - len(without_nul):
        losses.append(f"removed {removed} NUL character{'s' if removed > 1 else ''}")
    if replaced := joined.count("\ufffd") - without_nul.count("\ufffd"):
        losses.append(f"replaced {replaced} unpaired surrogate{'s' if replaced > 1 else ''} with U+FFFD")
    if losses:
        notes.append(f"{field}: {', '.join(losses)}")
    return joined.strip() or None


def _usable_url(url: str | None, field: str, notes: list[str]) -> str | None:
    if url is None:
        return None
    flaw = text_flaw(url)
    if flaw is None:
        return url
    notes.append(f"{field} dropped: its URL has {flaw}")
    return None


def _possible_range(value: Range | None, field: str, notes: list[str]) -> Range | None:
    if value is None:
        return None
    if (value.lower is not None and value.lower < 0) or (value.upper is not None and value.upper < 0):
        notes.append(f"{field} dropped: a negative bound ({value.lower} to {value.upper})")
        return None
    if value.lower is not None and value.upper is not None and value.lower > value.upper:
        notes.append(f"{field} dropped: lower bound {value.lower} above upper bound {value.upper}")
        return None
    text = _clean_words(value.text, f"{field}.text", notes)
    currency = _clean_words(value.currency, f"{field}.currency", notes)
    if text is value.text and currency is value.currency:
        return value
    return value.model_copy(update={"text": text, "currency": currency})


def _possible_date(value: datetime | None, field: str, now: datetime, notes: list[str]) -> datetime | None:
    if value is None:
        return None
    instant = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if instant < EARLIEST_AD_DATE:
        notes.append(f"{field} dropped: {instant.isoformat()} is before {EARLIEST_AD_DATE.date()}, before any ad")
        return None
    if instant > now + FUTURE_TOLERANCE:
        notes.append(f"{field} dropped: {instant.isoformat()} is more than a day in the future")
        return None
    return value
