"""The offers, calls to action and cues an ad's words state, each with the evidence it was read from.

The findings are pattern matches (:mod:`adology.ai.local.copy_patterns`) first. A short line drawn
on the creative that no rule claims is then read by the copy model (:mod:`adology.ai.local.copy_model`),
which names an offer, a call to action or urgency only when it is clear, with its probability in the
evidence. The text on a creative arrives as paragraphs of phrases (:mod:`adology.ai.local.phrases`):
offers, urgency and the other cues are looked for in each paragraph, so a badge wrapped over two
lines still reads "FREE GIFT WITH PURCHASE"; a call to action is a phrase that *is* one, where a
phrase drawn in a button (:mod:`adology.ai.local.buttons`) may be misread by one character and still
count, as may a phrase standing alone whose one difference is a character OCR confuses or one cut
off its end. Offers and calls to action carry their evidence: the words read, and the button they
sit in. Offers, calls to action and urgency phrases found by rule are reported in a canonical
spelling ("48 HOURS ONLY"), those the model reads as the line read; claims, benefits and the like as
the whole paragraph or clause of copy that holds the cue, verbatim. Findings carry ``has_text``:
with no text at all, "nothing found" means "unknown", not "none".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from adology.ai.local.copy_model import LANGUAGES as COPY_MODEL_LANGUAGES
from adology.ai.local.copy_model import MIN_FAMILY_PROBABILITY, CopyReading, Family, read_line
from adology.ai.local.copy_patterns import (
    BENEFIT_CUES,
    CLAIM_CUES,
    CLAUSE_SPLIT,
    CODE_IN_COPY,
    CODE_IN_LINE,
    CTA_COMPLEMENTS,
    CTA_DETERMINERS,
    EXPERT_CUES,
    FEATURE_CUES,
    FUNCTION_WORDS,
    HASHTAG,
    INGREDIENT_PATTERNS,
    NEW_LAUNCH,
    OCR_LOOKALIKES,
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
    CtaPhrase,
    Rule,
    Segment,
    Source,
    compact,
    cta_kind,
    cta_kind_of_object,
    cta_kind_of_verb,
    cta_kind_of_words,
    cta_spelled,
    cta_vocabulary,
    ctas_of_length,
    letters_and_digits,
    offer_cue,
    states_offer,
)
from adology.ai.local.phrases import Block, Phrase, block_text

# A misread call to action is recognised only when the vocabulary's phrase is at least this long,
# so that one wrong character is a small part of it ("ORDER NO" for "ORDER NOW", not "GO" for "GET").
MIN_FUZZY_CTA = 6
# A button's label is a call to action when it starts with a call-to-action verb and is this short.
MAX_BUTTON_CTA_WORDS = 5
# A line on its own, outside any button, is a call to action when it is this short, holds a
# call-to-action imperative and a word that finishes one ("SHOP TODAY", "JETZT ENTDECKEN").
MAX_PLAIN_CTA_WORDS = 3
# The copy model reads paragraphs drawn on a creative of this many words: it learned from ad lines,
# and a paragraph of prose is not one.
MIN_MODEL_WORDS = 2
_ELIDED = re.compile(r"(?<=\w)['’](?=\w)")
MAX_MODEL_WORDS = 8
# The copy model's probability needed where the line's look or words half support the reading: a
# call to action whose verb the rules know on a line they find unfinished (the verb alone opens
# headlines too: "SHOP SMARTER SKINCARE"), and an offer or urgency in no box (a badge or button is
# evidence of one; a plain line is as often a headline: "IDÉE CADEAU", "ÉCLAIRCIT LE TEINT").
MODEL_SURE = 0.65
# Imperatives that need only their object to be a call to action ("ORDER ONE", "SHOP HAIRCARE").
_BUYING_KINDS = frozenset({"shop_now", "buy_now", "order_now"})
# A set named by itself, which is an offer when the line names it ("THE HAIR RESCUE TRIO") and the
# object of a call to action when an imperative buys it ("BUY THE TRIO").
_BARE_BUNDLE_NOUNS = frozenset({"KIT", "DUO", "TRIO"})
# Calls to action a clause of copy may contain (a verb alone, "discover", is prose, not a button).
_COPY_CTA_KINDS = frozenset({"shop_now", "learn_more", "sign_up", "get_offer", "buy_now"})


@dataclass(frozen=True, slots=True)
class Offer:
    kind: str  # an ``offer_type`` value
    text: str  # canonical spelling, e.g. "50% OFF"
    source: Source
    value: float | None  # the percentage or amount, for percent_off and amount_off
    evidence: str  # the words it was read from, and where


@dataclass(frozen=True, slots=True)
class CallToAction:
    text: str  # canonical spelling, e.g. "SHOP NOW"
    kind: str  # a ``cta_type`` value
    source: Source
    evidence: str  # the words read (and how they differ from ``text``), and the button they sit in
    guessed: bool = False  # no rule knows its words: its kind is the copy model's reading, or "other"


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
    """Findings over lines read with no place on a frame (each its own paragraph), then the copy."""
    blocks = [(Phrase(line),) for line in creative_lines if line.strip()]
    return analyse_blocks(blocks, copy, platform_cta=platform_cta, brand=brand)


def analyse_blocks(
    blocks: Sequence[Block],
    copy: str,
    *,
    platform_cta: str | None = None,
    brand: str | None = None,
) -> TextFindings:
    """Findings over the creatives' paragraphs (reading order), the copy, then the platform's CTA button."""
    blocks = [block for block in blocks if block_text(block).strip()]
    read: list[tuple[Segment, Block | None]] = [(Segment("creative", block_text(block)), block) for block in blocks]
    read += [(Segment("copy", clause), None) for clause in CLAUSE_SPLIT.split(copy) if clause.strip()]
    segments = [segment for segment, _ in read]
    if not segments and not (platform_cta and platform_cta.strip()):
        return TextFindings(has_text=False)
    brand_compact = compact(brand) if brand else None
    # Paragraphs that only name the brand say nothing about claims or benefits ("Glow Botanicals").
    content = [s for s in segments if not (brand_compact and s.compact == brand_compact)]
    all_text = "\n".join(s.text for s in segments)
    all_compact = "|".join(s.compact for s in segments)
    creative_texts = [segment.text for segment, block in read if block is not None]
    language = detect_language([copy, *creative_texts])
    # the copy model learned four languages: in another it would read its letters as noise
    model = language is None or language in COPY_MODEL_LANGUAGES
    return TextFindings(
        has_text=True,
        offers=_offers(read, model=model),
        cta=_call_to_action(blocks, segments, platform_cta, model=model),
        urgency_phrases=_urgency(read, "deadline", model=model),
        countdown_phrases=_urgency(read, "countdown", model=model),
        flash_sale_phrases=_urgency(read, "flash_sale", model=model),
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
        language=language,
        readability=flesch_reading_ease(copy) if detect_language([copy]) == "en" else None,
    )


def _offers(read: Iterable[tuple[Segment, Block | None]], *, model: bool) -> tuple[Offer, ...]:
    """Every offer stated, in the order read; where two rules match the same words, the first rule's."""
    found: dict[str, Offer] = {}
    for segment, block in read:
        taken: list[tuple[re.Match[str], Offer]] = []
        buying = _buys_its_object(segment.text)
        for rule in OFFER_RULES:
            for match in rule.pattern.finditer(segment.compact):
                if any(match.start() < other.end() and other.start() < match.end() for other, _ in taken):
                    continue
                if buying and rule.kind == "bundle" and match[0] in _BARE_BUNDLE_NOUNS:
                    continue  # "BUY THE TRIO": the call to action's object, no offer
                value = None
                if rule.kind in ("percent_off", "amount_off"):
                    # a percentage or amount as written; "half price" and the like state no number: 50%
                    digits = next((g for g in reversed(match.groups()) if g and g[0].isdigit()), None)
                    value = float(digits) if digits else (50.0 if rule.kind == "percent_off" else None)
                text = segment.spell(rule, match)
                evidence = _seen(segment.as_read(match), segment, block)
                taken.append((match, Offer(rule.kind, text, segment.source, value, evidence)))
        cued = [] if taken else _cued_offers(segment, block)
        for offer in [offer for _, offer in sorted(taken, key=lambda item: item[0].start())] + cued:
            found.setdefault(offer.text, offer)
        for text, reading in [] if taken or cued else _model_readings(segment, block, "offer", model=model):
            evidence = _seen(text, segment, block) + f", {reading.describe()}"
            amount = _amount(reading.kind, Segment(segment.source, text))
            found.setdefault(text, Offer(reading.kind, text, segment.source, amount, evidence))
    return tuple(found.values())


