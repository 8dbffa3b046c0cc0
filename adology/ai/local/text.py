"""The offers, calls to action and cues an ad's words state.

The findings are pattern matches (:mod:`adology.ai.local.copy_patterns`), never guesses. Offers,
calls to action and urgency phrases are reported in a canonical spelling ("48 HOURS ONLY"); claims,
benefits and the like as the whole OCR line or clause of copy that holds the cue, verbatim. Findings
carry ``has_text``: with no text at all, "nothing found" means "unknown", not "none".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from adology.ai.local.copy_patterns import (
    BENEFIT_CUES,
    CLAIM_CUES,
    CLAUSE_SPLIT,
    CODE_IN_COPY,
    CODE_IN_LINE,
    CTA_LINE_TRAILER,
    CTAS,
    ENGLISH_FUNCTION_WORDS,
    EXPERT_CUES,
    FEATURE_CUES,
    HASHTAG,
    INGREDIENT_PATTERNS,
    NEW_LAUNCH,
    OFFER_RULES,
    PRICE,
    SCARCITY_RULES,
    SEASON_CUES,
    SENTENCE_END,
    SOCIAL_CUES,
    SUBSCRIPTION,
    SUSTAINABILITY_CUES,
    URGENCY_RULES,
    WORD,
    Rule,
    Segment,
    Source,
    compact,
)


@dataclass(frozen=True, slots=True)
class Offer:
    kind: str  # an ``offer_type`` value
    text: str  # canonical spelling, e.g. "50% OFF"
    source: Source
    value: float | None  # the percentage or amount, for percent_off and amount_off


@dataclass(frozen=True, slots=True)
class CallToAction:
    text: str  # canonical spelling, e.g. "SHOP NOW"
    kind: str  # a ``cta_type`` value
    source: Source


@dataclass(frozen=True)
class TextFindings:
    """What the ad's text states, by rule. ``has_text`` is False when there was nothing to read."""

    has_text: bool
    offers: tuple[Offer, ...] = ()
    cta: CallToAction | None = None
    urgency_phrases: tuple[str, ...] = ()
    countdown_phrases: tuple[str, ...] = ()
    flash_sale_phrases: tuple[str, ...] = ()
    scarcity_phrases: tuple[str, ...] = ()
    prices: tuple[tuple[str, float], ...] = ()  # (currency symbol, value)
    discount_code: str | None = None
    claims: tuple[str, ...] = ()
    expert_claims: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    benefits: tuple[str, ...] = ()
    social_proof: tuple[str, ...] = ()
    sustainability: tuple[str, ...] = ()
    ingredients: tuple[str, ...] = ()
    seasonality: str | None = None
    new_launch: bool = False
    before_after: bool = False
    subscription: bool = False
    hashtags: tuple[str, ...] = ()
    emoji_count: int = 0
    exclamation_count: int = 0
    question: bool = False
    language: str | None = None
    readability: float | None = None

    @property
    def offer(self) -> Offer | None:
        return self.offers[0] if self.offers else None

    @property
    def urgency(self) -> bool:
        return bool(self.urgency_phrases or self.countdown_phrases or self.flash_sale_phrases)

    @property
    def phrases(self) -> list[str]:
        """The canonical phrases found, as readable words (OCR text often lacks its spaces)."""
        found = [offer.text for offer in self.offers]
        found += [self.cta.text] if self.cta else []
        found += [*self.flash_sale_phrases, *self.urgency_phrases, *self.countdown_phrases, *self.scarcity_phrases]
        return list(dict.fromkeys(found))


def analyse_text(
    creative_lines: Sequence[str],
    copy: str,
    *,
    platform_cta: str | None = None,
    brand: str | None = None,
) -> TextFindings:
    """Findings over the creative's lines (reading order), the copy, then the platform's CTA button."""
    segments = [Segment("creative", line) for line in creative_lines if line.strip()]
    segments += [Segment("copy", sentence) for sentence in CLAUSE_SPLIT.split(copy) if sentence.strip()]
    if not segments and not (platform_cta and platform_cta.strip()):
        return TextFindings(has_text=False)
    brand_compact = compact(brand) if brand else None
    # Lines that only name the brand say nothing about claims or benefits ("Glow Botanicals").
    content = [s for s in segments if not (brand_compact and s.compact == brand_compact)]
    all_text = "\n".join(s.text for s in segments)
    all_compact = "|".join(s.compact for s in segments)
    offers = _offers(segments)
    return TextFindings(
        has_text=True,
        offers=offers,
        cta=_call_to_action(segments, platform_cta),
        urgency_phrases=_phrases(segments, URGENCY_RULES, "deadline"),
        countdown_phrases=_phrases(segments, URGENCY_RULES, "countdown"),
        flash_sale_phrases=_phrases(segments, URGENCY_RULES, "flash_sale"),
        scarcity_phrases=_phrases(segments, SCARCITY_RULES, "scarcity"),
        prices=tuple((m[1], float(m[2].replace(",", "."))) for s in segments for m in PRICE.finditer(s.compact)),
        discount_code=_discount_code(segments),
        claims=_clauses(content, CLAIM_CUES),
        expert_claims=_clauses(content, EXPERT_CUES),
        features=_clauses(content, FEATURE_CUES),
        benefits=_clauses([s for s in content if not _is_offer_or_cta(s)], BENEFIT_CUES),
        social_proof=_clauses(content, SOCIAL_CUES),
        sustainability=_clauses(content, SUSTAINABILITY_CUES),
        ingredients=tuple(name for name, pattern in INGREDIENT_PATTERNS if pattern.search(all_compact)),
        seasonality=next((season for pattern, season in SEASON_CUES if pattern.search(all_compact)), "none"),
        new_launch=any(NEW_LAUNCH.search(s.compact) for s in content),
        before_after="BEFORE" in all_compact and "AFTER" in all_compact,
        subscription=bool(SUBSCRIPTION.search(all_compact)),
        hashtags=tuple(dict.fromkeys(HASHTAG.findall(all_text))),
        emoji_count=count_emoji(copy),
        exclamation_count=all_text.count("!"),
        question="?" in all_text,
        language=detect_language([copy, *creative_lines]),
        readability=flesch_reading_ease(copy) if detect_language([copy]) == "en" else None,
    )


