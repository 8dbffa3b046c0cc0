"""Ads and brands built by hand for the insights' unit tests: the one record factory (each test
module sets its own defaults on it), a brand with planted themes, and a summary request."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from adology.ai.summaries import Fact, SummaryRequest, SummarySample
from adology.knowledge.insights.data import AdRecord, BrandData
from adology.knowledge.insights.model import Theme, Trend

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


def built_theme(theme_id: str, terms: list[str], ad_ids: list[int], share: float, **fields: Any) -> Theme:
    """A theme as the insights store one, named by its terms, its first three ads its exemplars."""
    values: dict[str, Any] = {
        "name": " / ".join(terms[:3]),
        "summary": None,
        "name_source": "ctfidf",
        "exemplar_ad_ids": ad_ids[:3],
        "first_seen": date(2024, 10, 2),
        "last_seen": date(2025, 9, 12),
        "median_days_running": None,
    }
    return Theme(id=theme_id, terms=terms, ad_ids=ad_ids, share=share, **(values | fields))


def built_trend(
    signal: str, evidence: list[int], *, before: float, after: float, q_value: float, **fields: Any
) -> Trend:
    """A trend from ``before`` to ``after`` across 2025-05-05, significant when ``q_value`` is within 0.05."""
    values: dict[str, Any] = {
        "significant": q_value <= 0.05,
        "p_value": q_value / 4,
        "change_after": date(2025, 5, 5),
        "changed_between": (date(2025, 4, 28), date(2025, 5, 5)),
        "ads_before": 5,
        "ads_after": 5,
        "effect_h": 1.0,
        "shares_by_period": [before, after],
    }
    return Trend(
        signal=signal,
        family=signal.split(":")[0],
        direction="up" if after > before else "down",
        q_value=q_value,
        share_before=before,
        share_after=after,
        evidence_ad_ids=evidence,
        **(values | fields),
    )
