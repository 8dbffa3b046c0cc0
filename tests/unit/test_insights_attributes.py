"""The attribute summary and momentum over hand-built creative units: distributions count creative
units (a creative's copy on another platform adds nothing) over the units whose value is known,
label shares are of labelled units above the confidence, and momentum's windows, days running and
proven creatives follow their rules at the edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adology.knowledge.insights.attributes import attribute_summary
from adology.knowledge.insights.data import AdRecord, CreativeUnit, LabelRecord
from adology.knowledge.insights.model import AttributeSummary, Distribution
from adology.knowledge.insights.momentum import days_running, momentum
from tests.insight_records import record

AS_OF = datetime(2025, 6, 1, tzinfo=UTC)


def ad(ad_id: int, *, start: datetime = AS_OF - timedelta(days=100), **fields: Any) -> AdRecord:
    return record(ad_id, start, **({"last_seen_at": start + timedelta(days=10)} | fields))


def units(*groups: AdRecord | tuple[AdRecord, ...]) -> list[CreativeUnit]:
    return [CreativeUnit(group if isinstance(group, tuple) else (group,)) for group in groups]


def distribution(summary: AttributeSummary, attribute: str) -> Distribution:
    return next(found for found in summary.distributions if found.attribute == attribute)


def counted(found: Distribution) -> list[tuple[str, int, float]]:
    return [(value.value, value.ads, value.share) for value in found.values]


def test_distributions_count_creative_units_once_over_the_units_whose_value_is_known() -> None:
    meta = ad(1, attributes={"cta_type": "shop_now", "urgency": True, "claims": ["Vegan ", "  Cruelty   free"]})
    google_copy = ad(2, source="serpapi", attributes={"cta_type": "learn_more", "urgency": False, "claims": ["vegan"]})
    summary = attribute_summary(
        units(
            (meta, google_copy),  # one creative on two platforms: its representative speaks for it
            ad(3, attributes={"cta_type": "learn_more", "urgency": False, "claims": ["vegan", "VEGAN"]}),
            ad(4, attributes={"cta_type": None, "urgency": None}),  # not read: unknown, not "none"
            ad(5, attributes={"cta_type": "none", "claims": []}),  # read, and states none
        )
    )
    cta = distribution(summary, "cta_type")
    assert cta.known_ads == 3
    assert counted(cta) == [("learn_more", 1, 0.3333), ("none", 1, 0.3333), ("shop_now", 1, 0.3333)]
    assert [value.ad_ids for value in cta.values] == [[3], [5], [1]]
    urgency = distribution(summary, "urgency")
    assert urgency.known_ads == 2 and counted(urgency) == [("false", 1, 0.5), ("true", 1, 0.5)]
    claims = distribution(summary, "claims")
    assert claims.known_ads == 3 and counted(claims) == [("vegan", 2, 0.6667), ("cruelty free", 1, 0.3333)]


def test_the_ten_most_counted_values_are_kept_with_five_examples_each() -> None:
    tones = ["bold"] * 7 + ["calm"] * 3 + [f"tone{i:02d}" for i in range(11)]
    summary = attribute_summary(units(*(ad(i, attributes={"tone": tone}) for i, tone in enumerate(tones, 1))))
    tone = distribution(summary, "tone")
    assert tone.known_ads == 21 and len(tone.values) == 10
    assert [value.value for value in tone.values[:3]] == ["bold", "calm", "tone00"]
    assert tone.values[0].ad_ids == [1, 2, 3, 4, 5] and tone.values[0].share == round(7 / 21, 4)


def test_an_attribute_no_unit_has_a_value_for_is_left_out() -> None:
    summary = attribute_summary(units(ad(1, attributes={"ugc_style": None}), ad(2, attributes={})))
    listed = {found.attribute for found in summary.distributions}
    assert not listed & {"ugc_style", "product_names", "tone", "media"}
    assert listed == {"display_format"}


def test_media_follows_the_measured_format_and_display_format_the_source() -> None:
    summary = attribute_summary(
        units(
            ad(1, display_format="VIDEO", attributes={"format": "video"}),
            ad(2, display_format="CAROUSEL", attributes={"format": "carousel"}),
            ad(3, display_format="text", media_sha256=(), attributes={"cta_type": "shop_now"}),
            ad(4, display_format=None, attributes={}),  # not described: its medium is unknown
        )
    )
    assert counted(distribution(summary, "media")) == [("image", 1, 0.3333), ("none", 1, 0.3333), ("video", 1, 0.3333)]
    display = distribution(summary, "display_format")
    assert display.known_ads == 3 and [value.value for value in display.values] == ["carousel", "text", "video"]


def test_labels_are_shares_of_labelled_units_held_with_confidence() -> None:
    summary = attribute_summary(
        units(
            ad(1, labels=(LabelRecord("UNIVERSAL", "discount_offer", 0.9), LabelRecord("TREND", "flash_sale", 0.4))),
            ad(
                2, labels=(LabelRecord("UNIVERSAL", "discount_offer", 0.5), LabelRecord("TREND", "pastel_palette", 1.0))
            ),
            ad(3, analysis_versions=("label:labels-v1:abc",)),  # labelled, and carries no label
            ad(4, description=None),  # neither described nor labelled
        )
    )
    assert (summary.ads_described, summary.ads_labelled) == (3, 3)
    assert [(label.taxonomy, label.label, label.ads, label.share, label.ad_ids) for label in summary.labels] == [
        ("UNIVERSAL", "discount_offer", 2, 0.6667, [1, 2]),
        ("TREND", "pastel_palette", 1, 0.3333, [2]),
    ]


def test_new_ads_are_counted_in_the_seven_and_thirty_days_up_to_as_of() -> None:
    ads = [
        ad(1, start=AS_OF, is_active=True),
        ad(2, start=AS_OF - timedelta(days=6), is_active=True),
        ad(3, start=AS_OF - timedelta(days=7)),  # on the edge: outside the last 7 days
        ad(4, started_at=None, first_seen_at=AS_OF - timedelta(days=29)),  # no start from its source
        ad(5, start=AS_OF - timedelta(days=30)),
        ad(6, start=AS_OF - timedelta(days=300)),
    ]
    found = momentum(ads, units(*ads), as_of=AS_OF)
    assert (found.active_ads, found.new_7d, found.new_30d) == (2, 2, 4)
    assert found.latest_start == AS_OF.date() and found.as_of == AS_OF


def test_days_running_end_where_the_source_says_else_now_while_active_else_when_last_seen() -> None:
    start = AS_OF - timedelta(days=50)
    ended = ad(1, start=start, is_active=True, ended_at=start + timedelta(days=12))
    running = ad(2, start=start, is_active=True)
    stopped = ad(3, start=start, last_seen_at=start + timedelta(days=8, hours=12))
    seen_before_start = ad(4, start=start, last_seen_at=start - timedelta(days=1))
    assert [days_running(each, AS_OF) for each in (ended, running, stopped, seen_before_start)] == [12, 50, 8.5, 0]
    assert momentum([ended, running, stopped], units(ended, running, stopped), as_of=AS_OF).median_days_running == 12


def longest_running(ad_id: int, days: int, **fields: Any) -> AdRecord:
    start = AS_OF - timedelta(days=400)
    return ad(ad_id, start=start, ended_at=start + timedelta(days=days), **fields)


def test_proven_creatives_ran_thirty_days_and_as_long_as_three_in_four_or_still_run_after_thirty() -> None:
    fresh_copy = ad(11, start=AS_OF - timedelta(days=5), is_active=True, source="serpapi")
    grouped = units(
        longest_running(1, 2),
        longest_running(2, 4),
        longest_running(3, 6),
        longest_running(4, 8),
        ad(5, start=AS_OF - timedelta(days=35), is_active=True),  # under the percentile, still paid for after 35 days
        (longest_running(6, 40), fresh_copy),  # still running, but only for 5 days
        longest_running(7, 45),  # 30 days and more, but under the 75th percentile (63.75 days)
        longest_running(8, 70),
        (longest_running(9, 100), longest_running(10, 3, source="serpapi")),  # its longest ad counts
        longest_running(12, 120),
    )
    proven = momentum([each for unit in grouped for each in unit.ads], grouped, as_of=AS_OF).proven
    assert (proven.threshold_days, proven.ads, proven.share) == (30, 5, 0.4)
    assert proven.ad_ids == [12, 9, 8, 5]


def test_no_creative_is_proven_under_thirty_days_however_it_compares() -> None:
    grouped = units(*(longest_running(i, 10) for i in range(1, 8)), longest_running(8, 29))
    proven = momentum([unit.representative for unit in grouped], grouped, as_of=AS_OF).proven
    assert (proven.ads, proven.share, proven.ad_ids) == (0, 0.0, [])


def test_at_most_ten_proven_creatives_are_named() -> None:
    grouped = units(*(longest_running(i, 30 + i) for i in range(1, 16)), *(ad(100 + i) for i in range(45)))
    proven = momentum([unit.representative for unit in grouped], grouped, as_of=AS_OF).proven
    assert proven.ad_ids == list(range(15, 5, -1)) and proven.ads == 15 and proven.share == 0.25


def test_a_brand_without_ads_has_empty_momentum() -> None:
    found = momentum([], [], as_of=AS_OF)
    assert (found.active_ads, found.new_7d, found.new_30d, found.latest_start) == (0, 0, 0, None)
    assert found.median_days_running is None and (found.proven.ads, found.proven.share) == (0, 0.0)


@pytest.mark.parametrize("count", [0, 1, 5])
def test_a_handful_of_creatives_still_gets_its_distributions(count: int) -> None:
    summary = attribute_summary(units(*(ad(i, attributes={"cta_type": "shop_now"}) for i in range(1, count + 1))))
    assert [found.known_ads for found in summary.distributions if found.attribute == "cta_type"] == (
        [count] if count else []
    )
