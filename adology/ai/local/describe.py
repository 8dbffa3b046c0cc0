"""The local description: every attribute of the schema and a prose account, from measurements only.

Nothing here is inferred beyond what was measured or read. Attributes that need judgement
(audience, setting, tone other than urgency, logo, product visibility) stay ``None``.
Attributes derived from the ad's words are ``None`` when there was nothing to read at all (no
copy and no creative): an empty result then would claim an absence nobody checked. A list or
flag is empty or False (and ``offer_type`` "none") when there was copy or a creative to read
and the rules found nothing in what was read: a creative OCR read no words on states no offer.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from adology.ai.local.colour import Look
from adology.ai.local.measurements import AdAnalysis, frames_of
from adology.ai.local.phrases import assemble_blocks
from adology.ai.local.text import Offer, TextFindings
from adology.ai.local.video import VideoMeasurements
from adology.ai.local.vision import ImageMeasurements, aspect_ratio_label, orientation
from adology.ai.types import MAX_DESCRIPTION_WORDS

_QUOTED_LINES = 24  # lines of creative text quoted at most; the rest are counted
_QUOTED_COPY_WORDS = 80
_LIST_ITEMS = 5
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_LAYOUT_PHRASES = {
    "text_top": "mostly in the top third",
    "text_center": "mostly in the middle third",
    "text_bottom": "mostly in the bottom third",
    "text_top_and_bottom": "in the top and bottom thirds",
    "text_dominant": "covering most of it",
}
_OFFER_KINDS = {
    "percent_off": "percentage off",
    "amount_off": "amount off",
    "free_shipping": "free shipping",
    "bogo": "buy one, get one",
    "free_gift": "free gift",
    "bundle": "bundle",
    "trial": "trial or sample",
}


def attribute_values(analysis: AdAnalysis) -> dict[str, Any]:
    """A value (or ``None``) for every attribute this provider can measure."""
    f = analysis.findings
    known = f.has_text or analysis.lead is not None
    ad = analysis.ad
    lead = analysis.lead
    look = analysis.lead_look
    video = analysis.first_video
    faces = analysis.face_count
    percents = [o.value for o in f.offers if o.kind == "percent_off" and o.value is not None]
    amounts = [o.value for o in f.offers if o.kind == "amount_off" and o.value is not None]

    def when_known(value: Any) -> Any:
        return value if known else None

    return {
        "headline": analysis.headline,
        "subheadline": analysis.subheadline,
        "body_copy_summary": _first_sentence(ad.body),
        "offer": f.offer.text if f.offer else None,
        "offer_type": f.offer.kind if f.offer else when_known("none"),
        "discount_percent": max(percents) if percents else None,
        "discount_amount": max(amounts) if amounts else None,
        "discount_code": f.discount_code,
        "claims": when_known(list(f.claims)),
        "features": when_known(list(f.features)),
        "benefits": when_known(list(f.benefits)),
        "product_names": None,
        "product_category": None,
        "cta": f.cta.text if f.cta else None,
        "cta_type": f.cta.kind if f.cta else when_known("none"),
        "tone": "urgent" if f.urgency else None,
        "emotional_appeal": "fear_of_missing_out" if f.urgency or f.scarcity_phrases else None,
        "audience": None,
        "audience_age_group": None,
        "audience_gender": None,
        "setting": None,
        # A face detector can show that people are there, never that they are not.
        "people_present": True if faces else None,
        "people_count": faces or None,
        "face_count": faces,
        "text_overlay": bool(analysis.text_lines) if lead is not None else None,
        "text_coverage_ratio": analysis.text_coverage,
        "text_read": list(analysis.text_lines) if lead is not None else None,
        "logo_present": None,
        "brand_name_visible": analysis.brand_visible,
        "dominant_colors": [c.hex for c in look.dominant_colors] if look else None,
        "color_palette_name": look.palette_name if look else None,
        "brightness": look.brightness if look else None,
        "contrast": look.contrast if look else None,
        "colorfulness": look.colorfulness if look else None,
        "edge_density": look.edge_density if look else None,
        "background_style": "solid" if _solid(look) else None,
        "layout": analysis.layout,
        "aspect_ratio": aspect_ratio_label(lead.width, lead.height) if lead else None,
        "orientation": orientation(lead.width, lead.height) if lead else None,
        "format": analysis.format,
        "media_count": len(analysis.creatives),
        "video_duration_seconds": video.duration_seconds if video else None,
        "scene_count": video.scene_count if video else None,
        "cut_count": len(video.cut_seconds) if video else None,
        "pacing": video.pacing if video else None,
        "hook": lead.hook if isinstance(lead, VideoMeasurements) else analysis.headline,
        "urgency": when_known(f.urgency),
        "urgency_phrases": when_known([*f.flash_sale_phrases, *f.urgency_phrases, *f.countdown_phrases]),
        "scarcity": when_known(bool(f.scarcity_phrases)),
        "social_proof": when_known(list(f.social_proof)),
        "price_shown": when_known(bool(f.prices)),
        "price_value": f.prices[0][1] if f.prices else None,
        "currency_symbol": _currency(f.prices, f.offers),
        "language": f.language,
        "landing_domain": _domain(ad.link_url),
        "seasonality": when_known(f.seasonality),
        "product_visible": None,
        "packaging_visible": None,
        "ugc_style": None,
        # Words can show a before/after comparison; their absence says nothing about the picture.
        "before_after": True if f.before_after else None,
        "new_launch": when_known(f.new_launch),
        "subscription_offer": when_known(f.subscription),
        "ingredients_mentioned": when_known(list(f.ingredients)),
        "sustainability_claims": when_known(list(f.sustainability)),
        "hashtags": when_known(list(f.hashtags)),
        "emoji_count": when_known(f.emoji_count),
        "question_in_copy": when_known(f.question),
        "exclamation_count": when_known(f.exclamation_count),
        "word_count_copy": len(ad.copy_text().split()),
        "readability": f.readability,
    }


def compose_description(analysis: AdAnalysis) -> str:
    """At most 500 words stating what was measured, most telling first."""
    f = analysis.findings
    sentences = [_opening(analysis), *_text_read(analysis)]
    # Each offer and call to action names what it was read from: the words and the button they sit in.
    if f.offers:
        offers = "; ".join(f"{o.text} ({_OFFER_KINDS[o.kind]}: {o.evidence})" for o in f.offers)
        sentences.append(f"Offer{'s' if len(f.offers) > 1 else ''}: {offers}.")
    elif f.has_text:
        sentences.append("No offer was found in the text read.")
    if f.cta:
        sentences.append(f"Call to action: {f.cta.text} ({f.cta.evidence}).")
    urgency = [*f.flash_sale_phrases, *f.urgency_phrases, *f.countdown_phrases]
    for label, items in (
        ("Urgency", urgency),
        ("Scarcity", f.scarcity_phrases),
        ("Claims", f.claims),
        ("Social proof", f.social_proof),
        ("Product features", f.features),
        ("Sustainability", f.sustainability),
    ):
        if items:
            sentences.append(f"{label}: {_quote(items[:_LIST_ITEMS])}.")
    if f.prices:
        sentences.append("Price shown: " + ", ".join(f"{symbol}{value:.2f}" for symbol, value in f.prices[:3]) + ".")
    if f.ingredients:
        sentences.append("Ingredients named: " + ", ".join(f.ingredients) + ".")
    if f.seasonality is not None and f.seasonality != "none":
        sentences.append(f"Seasonal cue: {f.seasonality.replace('_', ' ')}.")
    if f.discount_code:
        sentences.append(f"Discount code: {f.discount_code}.")
    if f.hashtags:
        sentences.append("Hashtags: " + " ".join(f.hashtags[:_LIST_ITEMS]) + ".")
    sentences += _visual(analysis)
    sentences += _copy(analysis, f)
    return _limit(" ".join(sentences))


def _opening(analysis: AdAnalysis) -> str:
    ad = analysis.ad
    brand = f" for {ad.brand}" if ad.brand else ""
    lead = analysis.lead
    if lead is None:
        return f"Ad{brand} with no image or video; only its copy was read."
    shape = (
        f"{aspect_ratio_label(lead.width, lead.height)} {orientation(lead.width, lead.height)} "
        f"({lead.width}×{lead.height} px)"
    )
    if analysis.format == "carousel":
        return f"Carousel ad{brand} with {len(analysis.creatives)} cards, the first {shape}."
    if isinstance(lead, VideoMeasurements):
        return f"Video ad{brand}, {shape}, {_video_summary(lead)}."
    return f"Image ad{brand}, {shape}."


def _video_summary(video: VideoMeasurements) -> str:
    cuts = len(video.cut_seconds)
    summary = f"{video.duration_seconds:.1f} s at {video.fps:g} fps"
    if cuts == 0:
        return summary + ", one continuous scene"
    at = ", ".join(f"{t:.1f} s" for t in video.cut_seconds[:8])
    return (
        f"{summary}: {video.scene_count} scenes separated by {cuts} hard cut{'s' if cuts > 1 else ''} "
        f"(at {at}); {video.pacing} pacing"
    )


def _text_read(analysis: AdAnalysis) -> list[str]:
    lead = analysis.lead
    if lead is None:
        return []
    budget = [_QUOTED_LINES]
    if analysis.format == "carousel":
        sentences = []
        for number, creative in enumerate(analysis.creatives, start=1):
            kind = (
                f" (video, {creative.duration_seconds:.1f} s, {creative.scene_count} scenes)"
                if isinstance(creative, VideoMeasurements)
                else ""
            )
            lines = list(dict.fromkeys(text for frame in frames_of(creative) for text in _phrases_read(frame)))
            sentences.append(f"Card {number}{kind} text: {_lines(lines, budget)}.")
        return sentences
    if isinstance(lead, VideoMeasurements):
        return [
            f"Scene {number} ({scene.start_seconds:.1f}-{scene.end_seconds:.1f} s) text: "
            f"{_lines(_phrases_read(scene.keyframe), budget)}."
            for number, scene in enumerate(lead.scenes, start=1)
            if scene.keyframe is not None
        ]
    if not analysis.text_lines:
        return ["No text was read from the creative."]
    return [f"Text read from the creative: {_lines(_phrases_read(lead), budget)}."]


def _phrases_read(frame: ImageMeasurements) -> list[str]:
    """A frame's text as a viewer reads it: the words of each row together, in reading order."""
    return [phrase.text for block in assemble_blocks(frame.text_lines, frame.width, frame.height) for phrase in block]


