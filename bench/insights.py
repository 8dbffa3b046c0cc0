"""``insights_seconds``: one brand of 20,000 ads, its insights loaded and computed from Postgres, timed.

Analysing 20,000 ads takes the local provider about an hour, and the insights read nothing but
Postgres rows, so the brand is synthesised straight into the tables in the shape the local
provider leaves them (:func:`synthesise_brand`): ads started over two years, a quarter of them run
again on Google with the same creative; a description with every attribute of the schema per ad,
labels of both taxonomies, text, retrieval and visual vectors, and the analysis state that makes
them current. The brand's ads fall in eight themes, each with its own centre in retrieval space and
its own words, and four looks in visual space. One step is planted: sign-up CTAs go from 5 % to
45 % of the ads started after :data:`STEP_DAYS_BEFORE` days before the reference date. Nothing else
changes over time, so every other trend found is a false discovery.

Then (:func:`measure_insights`) the brand is loaded and its insights computed as the
``brand_insights`` asset does; the figures give the seconds of each, and of each part of the
computation.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.types.json import Jsonb

import adology.knowledge.insights.compute as compute_module
from adology.ai.local.embeddings import EMBED_DIM
from adology.ai.local.provider import LocalProvider
from adology.ai.local.visual_vector import VISUAL_DIM
from adology.ai.routines import ROUTINES, summary_version
from adology.ai.schema import attribute_schema
from adology.brands import BrandSource, upsert_brand
from adology.knowledge.insights.compute import compute_insights, input_fingerprint
from adology.knowledge.insights.load import load_brand_data
from adology.knowledge.insights.model import BrandInsights
from adology.sources.models import Connector

PARTITION_KEY = "bench-insights"
WINDOW_DAYS = 730  # two years of ads
GOOGLE_COPY_SHARE = 0.25  # ads that also ran on Google: a second ad row with the same creative
STEP_DAYS_BEFORE = 240
STEP_SIGNAL = "cta:sign_up"
SIGN_UP_BEFORE, SIGN_UP_AFTER = 0.05, 0.45
THEMES = 8
LOOKS = 4
# How far an ad's vector strays from its theme's centre: a cosine of about 0.8 to it, as the local
# provider's descriptions of one product line are to each other.
RETRIEVAL_SPREAD = 0.045
VISUAL_SPREAD = 0.03

_PRODUCTS = ("Serum", "Cleanser", "Moisturizer", "Toner", "Eye Cream", "Face Oil", "Mask", "Mist")
_THEME_WORDS = (
    ("hydration", "hyaluronic", "plump", "dewy"),
    ("brightening", "vitamin", "radiance", "glow"),
    ("barrier", "ceramides", "repair", "soothing"),
    ("acne", "salicylic", "clarifying", "pores"),
    ("retinol", "firming", "wrinkles", "renewal"),
    ("sunscreen", "mineral", "protection", "daily"),
    ("botanical", "rosehip", "organic", "calm"),
    ("routine", "bundle", "gift", "set"),
)
_TONES = ("informative", "playful", "luxurious", "clinical", "calm", "inspirational", "bold", "conversational")
_PALETTES = ("pastel", "vibrant", "light", "earth_tones", "neutral", "dark", "mixed", "monochrome")
_LOOK_COLOURS = (("#f6aac4", "#ffe0e8"), ("#123854", "#5cb6dc"), ("#d6b48c", "#f0dec4"), ("#2e5e3e", "#8eba78"))
_OFFERS = {"percent_off": "20% OFF", "free_shipping": "FREE SHIPPING", "bogo": "BUY 1 GET 1 FREE"}
_CTA_TEXT = {"shop_now": "SHOP NOW", "learn_more": "LEARN MORE", "sign_up": "SIGN UP"}
_CTA_LABELS = {"shop_now": "shop_now_cta", "learn_more": "learn_more_cta", "sign_up": "sign_up_cta"}
_OFFER_LABELS = {"percent_off": "discount_offer", "free_shipping": "free_shipping", "bogo": "bogo_offer"}
_THEME_LABELS = (
    ("UNIVERSAL", "benefit_led"),
    ("UNIVERSAL", "ingredient_focus"),
    ("UNIVERSAL", "product_showcase"),
    ("UNIVERSAL", "problem_solution"),
    ("TREND", "science_backed_claims"),
    ("TREND", "skin_barrier"),
    ("TREND", "glow_skin"),
    ("TREND", "clean_beauty"),
)


@dataclass(frozen=True)
class SyntheticBrand:
    partition_key: str
    brand_id: int
    ads: int
    reference: datetime  # the newest ad started the day before
    step_at: datetime  # sign-up CTAs rise for ads started from here on
    seconds: float


@dataclass(frozen=True)
class InsightsMeasurement:
    insights: BrandInsights
    load_seconds: float
    compute_seconds: float
    parts_seconds: dict[str, float]  # each function compute_insights calls, by name

    @property
    def seconds(self) -> float:
        return self.load_seconds + self.compute_seconds


def synthesise_brand(
    conn: psycopg.Connection,
    *,
    ads: int,
    partition_key: str = PARTITION_KEY,
    reference: datetime | None = None,
    seed: int = 0,
) -> SyntheticBrand:
    """The brand ``partition_key`` holding ``ads`` analysed ads (replacing any it had), committed."""
    started = time.perf_counter()
    reference = reference or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    step_at = reference - timedelta(days=STEP_DAYS_BEFORE)
    brand = upsert_brand(
        conn,
        partition_key=partition_key,
        name="Bench Insights",
        category="skincare",
        status="analyzed",
        sources=[BrandSource(Connector.META, f"{partition_key}-page")],
    )
    conn.execute("DELETE FROM ads WHERE brand_id = %s", (brand.id,))
    made = _Synthesis(partition_key, random.Random(seed), np.random.default_rng(seed), reference, step_at).ads(ads)
    ids = _copy_ads(conn, brand.id, made, reference)
    _copy_analyses(conn, [(ids[ad.source_ad_id], ad) for ad in made])
    conn.commit()
    return SyntheticBrand(partition_key, brand.id, len(made), reference, step_at, time.perf_counter() - started)


def measure_insights(conn: psycopg.Connection, partition_key: str, *, as_of: datetime) -> InsightsMeasurement:
    """The brand loaded and its insights computed, as the asset does, with the seconds of each."""
    summary_routine = summary_version(LocalProvider())
    started = time.perf_counter()
    data = load_brand_data(conn, partition_key)
    loaded = time.perf_counter()
    with _timed_parts() as parts:
        insights = compute_insights(data, as_of=as_of, fingerprint=input_fingerprint(data, summary_routine))
    return InsightsMeasurement(insights, loaded - started, time.perf_counter() - loaded, parts)


def insights_figures(database_url: str, *, ads: int) -> dict[str, Any]:
    """The benchmark's figures: a brand of ``ads`` ads synthesised, then its insights measured."""
    with psycopg.connect(database_url) as conn:
        brand = synthesise_brand(conn, ads=ads)
        measured = measure_insights(conn, brand.partition_key, as_of=brand.reference)
    return figures(brand, measured)


