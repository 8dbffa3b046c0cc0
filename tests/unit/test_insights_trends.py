"""Trends and the signals and visual styles they are tested on: a planted change is found with its
direction and period, no change is called significant about as often as the false-discovery level
allows, the permutation p-value agrees with shuffling the ads themselves, the period follows the
volume, too little data is said, a rerun gives the same answer, rare signals and unknown values are
left out, and a change of look shows as a visual-style trend and a drift."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from adology.knowledge.insights.data import AdRecord, CreativeUnit, LabelRecord
from adology.knowledge.insights.model import Trend, TrendSet
from adology.knowledge.insights.signals import signal_matrix
from adology.knowledge.insights.trends import trend_set
from adology.knowledge.insights.units import creative_units
from adology.knowledge.insights.visual import visual_drift, visual_styles
from tests.insight_records import record

START = datetime(2024, 1, 1, 10, tzinfo=UTC)  # a Monday
LABELLED = ("label:local-label-v1:hash",)


def ad(ad_id: int, start: datetime, **fields: Any) -> AdRecord:
    """A described, labelled Meta ad with its own creative that ran for 20 days, unless ``fields`` say otherwise."""
    return record(ad_id, start, **({"description": f"ad {ad_id}", "analysis_versions": LABELLED} | fields))


def labels(*names: str) -> tuple[LabelRecord, ...]:
    return tuple(LabelRecord("TREND", name, 0.9) for name in names)


def brand(
    count: int,
    *,
    seed: int,
    rates: Mapping[str, tuple[float, float]],
    pivot_day: float | None = None,
    span_days: float = 365,
) -> list[CreativeUnit]:
    """``count`` ads spread over ``span_days``; label ``name`` is on an ad at ``rates[name][0]`` before the
    pivot and ``rates[name][1]`` from it on (no pivot: the first rate throughout)."""
    rng = random.Random(seed)
    ads = []
    for ad_id in range(1, count + 1):
        day = rng.uniform(0, span_days)
        late = pivot_day is not None and day >= pivot_day
        carried = [name for name, (before, after) in rates.items() if rng.random() < (after if late else before)]
        ads.append(ad(ad_id, START + timedelta(days=day), labels=labels(*carried)))
    return creative_units(ads)


def trends_of(units: list[CreativeUnit], seed: str = "brand") -> TrendSet:
    return trend_set(units, signal_matrix(units), seed=seed)


def trend(found: TrendSet, signal: str) -> Trend:
    (match,) = [item for item in found.trends if item.signal == signal]
    return match


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def test_a_planted_rise_is_significant_with_its_direction_period_and_evidence() -> None:
    pivot_day = 220  # 2024-08-08
    quiet = {f"quiet_{i}": (0.3, 0.3) for i in range(10)}
    units = brand(200, seed=3, rates={"stepped": (0.2, 0.6), **quiet}, pivot_day=pivot_day)
    found = trends_of(units)
    assert found.status == "ok" and found.period == "month" and found.tested == 11
    rise = trend(found, "label:TREND:stepped")
    assert rise.significant and rise.direction == "up" and rise.family == "label"
    assert rise.q_value <= 0.05 and rise.p_value <= rise.q_value
    pivot = (START + timedelta(days=pivot_day)).date()
    assert abs((rise.change_after - pivot).days) <= 31  # within a period of the truth
    after = [period.start for period in found.periods].index(rise.change_after)
    assert rise.changed_between == (found.periods[after - 1].start, rise.change_after)  # no month is empty
    assert rise.share_before < 0.3 < 0.5 < rise.share_after
    assert rise.effect_h == pytest.approx(
        2 * math.asin(math.sqrt(rise.share_after)) - 2 * math.asin(math.sqrt(rise.share_before)), abs=1e-3
    )
    assert rise.ads_before + rise.ads_after == 200
    assert found.trends[0] == rise  # significant first
    assert [item.signal for item in found.trends if item.significant] == [rise.signal]
    by_id = {unit.representative.ad_id: unit for unit in units}
    assert 0 < len(rise.evidence_ad_ids) <= 5
    for ad_id in rise.evidence_ad_ids:
        assert by_id[ad_id].start.date() >= rise.change_after
        assert any(label.label == "stepped" for label in by_id[ad_id].representative.labels)


def test_a_planted_fall_is_a_fall_with_evidence_from_before_the_change() -> None:
    units = brand(150, seed=5, rates={"stepped": (0.7, 0.2)}, pivot_day=200)
    fall = trend(trends_of(units), "label:TREND:stepped")
    assert fall.significant and fall.direction == "down" and fall.effect_h < 0
    assert abs((fall.change_after - (START + timedelta(days=200)).date()).days) <= 31
    assert fall.share_before > fall.share_after
    starts = {unit.representative.ad_id: unit.start.date() for unit in units}
    assert fall.evidence_ad_ids and all(starts[ad_id] < fall.change_after for ad_id in fall.evidence_ad_ids)


def test_a_busy_brand_is_read_in_weeks_and_its_change_found_within_a_week() -> None:
    pivot_day = 150.5  # mid-week
    units = brand(
        1_500, seed=8, rates={"stepped": (0.2, 0.45), "quiet": (0.4, 0.4)}, pivot_day=pivot_day, span_days=280
    )
    found = trends_of(units)
    assert found.period == "week" and all(period.start.weekday() == 0 for period in found.periods)
    rise = trend(found, "label:TREND:stepped")
    assert rise.significant and rise.direction == "up"
    assert abs((rise.change_after - (START + timedelta(days=pivot_day)).date()).days) <= 7
    assert rise.p_value < 1e-4  # resolved below what 9,999 draws can show, by the exact tail bound


def test_without_any_change_significant_trends_stay_within_the_level() -> None:
    """150 brands of 60-200 units over a year with uneven volume, 40 unchanging signals each: under no
    change at all, Benjamini-Hochberg at 0.05 should call anything for at most about 5 % of brands, and
    the raw p-values should be uniform (not just small enough, but not uselessly large either)."""
    rng = random.Random(11)
    brands_with_a_discovery = significant = tested = 0
    p_values: list[float] = []
    for number in range(150):
        count = rng.randint(60, 200)
        rates = [rng.uniform(0.05, 0.5) for _ in range(40)]
        units = _uneven_brand(count, rng=rng, rates=rates)
        found = trends_of(units, seed=f"null-{number}")
        called = [item for item in found.trends if item.significant]
        brands_with_a_discovery += bool(called)
        significant += len(called)
        tested += found.tested
        p_values += [item.p_value for item in found.trends]
    assert tested > 5_000
    # 5 % of 150 brands is 7.5; three standard deviations of binomial(150, 0.05) is about 8
    assert brands_with_a_discovery <= 16, brands_with_a_discovery
    assert significant / tested <= 0.05, (significant, tested)
    # p-values of a discrete test may sit a little above uniform, never below it beyond chance
    share_below = np.mean(np.array(p_values) <= 0.05)
    assert 0.035 <= share_below <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / tested), share_below


def _uneven_brand(count: int, *, rng: random.Random, rates: list[float]) -> list[CreativeUnit]:
    """Like :func:`brand` without a change (signal ``i`` at ``rates[i]``), with more ads in some months than others."""
    ads = []
    for ad_id in range(1, count + 1):
        day = rng.uniform(0, 365)
        while rng.random() > 0.5 + 0.5 * math.sin(day / 365 * 2 * math.pi) ** 2:
            day = rng.uniform(0, 365)
        carried = [f"signal_{i}" for i, rate in enumerate(rates) if rng.random() < rate]
        ads.append(ad(ad_id, START + timedelta(days=day), labels=labels(*carried)))
    return creative_units(ads)


@pytest.mark.parametrize(
    ("seed", "draws", "tolerance"),
    [(2, 4_000, 0.03), (5, 4_000, 0.03), (17, 40_000, 0.0015)],  # 999 draws, 999 draws, refined to 9,999
)
def test_the_permutation_p_value_agrees_with_shuffling_the_ads(seed: int, draws: int, tolerance: float) -> None:
    units = brand(60, seed=seed, rates={"stepped": (0.3, 0.55)}, pivot_day=200)
    p_value = trend(trends_of(units, seed="shuffle"), "label:TREND:stepped").p_value
    months = np.array([month_index(unit.start.date()) for unit in units])
    flags = np.array([any(label.label == "stepped" for label in unit.representative.labels) for unit in units])
    observed = _scan_statistics(months, flags[None, :])[0]
    shuffled = np.random.default_rng(seed).permuted(np.tile(flags, (draws, 1)), axis=1)
    brute = (1 + np.count_nonzero(_scan_statistics(months, shuffled) >= observed - 1e-9)) / (draws + 1)
    assert 0.001 < brute < 0.5  # a p-value the scan's own null distribution decides, not a floor nor 1
    assert p_value == pytest.approx(brute, abs=tolerance)


def _scan_statistics(months: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Per row of ``flags`` (which units carry the signal), the largest likelihood-ratio statistic over the
    splits between active months with enough units on each side, written out directly from the units."""
    n, k = flags.shape[1], int(flags[0].sum())
    margin = max(8, math.ceil(0.1 * n))
    order = np.argsort(months, kind="stable")
    sizes = np.array([np.count_nonzero(months <= month) for month in np.unique(months)[:-1]])
    sizes = sizes[(sizes >= margin) & (n - sizes >= margin)]
    hits = np.cumsum(flags[:, order], axis=1)[:, sizes - 1]

    def log_likelihood(hits: np.ndarray, size: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            ones = np.where(hits > 0, hits * np.log(hits / size), 0.0)
            zeros = np.where(size - hits > 0, (size - hits) * np.log((size - hits) / size), 0.0)
        return np.asarray(ones + zeros)

    whole = log_likelihood(np.array(k), np.array(n))
    ratio = log_likelihood(hits, sizes) + log_likelihood(k - hits, n - sizes) - whole
    return np.asarray((2 * ratio).max(axis=1))


def test_weeks_when_the_brand_starts_five_units_a_week_it_is_active_else_months() -> None:
    five_a_week = [ad(i, START + timedelta(weeks=i // 5, hours=i)) for i in range(40)]  # eight weeks
    four_a_week = [ad(i, START + timedelta(weeks=i // 4, hours=i)) for i in range(40)]  # ten weeks
    weekly = trends_of(creative_units(five_a_week))
    assert weekly.period == "week" and [period.ads for period in weekly.periods] == [5] * 8
    assert weekly.periods[0].start == START.date()
    monthly = trends_of(creative_units(four_a_week))
    assert monthly.period == "month" and monthly.status == "too_little_data"  # ten weeks are three months


def test_months_run_from_the_first_units_month_to_the_last_including_empty_ones() -> None:
    days = [2, 33, 92, 122, 153]  # January, February, April, May, June (2024): no March
    ads = [ad(10 * day + i, START + timedelta(days=day + 3 * i)) for day in days for i in range(8)]
    found = trends_of(creative_units(ads))
    assert found.period == "month" and found.status == "ok"
    assert [(period.start, period.ads) for period in found.periods] == [
        (date(2024, 1, 1), 8),
        (date(2024, 2, 1), 8),
        (date(2024, 3, 1), 0),
        (date(2024, 4, 1), 8),
        (date(2024, 5, 1), 8),
        (date(2024, 6, 1), 8),
    ]


@pytest.mark.parametrize("count", [0, 1, 5, 29])
def test_fewer_than_thirty_units_are_too_little_data(count: int) -> None:
    ads = [ad(i, START + timedelta(days=10 * i)) for i in range(1, count + 1)]
    found = trends_of(creative_units(ads))
    assert found.status == ("no_ads" if count == 0 else "too_little_data")
    assert found.trends == [] and found.tested == 0
    assert found.reason == f"{count} creative units; trends need at least 30"


def test_units_in_fewer_than_four_active_periods_are_too_little_data() -> None:
    three_weeks = [ad(i, START + timedelta(days=i % 20, hours=i // 20)) for i in range(60)]
    found = trends_of(creative_units(three_weeks))
    assert found.status == "too_little_data" and found.period == "week" and len(found.periods) == 3
    assert found.reason == "the 60 creative units fall in 3 weeks; trends need at least 4"
    january_june_november = [ad(i, START + timedelta(days=(0, 152, 305)[i % 3] + 2 * (i // 3))) for i in range(45)]
    spread = trends_of(creative_units(january_june_november))
    assert spread.status == "too_little_data" and len(spread.periods) == 11
    assert spread.reason == "the 45 creative units fall in 3 months; trends need at least 4"


def test_a_rerun_gives_the_same_trends_and_another_seed_its_own_draws() -> None:
    units = brand(120, seed=21, rates={"stepped": (0.3, 0.6), "quiet": (0.4, 0.4), "other": (0.2, 0.25)}, pivot_day=250)
    first = trends_of(units, seed="same")
    assert trends_of(units, seed="same") == first
    other = trends_of(units, seed="another brand")
    assert [item.signal for item in other.trends] == [item.signal for item in first.trends]
    assert [item.p_value for item in other.trends] != [item.p_value for item in first.trends]


def test_a_signal_needs_five_known_units_with_it_and_five_without() -> None:
    rng = random.Random(2)
    ads = []
    for row in range(100):
        carried = ["four"] * (row < 4) + ["five"] * (row < 5) + ["all_but_four"] * (row >= 4)
        carried += ["all_but_five"] * (row >= 5) + ["stepped"] * (rng.random() < (0.3 if row < 60 else 0.6))
        ads.append(ad(row + 1, START + timedelta(days=3.6 * row), labels=labels(*carried)))
    tested = {item.signal for item in trends_of(creative_units(ads)).trends}
    assert {"label:TREND:five", "label:TREND:all_but_five", "label:TREND:stepped"} <= tested
    assert not {"label:TREND:four", "label:TREND:all_but_four"} & tested


def test_support_counts_only_the_units_whose_value_is_known() -> None:
    known = [
        ad(i, START + timedelta(days=3 * i), attributes={"cta_type": "shop_now" if i % 10 == 0 else "learn_more"})
        for i in range(1, 41)
    ]
    silent = [ad(i, START + timedelta(days=3 * i + 1)) for i in range(41, 121)]
    tested = {item.signal for item in trends_of(creative_units(known + silent)).trends}
    # 80 units say nothing about their CTA: they do not make up learn_more's missing support
    assert not {"cta:learn_more", "cta:shop_now"} & tested


def test_shares_count_only_the_units_whose_value_is_known() -> None:
    ads = []
    for i in range(1, 121):
        # the later half says nothing about its CTA: counted as "no", learn_more would seem to fall
        attributes = {} if i > 60 else {"cta_type": "learn_more" if i % 2 else "shop_now"}
        ads.append(ad(i, START + timedelta(days=3 * i), attributes=attributes))
    units = creative_units(ads)
    matrix = signal_matrix(units)
    column = matrix.names.index("cta:learn_more")
    assert matrix.known[:, column].sum() == 60 and not (matrix.present & ~matrix.known).any()
    found = trends_of(units)
    learn_more = trend(found, "cta:learn_more")
    assert not learn_more.significant and learn_more.ads_before + learn_more.ads_after == 60
    assert 0.3 < learn_more.share_before < 0.7 and 0.3 < learn_more.share_after < 0.7
    assert len(learn_more.shares_by_period) == len(found.periods)


def test_trends_are_ranked_significant_first_by_q_then_the_rest_by_p() -> None:
    rates = {"strong": (0.1, 0.7), "weaker": (0.3, 0.6), **{f"quiet_{i}": (0.3, 0.3) for i in range(8)}}
    found = trends_of(brand(300, seed=9, rates=rates, pivot_day=200))
    significant = [item for item in found.trends if item.significant]
    rest = found.trends[len(significant) :]
    assert {item.signal for item in significant} >= {"label:TREND:strong", "label:TREND:weaker"}
    assert not any(item.significant for item in rest)
    assert [item.q_value for item in significant] == sorted(item.q_value for item in significant)
    assert [item.p_value for item in rest] == sorted(item.p_value for item in rest)
    shares = [share for item in found.trends for share in (item.share_before, item.share_after, *item.shares_by_period)]
    assert all(0 <= share <= 1 for share in shares)


def test_evidence_is_every_ad_of_the_longest_running_units_representative_first() -> None:
    ads = []
    for i in range(1, 81):
        late = i > 40
        running = timedelta(days=5 + i)  # later ads ran longer
        carried = labels("stepped") if (late and i % 4 != 0) or (not late and i % 5 == 0) else ()
        ads.append(
            ad(i, START + timedelta(days=4 * i), labels=carried, last_seen_at=START + timedelta(days=4 * i) + running)
        )
    copy_of_longest = ad(
        1_000, START + timedelta(days=4 * 79), source="serpapi", description=None, media_sha256=("sha-79",)
    )
    rise = trend(trends_of(creative_units([*ads, copy_of_longest])), "label:TREND:stepped")
    assert rise.direction == "up"
    assert rise.evidence_ad_ids == [79, 1_000, 78, 77, 75]  # 80 lacks the signal; 79's Google copy follows it


def test_signals_are_named_by_family_and_value_and_unknown_is_not_absent() -> None:
    described = ad(
        1,
        START,
        display_format="VIDEO",
        attributes={
            "cta_type": "learn_more",
            "offer_type": "none",
            "format": "video",
            "orientation": "portrait",
            "color_palette_name": "pastel",
            "tone": "urgent",
            "urgency": True,
            "scarcity": False,
            "price_shown": False,
            "people_present": None,
            "dominant_colors": ["#F6AAC4", "#000000"],
        },
        labels=(LabelRecord("UNIVERSAL", "video_motion", 0.8), LabelRecord("TREND", "pastel_palette", 0.4)),
    )
    unlabelled = ad(2, START, attributes={"format": "image"}, analysis_versions=())
    labelled_with_none = ad(3, START, media_sha256=(), attributes={"format": None, "cta_type": "shop_now"})
    not_described = ad(4, START, description=None, analysis_versions=())
    units = [CreativeUnit((record,)) for record in (described, unlabelled, labelled_with_none, not_described)]
    matrix = signal_matrix(units, np.array([0, 1, -1, 0]))
    assert matrix.names == [
        "cta:learn_more",
        "cta:shop_now",
        "offer:none",
        "format:image",
        "format:video",
        "orientation:portrait",
        "palette:pastel",
        "tone:urgent",
        "media:image",
        "media:none",
        "media:video",
        "display:image",
        "display:video",
        "hue:rose",
        "urgency",
        "scarcity",
        "price_shown",
        "label:UNIVERSAL:video_motion",
        "visual_style:v1",
        "visual_style:v2",
    ]

    def column(name: str) -> list[tuple[bool, bool]]:
        index = matrix.names.index(name)
        return list(zip(matrix.known[:, index].tolist(), matrix.present[:, index].tolist(), strict=True))

    unknown, absent, present = (False, False), (True, False), (True, True)
    assert column("cta:learn_more") == [present, unknown, absent, unknown]
    assert column("media:video") == [present, absent, absent, unknown]
    assert column("media:none") == [absent, absent, present, unknown]
    assert "people_present" not in matrix.names  # no unit's provider could say
    assert column("scarcity") == [absent, unknown, unknown, unknown]
    # a label stage that ran and found nothing is known; one that never ran is not
    assert column("label:UNIVERSAL:video_motion") == [present, unknown, absent, unknown]
    assert column("visual_style:v2") == [absent, present, unknown, absent]


@pytest.mark.parametrize(
    ("colour", "hue"),
    [
        ("#ff0000", "red"),
        ("#ff8000", "orange"),
        ("#f6aac4", "rose"),
        ("#00ff00", "green"),
        ("#0000ff", "blue"),
        ("#8000ff", "violet"),
        ("#ffffff", "light"),
        ("#808080", "grey"),
        ("#101010", "dark"),
    ],
)
def test_the_leading_dominant_colour_is_bucketed_into_a_hue(colour: str, hue: str) -> None:
    unit = CreativeUnit((ad(1, START, attributes={"dominant_colors": [colour, "#00ff00"]}),))
    assert [name for name in signal_matrix([unit]).names if name.startswith("hue:")] == [f"hue:{hue}"]


def _looks(count: int, *, seed: int, pivot_day: float | None, missing_every: int = 0) -> list[CreativeUnit]:
    """Ads whose visual vectors sit around one look before the pivot and mostly around another after it."""
    rng = np.random.default_rng(seed)
    early, late = rng.normal(size=(2, 48))
    ads = []
    for ad_id in range(1, count + 1):
        day = float(rng.uniform(0, 365))
        centre = late if pivot_day is not None and day >= pivot_day and rng.random() < 0.8 else early
        vector = centre + 0.4 * rng.normal(size=48)
        visual = None if missing_every and ad_id % missing_every == 0 else (vector / np.linalg.norm(vector))
        ads.append(ad(ad_id, START + timedelta(days=day), visual=visual))
    return creative_units(ads)


def test_visual_styles_are_numbered_by_size_and_units_without_a_vector_are_unknown() -> None:
    units = _looks(150, seed=1, pivot_day=250, missing_every=10)
    styles = visual_styles(units)
    assert styles is not None and len(styles) == len(units)
    without = [row for row, unit in enumerate(units) if unit.representative.visual is None]
    assert without and all(styles[row] == -1 for row in without)
    counts = np.bincount(styles[styles >= 0])
    assert len(counts) == 2 and counts[0] > counts[1]
    again = visual_styles(units)
    assert again is not None and again.tolist() == styles.tolist()
    assert visual_styles(_looks(19, seed=1, pivot_day=None)) is None


def test_a_rare_outlying_look_in_a_large_brand_does_not_break_the_style_search() -> None:
    """The silhouette is scored on a sample, which can miss a style of one creative (here the 58th, which
    the sample leaves out): such a split is passed over, not scored with a single label."""
    rng = np.random.default_rng(4)
    common = np.eye(8)[0] + 0.001 * rng.normal(size=(1_100, 8))
    common[57] = np.eye(8)[1]
    ads = [
        ad(row + 1, START + timedelta(hours=4 * row), visual=vector / np.linalg.norm(vector))
        for row, vector in enumerate(common)
    ]
    styles = visual_styles(creative_units(ads))
    assert styles is not None and len(styles) == 1_100 and (styles >= 0).all()


def test_a_change_of_look_is_a_visual_style_trend_and_a_drift_around_it() -> None:
    pivot_day = 250
    units = _looks(200, seed=2, pivot_day=pivot_day)
    found = trend_set(units, signal_matrix(units, visual_styles(units)), seed="looks")
    styles = [item for item in found.trends if item.family == "visual_style"]
    assert styles and styles[0].significant
    drift = visual_drift(units, found)
    assert drift.status == "ok" and drift.signal == styles[0].signal and drift.split == styles[0].change_after
    assert drift.shift is not None and drift.shift > 0.1
    assert drift.split is not None
    assert abs((drift.split - (START + timedelta(days=pivot_day)).date()).days) <= 31
    assert drift.evidence_ad_ids == styles[0].evidence_ad_ids


def test_no_drift_without_trends_or_visual_styles() -> None:
    few = _looks(10, seed=3, pivot_day=None)
    drift = visual_drift(few, trends_of(few))
    assert drift.status == "too_little_data" and drift.reason == "10 creative units; trends need at least 30"
    plain = brand(60, seed=3, rates={"quiet": (0.5, 0.5)})
    no_styles = visual_drift(plain, trends_of(plain))
    assert no_styles.status == "too_little_data" and no_styles.shift is None
