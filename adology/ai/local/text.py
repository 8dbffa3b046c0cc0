"""Text: WordLlama embeddings, and the offers, calls to action and cues an ad's words state.

Embeddings come from WordLlama's ``l2_supercat`` 256-dimension model, loaded from the files its
wheel ships (``disable_download``: nothing is fetched at run time). Rows are L2-normalised;
a text without a single token embeds as zeros, which callers treat as "no text".

The findings are pattern matches, never guesses. OCR drops the spaces between words
("FREE SHIPPING" reads "FREESHIPPING"), so every pattern runs on a *compact* form (upper case,
whitespace removed). Offers, calls to action and urgency phrases are reported in a canonical
spelling ("48 HOURS ONLY"); claims, benefits and the like as the whole OCR line or clause of
copy that holds the cue, verbatim. Findings carry ``has_text``: with no text at all, "nothing
found" means "unknown", not "none".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from adology.ai.types import AIError
from adology.logs import get_logger

log = get_logger(__name__)

EMBED_DIM = 256
TEXT_MODEL_ID = "wordllama-l2-256"

_model_lock = threading.Lock()
_model: Any = None


def _wordllama() -> Any:
    global _model
    with _model_lock:
        if _model is None:
            import wordllama  # imported on first use: its tokenizer and weights load in ~0.2 s

            try:
                _model = wordllama.WordLlama.load(
                    config="l2_supercat", dim=EMBED_DIM, cache_dir=Path(wordllama.__file__).parent,
                    disable_download=True,
                )
            except FileNotFoundError as exc:
                raise AIError("model_unavailable", f"WordLlama files missing from its package: {exc}") from exc
            log.info("loaded WordLlama", extra={"model": TEXT_MODEL_ID})
        return _model


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """``(len(texts), 256)`` float32 rows, each of unit length, or zeros for a text with no tokens."""
    if not texts:
        return np.zeros((0, EMBED_DIM), dtype=np.float32)
    raw = np.asarray(_wordllama().embed(list(texts), norm=False), dtype=np.float32)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    valid = np.isfinite(norms) & (norms > 1e-9)
    return np.where(valid, raw / np.where(valid, norms, 1.0), 0.0).astype(np.float32)


# --- compact matching ----------------------------------------------------------------------

Source = Literal["creative", "copy", "platform"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A unit of text: one OCR line or one clause of copy, with its compact form."""

    source: Source
    text: str
    compact: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compact", compact(self.text))