def _buys_its_object(text: str) -> bool:
    """Whether a short line opens with a buying imperative ("ORDER YOUR KIT", "COMMANDER LE KIT")."""
    words = text.upper().split()
    if not 1 < len(words) <= MAX_BUTTON_CTA_WORDS:
        return False
    found = cta_kind(words)
    return (
        found is not None and found[1] in _BUYING_KINDS and letters_and_digits(words[0]) == letters_and_digits(found[0])
    )


def _boxed(block: Block | None) -> bool:
    """Whether a paragraph sits in a box (a badge, a button): evidence it is an offer, a call to
    action or a deadline rather than a headline."""
    return any(phrase.button is not None for phrase in block or ())


def _cued_offers(segment: Segment, block: Block | None) -> list[Offer]:
    """Offers in wording no rule has, named by their cues (:func:`offer_cue`, the whole short line):
    the paragraph's, or, when it names none, each of its phrases' (an offer set under a headline)."""
    whole = offer_cue(segment.compact)
    if whole is not None:
        return [_cued_offer(whole[0], segment, block)]
    if block is None or len(block) < 2:
        return []
    phrases = [Segment(segment.source, phrase.text) for phrase in block]
    return [_cued_offer(cue[0], line, block) for line in phrases if (cue := offer_cue(line.compact)) is not None]


