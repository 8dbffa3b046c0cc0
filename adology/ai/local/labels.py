"""Taxonomy labels: zero-shot text similarity, raised by evidence the measurements hold.

Zero-shot: the ad's words (copy, text read from the creatives, the canonical phrases found in
it, and the affirmative sentences of another provider's description, when one is given; this
provider's own description only restates those words) and every label's definition are embedded
with WordLlama; a label's similarity is turned into a confidence by two logistic curves, one
on the raw cosine and one on how far it stands above the taxonomy's other labels (z-score),
capped at :data:`ZERO_SHOT_CAP` because word overlap alone never makes a label certain.

Evidence: a measured fact that *is* the label's definition ("FREE SHIPPING" read on the
creative, a vertical video of under a minute, two or more creatives) sets the label's
confidence directly. A label's confidence is the larger of the two. A taxonomy reports its
labels at or above :data:`THRESHOLD`, or its best label when none reaches it (and any label
has a confidence above zero: with no words and no evidence there is no "best" label).
"""

from __future__ import annotations

import re
import threading

import numpy as np

from adology.ai.local.embeddings import embed_texts
from adology.ai.local.measurements import AdAnalysis
from adology.ai.local.video import VideoMeasurements
from adology.ai.schema import Taxonomy, taxonomies
from adology.ai.types import LabelScore

THRESHOLD = 0.5
ZERO_SHOT_CAP = 0.85
# Logistic midpoints and slopes, set on the library's creatives: an unrelated label sits near
# cosine 0.1 (z ~ 0), a label whose key words the ad uses at 0.3+ and 2+ standard deviations up.
_COSINE_MIDPOINT, _COSINE_SLOPE = 0.28, 14.0
_Z_MIDPOINT, _Z_SLOPE = 1.5, 3.0

_definitions_lock = threading.Lock()
_definitions: dict[str, np.ndarray] = {}
# Sentences that state an absence ("No offer was found...") or list colour codes only add noise.
_NOISE_SENTENCE = re.compile(r"^No |#[0-9a-f]{6}")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def score_labels(analysis: AdAnalysis, description: str | None) -> list[LabelScore]:
    """Labels of both taxonomies; ``description`` is another provider's prose, or None."""
    query = embed_texts([label_query(analysis, description)])[0]
    evidence = evidence_scores(analysis)
    scores: list[LabelScore] = []
    for name, taxonomy in taxonomies().items():
        confidence = _zero_shot(query, taxonomy)
        for label, value in evidence.get(name, {}).items():
            if label in confidence:  # a label the taxonomy version does not have is never reported
                confidence[label] = max(confidence[label], value)
        chosen = [label for label, value in confidence.items() if value >= THRESHOLD]
        best = max(confidence, key=lambda label: (confidence[label], label))
        if not chosen and confidence[best] > 0:  # with no signal at all there is no "best" label
            chosen = [best]
        chosen.sort(key=lambda label: (-confidence[label], label))
        scores += [LabelScore(taxonomy=name, label=label, confidence=round(confidence[label], 4)) for label in chosen]
    return scores


def label_query(analysis: AdAnalysis, description: str | None) -> str:
    affirmative = [s for s in _SENTENCE.split(description or "") if s.strip() and not _NOISE_SENTENCE.search(s)]
    parts = [analysis.ad.copy_text(), *analysis.text_lines, *analysis.findings.phrases, *affirmative]
    return "\n".join(part for part in parts if part.strip())


def _zero_shot(query: np.ndarray, taxonomy: Taxonomy) -> dict[str, float]:
    if not query.any():
        return dict.fromkeys(taxonomy.names, 0.0)
    cosine = _definition_vectors(taxonomy) @ query
    z = (cosine - cosine.mean()) / max(float(cosine.std()), 1e-6)
    confidence = _logistic(_COSINE_SLOPE * (cosine - _COSINE_MIDPOINT)) * _logistic(_Z_SLOPE * (z - _Z_MIDPOINT))
    return {label: float(min(ZERO_SHOT_CAP, value)) for label, value in zip(taxonomy.names, confidence, strict=True)}


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _definition_vectors(taxonomy: Taxonomy) -> np.ndarray:
    key = f"{taxonomy.taxonomy}/{taxonomy.version}"
    with _definitions_lock:
        if key not in _definitions:
            _definitions[key] = embed_texts(
                [f"{label.label.replace('_', ' ')}: {label.definition}" for label in taxonomy.labels]
            )
        return _definitions[key]


