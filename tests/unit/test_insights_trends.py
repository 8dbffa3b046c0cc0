"""The trend test: a planted change is found with its direction and period, no change is called
significant about as often as the false-discovery level allows, the permutation p-value agrees
with shuffling the ads themselves, too little data is said, and a rerun gives the same answer."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pytest

from adology.knowledge.insights.data import CreativeUnit, LabelRecord
from adology.knowledge.insights.signals import signal_matrix
from adology.knowledge.insights.trends import _signed_root, trend_set
from adology.knowledge.insights.units import creative_units
from tests.unit.insight_records import START, record, stepped_brand, units_of


def _trends(units: list[CreativeUnit], seed: str = "brand") -> object:
    return trend_set(units, signal_matrix(units), seed=seed)


def test_a_planted_step_is_significant_with_its_direction_and_period() -> None:
    units, pivot = stepped_brand(300, seed=3)
    found = trend_set(units, signal_matrix(units), seed="planted")
    (stepped,) = [trend for trend in found.trends if trend.signal == "label:TREND:stepped"]
    assert stepped.significant and stepped.direction == "up" and stepped.q_value <= 0.05
    assert abs((stepped.change_after - pivot.date()).days) <= 31
    assert stepped.share_before < 0.45 < 0.55 < stepped.share_after
    assert found.trends[0].signal == "label:TREND:stepped"  # significant first
    assert set(stepped.evidence_ad_ids) and all(
        any(label.label == "stepped" for label in unit.representative.labels)
        for unit in units
        if unit.representative.ad_id in stepped.evidence_ad_ids
    )


def test_a_fall_is_found_as_a_fall_with_evidence_from_before_the_change() -> None:
    units, _ = stepped_brand(150, seed=5, before=0.7, after=0.2)
    found = trend_set(units, signal_matrix(units), seed="fall")
    (stepped,) = [trend for trend in found.trends if trend.signal == "label:TREND:stepped"]
    assert stepped.significant and stepped.direction == "down" and stepped.effect_h < 0
    starts = {unit.representative.ad_id: unit.start for unit in units}
    assert all(starts[ad_id].date() < stepped.change_after for ad_id in stepped.evidence_ad_ids)


def test_without_any_change_significant_trends_stay_within_the_false_discovery_level() -> None:
    """300 brands with nothing changing, 11 signals each: under the global null, Benjamini-Hochberg
    at 0.05 calls anything significant for about 5 % of brands."""
    brands_with_a_discovery = 0
    false_signals = 0
    tested = 0
    rng = random.Random(11)
    for brand in range(300):
        units, _ = stepped_brand(rng.choice((60, 120, 200)), seed=1000 + brand, pivot_day=None)
        found = trend_set(units, signal_matrix(units), seed=f"null-{brand}")
        significant = [trend for trend in found.trends if trend.significant]
        brands_with_a_discovery += bool(significant)
        false_signals += len(significant)
        tested += found.tested
    # 0.05 of 300 brands is 15; three standard deviations of a binomial(300, 0.05) is about 11
    assert brands_with_a_discovery <= 26, brands_with_a_discovery
    assert false_signals / tested <= 0.02, (false_signals, tested)


def test_the_permutation_p_value_agrees_with_shuffling_the_ads() -> None:
    units, _ = stepped_brand(60, seed=8, before=0.3, after=0.55, quiet_signals=0)
    found = trend_set(units, signal_matrix(units), seed="shuffle")
    (stepped,) = [trend for trend in found.trends if trend.signal == "label:TREND:stepped"]
    # the same statistic, from shuffling which ads carry the signal
    months = np.array([(u.start.year - 2024) * 12 + u.start.month - 1 for u in units])
    months -= months.min()
    present = np.array([any(label.label == "stepped" for label in u.representative.labels) for u in units])
    sizes = np.bincount(months)
    before = np.cumsum(sizes)[:-1]
    n, k = len(units), int(present.sum())
    margin = max(8, int(np.ceil(0.1 * n)))
    splits = np.flatnonzero((before >= margin) & (n - before >= margin))
    splits = splits[np.r_[True, np.diff(before[splits]) > 0]]

    def statistic(flags: np.ndarray) -> float:
        cumulative = np.cumsum(np.bincount(months[flags], minlength=len(sizes)))[:-1][splits]
        return float(np.abs(_signed_root(cumulative[None, :], before[splits], n, k)).max())

    observed = statistic(present)
    rng = np.random.default_rng(0)
    shuffled = [statistic(rng.permutation(present)) for _ in range(3_000)]
    brute = (1 + sum(value >= observed - 1e-9 for value in shuffled)) / 3_001
    assert stepped.p_value == pytest.approx(brute, abs=0.03)


def test_weeks_when_the_brand_starts_five_ads_a_week_it_is_active() -> None:
    busy = [record(i, START + timedelta(hours=6 * i)) for i in range(1, 400)]  # four a day for 100 days
    found = trend_set(units_of(busy), signal_matrix(units_of(busy)), seed="busy")
    assert found.period == "week" and found.periods[0].start.weekday() == 0
    assert sum(period.ads for period in found.periods) == len(busy)


@pytest.mark.parametrize("count", [0, 1, 5, 29])
def test_too_few_creatives_are_said_to_be_too_little_data(count: int) -> None:
    ads = [record(i, START + timedelta(days=3 * i)) for i in range(1, count + 1)]
    found = trend_set(units_of(ads), signal_matrix(units_of(ads)), seed="few")
    assert found.status == ("no_ads" if count == 0 else "too_little_data") and found.trends == []
    assert found.reason and str(count) in found.reason


def test_creatives_within_three_periods_are_too_little_data_for_trends() -> None:
    ads = [record(i, START + timedelta(days=i % 20)) for i in range(1, 61)]  # three weeks, twenty a week
    found = trend_set(units_of(ads), signal_matrix(units_of(ads)), seed="short")
    assert found.status == "too_little_data" and found.reason == "the ads span 3 weeks; trends need at least 4"


def test_a_rerun_gives_the_same_trends_and_another_brand_its_own_draws() -> None:
    units, _ = stepped_brand(120, seed=21)
    first = trend_set(units, signal_matrix(units), seed="same")
    assert trend_set(units, signal_matrix(units), seed="same") == first
    assert first.tested > 0


def test_a_signal_on_fewer_than_five_creatives_either_way_is_not_tested() -> None:
    units, _ = stepped_brand(100, seed=2, quiet_signals=0)
    rare = [
        CreativeUnit(
            (
                record(
                    u.representative.ad_id,
                    u.start,
                    labels=(*u.representative.labels, LabelRecord("TREND", "rare", 0.9)),
                ),
            )
        )
        if i < 4
        else u
        for i, u in enumerate(units)
    ]
    found = trend_set(rare, signal_matrix(rare), seed="rare")
    assert "label:TREND:rare" not in {trend.signal for trend in found.trends}
    assert "label:TREND:stepped" in {trend.signal for trend in found.trends}


def test_unknown_values_are_left_out_of_a_signals_test_not_counted_as_absent() -> None:
    ads = []
    for i in range(1, 121):
        start = START + timedelta(days=3 * i)
        late = i > 60
        # late ads say nothing about their CTA: were unknown counted as "no", learn_more would seem to fall
        attributes = {} if late else {"cta_type": "learn_more" if i % 2 else "shop_now"}
        ads.append(record(i, start, attributes=attributes))
    matrix = signal_matrix(units_of(ads))
    column = matrix.names.index("cta:learn_more")
    assert matrix.known[:, column].sum() == 60
    found = trend_set(units_of(ads), matrix, seed="unknown")
    assert all(trend.signal != "cta:learn_more" or not trend.significant for trend in found.trends)


def test_the_same_creative_on_two_platforms_is_one_unit_and_a_text_ad_joins_its_copy() -> None:
    meta = record(1, START, media_sha256=("a",))
    google = record(2, START + timedelta(days=2), source="serpapi", media_sha256=("a",), description=None)
    carousel = record(3, START, media_sha256=("b", "c"))
    card = record(4, START, media_sha256=("c",))
    text = record(5, START, media_sha256=(), title="Glow", body="Hydrate daily")
    copy = record(6, START + timedelta(days=1), media_sha256=(), title="glow", body="Hydrate  daily", source="serpapi")
    alone = record(7, START, media_sha256=())
    units = creative_units([google, meta, carousel, card, text, copy, alone])
    assert sorted(sorted(unit.ad_ids) for unit in units) == [[1, 2], [3, 4], [5, 6], [7]]
    (shared,) = [unit for unit in units if 1 in unit.ad_ids]
    assert shared.representative.ad_id == 1  # the described Meta ad speaks for the unit