def _cued_offer(kind: str, line: Segment, block: Block | None) -> Offer:
    text = line.text.strip()
    evidence = _seen(text, line, block) + f", naming a {kind.replace('_', ' ')} offer"
    return Offer(kind, text, line.source, _amount(kind, line), evidence)


def _amount(kind: str, segment: Segment) -> float | None:
    """The first number of a percentage or amount offer's words, when it states one."""
    digits = re.search(r"\d{1,4}", segment.compact) if kind in ("percent_off", "amount_off") else None
    return float(digits[0]) if digits else None


def _model_readings(
    segment: Segment, block: Block | None, family: Family, *, model: bool
) -> list[tuple[str, CopyReading]]:
    """The copy model's readings of ``family`` on a paragraph of a creative that no rule claims: the
    paragraph's own, or, when the model reads the whole as none of offer, call to action and
    urgency and it holds several phrases (an urgency line stacked on a call to action), each
    unclaimed phrase's; outside a box, only those it is sure of (:data:`MODEL_SURE`)."""
    if block is None or _claimed_by_rules(segment.text):
        return []
    boxed = _boxed(block)
    whole = _model_line(segment.text, boxed=boxed, model=model)
    if whole is not None or len(block) == 1:
        read = [(segment.text.strip(), whole)] if whole is not None else []
    else:
        read = [
            (phrase.text.strip(), reading)
            for phrase in block
            if (reading := _model_line(phrase.text, boxed=phrase.button is not None, model=model)) is not None
            and not _claimed_by_rules(phrase.text)
        ]
    return [
        (text, reading)
        for text, reading in read
        if reading.family == family and (boxed or reading.probability >= MODEL_SURE)
    ]


def _model_line(text: str, *, boxed: bool, model: bool) -> CopyReading | None:
    """The model's reading of a line of :data:`MIN_MODEL_WORDS` to :data:`MAX_MODEL_WORDS` words, or
    of one word in a box: one word out of its line ("days" of a wrapped headline) reads as anything."""
    words = _ELIDED.sub("' ", text).split()  # "M'INSCRIRE" is two words
    if not model or not (1 if boxed else MIN_MODEL_WORDS) <= len(words) <= MAX_MODEL_WORDS:
        return None
    if len(words) == 1 and cta_kind_of_verb(words[0]) is not None:
        return None  # one imperative in a button ("PURCHASE") is its call to action, the rules' to read
    return read_line(text)


def _claimed_by_rules(text: str) -> bool:
    """Whether a rule already reads the line as an offer, a call to action, urgency or scarcity."""
    return cta_spelled(letters_and_digits(text)) is not None or _says_other_than_cta(text)