def _lines(lines: list[str], budget: list[int]) -> str:
    """Quoted lines while the shared budget lasts; the rest are counted, not quoted."""
    if not lines:
        return "none read"
    shown = lines[: max(0, budget[0])]
    budget[0] -= len(shown)
    quoted = _quote([_words(line, 20) for line in shown])
    hidden = len(lines) - len(shown)
    if hidden:
        quoted = f"{quoted} and {hidden} more line{'s' if hidden > 1 else ''}" if shown else f"{hidden} lines"
    return quoted


def _visual(analysis: AdAnalysis) -> list[str]:
    lead = analysis.lead
    look = analysis.lead_look
    if lead is None or look is None:
        return []
    sentences = []
    coverage = analysis.text_coverage or 0.0
    layout = analysis.layout
    if layout in _LAYOUT_PHRASES:
        where = _LAYOUT_PHRASES[layout]
        sentences.append(
            f"Text covers {coverage:.0%} of the image, {where}."
            if len(analysis.frames) == 1
            else f"Text covers up to {coverage:.0%} of a frame, {where} in the first with text."
        )
    colours = ", ".join(f"{c.hex} ({c.share:.0%})" for c in look.dominant_colors)
    sentences.append(
        f"Dominant colours{' of the first card' if analysis.format == 'carousel' else ''}: {colours}, "
        f"a {look.palette_name.replace('_', ' ')} palette; brightness {look.brightness:.2f}, "
        f"contrast {look.contrast:.2f}, colourfulness {look.colorfulness:.2f}, edge density {look.edge_density:.2f}."
    )
    faces = analysis.face_count
    if faces is not None:
        sentences.append("No faces detected." if faces == 0 else f"{faces} face{'s' if faces > 1 else ''} detected.")
    if analysis.brand_visible:
        sentences.append(f'The brand name "{analysis.ad.brand}" is readable on the creative.')
    return sentences


