"""Ads and brands built by hand for the insights' unit tests: a record factory and synthetic brands
with planted signals over a time span."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from adology.ai.summaries import Fact, SummaryRequest, SummarySample
from adology.knowledge.insights.data import AdRecord, BrandData, CreativeUnit, LabelRecord

START = datetime(2024, 1, 1, tzinfo=UTC)


def record(ad_id: int, start: datetime, **fields: Any) -> AdRecord:
    defaults: dict[str, Any] = {
        "source": "meta",
        "started_at": start,
        "first_seen_at": start,
        "last_seen_at": start + timedelta(days=20),
        "ended_at": None,
        "is_active": False,
        "display_format": "IMAGE",
        "cta": None,
        "title": None,
        "body": None,
        "platforms": ("facebook",),
        "media_sha256": (f"sha-{ad_id}",),
        "content_hash": f"hash-{ad_id}",
        "description": f"description of ad {ad_id}",
        "attributes": {},
        "labels": (),
    }
    return AdRecord(ad_id=ad_id, **(defaults | fields))


def units_of(ads: list[AdRecord]) -> list[CreativeUnit]:
    return [CreativeUnit((ad,)) for ad in sorted(ads, key=lambda ad: (ad.start, ad.ad_id))]


def stepped_brand(
    count: int,
    *,
    seed: int,
    pivot_day: int | None = 240,
    span_days: int = 365,
    before: float = 0.3,
    after: float = 0.7,
    quiet_signals: int = 10,
) -> tuple[list[CreativeUnit], datetime]:
    """``count`` ads over ``span_days``: ``stepped`` present at rate ``before`` then ``after`` from the
    pivot (no pivot: ``before`` throughout), and ``quiet_signals`` booleans that never change."""
    rng = random.Random(seed)
    pivot = START + timedelta(days=pivot_day if pivot_day is not None else span_days * 10)
    ads = []
    for ad_id in range(1, count + 1):
        start = START + timedelta(days=rng.uniform(0, span_days))
        rate = after if start >= pivot else before
        labels = [LabelRecord("TREND", "stepped", 0.9)] if rng.random() < rate else []
        labels += [LabelRecord("UNIVERSAL", f"quiet_{i}", 0.9) for i in range(quiet_signals) if rng.random() < 0.3]
        ads.append(record(ad_id, start, labels=tuple(labels) or (LabelRecord("UNIVERSAL", "any", 0.2),)))
    return units_of(ads), pivot


def themed_brand(count: int, *, seed: int, themes: list[list[str]], dimensions: int = 64) -> BrandData:
    """Ads whose retrieval vectors sit around one centre per theme, described with that theme's words."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(themes), dimensions))
    ads = []
    for ad_id in range(1, count + 1):
        theme = ad_id % len(themes)
        vector = centres[theme] + 0.3 * rng.normal(size=dimensions)
        start = START + timedelta(days=float(rng.uniform(0, 365)))
        ads.append(
            record(
                ad_id,
                start,
                description=f"Image ad. Text read: {' '.join(themes[theme])}. Claims: {themes[theme][0]}.",
                retrieval=(vector / np.linalg.norm(vector)).astype(np.float32),
            )
        )
    return BrandData(brand_id=1, partition_key="themed", name="Themed", ads=tuple(ads))


def without_vector(ad: AdRecord) -> AdRecord:
    return replace(ad, retrieval=None)


def summary_request() -> SummaryRequest:
    """A brand summary request as the insights write one: a theme, a trend and a distribution."""
    return SummaryRequest(
        kind="brand",
        subject="Glow Botanicals",
        facts=[
            Fact(
                id="theme:t1",
                kind="theme",
                statement="Theme t1 (serum, dewy) holds 40% of its creatives.",
                values={"share": 0.4, "ads": 40},
                ad_ids=[101, 102, 103],
            ),
            Fact(
                id="trend:cta:learn_more",
                kind="trend",
                statement="The call to action learn more went down from 55% to 0% after 2025-05-01 (q=0.00068).",
                values={"share_before": 0.55, "share_after": 0.0, "q_value": 0.00068, "change_after": "2025-05-01"},
                ad_ids=[104, 105],
            ),
            Fact(
                id="share:cta_type:shop_now",
                kind="distribution",
                statement="Shop now is the most common CTA.",
                values={"share": 0.47, "ads": 27},
                ad_ids=[106],
            ),
        ],
        samples=[SummarySample(ad_id=101, description="Image ad. Text read: dewy serum, shop now.")],
        theme_ids=["t1"],
    )
