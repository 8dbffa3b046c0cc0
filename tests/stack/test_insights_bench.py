"""The benchmark's insights brand, small, on the real stack, so ``insights_seconds`` cannot rot: the
synthesised rows load as current analyses, a Google copy counts once, the eight planted themes
come back as eight themes, the planted rise of sign-up CTAs leads the significant trends in its
period while nothing that stayed put is called a trend, and the figures time every part."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

from bench.insights import (
    GOOGLE_COPY_SHARE,
    THEMES,
    figures,
    measure_insights,
    planted_step_found,
    synthesise_brand,
)

ADS = 500
# sign-up CTAs rising means another CTA falling: the CTA family and its rule labels move together
MOVED_BY_THE_STEP = (
    "cta:",
    "label:UNIVERSAL:shop_now_cta",
    "label:UNIVERSAL:learn_more_cta",
    "label:UNIVERSAL:sign_up_cta",
)


def test_a_small_insights_bench_finds_what_it_planted(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        brand = synthesise_brand(
            conn, ads=ADS, partition_key="bench-insights-small", reference=datetime(2026, 6, 1, tzinfo=UTC)
        )
        measured = measure_insights(conn, brand.partition_key, as_of=brand.reference)
        again = synthesise_brand(conn, ads=ADS, partition_key="bench-insights-small", reference=brand.reference)
        (stored,) = conn.execute("SELECT count(*) FROM ads WHERE brand_id = %s", (brand.brand_id,)).fetchone()
    insights = measured.insights

    assert stored == ADS and again.brand_id == brand.brand_id  # synthesising again replaces the brand's ads
    assert insights.status == "ok" and insights.ads_counted == ADS
    assert insights.units_counted == round(ADS / (1 + GOOGLE_COPY_SHARE))
    assert insights.attributes.ads_described == insights.attributes.ads_labelled == insights.units_counted
    assert insights.themes.method is not None and insights.themes.method.features == ["retrieval", "visual"]
    assert len(insights.themes.themes) == THEMES
    members = [ad_id for theme in insights.themes.themes for ad_id in theme.ad_ids]
    assert len(members) == len(set(members)) == ADS

    assert planted_step_found(insights, brand), [t.signal for t in insights.significant_trends()]
    unplanted = [t.signal for t in insights.significant_trends() if not t.signal.startswith(MOVED_BY_THE_STEP)]
    assert len(unplanted) <= 1, unplanted

    figures_of = figures(brand, measured)
    assert figures_of["insights_seconds"] > 0
    breakdown = figures_of["insights"]
    assert breakdown["ads"] == ADS and breakdown["planted_step_found"] is True
    assert {"creative_units", "signal_matrix", "trend_set", "theme_set"} <= set(breakdown["parts_seconds"])
    assert sum(measured.parts_seconds.values()) <= measured.compute_seconds