def _copy(analysis: AdAnalysis, f: TextFindings) -> list[str]:
    ad = analysis.ad
    sentences = []
    if ad.title:
        sentences.append(f'Ad title: "{_words(ad.title, 30)}".')
    if ad.body:
        sentences.append(f'Body copy: "{_words(ad.body, _QUOTED_COPY_WORDS)}".')
    if f.language == "en":
        sentences.append("The copy is in English.")
    domain = _domain(ad.link_url)
    if domain:
        sentences.append(f"Landing page: {domain}.")
    return sentences


def _quote(items: Any) -> str:
    return ", ".join(f'"{item}"' for item in items)


def _words(text: str, limit: int) -> str:
    words = text.split()
    return " ".join(words[:limit]) + (" …" if len(words) > limit else "")


def _limit(text: str) -> str:
    words = text.split()
    if len(words) <= MAX_DESCRIPTION_WORDS:
        return " ".join(words)
    return " ".join(words[: MAX_DESCRIPTION_WORDS - 1]) + " …"


def _first_sentence(body: str | None) -> str | None:
    if not body or not body.strip():
        return None
    return _words(_SENTENCE_BREAK.split(body.strip(), maxsplit=1)[0], 40)


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    if not host:
        return None
    return host.removeprefix("www.")


def _solid(look: Look | None) -> bool:
    """One colour covers the image and almost nothing is drawn on it."""
    return bool(look and look.dominant_colors and look.dominant_colors[0].share >= 0.85 and look.edge_density < 0.02)


def _currency(prices: tuple[tuple[str, float], ...], offers: tuple[Offer, ...]) -> str | None:
    if prices:
        return prices[0][0]
    for offer in offers:
        if offer.kind == "amount_off":
            return next((ch for ch in offer.text if ch in "$£€"), None)
    return None