def figures(brand: SyntheticBrand, measured: InsightsMeasurement) -> dict[str, Any]:
    """``insights_seconds`` (load and compute) and what it was spent on, for the benchmark's JSON."""
    insights = measured.insights
    return {
        "insights_seconds": round(measured.seconds, 2),
        "insights": {
            "ads": brand.ads,
            "units": insights.units_counted,
            "load_seconds": round(measured.load_seconds, 2),
            "compute_seconds": round(measured.compute_seconds, 2),
            "parts_seconds": {name: round(seconds, 2) for name, seconds in measured.parts_seconds.items()},
            "synthesis_seconds": round(brand.seconds, 1),
            "themes": len(insights.themes.themes),
            "period": insights.trends.period,
            "trends_tested": insights.trends.tested,
            "significant_trends": len(insights.significant_trends()),
            "planted_step_found": planted_step_found(insights, brand),
        },
    }


def planted_step_found(insights: BrandInsights, brand: SyntheticBrand) -> bool:
    """Whether the planted rise of sign-up CTAs leads the significant trends, its change dated within a
    period of the step (the change falls between two periods, and the step inside one of them)."""
    period = timedelta(days=7 if insights.trends.period == "week" else 31)
    step = brand.step_at.date()
    for trend in insights.significant_trends()[:3]:
        if trend.signal == STEP_SIGNAL and trend.direction == "up":
            before, after = trend.changed_between
            return before - period <= step <= after + period
    return False


@contextmanager
def _timed_parts() -> Iterator[dict[str, float]]:
    """Seconds spent in each function of the insights package that ``compute_insights`` calls, timed
    where it calls them (its module's names are wrapped for the block), so the parts follow its steps."""
    parts: dict[str, float] = {}
    originals = {
        name: value
        for name, value in vars(compute_module).items()
        if callable(value)
        and not isinstance(value, type)
        and getattr(value, "__module__", "").startswith("adology.knowledge.insights.")
        and value.__module__ != compute_module.__name__
    }

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - started

        return call

    for name, function in originals.items():
        setattr(compute_module, name, timed(name, function))
    try:
        yield parts
    finally:
        for name, function in originals.items():
            setattr(compute_module, name, function)