def _seen(words: str, segment: Segment, block: Block | None) -> str:
    """Where ``words`` were read: on the creative (in its button), or in a clause of the copy."""
    if block is None:
        return f'the copy says "{segment.text.strip()}"'
    button = next((phrase.button for phrase in block if phrase.button is not None), None)
    return f'read "{words}" on the creative' + (f", {button.describe()}" if button else "")


def _is_offer_or_cta(segment: Segment) -> bool:
    return cta_spelled(letters_and_digits(segment.text)) is not None or states_offer(segment.compact)


def _call_to_action(
    blocks: Sequence[Block], segments: Sequence[Segment], platform_cta: str | None, *, model: bool
) -> CallToAction | None:
    # A button on the creative is what the viewer sees; then any other phrase on the creative that
    # is a call to action, the platform's button next, and a call to action inside copy last.
    on_creative = [
        (phrase.button is None, cta)
        for block in blocks
        for phrase in _cta_candidates(block)
        if (cta := _creative_cta(phrase, alone=_alone(phrase, block, model=model), model=model))
    ]
    if on_creative:
        # in a button first, then one a rule knows before a label, then reading order
        return min(on_creative, key=lambda found: (found[0], found[1].guessed, found[1].kind == "other"))[1]
    if platform_cta and platform_cta.strip():
        button = compact(platform_cta.replace("_", " "))
        for phrase in cta_vocabulary():
            if button == phrase.compact:
                return CallToAction(phrase.text, phrase.kind, "platform", "the platform's call-to-action button")
        text = platform_cta.replace("_", " ").strip().upper()
        return CallToAction(text, "other", "platform", "the platform's call-to-action button")
    for segment in segments:
        if segment.source == "copy":
            for phrase in cta_vocabulary():
                if phrase.kind in _COPY_CTA_KINDS and " " in phrase.text and _says(segment, phrase):
                    return CallToAction(phrase.text, phrase.kind, "copy", _seen(phrase.text, segment, None))
    return None


def _words(text: str) -> str:
    """``text`` as whole words (upper case, accents folded, marks dropped) between single spaces."""
    folded = " ".join(compact(word) for word in text.split())
    return " " + " ".join("".join(char if char.isalnum() else " " for char in folded).split()) + " "


def _says(segment: Segment, phrase: CtaPhrase) -> bool:
    """Whether a clause of copy holds ``phrase`` as whole words ("get yours", not "forget yourself")."""
    return phrase.compact in segment.compact and _words(phrase.text) in _words(segment.text)


def _cta_candidates(block: Block) -> list[Phrase]:
    """The phrases of a paragraph, then the paragraph itself when it is short enough to be one
    call to action wrapped over two lines ("MEHR" / "ERFAHREN" in one button)."""
    if len(block) == 1 or len(block_text(block).split()) > MAX_BUTTON_CTA_WORDS:
        return list(block)
    button = next((phrase.button for phrase in block if phrase.button is not None), None)
    return [*block, Phrase(block_text(block), button=button)]


