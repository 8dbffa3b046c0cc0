"""The checks a drafted claim must pass before it is stored: what it cites exists, and every number it
writes is one of the numbers it cites.

A claim is kept when
- it has text and cites at least one fact, and every fact it cites is one it was given;
- every ad it cites is evidence of one of its cited facts and one of the allowed ads (the brand's, or
  the brandspace members'), and every ad it names in its text ("ad 123", "ads 12 and 13", "#123") is
  one it cites;
- every number in its text is a value of a cited fact as written:
  - an integer value exactly (1,234 as "1234" or "1,234");
  - a share (a value in [0, 1]) as a percentage rounded to a whole number or one decimal
    (0.4137 as "41%" or "41.4%");
  - any other number rounded to the decimals shown, keeping at least two significant digits unless
    rounded to a whole number of at least 1 (0.4137 as "0.41", not "0.4"; 7.4 days as "7");
  - a p- or q-value also to one significant digit ("p=0.003"), or as a bound it satisfies
    ("p<0.001", "q < 0.05", "p>0.05"); a number written as "p=" or "q=" must be such a value;
  - a date as the fact gives it (2025-05-01), its month ("May 2025", "2025-05") or its year (2025);
  - digits inside a string value the claim quotes (a term "spf 50") are words, not numbers.

Anything else is dropped with its reason and counted (``empty``, ``unknown_fact``, ``foreign_ad``,
``uncited_ad``, ``unverified_number``); nothing unchecked is stored.
"""

from __future__ import annotations

import math
import operator
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from adology.ai.summaries import DraftClaim, Fact
from adology.knowledge.insights.model import Claim

_AD_MENTION = re.compile(
    r"(?:\bads?(?:[\s_-]*ids?)?\s*[:#]?\s*|#\s*)"
    # a list of ids ("ads 12, 13 and 14"), but not a count or share that follows the word ("ads 41%")
    r"(\d+(?:\s*(?:,|and|&|or)\s*#?\s*\d+)*)(?![\d.,]*\d|\s*%)",
    re.IGNORECASE,
)
_MONTHS = "january february march april may june july august september october november december".split()


def _month_name(group: str) -> str:
    """A month's name or abbreviation ("Sept.", "May") as the named group ``group``."""
    return (
        rf"(?P<{group}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
        r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
    )


_ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
_WRITTEN_DATE = re.compile(  # "5 May 2025", "May 5, 2025", "May 5th 2025"
    rf"\b(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_month_name('month')}"
    rf"|{_month_name('month2')}\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?,?)\s+(?P<year>\d{{4}})\b",
    re.IGNORECASE,
)
_MONTH = re.compile(  # "May 2025", "2025-05"
    rf"\b{_month_name('month')}\s+(?P<year>\d{{4}})\b|\b(?P<year2>\d{{4}})-(?P<month2>\d{{2}})\b",
    re.IGNORECASE,
)
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?"
_BOUND = re.compile(rf"(?:\b([pq])(?:[\s-]*values?)?\s*)?(<=|>=|[<>≤≥])\s*{_NUMBER}", re.IGNORECASE)
_LABELLED = re.compile(rf"\b([pq])(?:[\s-]*values?)?\s*[=:]\s*{_NUMBER}", re.IGNORECASE)
_PLAIN = re.compile(rf"(?<![\w.]){_NUMBER}(\s*(?:%|per\s?cent\b))?", re.IGNORECASE)
_JUST_A_NUMBER = re.compile(r"[\d.,%\s]+")
_BARE_DECIMAL = re.compile(r"(?<![\w.])\.(?=\d)")  # ".03", read as "0.03"
_RELATIONS = {
    "<": operator.lt,
    "≤": operator.le,
    "<=": operator.le,
    ">": operator.gt,
    "≥": operator.ge,
    ">=": operator.ge,
}
_SIGNIFICANCE_KEYS = {"p": "p_value", "q": "q_value"}


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
    mentioned = [int(ad_id) for found in _AD_MENTION.findall(claim.text) for ad_id in re.findall(r"\d+", found)]
    if any(ad_id not in claim.ad_ids for ad_id in mentioned):
        return "uncited_ad"
    text = _AD_MENTION.sub(" ", claim.text)
    return None if _Values.of(cited).check(text) else "unverified_number"


@dataclass(frozen=True)
class _Written:
    """A number as the text writes it."""

    value: float
    decimals: int  # places after the point, counting the exponent (3.4e-05 has 6)
    significant: int  # significant digits shown (0.040 has 2, 7 has 1, 0 has 0)

    @classmethod
    def parse(cls, whole: str, fraction: str, exponent: str) -> _Written:
        digits = (whole.replace(",", "") + fraction).lstrip("0")
        shift = int(exponent or 0)
        value = float(f"{whole.replace(',', '')}.{fraction or '0'}e{shift}")
        return cls(value=value, decimals=max(len(fraction) - shift, 0), significant=len(digits))

    def rounds(self, number: float) -> bool:
        """Whether ``number`` rounded to the decimals shown is what is written (either neighbour of a half)."""
        return abs(self.value - number) <= 0.5 * 10.0**-self.decimals * (1 + 1e-9) + 1e-12