def _offers(segments: Iterable[Segment]) -> tuple[Offer, ...]:
    found: dict[str, Offer] = {}
    for segment in segments:
        for rule in OFFER_RULES:
            for match in rule.pattern.finditer(segment.compact):
                text = rule.spell(match)
                value = None
                if rule.kind in ("percent_off", "amount_off"):
                    value = float(next(g for g in reversed(match.groups()) if g and g[0].isdigit()))
                found.setdefault(text, Offer(kind=rule.kind, text=text, source=segment.source, value=value))
    return tuple(found.values())


def _is_offer_or_cta(segment: Segment) -> bool:
    return any(rule.pattern.search(segment.compact) for rule in OFFER_RULES) or _cta_line(segment) is not None


def _cta_line(segment: Segment) -> tuple[str, str] | None:
    """The CTA a line *is* (a button reads only its call to action), or None."""
    line = CTA_LINE_TRAILER.sub("", segment.compact)
    return next(((text, kind) for phrase, text, kind in CTAS if line == phrase), None)


def _call_to_action(segments: Sequence[Segment], platform_cta: str | None) -> CallToAction | None:
    # A button on the creative is what the viewer sees; the platform's button comes next, and a
    # call to action inside a sentence of copy last.
    for segment in segments:
        if segment.source == "creative" and (found := _cta_line(segment)):
            return CallToAction(text=found[0], kind=found[1], source="creative")
    if platform_cta and platform_cta.strip():
        button = compact(platform_cta.replace("_", " "))
        for phrase, text, kind in CTAS:
            if button == phrase:
                return CallToAction(text=text, kind=kind, source="platform")
        return CallToAction(text=platform_cta.replace("_", " ").strip().upper(), kind="other", source="platform")
    for segment in segments:
        if segment.source == "copy":
            for phrase, text, kind in CTAS:
                if phrase in segment.compact and kind in ("shop_now", "learn_more", "sign_up", "get_offer", "buy_now"):
                    return CallToAction(text=text, kind=kind, source="copy")
    return None


def _phrases(segments: Iterable[Segment], rules: Iterable[Rule], kind: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for segment in segments:
        for rule in rules:
            if rule.kind == kind:
                for match in rule.pattern.finditer(segment.compact):
                    found.setdefault(rule.spell(match), None)
    return tuple(found)


def _clauses(segments: Iterable[Segment], cues: re.Pattern[str]) -> tuple[str, ...]:
    """Each segment (an OCR line or a clause of copy) containing a cue, verbatim, once."""
    return tuple(dict.fromkeys(s.text.strip() for s in segments if cues.search(s.compact)))


def _discount_code(segments: Iterable[Segment]) -> str | None:
    for segment in segments:
        match = CODE_IN_COPY.search(segment.text) if segment.source == "copy" else CODE_IN_LINE.search(segment.compact)
        if match and any(ch.isalpha() for ch in match[1]) and match[1].isupper():
            return match[1]
    return None


def count_emoji(text: str) -> int:
    return sum(1 for ch in text if _is_emoji(ch))


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return (
        0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF
    ) and unicodedata.category(ch) == "So"


def detect_language(texts: Iterable[str]) -> str | None:
    """'en' when the words are Latin letters with enough English function words; otherwise unknown.

    A cheap, conservative test, not a classifier: it never names a language it has not seen
    evidence for, and short or space-less (OCR) text stays unknown.
    """
    words = [w.lower() for text in texts for w in WORD.findall(text)]
    if len(words) < 4:
        return None
    letters = "".join(words)
    ascii_share = sum(ch.isascii() for ch in letters) / len(letters)
    function_words = sum(w in ENGLISH_FUNCTION_WORDS for w in words)
    return "en" if ascii_share >= 0.9 and function_words >= max(2, 0.1 * len(words)) else None


def flesch_reading_ease(text: str) -> float | None:
    words = WORD.findall(text)
    if len(words) < 5:
        return None
    sentences = max(1, len([s for s in SENTENCE_END.split(text) if WORD.search(s)]))
    syllables = sum(_syllables(w) for w in words)
    score = 206.835 - 1.015 * len(words) / sentences - 84.6 * syllables / len(words)
    return round(min(100.0, max(0.0, score)), 1)


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    count = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(1, count)