def _creative_cta(phrase: Phrase, *, alone: bool, model: bool) -> CallToAction | None:
    """The call to action a phrase on a creative *is*, or None.

    A phrase that reads exactly as one is one. A phrase one character away from one is one when it
    sits in a button, or when it stands alone as its own paragraph and the difference is one OCR
    commonly makes (a look-alike character, the last character cut off). Any other short phrase in a
    button that opens with a call-to-action imperative (:data:`CTA_VERB_STEMS`) and states no offer,
    deadline or scarcity is one of that verb's kind ("SHOP THE RANGE": shop_now); outside a button,
    a line of its own is one when it holds such an imperative and a word that finishes a call to
    action ("JETZT ENTDECKEN").
    """
    read = letters_and_digits(phrase.text)
    if not read:
        return None
    where = f", {phrase.button.describe()}" if phrase.button else ""
    exact = cta_spelled(read)
    if exact is not None:
        return CallToAction(exact.text, exact.kind, "creative", f'read "{phrase.text}" on the creative{where}')
    near = _nearest_cta(read)
    if near is not None:
        cta, difference = near
        short = len(phrase.text.split()) <= MAX_BUTTON_CTA_WORDS
        if phrase.button is not None or (alone and short and difference != "other"):
            context = where or ", on a line of its own"
            return CallToAction(
                cta.text,
                cta.kind,
                "creative",
                f'read "{phrase.text}" on the creative{context}, {_DIFFERENCES[difference]} "{cta.text}"',
            )
    words = phrase.text.upper().split()
    if not 1 <= len(words) <= MAX_BUTTON_CTA_WORDS or _says_other_than_cta(phrase.text):
        return None
    found = cta_kind(words)
    if phrase.button is not None:
        if found is not None:
            verb, kind = found
            return CallToAction(
                " ".join(words),
                kind,
                "creative",
                f'read "{phrase.text}" on the creative{where}, with the call-to-action verb "{verb}"',
            )
        # words in a button are its call to action even with a verb no list has ("COUNT ME IN"); a
        # badge says one word ("VEGAN"), a figure ("MEHR ALS 100 SORTEN") or a claim instead
        labelled = len(words) >= 2 and all(letters_and_digits(word).isalpha() for word in words)
        if _is_badge_claim(compact(phrase.text)):
            return None
        if labelled:
            reading = _model_line(phrase.text, boxed=True, model=model)
            if reading is not None and reading.family != "cta":
                return None  # a badge stating an offer or a deadline in words no rule has
            known = cta_kind_of_words(words)
            evidence = f'read "{phrase.text}" on the creative{where}, its label'
            if known is not None or reading is None:
                return CallToAction(" ".join(words), known or "other", "creative", evidence, guessed=known is None)
            return CallToAction(" ".join(words), reading.kind, "creative", f"{evidence}; {reading.describe()}", True)
        return _model_cta(phrase, where, model=model)
    if found is None:
        return _model_cta(phrase, ", on a line of its own", model=model) if alone else None
    verb, kind = found
    folded = [letters_and_digits(word) for word in words]
    others = [word for word in folded if word != letters_and_digits(verb)]
    # a line of its own: the verb with a word finishing a call to action ("SHOP TODAY", "TOUT
    # SAVOIR"), with what it acts on ("DETAILS ANSEHEN"), or with an article or possessive right
    # after it ("EXPLORE THE SCIENCE")
    finished = (
        any(word in CTA_COMPLEMENTS or cta_kind_of_object(word) for word in others)
        or (len(folded) > 2 and folded[0] == letters_and_digits(verb) and folded[1] in CTA_DETERMINERS)
        or (len(folded) == 2 and kind in _BUYING_KINDS)  # a buying imperative and its object: "SHOP HAIRCARE"
    )
    if alone and len(words) <= MAX_PLAIN_CTA_WORDS and finished:
        return CallToAction(
            " ".join(words), kind, "creative", f'read "{phrase.text}" on a line of its own, with the verb "{verb}"'
        )
    # the rules know the verb but not the rest ("ORDER BY PHONE", "SHOP SMARTER SKINCARE"): the model
    # decides, and must be surer than where the rules know nothing
    return _model_cta(phrase, ", on a line of its own", model=model, at_least=MODEL_SURE) if alone else None


def _alone(phrase: Phrase, block: Block, *, model: bool) -> bool:
    """Whether a phrase is a line of its own: the only one of its paragraph, or stacked only with
    lines that state something else (an urgency line set just above a call to action)."""
    return all(other is phrase or _states_other_than_cta(other.text, model=model) for other in block)


def _states_other_than_cta(text: str, *, model: bool) -> bool:
    if _says_other_than_cta(text):
        return True
    reading = _model_line(text, boxed=False, model=model)
    return reading is not None and reading.family != "cta"


def _model_cta(
    phrase: Phrase, where: str, *, model: bool, at_least: float = MIN_FAMILY_PROBABILITY
) -> CallToAction | None:
    """The call to action the copy model reads, with at least ``at_least`` of its probability, in a
    short phrase (:func:`_model_line`)."""
    reading = _model_line(phrase.text, boxed=phrase.button is not None, model=model)
    if reading is None or reading.family != "cta" or reading.probability < at_least:
        return None
    text = " ".join(phrase.text.upper().split())
    return CallToAction(
        text, reading.kind, "creative", f'read "{phrase.text}" on the creative{where}, {reading.describe()}', True
    )