@dataclass(frozen=True)
class _Ad:
    source_ad_id: str
    source: str
    started_at: datetime
    ended_at: datetime | None
    theme: int
    look: int
    sha256: str
    title: str
    body: str
    cta_type: str
    attributes: dict[str, Any]
    labels: tuple[tuple[str, str, float], ...]
    retrieval: np.ndarray
    text: np.ndarray
    visual: np.ndarray


class _Synthesis:
    """Draws the brand's ads (see the module's docstring)."""

    def __init__(
        self, prefix: str, rng: random.Random, vectors: np.random.Generator, reference: datetime, step_at: datetime
    ) -> None:
        self.prefix = prefix  # source ad ids are unique per source across brands
        self.rng = rng
        self.vectors = vectors
        self.reference = reference
        self.step_at = step_at
        self.theme_centres = _unit(vectors.normal(size=(THEMES, EMBED_DIM)))
        self.look_centres = _unit(np.abs(vectors.normal(size=(LOOKS, VISUAL_DIM))))
        self.names = attribute_schema().names

    def ads(self, count: int) -> list[_Ad]:
        originals = round(count / (1 + GOOGLE_COPY_SHARE))
        made = [self._ad(index) for index in range(originals)]
        copies = self.rng.sample(made, count - originals)
        return made + [self._google_copy(ad, index) for index, ad in enumerate(copies)]

    def _ad(self, index: int) -> _Ad:
        rng = self.rng
        started = self.reference - timedelta(days=rng.uniform(1, WINDOW_DAYS))
        running = timedelta(days=rng.randint(1, 120))
        ended = started + running if started + running < self.reference else None
        theme, look = rng.randrange(THEMES), rng.randrange(LOOKS)
        sign_up = SIGN_UP_AFTER if started >= self.step_at else SIGN_UP_BEFORE
        cta_type = "sign_up" if rng.random() < sign_up else rng.choice(("shop_now", "shop_now", "learn_more"))
        offer_type = rng.choice((*_OFFERS, "none", "none", "none"))
        product = f"{_THEME_WORDS[theme][0].title()} {rng.choice(_PRODUCTS)}"
        words = _THEME_WORDS[theme]
        title = f"{product}: {words[1]} for {words[2]} skin"
        body = f"Our {words[1]} {product.lower()} for {words[2]}, {words[3]} skin."
        if offer_type != "none":
            body += f" {_OFFERS[offer_type]} for a limited time."
        attributes = self._attributes(theme, look, product, title, body, cta_type, offer_type)
        return _Ad(
            source_ad_id=f"{self.prefix}-{index}",
            source="meta",
            started_at=started,
            ended_at=ended,
            theme=theme,
            look=look,
            sha256=hashlib.sha256(f"creative-{index}".encode()).hexdigest(),
            title=title,
            body=body,
            cta_type=cta_type,
            attributes=attributes,
            labels=self._labels(theme, cta_type, offer_type, attributes["format"]),
            retrieval=self._near(self.theme_centres[theme], RETRIEVAL_SPREAD),
            text=self._near(self.theme_centres[theme], RETRIEVAL_SPREAD),
            visual=np.abs(self._near(self.look_centres[look], VISUAL_SPREAD)),
        )

    def _google_copy(self, ad: _Ad, index: int) -> _Ad:
        """The ad's creative run on Google: another row (and analysis) of the same image and copy."""
        return replace(ad, source_ad_id=f"{self.prefix}-google-{index}", source="google")

    def _near(self, centre: np.ndarray, spread: float) -> np.ndarray:
        vector = centre + self.vectors.normal(scale=spread, size=centre.shape)
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def _attributes(
        self, theme: int, look: int, product: str, title: str, body: str, cta_type: str, offer_type: str
    ) -> dict[str, Any]:
        """Every attribute of the schema, measured or None, as the local provider reports them."""
        rng = self.rng
        words = _THEME_WORDS[theme]
        ad_format = rng.choices(("image", "video", "carousel"), weights=(0.75, 0.1, 0.15))[0]
        orientation = rng.choices(("square", "portrait", "landscape"), weights=(0.5, 0.4, 0.1))[0]
        urgent = offer_type != "none" and rng.random() < 0.6
        values: dict[str, Any] = {
            "headline": title,
            "body_copy_summary": body.split(".")[0],
            "offer": _OFFERS.get(offer_type),
            "offer_type": offer_type,
            "discount_percent": 20.0 if offer_type == "percent_off" else None,
            "claims": [f"{words[2]} in 4 weeks"] if rng.random() < 0.5 else [],
            "features": [words[1]],
            "benefits": [f"{words[3]} skin", words[2]],
            "cta": _CTA_TEXT[cta_type],
            "cta_type": cta_type,
            "tone": _TONES[theme] if rng.random() < 0.7 else rng.choice(_TONES),
            "emotional_appeal": "fear_of_missing_out" if urgent else None,
            "people_present": True if rng.random() < 0.2 else None,
            "face_count": rng.choice((0, 0, 0, 1)),
            "text_overlay": True,
            "text_coverage_ratio": round(rng.uniform(0.05, 0.4), 3),
            "text_read": [title.upper(), _CTA_TEXT[cta_type]],
            "brand_name_visible": rng.random() < 0.5,
            "dominant_colors": [*_LOOK_COLOURS[look], "#ffffff"],
            "color_palette_name": _PALETTES[look] if rng.random() < 0.8 else rng.choice(_PALETTES),
            "brightness": round(rng.uniform(0.3, 0.9), 3),
            "contrast": round(rng.uniform(0.2, 0.8), 3),
            "colorfulness": round(rng.uniform(0.1, 0.7), 3),
            "edge_density": round(rng.uniform(0.02, 0.2), 3),
            "background_style": "solid" if rng.random() < 0.3 else None,
            "layout": rng.choice(("text_top", "text_center", "text_bottom")),
            "aspect_ratio": {"square": "1:1", "portrait": "4:5", "landscape": "1.91:1"}[orientation],
            "orientation": orientation,
            "format": ad_format,
            "media_count": rng.randint(2, 4) if ad_format == "carousel" else 1,
            "video_duration_seconds": round(rng.uniform(2.5, 15), 1) if ad_format == "video" else None,
            "scene_count": rng.randint(2, 5) if ad_format == "video" else None,
            "hook": title,
            "urgency": urgent,
            "urgency_phrases": ["for a limited time"] if urgent else [],
            "scarcity": False,
            "social_proof": [],
            "price_shown": rng.random() < 0.3,
            "language": "en",
            "landing_domain": "bench-insights.example",
            "seasonality": "none",
            "new_launch": rng.random() < 0.1,
            "subscription_offer": cta_type == "sign_up" and rng.random() < 0.5,
            "ingredients_mentioned": [words[1]],
            "sustainability_claims": [],
            "hashtags": [],
            "emoji_count": rng.choice((0, 0, 1, 2)),
            "question_in_copy": rng.random() < 0.1,
            "exclamation_count": rng.choice((0, 0, 1)),
            "word_count_copy": len(f"{title} {body}".split()),
            "readability": round(rng.uniform(50, 80), 1),
        }
        return {name: values.get(name) for name in self.names}

    def _labels(self, theme: int, cta_type: str, offer_type: str, ad_format: str) -> tuple[tuple[str, str, float], ...]:
        """What the local labeller gives: rule labels from the evidence, certain; zero-shot labels from
        the words, capped below certainty."""
        labels = [("UNIVERSAL", _CTA_LABELS[cta_type], 0.95)]
        if offer_type != "none":
            labels.append(("UNIVERSAL", _OFFER_LABELS[offer_type], 0.95))
        if ad_format == "video":
            labels.append(("UNIVERSAL", "video_motion", 0.95))
        elif ad_format == "carousel":
            labels.append(("UNIVERSAL", "carousel_multi_product", 0.95))
        taxonomy, label = _THEME_LABELS[theme]
        labels.append((taxonomy, label, round(self.rng.uniform(0.55, 0.85), 3)))
        taxonomy, label = self.rng.choice(_THEME_LABELS)
        if not any(label == existing for _, existing, _ in labels):
            labels.append((taxonomy, label, round(self.rng.uniform(0.5, 0.7), 3)))
        return tuple(labels)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def _copy_ads(conn: psycopg.Connection, brand_id: int, ads: list[_Ad], reference: datetime) -> dict[str, int]:
    """The ads' rows, COPYed in; their ids by source ad id."""
    columns = (
        "brand_id, source, source_ad_id, platforms, title, body, link_url, cta, media, content_hash, started_at, "
        "ended_at, is_active, first_seen_at, last_seen_at, connectors, display_format"
    )
    with conn.cursor().copy(f"COPY ads ({columns}) FROM STDIN") as copy:
        for ad in ads:
            google = ad.source == "google"
            media = {
                "kind": "video" if ad.attributes["format"] == "video" else "image",
                "role": "creative",
                "source_url": f"https://creatives.example/{ad.sha256}",
                "fetch_url": f"https://creatives.example/{ad.sha256}",
                "s3_key": f"media/{ad.sha256[:2]}/{ad.sha256}",
                "sha256": ad.sha256,
                "content_type": "image/jpeg",
                "bytes": 80_000,
                "error": None,
            }
            copy.write_row(
                (
                    brand_id,
                    ad.source,
                    ad.source_ad_id,
                    ["google"] if google else ["facebook", "instagram"],
                    ad.title,
                    ad.body,
                    "https://bench-insights.example/products",
                    _CTA_TEXT[ad.cta_type],
                    Jsonb([media]),
                    hashlib.sha256(f"{ad.title}|{ad.body}|{ad.sha256}".encode()).hexdigest(),
                    ad.started_at,
                    ad.ended_at,
                    ad.ended_at is None,
                    reference,  # every ad was acquired on the benchmark's day
                    reference,
                    ["serpapi"] if google else ["meta", "apify"],
                    None if google else ad.attributes["format"].upper(),
                )
            )
    return dict(conn.execute("SELECT source_ad_id, id FROM ads WHERE brand_id = %s", (brand_id,)).fetchall())


