"""Taxonomy labels, each with the evidence it rests on: a phrase read, or a measurement.

Evidence: a measured fact that *is* the label's definition ("FREE SHIPPING" read on the
creative, a vertical video of under a minute, two or more creatives) sets the label's
confidence directly, and names itself ('offer "FREE SHIPPING": read "FREE SHIPPING" on the
creative'). What an ad *states* (an offer, a call to action, a deadline, a price, stock running
out) and its format are labelled from that evidence alone (:data:`RULE_LABELS`): the rules read
every such statement, so a label the rules found nothing for is one the ad does not make, however
close its words come to the definition ("FREE" in "BUY 1 GET 1 FREE" is not free shipping).

Zero-shot, for every other label: the ad's words (copy, the paragraphs read from the creatives,
the canonical phrases found in them, and the affirmative sentences of another provider's
description, when one is given; this provider's own description only restates those words) and
every label's definition are embedded with WordLlama; a label's similarity is turned into a
confidence by two logistic curves, one on the raw cosine and one on how far it stands above the
taxonomy's other labels (z-score), capped at :data:`ZERO_SHOT_CAP` because word overlap alone
never makes a label certain. Its evidence is the piece of the ad's words nearest the definition.

A label's confidence is the larger of the two. A taxonomy reports its labels at or above
:data:`THRESHOLD`, or its best label when none reaches it (and any label has a confidence above
zero: with no words and no evidence there is no "best" label).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from adology.ai.local.embeddings import embed_texts
from adology.ai.local.measurements import AdAnalysis
from adology.ai.local.phrases import block_text
from adology.ai.local.text import TextFindings
from adology.ai.local.video import VideoMeasurements
from adology.ai.schema import Taxonomy, TaxonomyName, taxonomies
from adology.ai.types import LabelScore

THRESHOLD = 0.5
ZERO_SHOT_CAP = 0.85
# Logistic midpoints and slopes, set on the library's creatives: an unrelated label sits near
# cosine 0.1 (z ~ 0), a label whose key words the ad uses at 0.3+ and 2+ standard deviations up.
_COSINE_MIDPOINT, _COSINE_SLOPE = 0.28, 14.0
_Z_MIDPOINT, _Z_SLOPE = 1.5, 3.0

OFFER_LABELS = {
    "percent_off": "discount_offer",
    "amount_off": "discount_offer",
    "free_shipping": "free_shipping",
    "bogo": "bogo_offer",
    "bundle": "bundle_offer",
    "free_gift": "free_gift_offer",
}
CTA_LABELS = {
    "shop_now": "shop_now_cta",
    "buy_now": "shop_now_cta",
    "order_now": "shop_now_cta",
    "learn_more": "learn_more_cta",
    "sign_up": "sign_up_cta",
    "subscribe": "sign_up_cta",
    "get_offer": "get_offer_cta",
}
# Labels only evidence sets: statements the rules read in full, and formats that are measured.
RULE_LABELS = frozenset(
    {
        *OFFER_LABELS.values(),
        *CTA_LABELS.values(),
        "price_display",
        "video_motion",
        "carousel_multi_product",
        "urgency_limited_time",
        "flash_sale",
        "countdown",
        "scarcity_low_stock",
        "subscription_model",
        "short_form_vertical_video",
    }
)

_definitions_lock = threading.Lock()
_definitions: dict[str, np.ndarray] = {}
# Sentences that state an absence ("No offer was found...") or list colour codes only add noise.
_NOISE_SENTENCE = re.compile(r"^No |#[0-9a-f]{6}")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a label holds: its confidence and the phrase or measurement it rests on."""

    confidence: float
    because: str


@dataclass(frozen=True, slots=True)
class EvidencedLabel:
    taxonomy: TaxonomyName
    label: str
    confidence: float
    evidence: str


def score_labels(analysis: AdAnalysis, description: str | None) -> list[LabelScore]:
    """Labels of both taxonomies; ``description`` is another provider's prose, or None."""
    return [
        LabelScore(taxonomy=label.taxonomy, label=label.label, confidence=label.confidence)
        for label in evidenced_labels(analysis, description)
    ]