def _is_badge_claim(folded: str) -> bool:
    """Whether a button's words are a product claim, a feature, praise, a launch or a benefit
    ("CRUELTY FREE", "BEST SELLER", "ALL NEW", "DEEP HYDRATION") rather than a call to action."""
    return any(
        cue.search(folded)
        for cue in (CLAIM_CUES, FEATURE_CUES, SOCIAL_CUES, SUSTAINABILITY_CUES, NEW_LAUNCH, BENEFIT_CUES)
    )


def _says_other_than_cta(text: str) -> bool:
    """Whether a short line states an offer, a deadline or scarcity, which a call to action does not."""
    offer = bool(_offers([(Segment("creative", text), None)], model=False))  # the one reading of offers
    return offer or any(rule.pattern.search(compact(text)) for rule in (*URGENCY_RULES, *SCARCITY_RULES))


_DIFFERENCES = {
    "lookalike": "one look-alike character from",
    "cut_off": "the last character cut off from",
    "other": "one character from",
}


def _nearest_cta(read: str) -> tuple[CtaPhrase, str] | None:
    """The one vocabulary phrase ``read`` is a single edit from, and what the edit is; None when
    there is none, or when two calls to action of different kinds are equally near."""
    near = [
        (cta, difference)
        for length in (len(read) - 1, len(read), len(read) + 1)
        for cta in ctas_of_length(length)
        if length >= MIN_FUZZY_CTA and (difference := _one_edit(read, cta.letters)) is not None
    ]
    if not near or len({cta.kind for cta, _ in near}) > 1:
        return None
    return near[0]


def _one_edit(read: str, word: str) -> str | None:
    """How ``read`` differs from ``word`` by exactly one edit ("lookalike", "cut_off", "other"), or None."""
    if len(read) == len(word):
        diffs = [(a, b) for a, b in zip(read, word, strict=True) if a != b]
        if len(diffs) != 1:
            return None
        return "lookalike" if frozenset(diffs[0]) in OCR_LOOKALIKES else "other"
    if len(read) == len(word) - 1:
        if word[:-1] == read:
            return "cut_off"
        return "other" if any(word[:i] + word[i + 1 :] == read for i in range(len(word))) else None
    if len(read) == len(word) + 1:
        return "other" if any(read[:i] + read[i + 1 :] == word for i in range(len(read))) else None
    return None


def _urgency(read: Sequence[tuple[Segment, Block | None]], kind: str, *, model: bool) -> tuple[str, ...]:
    """The urgency phrases of ``kind`` the rules read, then the lines the copy model reads as that kind."""
    by_rules = _phrases([segment for segment, _ in read], URGENCY_RULES, kind)
    by_model = [
        text
        for segment, block in read
        for text, reading in _model_readings(segment, block, "urgency", model=model)
        if reading.kind == kind
    ]
    return tuple(dict.fromkeys([*by_rules, *by_model]))


def _phrases(segments: Iterable[Segment], rules: Iterable[Rule], kind: str) -> tuple[str, ...]:
    """What the rules of ``kind`` read in each segment, once; where two rules match the same words,
    the first rule's reading."""
    found: dict[str, None] = {}
    for segment in segments:
        taken: list[re.Match[str]] = []
        for rule in rules:
            if rule.kind == kind:
                for match in rule.pattern.finditer(segment.compact):
                    if not any(match.start() < other.end() and other.start() < match.end() for other in taken):
                        taken.append(match)
                        found.setdefault(segment.spell(rule, match), None)
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
    """The ISO 639-1 code of the language whose common words the text uses most, or None.

    A cheap, conservative test, not a classifier: it names a language only when at least two of
    its common words (:data:`FUNCTION_WORDS`), and a tenth of all words, are there and no other
    language has as many; short or space-less (OCR) text stays unknown, and English must also be
    written in plain Latin letters.
    """
    words = [w.lower() for text in texts for w in WORD.findall(text)]
    if len(words) < 4:
        return None
    hits = sorted(
        ((sum(w in common for w in words), language) for language, common in FUNCTION_WORDS.items()), reverse=True
    )
    (best, language), (runner_up, _) = hits[0], hits[1]
    if best < max(2, 0.1 * len(words)) or best == runner_up:
        return None
    if language == "en":
        letters = "".join(words)
        if sum(ch.isascii() for ch in letters) / len(letters) < 0.9:
            return None
    return language


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