def _copy_analyses(conn: psycopg.Connection, ads: list[tuple[int, _Ad]]) -> None:
    """Descriptions, labels, vectors and the analysis state naming the local provider's versions."""
    provider = LocalProvider()
    versions = {stage: routine.version(provider) for stage, routine in ROUTINES.items()}
    register_vector(conn)  # before the cursor, which takes the connection's adapters when made
    cursor = conn.cursor()
    with cursor.copy(
        "COPY ad_descriptions (ad_id, analysis_version, description, word_count, attributes, provider, model, "
        "prompt_version, input_hash) FROM STDIN"
    ) as copy:
        for ad_id, ad in ads:
            description = _description(ad)
            copy.write_row(
                (
                    ad_id,
                    versions["describe"],
                    description,
                    len(description.split()),
                    Jsonb(ad.attributes),
                    provider.name,
                    provider.model_id("describe"),
                    versions["describe"],
                    _input_hash(ad, "describe"),
                )
            )
    with cursor.copy(
        "COPY ad_labels (ad_id, taxonomy, taxonomy_version, label, confidence, provider, model, input_hash) FROM STDIN"
    ) as copy:
        for ad_id, ad in ads:
            for taxonomy, label, confidence in ad.labels:
                copy.write_row(
                    (
                        ad_id,
                        taxonomy,
                        versions["label"],
                        label,
                        confidence,
                        provider.name,
                        provider.model_id("label"),
                        _input_hash(ad, "label"),
                    )
                )
    with cursor.copy(
        "COPY ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash) FROM STDIN WITH (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["int8", "text", "text", "int4", "vector", "text"])
        for ad_id, ad in ads:
            for kind, vector in (("text", ad.text), ("retrieval", ad.retrieval), ("visual", ad.visual)):
                copy.write_row((ad_id, kind, provider.model_id(kind), len(vector), vector, _input_hash(ad, "embed")))
    with cursor.copy("COPY ad_analysis_state (ad_id, stage, version, input_hash, status) FROM STDIN") as copy:
        for ad_id, ad in ads:
            for stage, version in versions.items():
                copy.write_row((ad_id, stage, version, _input_hash(ad, stage), "succeeded"))


def _description(ad: _Ad) -> str:
    """A description in the local provider's manner: what was read and measured, most telling first."""
    attributes = ad.attributes
    words = _THEME_WORDS[ad.theme]
    offer = f"The offer reads {attributes['offer']}." if attributes["offer"] else "No offer was found."
    return (
        f"A {attributes['orientation']} {attributes['format']} ad for {ad.title.split(':')[0]}. "
        f"The headline reads {ad.title}. {offer} The call to action is {attributes['cta']}. "
        f"The copy speaks of {words[1]}, {words[2]} and {words[3]} skin in a {attributes['tone']} tone. "
        f"The palette is {attributes['color_palette_name']}, led by {attributes['dominant_colors'][0]}."
    )


def _input_hash(ad: _Ad, stage: str) -> str:
    return hashlib.sha256(f"{stage}|{ad.sha256}|{ad.title}|{ad.body}".encode()).hexdigest()
