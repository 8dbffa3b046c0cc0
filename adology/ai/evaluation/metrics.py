"""Figures from answers and truth: pure functions, no provider, no I/O.

- **OCR words**: the words drawn on an ad against the words its provider read (``extracted_text``,
  else the ``text_read`` attribute), both folded to lower case without accents or punctuation, each
  read word used once. A read token that is drawn words run together ("FREESHIPPING", OCR losing
  the space) counts as those words. Recall is matched / drawn, precision matched / read.
- **Detection** of the offer, the call to action and the urgency line: *presence* (the provider
  says there is one) and *typed* (its ``offer_type`` or ``cta_type`` is the drawn one; for urgency,
  one of its ``urgency_phrases`` is the drawn line, spaces aside), as precision and recall over ads.
- **Labels**, per taxonomy: only the labels the truth decides for an ad count (see
  :func:`~adology.ai.evaluation.truth.label_truth`); a label it must get and did is a true positive,
  one it must not get and did a false positive, one it must get and did not a false negative.
- **Attributes**: the share of ads whose value is the truth's, over the ads whose truth decides it
  (a null answer is wrong), with the share answered at all. ``offer`` and ``cta`` match when either
  text contains the other, spaces and case aside.

An ad whose describe failed is scored as an empty answer (nothing read, nothing found, no labels),
so failing on hard ads never improves a figure. A figure with nothing to count is ``None``: not
measured, never 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from adology.ai.evaluation.truth import (
    DECIDABLE_LABELS,
    OFFER_LABEL_NAMES,
    AdTruth,
    attribute_truth,
    label_truth,
)
from adology.ai.schema import TaxonomyName
from adology.ai.types import MAX_DESCRIPTION_WORDS, Description, Labels

_WORD = re.compile(r"[^\W_]+")
_TEXT_ATTRIBUTES = frozenset({"offer", "cta"})
_LONGEST_GLUED_WORDS = 6  # a token read as more drawn words run together than this is not split


@dataclass(frozen=True)
class Answer:
    """What a provider said of one ad; ``failures`` maps a routine that failed to its reason."""

    ad_id: str
    description: Description | None
    labels: Labels | None
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0  # wall seconds from the ad's first call to its last answer


class Ratio(BaseModel):
    """``count`` of ``of``; ``value`` is None when there was nothing to count (not measured)."""

    value: float | None
    count: int
    of: int

    @classmethod
    def of_counts(cls, count: int, of: int) -> Ratio:
        return cls(value=round(count / of, 4) if of else None, count=count, of=of)


class Detection(BaseModel):
    precision: float | None
    recall: float | None
    true_positives: int
    false_positives: int
    false_negatives: int

    @classmethod
    def of_counts(cls, true_positives: int, false_positives: int, false_negatives: int) -> Detection:
        said, there = true_positives + false_positives, true_positives + false_negatives
        return cls(
            precision=round(true_positives / said, 4) if said else None,
            recall=round(true_positives / there, 4) if there else None,
            true_positives=true_positives,
            false_positives=false_positives,
            false_negatives=false_negatives,
        )


class OcrFigures(BaseModel):
    measured: bool
    recall: Ratio
    precision: Ratio
    recall_by: dict[str, dict[str, Ratio]]  # recall per language, role, background, format, encoding


class DetectionFigures(BaseModel):
    presence: Detection
    typed: Detection


class LabelFigures(BaseModel):
    overall: Detection
    by_label: dict[str, Detection]


class AttributeFigures(BaseModel):
    accuracy: Ratio
    answered: Ratio


class OfferLabelLeaks(BaseModel):
    """Ads without an offer that still got an offer label (the target is none)."""

    ads: int
    labels: int
    of: int
    ad_ids: list[str]


class AdErrors(BaseModel):
    """What one ad's answer got wrong: where a figure's misses come from."""

    ad_id: str
    missed_words: list[str]  # drawn, not read
    extra_words: list[str]  # read, not drawn
    attributes: dict[str, dict[str, Any]]  # attribute -> {"truth": ..., "said": ...}
    labels_missing: list[str]  # "TAXONOMY/label" the ad must get and did not
    labels_wrong: list[str]  # "TAXONOMY/label" the ad must not get and did
    failures: dict[str, str]


class Figures(BaseModel):
    ocr: OcrFigures
    detection: dict[str, DetectionFigures]  # offer, cta, urgency
    offer_labels_without_offer: OfferLabelLeaks
    labels: dict[TaxonomyName, LabelFigures]
    attributes: dict[str, AttributeFigures]
    descriptions_within_limit: Ratio
    longest_description_words: int | None
    failures: dict[str, dict[str, int]]  # routine -> reason -> ads
    ads_with_errors: list[AdErrors]


def score(truths: Sequence[AdTruth], answers: Sequence[Answer]) -> Figures:
    """Every figure of ``answers`` against ``truths`` (the same ads, in the same order)."""
    if [t.ad_id for t in truths] != [a.ad_id for a in answers]:
        raise ValueError("answers must be given for the same ads as the truths, in the same order")
    pairs = list(zip(truths, answers, strict=True))
    described = [a.description for a in answers if a.description is not None]
    failures: dict[str, Counter[str]] = defaultdict(Counter)
    for answer in answers:
        for routine, reason in answer.failures.items():
            failures[routine][reason] += 1
    return Figures(
        ocr=ocr_figures(pairs),
        detection={
            "offer": detection_figures(pairs, _offer_said),
            "cta": detection_figures(pairs, _cta_said),
            "urgency": detection_figures(pairs, _urgency_said),
        },
        offer_labels_without_offer=offer_label_leaks(pairs),
        labels={taxonomy: label_figures(pairs, taxonomy) for taxonomy in DECIDABLE_LABELS},
        attributes=attribute_figures(pairs),
        descriptions_within_limit=Ratio.of_counts(
            sum(d.word_count <= MAX_DESCRIPTION_WORDS for d in described), len(described)
        ),
        longest_description_words=max((d.word_count for d in described), default=None),
        failures={routine: dict(reasons) for routine, reasons in sorted(failures.items())},
        ads_with_errors=[errors for truth, answer in pairs if (errors := ad_errors(truth, answer)) is not None],
    )


# OCR


def words_of(text: str) -> list[str]:
    """Lower-case words without accents or punctuation: "L'ÉCLAT -30%" -> ["l", "eclat", "30"]."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _WORD.findall(plain.casefold())


