"""Themes, the attribute summary and momentum over hand-built ads: planted groups come back named by
their words, one undivided group gives no invented themes, every ad is in exactly one theme, and
counts are of creatives whose value is known."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from adology.knowledge.insights.attributes import attribute_summary
from adology.knowledge.insights.data import LabelRecord
from adology.knowledge.insights.momentum import momentum
from adology.knowledge.insights.themes import theme_set
from adology.knowledge.insights.units import creative_units
from tests.unit.insight_records import START, record, themed_brand, units_of, without_vector

AS_OF = datetime(2025, 6, 1, tzinfo=UTC)
WORDS = [["hydration", "serum", "dewy"], ["sunscreen", "spf", "protection"], ["acne", "pores", "blemish"]]


def test_planted_groups_come_back_as_themes_named_by_their_words() -> None:
    data = themed_brand(120, seed=1, themes=WORDS)
    themes = theme_set(creative_units(data.ads), as_of=AS_OF)
    assert themes.status == "ok" and themes.reason is None and themes.method is not None
    assert themes.method.k == 3 and themes.method.silhouette is not None and themes.method.silhouette > 0.3
    named = sorted(sorted(theme.terms[:3]) for theme in themes.themes)
    assert named == sorted(sorted(words) for words in WORDS)
    assert [theme.id for theme in themes.themes] == ["t1", "t2", "t3"]
    assert sum(theme.share for theme in themes.themes) == pytest.approx(1.0, abs=1e-3)
    for theme in themes.themes:
        assert theme.name_source == "ctfidf" and len(theme.exemplar_ad_ids) == 3
        assert set(theme.exemplar_ad_ids) <= set(theme.ad_ids)


def test_one_undivided_group_gets_one_theme_that_says_so() -> None:
    data = themed_brand(80, seed=2, themes=[["hydration", "serum", "dewy"]])
    themes = theme_set(creative_units(data.ads), as_of=AS_OF)
    assert len(themes.themes) == 1 and themes.themes[0].share == 1.0
    assert themes.reason is not None and "no distinct themes" in themes.reason


def test_every_ad_is_in_exactly_one_theme_with_or_without_a_vector() -> None:
    data = themed_brand(90, seed=3, themes=WORDS)
    ads = [without_vector(ad) if ad.ad_id % 10 == 0 else ad for ad in data.ads]
    google_copy = replace(ads[0], ad_id=1_000, source="serpapi", description=None)
    themes = theme_set(creative_units([*ads, google_copy]), as_of=AS_OF)
    members = [ad_id for theme in themes.themes for ad_id in theme.ad_ids]
    assert sorted(members) == sorted([ad.ad_id for ad in ads] + [1_000])


def test_fewer_than_twenty_creatives_get_no_themes() -> None:
    data = themed_brand(19, seed=4, themes=WORDS)
    themes = theme_set(creative_units(data.ads), as_of=AS_OF)
    assert themes.status == "too_little_data" and themes.themes == [] and "19" in (themes.reason or "")


def test_themes_are_the_same_on_a_rerun() -> None:
    data = themed_brand(100, seed=5, themes=WORDS)
    assert theme_set(creative_units(data.ads), as_of=AS_OF) == theme_set(creative_units(data.ads), as_of=AS_OF)


def test_distributions_count_creatives_whose_value_is_known_once() -> None:
    ads = [
        record(1, START, attributes={"cta_type": "shop_now", "urgency": True, "claims": ["Vegan "]}),
        record(2, START, source="serpapi", attributes={"cta_type": "shop_now"}, media_sha256=("sha-1",)),
        record(3, START, attributes={"cta_type": "learn_more", "urgency": False, "claims": ["vegan"]}),
        record(4, START, attributes={}, labels=(LabelRecord("TREND", "flash_sale", 0.9),)),
    ]
    summary = attribute_summary(creative_units(ads))
    cta = next(d for d in summary.distributions if d.attribute == "cta_type")
    assert cta.known_ads == 2 and [(v.value, v.ads, v.share) for v in cta.values] == [
        ("learn_more", 1, 0.5),
        ("shop_now", 1, 0.5),
    ]
    urgency = next(d for d in summary.distributions if d.attribute == "urgency")
    assert {v.value: v.ads for v in urgency.values} == {"true": 1, "false": 1}
    claims = next(d for d in summary.distributions if d.attribute == "claims")
    assert [(v.value, v.ads) for v in claims.values] == [("vegan", 2)]
    assert [(label.label, label.share) for label in summary.labels] == [("flash_sale", 1.0)]
    assert summary.ads_labelled == 1


def test_momentum_counts_new_and_active_ads_and_names_proven_creative() -> None:
    ads = [
        record(1, AS_OF - timedelta(days=3), is_active=True),
        record(2, AS_OF - timedelta(days=20), is_active=True),
        record(3, AS_OF - timedelta(days=200), is_active=True),  # still running after 200 days
        record(4, AS_OF - timedelta(days=300), ended_at=AS_OF - timedelta(days=290)),
        record(5, AS_OF - timedelta(days=100), last_seen_at=AS_OF - timedelta(days=40)),  # ran 60 days
    ]
    found = momentum(ads, units_of(ads), as_of=AS_OF)
    assert (found.active_ads, found.new_7d, found.new_30d) == (3, 1, 2)
    assert found.latest_start == (AS_OF - timedelta(days=3)).date()
    assert found.median_days_running == 20.0
    assert found.proven.ad_ids == [3, 5] and found.proven.share == 0.4


def test_retrieval_vectors_of_other_lengths_are_clustered_in_their_own_space() -> None:
    data = themed_brand(60, seed=6, themes=WORDS[:2], dimensions=256)
    themes = theme_set(creative_units(data.ads), as_of=AS_OF)
    assert themes.method is not None and "pca32" in themes.method.features
    assert np.isclose(sum(theme.share for theme in themes.themes), 1.0)