def evidenced_labels(analysis: AdAnalysis, description: str | None) -> list[EvidencedLabel]:
    """:func:`score_labels`, each label with the evidence it rests on."""
    parts = label_query_parts(analysis, description)
    vectors = embed_texts(["\n".join(parts), *parts])
    query, part_vectors = vectors[0], vectors[1:]
    evidence = evidence_scores(analysis)
    labels: list[EvidencedLabel] = []
    for name, taxonomy in taxonomies().items():
        definitions = _definition_vectors(taxonomy)
        confidence = _zero_shot(query, definitions)
        support: dict[str, Evidence] = {}
        for index, label in enumerate(taxonomy.names):
            if label in RULE_LABELS:
                continue  # stated or measured, never guessed from similar words
            if confidence[index] > 0:
                nearest = int(np.argmax(part_vectors @ definitions[index]))
                support[label] = Evidence(
                    float(confidence[index]),
                    f'the words "{_clip(parts[nearest])}" are near its definition '
                    f"(cosine {float(query @ definitions[index]):.2f})",
                )
        for label, found in evidence.get(name, {}).items():
            # a label the taxonomy version does not have is never reported
            if label in taxonomy.names and found.confidence >= support.get(label, Evidence(0.0, "")).confidence:
                support[label] = found
        chosen = [label for label, found in support.items() if found.confidence >= THRESHOLD]
        if not chosen and support:  # with no signal at all there is no "best" label
            chosen = [max(support, key=lambda label: (support[label].confidence, label))]
        chosen.sort(key=lambda label: (-support[label].confidence, label))
        labels += [
            EvidencedLabel(name, label, round(support[label].confidence, 4), support[label].because) for label in chosen
        ]
    return labels


def label_query_parts(analysis: AdAnalysis, description: str | None) -> list[str]:
    """The ad's words, in pieces: copy, the creatives' paragraphs, canonical phrases, another
    provider's affirmative sentences."""
    affirmative = [s for s in _SENTENCE.split(description or "") if s.strip() and not _NOISE_SENTENCE.search(s)]
    parts = [
        analysis.ad.copy_text(),
        *(block_text(block) for block in analysis.blocks),
        *analysis.findings.phrases,
        *affirmative,
    ]
    return [part for part in parts if part.strip()]


def _zero_shot(query: np.ndarray, definitions: np.ndarray) -> np.ndarray:
    if not query.any():
        return np.zeros(len(definitions))
    cosine = definitions @ query
    z = (cosine - cosine.mean()) / max(float(cosine.std()), 1e-6)
    confidence = _logistic(_COSINE_SLOPE * (cosine - _COSINE_MIDPOINT)) * _logistic(_Z_SLOPE * (z - _Z_MIDPOINT))
    return np.minimum(ZERO_SHOT_CAP, confidence)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _clip(text: str, words: int = 12) -> str:
    split = " ".join(text.split()).split(" ")
    return " ".join(split[:words]) + (" …" if len(split) > words else "")


def _definition_vectors(taxonomy: Taxonomy) -> np.ndarray:
    key = f"{taxonomy.taxonomy}/{taxonomy.version}"
    with _definitions_lock:
        if key not in _definitions:
            _definitions[key] = embed_texts(
                [f"{label.label.replace('_', ' ')}: {label.definition}" for label in taxonomy.labels]
            )
        return _definitions[key]


def evidence_scores(analysis: AdAnalysis) -> dict[str, dict[str, Evidence]]:
    """Confidence set by measured facts, per taxonomy and label, with the fact."""
    f = analysis.findings
    universal: dict[str, Evidence] = {}
    trend: dict[str, Evidence] = {}
    for offer in f.offers:
        label = OFFER_LABELS.get(offer.kind)
        if label and label not in universal:
            confidence = 0.95 if offer.source == "creative" else 0.9
            universal[label] = Evidence(confidence, f'offer "{offer.text}": {offer.evidence}')
    if f.cta and f.cta.kind in CTA_LABELS:
        confidence = 0.95 if f.cta.source != "copy" else 0.8
        universal[CTA_LABELS[f.cta.kind]] = Evidence(confidence, f'call to action "{f.cta.text}": {f.cta.evidence}')
    _stated(f, universal, trend)
    _visual_evidence(analysis, universal, trend)
    return {"UNIVERSAL": universal, "TREND": trend}