def compact(text: str) -> str:
    """The words of ``text`` run together: how two spellings of a phrase are compared."""
    return "".join(words_of(text))


def text_read(answer: Answer) -> list[str] | None:
    """The lines a provider read off the creatives, or None when its answer exposes none."""
    if answer.description is None:
        return None
    if answer.description.extracted_text:
        return answer.description.extracted_text
    lines = answer.description.attributes.get("text_read")
    return [str(line) for line in lines] if isinstance(lines, list) else None


@dataclass(frozen=True)
class WordMatch:
    matched: int  # drawn words found among those read
    drawn: int
    read: int  # words read (a token of glued drawn words counts as those words)


def match_words(drawn: Sequence[str], read: Sequence[str]) -> WordMatch:
    """How many ``drawn`` words are among ``read`` (both from :func:`words_of`), each read word used once.

    A read token that is no drawn word but two or more of them run together counts as those words."""
    expanded = _unglued(read, set(drawn))
    matched = sum((Counter(drawn) & Counter(expanded)).values())
    return WordMatch(matched=matched, drawn=len(drawn), read=len(expanded))


def _unglued(read: Sequence[str], vocabulary: set[str]) -> list[str]:
    return [piece for token in read for piece in _glued(token, vocabulary) or [token]]


def _glued(token: str, vocabulary: set[str]) -> list[str] | None:
    """``token`` split into two or more ``vocabulary`` words (the fewest), when it is not one itself."""
    if token in vocabulary:
        return None
    # best[i]: the split of token[:i] into vocabulary words with the fewest pieces, or None
    best: list[list[str] | None] = [[]] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(end):
            prefix = best[start]
            if prefix is None or len(prefix) >= _LONGEST_GLUED_WORDS or token[start:end] not in vocabulary:
                continue
            current = best[end]
            if current is None or len(prefix) + 1 < len(current):
                best[end] = [*prefix, token[start:end]]
    return best[len(token)]