@dataclass(frozen=True)
class _Values:
    """The cited facts' values, sorted by what a number may be checked against."""

    integers: list[int]
    reals: list[float]
    significance: dict[str, list[float]]  # "p" / "q" → the p- or q-values
    dates: list[date]
    words: list[str]  # string values with digits, lower case, longest first

    @classmethod
    def of(cls, facts: Iterable[Fact]) -> _Values:
        integers, reals, dates, words = [], [], [], set()
        significance: dict[str, list[float]] = {"p": [], "q": []}
        for fact in facts:
            for key, value in fact.values.items():
                if isinstance(value, bool):
                    continue
                if isinstance(value, int):
                    integers.append(value)
                elif isinstance(value, float):
                    if not math.isfinite(value):
                        continue
                    reals.append(value)
                    for letter, name in _SIGNIFICANCE_KEYS.items():
                        if key.split(":")[0] == name:
                            significance[letter].append(value)
                elif (day := _iso_date(value)) is not None:
                    dates.append(day)
                elif any(character.isdigit() for character in value):
                    for part in (value, *value.split(",")):
                        part = part.strip().lower()
                        if part and not _JUST_A_NUMBER.fullmatch(part):  # "spf 50" is a word, "50%" a number
                            words.update({part, part.replace("_", " ")})
        return cls(integers, reals, significance, dates, sorted(words, key=len, reverse=True))

    def check(self, text: str) -> bool:
        text = _BARE_DECIMAL.sub("0.", text.lower())
        for word in self.words:
            text = re.sub(rf"(?<![\w.]){re.escape(word)}(?!\w)", " ", text)
        checks = (
            (_ISO_DATE, self._full_date),
            (_WRITTEN_DATE, self._full_date),
            (_MONTH, self._month),
            (_BOUND, self._bound),
            (_LABELLED, self._labelled),
            (_PLAIN, self._plain),
        )
        for pattern, holds in checks:
            if not all(holds(found) for found in pattern.finditer(text)):
                return False
            text = pattern.sub(" ", text)
        return True

    def _full_date(self, found: re.Match[str]) -> bool:
        groups = found.groupdict()
        month = _month_number(groups.get("month") or groups.get("month2") or "")
        try:
            day = date(int(groups["year"]), month, int(groups.get("day") or groups.get("day2") or 0))
        except ValueError:
            return False
        return day in self.dates

    def _month(self, found: re.Match[str]) -> bool:
        year = int(found["year"] or found["year2"])
        month = _month_number(found["month"] or found["month2"])
        return any((day.year, day.month) == (year, month) for day in self.dates)

    def _bound(self, found: re.Match[str]) -> bool:
        """A p- or q-value's bound it satisfies; an unlabelled one ("≥30 days") may also be a plain value."""
        letter, relation = (found[1] or "").lower(), found[2]
        written = _Written.parse(found[3], found[4] or "", found[5] or "")
        candidates = self.significance[letter] if letter else [*self.significance["p"], *self.significance["q"]]
        satisfied = any(_RELATIONS[relation](value, written.value) for value in candidates)
        return satisfied or (not letter and self._matches(written, percent=False))

    def _labelled(self, found: re.Match[str]) -> bool:
        written = _Written.parse(found[2], found[3] or "", found[4] or "")
        return any(written.rounds(value) and written.significant >= 1 for value in self.significance[found[1].lower()])

    def _plain(self, found: re.Match[str]) -> bool:
        return self._matches(_Written.parse(found[1], found[2] or "", found[3] or ""), percent=bool(found[4]))

    def _matches(self, written: _Written, *, percent: bool) -> bool:
        if percent:  # a share rounded to a whole number or one decimal
            return written.decimals <= 1 and any(
                written.rounds(100 * share) for share in [*self.reals, *self.integers] if 0 <= share <= 1
            )
        if written.value in self.integers or any(written.value == day.year for day in self.dates):
            return True
        return any(
            written.rounds(value)
            and (
                written.significant >= 2
                or (written.decimals == 0 and abs(value) >= 1)
                or abs(written.value - value) < 1e-12
                or value in self.significance["p"]
                or value in self.significance["q"]
            )
            for value in self.reals
        )


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        return None


def _month_number(name: str) -> int:
    """1-12 for a month's name or abbreviation, or for its two digits ("05")."""
    if name.isdigit():
        return int(name)
    return next(number for number, month in enumerate(_MONTHS, start=1) if month.startswith(name.lower()[:3]))