def _stated(f: TextFindings, universal: dict[str, Evidence], trend: dict[str, Evidence]) -> None:
    """Labels whose definition a cue the rules found states."""
    if f.social_proof:
        universal["testimonial_social_proof"] = Evidence(0.85, f"social proof {_quoted(f.social_proof)}")
    if f.before_after:
        universal["before_after"] = Evidence(0.8, 'the words "before" and "after"')
    if f.ingredients:
        confidence = 0.8 if len(f.ingredients) >= 2 else 0.65
        universal["ingredient_focus"] = Evidence(confidence, f"ingredients named: {', '.join(f.ingredients)}")
    if f.new_launch:
        universal["new_launch"] = Evidence(0.75, "a launch phrase (new, introducing, just launched)")
    if f.seasonality is not None and f.seasonality != "none":
        universal["seasonal_holiday"] = Evidence(0.85, f"a seasonal cue: {f.seasonality.replace('_', ' ')}")
    if f.sustainability:
        universal["sustainability"] = Evidence(0.8, f"sustainability claims {_quoted(f.sustainability)}")
    if f.expert_claims:
        universal["expert_endorsement"] = Evidence(0.85, f"expert claims {_quoted(f.expert_claims)}")
        trend["science_backed_claims"] = Evidence(0.85, f"expert claims {_quoted(f.expert_claims)}")
    if f.prices:
        shown = ", ".join(f"{symbol}{value:.2f}" for symbol, value in f.prices[:3])
        universal["price_display"] = Evidence(0.9, f"prices read: {shown}")
    deadlines = [*f.urgency_phrases, *f.flash_sale_phrases]
    if deadlines:
        trend["urgency_limited_time"] = Evidence(0.95, f"urgency phrases {_quoted(deadlines)}")
    if f.flash_sale_phrases:
        trend["flash_sale"] = Evidence(0.95, f"flash-sale phrases {_quoted(f.flash_sale_phrases)}")
    if f.countdown_phrases:
        trend["countdown"] = Evidence(0.9, f"countdown phrases {_quoted(f.countdown_phrases)}")
        if "urgency_limited_time" not in trend:
            trend["urgency_limited_time"] = Evidence(0.9, f"countdown phrases {_quoted(f.countdown_phrases)}")
    if f.scarcity_phrases:
        trend["scarcity_low_stock"] = Evidence(0.9, f"scarcity phrases {_quoted(f.scarcity_phrases)}")
    if f.subscription:
        trend["subscription_model"] = Evidence(0.9, "a subscription phrase (subscribe and save, membership, ...)")
    if f.emoji_count >= 2:
        trend["emoji_casual_copy"] = Evidence(0.75, f"{f.emoji_count} emoji in the copy")


def _quoted(items: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f'"{_clip(item)}"' for item in items[:3])


def _visual_evidence(analysis: AdAnalysis, universal: dict[str, Evidence], trend: dict[str, Evidence]) -> None:
    if analysis.format == "carousel":
        universal["carousel_multi_product"] = Evidence(0.95, f"a carousel of {len(analysis.creatives)} creatives")
    video = analysis.first_video
    if video is not None:
        universal["video_motion"] = Evidence(0.99, f"a video of {video.duration_seconds:.1f} s")
        if video.height >= 1.5 * video.width and video.duration_seconds <= 60:
            quick = len(video.cut_seconds) >= 3 or video.cuts_per_second >= 0.5
            trend["short_form_vertical_video"] = Evidence(
                0.9 if quick else 0.75,
                f"a {video.width}×{video.height} video of {video.duration_seconds:.1f} s "
                f"with {len(video.cut_seconds)} cuts",
            )
    coverage = analysis.text_coverage
    if coverage is not None and coverage >= 0.25:
        universal["text_heavy"] = Evidence(0.9 if coverage >= 0.35 else 0.75, f"text covers {coverage:.0%} of a frame")
    look = analysis.lead_look
    if look is None or isinstance(analysis.lead, VideoMeasurements):
        return
    top_three = sum(c.share for c in look.dominant_colors[:3])
    if look.edge_density < 0.03 and (coverage or 0.0) < 0.1 and top_three >= 0.9:
        universal["minimal_design"] = Evidence(
            0.7,
            f"edge density {look.edge_density:.2f}, text covers {coverage or 0.0:.0%}, "
            f"three colours cover {top_three:.0%}",
        )
    if look.palette_name == "pastel":
        trend["pastel_palette"] = Evidence(0.8, "dominant colours " + ", ".join(c.hex for c in look.dominant_colors))
    if look.colorfulness >= 0.45 and look.edge_density < 0.06:
        trend["bold_color_blocking"] = Evidence(
            0.7, f"colourfulness {look.colorfulness:.2f} with edge density {look.edge_density:.2f}"
        )