def evidence_scores(analysis: AdAnalysis) -> dict[str, dict[str, float]]:
    """Confidence set by measured facts, per taxonomy and label."""
    f = analysis.findings
    universal: dict[str, float] = {}
    trend: dict[str, float] = {}
    offer_labels = {
        "percent_off": "discount_offer",
        "amount_off": "discount_offer",
        "free_shipping": "free_shipping",
        "bogo": "bogo_offer",
        "bundle": "bundle_offer",
        "free_gift": "free_gift_offer",
    }
    for offer in f.offers:
        if offer.kind in offer_labels:
            universal[offer_labels[offer.kind]] = 0.95 if offer.source == "creative" else 0.9
    if f.cta:
        cta_labels = {
            "shop_now": "shop_now_cta",
            "buy_now": "shop_now_cta",
            "order_now": "shop_now_cta",
            "learn_more": "learn_more_cta",
            "sign_up": "sign_up_cta",
            "subscribe": "sign_up_cta",
            "get_offer": "get_offer_cta",
        }
        if f.cta.kind in cta_labels:
            universal[cta_labels[f.cta.kind]] = 0.95 if f.cta.source != "copy" else 0.8
    if f.social_proof:
        universal["testimonial_social_proof"] = 0.85
    if f.before_after:
        universal["before_after"] = 0.8
    if f.ingredients:
        universal["ingredient_focus"] = 0.8 if len(f.ingredients) >= 2 else 0.65
    if f.new_launch:
        universal["new_launch"] = 0.75
    if f.seasonality not in (None, "none"):
        universal["seasonal_holiday"] = 0.85
    if f.sustainability:
        universal["sustainability"] = 0.8
    if f.expert_claims:
        universal["expert_endorsement"] = 0.85
        trend["science_backed_claims"] = 0.85
    if f.prices:
        universal["price_display"] = 0.9
    if f.urgency_phrases or f.flash_sale_phrases:
        trend["urgency_limited_time"] = 0.95
    if f.flash_sale_phrases:
        trend["flash_sale"] = 0.95
    if f.countdown_phrases:
        trend["countdown"] = 0.9
        trend["urgency_limited_time"] = max(trend.get("urgency_limited_time", 0.0), 0.9)
    if f.scarcity_phrases:
        trend["scarcity_low_stock"] = 0.9
    if f.subscription:
        trend["subscription_model"] = 0.9
    if f.emoji_count >= 2:
        trend["emoji_casual_copy"] = 0.75
    _visual_evidence(analysis, universal, trend)
    return {"UNIVERSAL": universal, "TREND": trend}


def _visual_evidence(analysis: AdAnalysis, universal: dict[str, float], trend: dict[str, float]) -> None:
    if analysis.format == "carousel":
        universal["carousel_multi_product"] = 0.95
    video = analysis.first_video
    if video is not None:
        universal["video_motion"] = 0.99
        if video.height >= 1.5 * video.width and video.duration_seconds <= 60:
            quick = len(video.cut_seconds) >= 3 or video.cuts_per_second >= 0.5
            trend["short_form_vertical_video"] = 0.9 if quick else 0.75
    coverage = analysis.text_coverage
    if coverage is not None and coverage >= 0.25:
        universal["text_heavy"] = 0.9 if coverage >= 0.35 else 0.75
    look = analysis.lead_look
    if look is None or isinstance(analysis.lead, VideoMeasurements):
        return
    top_three = sum(c.share for c in look.dominant_colors[:3])
    if look.edge_density < 0.03 and (coverage or 0.0) < 0.1 and top_three >= 0.9:
        universal["minimal_design"] = 0.7
    if look.palette_name == "pastel":
        trend["pastel_palette"] = 0.8
    if look.colorfulness >= 0.45 and look.edge_density < 0.06:
        trend["bold_color_blocking"] = 0.7
