"""What each evaluation ad shows, known because it was drawn, and what a provider should say of it.

:class:`AdTruth` records every line drawn (with its role), the offer, call to action and urgency
line with their types, the format, aspect, palette, background and layout. From it,
:func:`attribute_truth` gives the attributes of the schema the truth decides, and
:func:`label_truth` the labels an ad must get and must not get, per taxonomy. A label or attribute
the truth cannot decide is left out, so it is reported as not measured, never scored.

No creative shows a human face: no photograph of one ships with the system or the installed
packages, and a drawn cartoon face is not a face. So the face count's truth is 0 everywhere and
face *detection* (recall on real faces) is not measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from adology.ai.evaluation.vocabulary import (
    CTAS,
    OFFERS,
    CtaType,
    Language,
    OfferType,
    Pool,
    UrgencyKind,
    entries,
    variants,
)
from adology.ai.local.copy_model import examples as copy_examples
from adology.ai.schema import TaxonomyName, attribute_schema, taxonomies
from adology.errors import AdologyError

Format = Literal["image", "video", "carousel"]
Aspect = Literal["1:1", "4:5", "9:16", "1.91:1"]
Role = Literal["headline", "offer", "cta", "urgency", "brand"]
CtaStyle = Literal["button", "box", "plain"]
PaletteName = Literal["pastel", "vibrant", "dark", "light", "monochrome"]
BackgroundKind = Literal["flat", "gradient", "noisy"]

# What each offer type, CTA type and urgency kind makes an ad deserve (the label names are checked
# against the taxonomies in force by vocabulary_problems()).
OFFER_LABELS: dict[OfferType, str] = {
    "percent_off": "discount_offer",
    "amount_off": "discount_offer",
    "free_shipping": "free_shipping",
    "bogo": "bogo_offer",
    "free_gift": "free_gift_offer",
    "bundle": "bundle_offer",
}
OFFER_LABEL_NAMES = frozenset(OFFER_LABELS.values())
# Offer labels an offer leaves open because its words fit two definitions: "BUNDLE & SAVE" reads as
# a saving, a free trial or sample as a free gift.
_OFFER_LABELS_OPEN: dict[OfferType, frozenset[str]] = {
    "bundle": frozenset({"discount_offer"}),
    "trial": frozenset({"free_gift_offer"}),
}
CTA_LABELS: dict[CtaType, str] = {
    "shop_now": "shop_now_cta",
    "buy_now": "shop_now_cta",
    "order_now": "shop_now_cta",
    "learn_more": "learn_more_cta",
    "sign_up": "sign_up_cta",
    "subscribe": "sign_up_cta",
    "get_offer": "get_offer_cta",
}
CTA_LABEL_NAMES = frozenset(CTA_LABELS.values())
# A countdown is a deadline too; whether a deadline or a flash sale also counts as the other
# kinds ("48 HOURS ONLY" as a countdown) is a judgement the truth leaves open.
URGENCY_LABELS: dict[UrgencyKind, frozenset[str]] = {
    "deadline": frozenset({"urgency_limited_time"}),
    "countdown": frozenset({"countdown", "urgency_limited_time"}),
    "flash_sale": frozenset({"flash_sale"}),
}
URGENCY_LABEL_NAMES = frozenset().union(*URGENCY_LABELS.values())

# Every label some ad of the set decides, per taxonomy: what label precision and recall count.
DECIDABLE_LABELS: dict[TaxonomyName, frozenset[str]] = {
    "UNIVERSAL": OFFER_LABEL_NAMES | CTA_LABEL_NAMES | {"video_motion", "carousel_multi_product"},
    "TREND": URGENCY_LABEL_NAMES | {"short_form_vertical_video"},
}


class EvaluationError(AdologyError):
    """The evaluation set cannot be made or scored as asked (a vocabulary the schema lacks, no encoder)."""


@dataclass(frozen=True, slots=True)
class DrawnLine:
    role: Role
    text: str  # as drawn, before any wrapping onto several lines


@dataclass(frozen=True, slots=True)
class OfferTruth:
    text: str
    offer_type: OfferType


@dataclass(frozen=True, slots=True)
class CtaTruth:
    text: str
    cta_type: CtaType
    style: CtaStyle  # a filled button, an outlined box, or plain words


@dataclass(frozen=True, slots=True)
class UrgencyTruth:
    text: str
    kind: UrgencyKind


@dataclass(frozen=True, slots=True)
class AdTruth:
    """One evaluation ad as drawn. ``width`` and ``height`` are its lead creative's."""

    ad_id: str
    format: Format
    aspect: Aspect
    width: int
    height: int
    language: Language
    lines: tuple[DrawnLine, ...]  # every line drawn on every creative (a video's scenes, a carousel's cards)
    offer: OfferTruth | None
    cta: CtaTruth | None
    urgency: UrgencyTruth | None
    media_count: int
    scene_count: int | None  # a video's scenes; None for images and carousels
    palette: PaletteName | None  # None when the background does not decide it (noise, a video's scenes)
    background: BackgroundKind
    layout: str | None  # the schema's layout value, when the drawn text sits clearly in one place
    typefaces: tuple[str, ...]
    encoding: str  # "png" or "jpeg q<quality>"

    @property
    def has_text(self) -> bool:
        return bool(self.lines)

    @property
    def orientation(self) -> str:
        # the schema's rule: square within 5%, else the longer side decides
        if abs(self.width - self.height) <= 0.05 * max(self.width, self.height):
            return "square"
        return "portrait" if self.height > self.width else "landscape"