def compact(text: str) -> str:
    return "".join(text.split()).upper()


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern on the compact form and how to spell what it matched."""

    pattern: re.Pattern[str]
    kind: str
    spell: Callable[[re.Match[str]], str]


def _rule(pattern: str, kind: str, spell: str | Callable[[re.Match[str]], str]) -> Rule:
    speller = spell if callable(spell) else (lambda m, template=spell: m.expand(template))
    return Rule(re.compile(pattern), kind, speller)


_OFFER_RULES = (
    _rule(r"(UPTO)?(\d{1,2})%OFF", "percent_off", lambda m: ("UP TO " if m[1] else "") + f"{m[2]}% OFF"),
    _rule(r"SAVE(\d{1,2})%", "percent_off", r"SAVE \1%"),
    _rule(r"(\d{1,2})%DISCOUNT", "percent_off", r"\1% DISCOUNT"),
    _rule(r"([$£€])(\d{1,4})OFF", "amount_off", r"\1\2 OFF"),
    _rule(r"SAVE([$£€])(\d{1,4})", "amount_off", r"SAVE \1\2"),
    _rule(r"FREE(?:US)?(SHIPPING|DELIVERY)|(SHIPS)FREE", "free_shipping",
          lambda m: "FREE DELIVERY" if m[1] == "DELIVERY" else "FREE SHIPPING"),
    _rule(r"BUY(\d|ONE)GET(\d|ONE)(FREE|\d{1,2}%OFF)?|BOGO", "bogo",
          lambda m: "BOGO" if m[0] == "BOGO" else " ".join(
              ["BUY", m[1], "GET", m[2]] + ([m[3].replace("%OFF", "% OFF")] if m[3] else []))),
    _rule(r"FREEGIFT(WITHPURCHASE)?|GIFTWITHPURCHASE|FREEMINI", "free_gift",
          lambda m: {"GIFTWITHPURCHASE": "GIFT WITH PURCHASE", "FREEMINI": "FREE MINI"}.get(
              m[0], "FREE GIFT WITH PURCHASE" if m[1] else "FREE GIFT")),
    _rule(r"BUNDLE(ANDSAVE|&SAVE)?|VALUESET|STARTERKIT", "bundle",
          lambda m: {"VALUESET": "VALUE SET", "STARTERKIT": "STARTER KIT"}.get(
              m[0], "BUNDLE & SAVE" if m[1] else "BUNDLE")),
    _rule(r"FREETRIAL|TRYITFREE|TRYFORFREE|FREESAMPLE", "trial",
          lambda m: {"FREETRIAL": "FREE TRIAL", "TRYITFREE": "TRY IT FREE", "TRYFORFREE": "TRY FOR FREE"}.get(
              m[0], "FREE SAMPLE")),
)

# (compact phrase, canonical spelling, cta_type): longest first so "SHOPTHESALE" wins over "SHOP".
_CTAS = (
    ("SHOPTHESALE", "SHOP THE SALE", "shop_now"), ("SHOPNOW", "SHOP NOW", "shop_now"),
    ("BUYNOW", "BUY NOW", "buy_now"), ("ADDTOCART", "ADD TO CART", "buy_now"),
    ("ORDERNOW", "ORDER NOW", "order_now"), ("LEARNMORE", "LEARN MORE", "learn_more"),
    ("FINDOUTMORE", "FIND OUT MORE", "learn_more"), ("DISCOVERMORE", "DISCOVER MORE", "learn_more"),
    ("READMORE", "READ MORE", "learn_more"), ("SIGNUP", "SIGN UP", "sign_up"), ("JOINNOW", "JOIN NOW", "sign_up"),
    ("REGISTERNOW", "REGISTER NOW", "sign_up"), ("SUBSCRIBENOW", "SUBSCRIBE NOW", "subscribe"),
    ("SUBSCRIBE", "SUBSCRIBE", "subscribe"), ("GETOFFER", "GET OFFER", "get_offer"),
    ("CLAIMOFFER", "CLAIM OFFER", "get_offer"), ("GETTHEDEAL", "GET THE DEAL", "get_offer"),
    ("REDEEMNOW", "REDEEM NOW", "get_offer"), ("DOWNLOADNOW", "DOWNLOAD NOW", "download"),
    ("DOWNLOAD", "DOWNLOAD", "download"), ("INSTALLNOW", "INSTALL NOW", "download"),
    ("BOOKNOW", "BOOK NOW", "book_now"), ("GETSTARTED", "GET STARTED", "get_started"),
    ("CONTACTUS", "CONTACT US", "contact_us"), ("WATCHMORE", "WATCH MORE", "watch_more"),
    ("WATCHNOW", "WATCH NOW", "watch_more"), ("APPLYNOW", "APPLY NOW", "apply_now"),
)
_CTA_LINE_TRAILER = re.compile(r"[!>→»›.]*$")

_URGENCY_RULES = (
    _rule(r"(\d{1,3})(?:HOURS?|HRS?)ONLY", "deadline", r"\1 HOURS ONLY"),
    _rule(r"(ONE|\d)DAYONLY", "deadline", lambda m: f"{'ONE' if m[1] == 'ONE' else m[1]} DAY ONLY"),
    _rule(r"ENDS(TONIGHT|TODAY|SOON|MIDNIGHT|ATMIDNIGHT|SUNDAY|FRIDAY)", "deadline",
          lambda m: "ENDS " + m[1].replace("ATMIDNIGHT", "AT MIDNIGHT")),
    _rule(r"(TODAY|TONIGHT|THISWEEKEND|THISWEEK)ONLY", "deadline",
          lambda m: m[1].replace("THIS", "THIS ") + " ONLY"),
    _rule(r"(FORA)?LIMITED(?:-)?TIME(OFFER|ONLY)?", "deadline",
          lambda m: ("FOR A " if m[1] else "") + "LIMITED TIME" + (f" {m[2]}" if m[2] else "")),
    _rule(r"LASTCHANCE|LASTDAY|FINALHOURS|HURRY|DON'?TMISSOUT|NOWORNEVER", "deadline",
          lambda m: {"LASTCHANCE": "LAST CHANCE", "LASTDAY": "LAST DAY", "FINALHOURS": "FINAL HOURS",
                     "HURRY": "HURRY", "NOWORNEVER": "NOW OR NEVER"}.get(m[0], "DON'T MISS OUT")),
    _rule(r"ENDSIN(\d{1,3})(DAYS?|HOURS?|HRS?|MINUTES?|MINS?)", "countdown", r"ENDS IN \1 \2"),
    _rule(r"(\d{1,3})(DAYS?|HOURS?|HRS?)LEFT", "countdown", r"\1 \2 LEFT"),
    _rule(r"\d{1,2}:\d{2}:\d{2}|COUNTDOWN", "countdown", lambda m: m[0]),
    _rule(r"FLASHSALE|(24|48)-?HOURSALE|ONEDAYSALE|LIGHTNINGDEAL", "flash_sale",
          lambda m: {"FLASHSALE": "FLASH SALE", "ONEDAYSALE": "ONE DAY SALE", "LIGHTNINGDEAL": "LIGHTNING DEAL"}.get(
              m[0], f"{m[1]} HOUR SALE")),
)
_SCARCITY_WORDS = {
    "LOWSTOCK": "LOW STOCK", "LIMITEDSTOCK": "LIMITED STOCK", "SELLINGFAST": "SELLING FAST",
    "GOINGFAST": "GOING FAST", "ALMOSTGONE": "ALMOST GONE", "WHILESUPPLIESLAST": "WHILE SUPPLIES LAST",
    "LIMITEDEDITION": "LIMITED EDITION", "SELLINGOUT": "SELLING OUT",
}
_SCARCITY_RULES = (
    _rule(r"ONLY(\d{1,3})LEFT", "scarcity", r"ONLY \1 LEFT"),
    _rule("|".join(_SCARCITY_WORDS), "scarcity", lambda m: _SCARCITY_WORDS[m[0]]),
)

# A price, unless it is a threshold ("over $40"), a saving ("save $10") or an amount off ("$10 OFF").
_PRICE = re.compile(r"(?<!OVER)(?<!ABOVE)(?<!SPEND)(?<!SAVE)(?<!UNDER)([$£€])(\d{1,4}(?:[.,]\d{2})?)(?!\d|OFF|\+)")

# Clause cues, matched on the compact form of one clause (the clause itself is what is quoted).
_CLAIM_CUES = re.compile(
    r"CLINICAL|DERMATOLOGIST|PROVEN|TESTED|STUD(?:Y|IES)|(?<!ENDS)IN\d+(?:DAYS?|WEEKS?|HOURS?)|"
    r"\d+-?HOUR(?!S?ONLY|S?LEFT|SALE)|"
    r"\d+%OF(?:USERS|WOMEN|MEN|PEOPLE|PARTICIPANTS)|AWARD|GUARANTEE|SHOWNTO|RESULTS")
_EXPERT_CUES = re.compile(r"CLINICAL|DERMATOLOGIST|STUD(?:Y|IES)|PROVEN|DOCTOR|LAB-?TESTED")
_FEATURE_CUES = re.compile(
    r"FRAGRANCE-?FREE|PARABEN-?FREE|SULFATE-?FREE|OIL-?FREE|ALCOHOL-?FREE|GLUTEN-?FREE|VEGAN|CRUELTY-?FREE|"
    r"NON-?COMEDOGENIC|HYPOALLERGENIC|SPF\d+|\d+(?:\.\d+)?%(?!OFF|DISCOUNT)[A-Z]|\d+(?:ML|OZ)(?![A-Z])|REFILLABLE|"
    r"FIVEINGREDIENTS|\d+INGREDIENTS")
_BENEFIT_CUES = re.compile(
    r"BRIGHT|GLOW|HYDRAT|MOISTUR|CALM|SOOTH|CLEAR|FIRM|SMOOTH|SOFT|RADIAN|PLUMP|DEWY|REPAIR|EVENTONE|NOURISH|"
    r"PROTECT|REVIV|RESTOR|BOUNCE|GENTL")
_SOCIAL_CUES = re.compile(
    r"LOVEDBY|\d[\d,.]*K?\+?(?:HAPPY)?(?:CUSTOMERS|REVIEWS|RATINGS|SOLD|FANS)|★|5-?STAR|BESTSELL|BEST-SELL|#1|"
    r"RATED|REVIEWS|ASSEENIN|TRUSTEDBY|AWARD-?WINNING")
_SUSTAINABILITY_CUES = re.compile(
    r"SUSTAINAB|RECYCL|REFILL|PLASTIC-?FREE|CARBON(?:NEUTRAL|NEGATIVE)|ECO-?FRIENDLY|BIODEGRADABLE|PLANET|"
    r"COMPOSTABLE|ZERO-?WASTE|ETHICAL|RESPONSIBLYSOURCED|VEGAN|CRUELTY-?FREE")
_SEASON_CUES = (
    (re.compile(r"BLACKFRIDAY|CYBERMONDAY|CYBERWEEK"), "black_friday"),
    (re.compile(r"CHRISTMAS|XMAS|HOLIDAY|STOCKINGSTUFFER"), "holiday_season"),
    (re.compile(r"NEWYEAR"), "new_year"),
    (re.compile(r"VALENTINE"), "valentines"),
    (re.compile(r"MOTHER'?S?DAY"), "mothers_day"),
    (re.compile(r"FATHER'?S?DAY"), "fathers_day"),
    (re.compile(r"BACKTOSCHOOL"), "back_to_school"),
    (re.compile(r"SPRING(?!WATER)"), "spring"),
    (re.compile(r"SUMMER"), "summer"),
    (re.compile(r"AUTUMN"), "autumn"),
    (re.compile(r"WINTER"), "winter"),
    (re.compile(r"HALLOWEEN|EASTER|PRIMEDAY|LABORDAY|MEMORIALDAY"), "other"),
)
_NEW_LAUNCH = re.compile(r"^(?:ALL-?)?NEW(?!S|TON|YEAR|YORK)|MEET(?:THE|OUR)NEW|INTRODUCING|JUSTLAUNCHED|"
                         r"JUSTDROPPED|NOWAVAILABLE|OUTNOW|NEWARRIVAL|LAUNCHING")
_SUBSCRIPTION = re.compile(r"SUBSCRIBE(?:&|AND)SAVE|AUTO-?REPLENISH|DELIVEREDMONTHLY|SUBSCRIPTION|MEMBERSHIP")
_CODE_IN_COPY = re.compile(r"\b(?:use|with|enter)?\s*code:?\s+([A-Z0-9]{3,15})\b", re.IGNORECASE)
_CODE_IN_LINE = re.compile(r"CODE:?([A-Z0-9]{3,15})$")
_HASHTAG = re.compile(r"#[^\W\d_]\w*")
_INGREDIENTS = (
    ("niacinamide", r"NIACINAMIDE"), ("hyaluronic acid", r"HYALURONIC(?:ACID)?"), ("vitamin c", r"VITAMINC"),
    ("vitamin e", r"VITAMINE(?![A-Z])"), ("retinol", r"RETINOL"), ("retinal", r"RETINAL(?!DEHYDE)"),
    ("ceramides", r"CERAMIDES?"), ("squalane", r"SQUALANE"), ("bakuchiol", r"BAKUCHIOL"),
    ("peptides", r"PEPTIDES?"), ("green tea", r"GREENTEA"), ("centella", r"CENTELLA|CICA(?![A-Z])"),
    ("rosehip oil", r"ROSEHIP"), ("aloe", r"ALOE"), ("panthenol", r"PANTHENOL"),
    ("salicylic acid", r"SALICYLIC"), ("glycolic acid", r"GLYCOLIC"), ("lactic acid", r"LACTIC"),
    ("azelaic acid", r"AZELAIC"), ("zinc", r"ZINC"), ("snail mucin", r"SNAILMUCIN"),
    ("shea butter", r"SHEABUTTER"), ("jojoba", r"JOJOBA"), ("argan oil", r"ARGAN"), ("collagen", r"COLLAGEN"),
    ("caffeine", r"CAFFEINE"), ("sea buckthorn", r"SEABUCKTHORN"), ("calendula", r"CALENDULA"),
    ("tea tree", r"TEATREE"), ("bha", r"(?<![A-Z])BHA(?![A-Z])"), ("aha", r"(?<![A-Z])AHAS?(?![A-Z])"),
)
_INGREDIENT_PATTERNS = tuple((name, re.compile(pattern)) for name, pattern in _INGREDIENTS)
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the and for your you with to of in a an is are our on it this that my we be at by from or all more now "
    "get new free off shop up no not what how why who can will just only".split())
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


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
    creative_lines: Sequence[str], copy: str, *, platform_cta: str | None = None, brand: str | None = None,
) -> TextFindings:
    """Findings over the creative's lines (reading order), the copy, then the platform's CTA button."""
    segments = [Segment("creative", line) for line in creative_lines if line.strip()]
    segments += [Segment("copy", sentence) for sentence in _CLAUSE_SPLIT.split(copy) if sentence.strip()]
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
        urgency_phrases=_phrases(segments, _URGENCY_RULES, "deadline"),
        countdown_phrases=_phrases(segments, _URGENCY_RULES, "countdown"),
        flash_sale_phrases=_phrases(segments, _URGENCY_RULES, "flash_sale"),
        scarcity_phrases=_phrases(segments, _SCARCITY_RULES, "scarcity"),
        prices=tuple((m[1], float(m[2].replace(",", "."))) for s in segments for m in _PRICE.finditer(s.compact)),
        discount_code=_discount_code(segments),
        claims=_clauses(content, _CLAIM_CUES),
        expert_claims=_clauses(content, _EXPERT_CUES),
        features=_clauses(content, _FEATURE_CUES),
        benefits=_clauses([s for s in content if not _is_offer_or_cta(s)], _BENEFIT_CUES),
        social_proof=_clauses(content, _SOCIAL_CUES),
        sustainability=_clauses(content, _SUSTAINABILITY_CUES),
        ingredients=tuple(name for name, pattern in _INGREDIENT_PATTERNS if pattern.search(all_compact)),
        seasonality=next((season for pattern, season in _SEASON_CUES if pattern.search(all_compact)), "none"),
        new_launch=any(_NEW_LAUNCH.search(s.compact) for s in content),
        before_after="BEFORE" in all_compact and "AFTER" in all_compact,
        subscription=bool(_SUBSCRIPTION.search(all_compact)),
        hashtags=tuple(dict.fromkeys(_HASHTAG.findall(all_text))),
        emoji_count=count_emoji(copy),
        exclamation_count=all_text.count("!"),
        question="?" in all_text,
        language=detect_language([copy, *creative_lines]),
        readability=flesch_reading_ease(copy) if detect_language([copy]) == "en" else None,
    )


def _offers(segments: Iterable[Segment]) -> tuple[Offer, ...]:
    found: dict[str, Offer] = {}
    for segment in segments:
        for rule in _OFFER_RULES:
            for match in rule.pattern.finditer(segment.compact):
                text = rule.spell(match)
                value = None
                if rule.kind in ("percent_off", "amount_off"):
                    value = float(next(g for g in reversed(match.groups()) if g and g[0].isdigit()))
                found.setdefault(text, Offer(kind=rule.kind, text=text, source=segment.source, value=value))
    return tuple(found.values())


def _is_offer_or_cta(segment: Segment) -> bool:
    return any(rule.pattern.search(segment.compact) for rule in _OFFER_RULES) or _cta_line(segment) is not None


def _cta_line(segment: Segment) -> tuple[str, str] | None:
    """The CTA a line *is* (a button reads only its call to action), or None."""
    line = _CTA_LINE_TRAILER.sub("", segment.compact)
    return next(((text, kind) for phrase, text, kind in _CTAS if line == phrase), None)


def _call_to_action(segments: Sequence[Segment], platform_cta: str | None) -> CallToAction | None:
    # A button on the creative is what the viewer sees; the platform's button comes next, and a
    # call to action inside a sentence of copy last.
    for segment in segments:
        if segment.source == "creative" and (found := _cta_line(segment)):
            return CallToAction(text=found[0], kind=found[1], source="creative")
    if platform_cta and platform_cta.strip():
        button = compact(platform_cta.replace("_", " "))
        for phrase, text, kind in _CTAS:
            if button == phrase:
                return CallToAction(text=text, kind=kind, source="platform")
        return CallToAction(text=platform_cta.replace("_", " ").strip().upper(), kind="other", source="platform")
    for segment in segments:
        if segment.source == "copy":
            for phrase, text, kind in _CTAS:
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
        match = _CODE_IN_COPY.search(segment.text) if segment.source == "copy" else _CODE_IN_LINE.search(
            segment.compact)
        if match and any(ch.isalpha() for ch in match[1]) and match[1].isupper():
            return match[1]
    return None


def count_emoji(text: str) -> int:
    return sum(1 for ch in text if _is_emoji(ch))


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return (0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF) and \
        unicodedata.category(ch) == "So"


def detect_language(texts: Iterable[str]) -> str | None:
    """'en' when the words are Latin letters with enough English function words; otherwise unknown.

    A cheap, conservative test, not a classifier: it never names a language it has not seen
    evidence for, and short or space-less (OCR) text stays unknown.
    """
    words = [w.lower() for text in texts for w in _WORD.findall(text)]
    if len(words) < 4:
        return None
    letters = "".join(words)
    ascii_share = sum(ch.isascii() for ch in letters) / len(letters)
    function_words = sum(w in _ENGLISH_FUNCTION_WORDS for w in words)
    return "en" if ascii_share >= 0.9 and function_words >= max(2, 0.1 * len(words)) else None


def flesch_reading_ease(text: str) -> float | None:
    words = _WORD.findall(text)
    if len(words) < 5:
        return None
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    syllables = sum(_syllables(w) for w in words)
    score = 206.835 - 1.015 * len(words) / sentences - 84.6 * syllables / len(words)
    return round(min(100.0, max(0.0, score)), 1)


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    count = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(1, count)