def ocr_figures(pairs: Sequence[tuple[AdTruth, Answer]]) -> OcrFigures:
    # Not measured only when the provider answered and never said what it read; an ad it failed on
    # (or every ad) is an ad where it read nothing.
    answered = [answer for _, answer in pairs if answer.description is not None]
    measured = not answered or any(text_read(answer) is not None for answer in answered)
    read_words = [_read_words(answer) for _, answer in pairs]
    matches = [match_words(_all_words(truth), read) for (truth, _), read in zip(pairs, read_words, strict=True)]
    total = _sum_matches(matches)
    by: dict[str, dict[str, Ratio]] = {}
    if measured:
        for name, key in _BREAKDOWNS.items():
            groups: dict[str, list[WordMatch]] = defaultdict(list)
            for (truth, _), read in zip(pairs, read_words, strict=True):
                for group, drawn in key(truth):
                    groups[group].append(match_words(drawn, read))
            by[name] = {group: Ratio.of_counts(*_recall_counts(items)) for group, items in sorted(groups.items())}
    return OcrFigures(
        measured=measured,
        recall=Ratio.of_counts(total.matched, total.drawn) if measured else Ratio.of_counts(0, 0),
        precision=Ratio.of_counts(total.matched, total.read) if measured else Ratio.of_counts(0, 0),
        recall_by=by,
    )


def _read_words(answer: Answer) -> list[str]:
    return [word for line in text_read(answer) or [] for word in words_of(line)]


def _sum_matches(matches: Iterable[WordMatch]) -> WordMatch:
    items = list(matches)
    return WordMatch(sum(m.matched for m in items), sum(m.drawn for m in items), sum(m.read for m in items))


def _recall_counts(items: Sequence[WordMatch]) -> tuple[int, int]:
    total = _sum_matches(items)
    return total.matched, total.drawn


def _all_words(truth: AdTruth) -> list[str]:
    return [w for line in truth.lines for w in words_of(line.text)]


def _by_role(truth: AdTruth) -> list[tuple[str, list[str]]]:
    roles: dict[str, list[str]] = defaultdict(list)
    for line in truth.lines:
        roles[line.role] += words_of(line.text)
    return list(roles.items())


_BREAKDOWNS: dict[str, Callable[[AdTruth], list[tuple[str, list[str]]]]] = {
    "language": lambda t: [(t.language, _all_words(t))],
    "role": _by_role,
    "background": lambda t: [(t.background, _all_words(t))],
    "format": lambda t: [(t.format, _all_words(t))],
    "encoding": lambda t: [(t.encoding, _all_words(t))],
}


# detection


def _attributes(answer: Answer) -> dict[str, Any]:
    return answer.description.attributes if answer.description is not None else {}


def _offer_said(truth: AdTruth, answer: Answer) -> tuple[bool, bool, bool]:
    """(drawn, said, said with the drawn type)."""
    attributes = _attributes(answer)
    kind = attributes.get("offer_type")
    said = kind not in (None, "none") or bool(attributes.get("offer"))
    return truth.offer is not None, said, truth.offer is not None and kind == truth.offer.offer_type


def _cta_said(truth: AdTruth, answer: Answer) -> tuple[bool, bool, bool]:
    attributes = _attributes(answer)
    kind = attributes.get("cta_type")
    said = kind not in (None, "none") or bool(attributes.get("cta"))
    return truth.cta is not None, said, truth.cta is not None and kind == truth.cta.cta_type


def _urgency_said(truth: AdTruth, answer: Answer) -> tuple[bool, bool, bool]:
    attributes = _attributes(answer)
    phrases = attributes.get("urgency_phrases") or []
    said = attributes.get("urgency") is True or bool(phrases)
    typed = truth.urgency is not None and any(_same_text(str(p), truth.urgency.text) for p in phrases)
    return truth.urgency is not None, said, typed


def detection_figures(
    pairs: Sequence[tuple[AdTruth, Answer]], judge: Callable[[AdTruth, Answer], tuple[bool, bool, bool]]
) -> DetectionFigures:
    presence = Counter[str]()
    typed = Counter[str]()
    for truth, answer in pairs:
        drawn, said, said_typed = judge(truth, answer)
        presence["tp" if drawn and said else "fp" if said else "fn" if drawn else "tn"] += 1
        typed_hit = said and said_typed
        typed["tp"] += typed_hit
        typed["fp"] += said and not typed_hit
        typed["fn"] += drawn and not typed_hit
    return DetectionFigures(
        presence=Detection.of_counts(presence["tp"], presence["fp"], presence["fn"]),
        typed=Detection.of_counts(typed["tp"], typed["fp"], typed["fn"]),
    )