@dataclass(frozen=True, slots=True)
class LabelTruth:
    """The labels of one taxonomy an ad must get and must not get; any other label is not judged."""

    expected: frozenset[str]
    forbidden: frozenset[str]


def label_truth(truth: AdTruth) -> dict[TaxonomyName, LabelTruth]:
    universal_expected: set[str] = set()
    universal_open: set[str] = set()
    if truth.offer is not None:
        kind = truth.offer.offer_type
        universal_expected |= {OFFER_LABELS[kind]} if kind in OFFER_LABELS else set()
        universal_open |= _OFFER_LABELS_OPEN.get(kind, frozenset())
    if truth.cta is not None:
        universal_expected.add(CTA_LABELS[truth.cta.cta_type])
    if truth.format == "video":
        universal_expected.add("video_motion")
    if truth.format == "carousel":
        universal_expected.add("carousel_multi_product")
    trend_expected: set[str] = set()
    trend_open: set[str] = set()
    if truth.urgency is not None:
        trend_expected |= URGENCY_LABELS[truth.urgency.kind]
        trend_open |= URGENCY_LABEL_NAMES - trend_expected
    if truth.format == "video" and truth.aspect == "9:16":
        trend_expected.add("short_form_vertical_video")
    return {
        "UNIVERSAL": _decided("UNIVERSAL", universal_expected, universal_open),
        "TREND": _decided("TREND", trend_expected, trend_open),
    }


def _decided(taxonomy: TaxonomyName, expected: set[str], open_labels: set[str]) -> LabelTruth:
    forbidden = DECIDABLE_LABELS[taxonomy] - expected - open_labels
    return LabelTruth(expected=frozenset(expected), forbidden=frozenset(forbidden))


def attribute_truth(truth: AdTruth) -> dict[str, Any]:
    """The attribute values the truth decides (an attribute it cannot decide is absent)."""
    values: dict[str, Any] = {
        "format": truth.format,
        "media_count": truth.media_count,
        "aspect_ratio": truth.aspect,
        "orientation": truth.orientation,
        "text_overlay": truth.has_text,
        "offer_type": truth.offer.offer_type if truth.offer else "none",
        "cta_type": truth.cta.cta_type if truth.cta else "none",
        "urgency": truth.urgency is not None,
        "face_count": 0,
        "people_present": False,
    }
    if truth.has_text:
        values["language"] = truth.language
    if truth.offer is not None:
        values["offer"] = truth.offer.text
    if truth.cta is not None:
        values["cta"] = truth.cta.text
    if truth.layout is not None:
        values["layout"] = truth.layout
    if truth.palette is not None:
        values["color_palette_name"] = truth.palette
    if truth.background != "noisy":
        values["background_style"] = "solid" if truth.background == "flat" else "gradient"
    if truth.scene_count is not None:
        values["scene_count"] = truth.scene_count
    return values


def vocabulary_problems() -> list[str]:
    """Where the evaluation's vocabulary names a value the schema or taxonomies in force do not have,
    or an entry lacks wording for a pool or shares wording between pools.

    The types are checked per offer and CTA entry, and every entry holds the phrases of all three
    pools (development, held out, blind), so each pool's phrases are checked by the same test."""
    problems = _pool_problems()
    schema = {spec.name: spec for spec in attribute_schema().attributes}
    enums = {name: set(schema[name].values or []) if name in schema else set() for name in ("offer_type", "cta_type")}
    for language, offers in OFFERS.items():
        problems += [f"offer_type {kind!r} ({language})" for kind in offers if kind not in enums["offer_type"]]
    for language, ctas in CTAS.items():
        problems += [f"cta_type {kind!r} ({language})" for kind in ctas if kind not in enums["cta_type"]]
    names = {name: set(taxonomy.names) for name, taxonomy in taxonomies().items()}
    for taxonomy, labels in DECIDABLE_LABELS.items():
        problems += [f"{taxonomy} label {label!r}" for label in sorted(labels - names.get(taxonomy, set()))]
    return problems


def _pool_problems() -> list[str]:
    """An entry with no phrase for some pool, a phrase (case aside) in two pools of one entry, or a
    blind phrase the local provider learned from (its copy model's examples hold the development,
    held-out and retired blind wordings: a blind set that repeats them is not blind to it)."""
    problems = []
    learned = {" ".join(example.text.casefold().split()) for example in copy_examples()}
    for name, entry in entries():
        pools = {pool: {phrase.casefold() for phrase in variants(entry, pool)} for pool in Pool}
        problems += [
            f"{name}: {phrase!r} of the blind pool is one of the local provider's copy examples"
            for phrase in sorted(pools[Pool.BLIND])
            if " ".join(phrase.split()) in learned
        ]
        problems += [f"{name}: no {pool.value} phrase" for pool, phrases in pools.items() if not phrases]
        for first, second in (
            (Pool.DEVELOPMENT, Pool.HELD_OUT),
            (Pool.DEVELOPMENT, Pool.BLIND),
            (Pool.HELD_OUT, Pool.BLIND),
        ):
            shared = sorted(pools[first] & pools[second])
            problems += [f"{name}: {phrase!r} in both the {first.value} and {second.value} pools" for phrase in shared]
    return problems
