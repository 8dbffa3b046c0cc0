"""The checks a drafted claim must pass before it is stored: what it cites exists, and every number it
writes is one of the numbers it cites.

A claim is kept when
- it has text and cites at least one fact, and every fact it cites is one it was given;
- every ad it cites is evidence of one of its facts and belongs to the subject (the brand, or the
  brandspace's brands), and every ad it names in its text ("ad 123", "#123") is one it cites;
- every number in its text is a value of a cited fact as written: an integer exactly, any other
  number rounded to the decimals shown (a share of 0.4137 may be "0.41", or "41%" / "41.4%" as a
  percentage), a p-value also as a bound it satisfies ("p<0.001"), a date as the fact gives it
  (2025-05-01, "May 2025", 2025).
Anything else is dropped with its reason and counted; nothing unchecked is stored.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date

from adology.ai.summaries import DraftClaim, Fact
from adology.knowledge.insights.model import Claim

_AD_MENTION = re.compile(r"(?:\bads?\s+|#)(\d+)\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+(\d{4})\b",
    re.IGNORECASE,
)
_BOUND = re.compile(r"([<≤])\s*(\d+(?:\.\d+)?)")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(\s*%)?")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def verify_claims(
    claims: Sequence[DraftClaim], facts: Sequence[Fact], allowed_ad_ids: Collection[int]
) -> tuple[list[Claim], Counter[str]]:
    """The claims that pass every check (see the module), and the others counted by reason."""
    by_id = {fact.id: fact for fact in facts}
    allowed = set(allowed_ad_ids)
    kept: list[Claim] = []
    dropped: Counter[str] = Counter()
    for claim in claims:
        reason = _problem(claim, by_id, allowed)
        if reason is None:
            kept.append(Claim(text=claim.text.strip(), fact_ids=list(claim.fact_ids), ad_ids=list(claim.ad_ids)))
        else:
            dropped[reason] += 1
    return kept, dropped


def _problem(claim: DraftClaim, facts: dict[str, Fact], allowed: set[int]) -> str | None:
    if not claim.text.strip() or not claim.fact_ids:
        return "empty"
    if any(fact_id not in facts for fact_id in claim.fact_ids):
        return "unknown_fact"
    cited = [facts[fact_id] for fact_id in claim.fact_ids]
    evidence = {ad_id for fact in cited for ad_id in fact.ad_ids} & allowed
    if any(ad_id not in evidence for ad_id in claim.ad_ids):
        return "foreign_ad"
    text = claim.text
    if any(int(found) not in claim.ad_ids for found in _AD_MENTION.findall(text)):
        return "uncited_ad"
    text = _AD_MENTION.sub(" ", text)
    values = [value for fact in cited for value in fact.values.values()]
    return None if _numbers_check(text, values) else "unverified_number"


def _numbers_check(text: str, values: list[float | int | str]) -> bool:
    dates = [parsed for value in values if isinstance(value, str) and (parsed := _date(value)) is not None]
    numbers = [float(value) for value in values if isinstance(value, int | float) and not isinstance(value, bool)]
    for found in _ISO_DATE.findall(text):
        if _date(found) not in dates:
            return False
    text = _ISO_DATE.sub(" ", text)
    for month, year in _MONTH_YEAR.findall(text):
        if not any(day.year == int(year) and day.month == _MONTHS[month.lower().rstrip(".")] for day in dates):
            return False
    text = _MONTH_YEAR.sub(" ", text)
    for _, bound in _BOUND.findall(text):
        if not any(0 <= number < float(bound) for number in numbers):
            return False
    text = _BOUND.sub(" ", text)
    for whole, decimals, percent in _NUMBER.findall(text):
        written = float(whole.replace(",", "") + (f".{decimals}" if decimals else ""))
        if len(whole) == 4 and not decimals and not percent and any(day.year == written for day in dates):
            continue  # a year of a cited date
        tolerance = 0.5 * 10 ** -len(decimals) + 1e-9
        scale = 100.0 if percent else 1.0
        if not any(abs(written - number * scale) <= tolerance for number in numbers):
            return False
    return True


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