def offer_label_leaks(pairs: Sequence[tuple[AdTruth, Answer]]) -> OfferLabelLeaks:
    leaked: dict[str, int] = {}
    without_offer = 0
    for truth, answer in pairs:
        if truth.offer is not None:
            continue
        without_offer += 1
        given = {s.label for s in answer.labels.labels if s.taxonomy == "UNIVERSAL"} if answer.labels else set()
        if given & OFFER_LABEL_NAMES:
            leaked[truth.ad_id] = len(given & OFFER_LABEL_NAMES)
    return OfferLabelLeaks(ads=len(leaked), labels=sum(leaked.values()), of=without_offer, ad_ids=sorted(leaked))


# labels and attributes


def label_figures(pairs: Sequence[tuple[AdTruth, Answer]], taxonomy: TaxonomyName) -> LabelFigures:
    counts: dict[str, Counter[str]] = {label: Counter() for label in sorted(DECIDABLE_LABELS[taxonomy])}
    for truth, answer in pairs:
        decided = label_truth(truth)[taxonomy]
        given = {s.label for s in answer.labels.labels if s.taxonomy == taxonomy} if answer.labels else set()
        for label in decided.expected:
            counts[label]["tp" if label in given else "fn"] += 1
        for label in decided.forbidden & given:
            counts[label]["fp"] += 1
    by_label = {label: Detection.of_counts(c["tp"], c["fp"], c["fn"]) for label, c in counts.items()}
    overall = Detection.of_counts(*(sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")))
    return LabelFigures(overall=overall, by_label=by_label)


def attribute_figures(pairs: Sequence[tuple[AdTruth, Answer]]) -> dict[str, AttributeFigures]:
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    for truth, answer in pairs:
        attributes = _attributes(answer)
        for name, expected in attribute_truth(truth).items():
            value = attributes.get(name)
            tally = tallies[name]
            tally["decided"] += 1
            tally["answered"] += value is not None
            tally["correct"] += value is not None and _same_value(name, value, expected)
    return {
        name: AttributeFigures(
            accuracy=Ratio.of_counts(tally["correct"], tally["decided"]),
            answered=Ratio.of_counts(tally["answered"], tally["decided"]),
        )
        for name, tally in sorted(tallies.items())
    }


def ad_errors(truth: AdTruth, answer: Answer) -> AdErrors | None:
    """Everything ``answer`` got wrong about ``truth``, or None when it got nothing wrong."""
    drawn = _all_words(truth)
    read = _unglued(_read_words(answer), set(drawn))
    attributes = _attributes(answer)
    wrong_attributes = {
        name: {"truth": expected, "said": attributes.get(name)}
        for name, expected in attribute_truth(truth).items()
        if attributes.get(name) is None or not _same_value(name, attributes[name], expected)
    }
    missing, wrong = [], []
    for taxonomy, decided in label_truth(truth).items():
        given = {s.label for s in answer.labels.labels if s.taxonomy == taxonomy} if answer.labels else set()
        missing += [f"{taxonomy}/{label}" for label in sorted(decided.expected - given)]
        wrong += [f"{taxonomy}/{label}" for label in sorted(decided.forbidden & given)]
    errors = AdErrors(
        ad_id=truth.ad_id,
        missed_words=sorted((Counter(drawn) - Counter(read)).elements()),
        extra_words=sorted((Counter(read) - Counter(drawn)).elements()),
        attributes=wrong_attributes,
        labels_missing=missing,
        labels_wrong=wrong,
        failures=answer.failures,
    )
    found = (errors.missed_words, errors.extra_words, wrong_attributes, missing, wrong, answer.failures)
    return errors if any(found) else None


def _same_value(name: str, value: Any, expected: Any) -> bool:
    if name in _TEXT_ATTRIBUTES:
        return isinstance(value, str) and _same_text(value, expected)
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, str) and isinstance(value, str):
        return value.strip().casefold() == expected.casefold()
    return bool(value == expected)


def _same_text(said: str, drawn: str) -> bool:
    said_compact, drawn_compact = compact(said), compact(drawn)
    return bool(said_compact and drawn_compact) and (said_compact in drawn_compact or drawn_compact in said_compact)
