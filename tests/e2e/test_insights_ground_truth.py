"""The insights find what the simulated library planted, and little else.

Each library brand turns to one new style at a pivot date (limited-time offers, video, a new
palette, another CTA, carousels and product feeds; see ``simulators.ad_sources.catalog``). For
several library seeds, every brand is acquired from every source into a fresh stack, analysed
(describe, label, embed) by the local provider through the assets a run materializes, and its
insights computed from what Postgres holds, as the ``brand_insights`` asset computes them. Only
this test reads the catalog, for each brand's shift and pivot.

- **Recall**: a brand's planted shift is named among its top five significant trends, by a signal
  that names the shift (:data:`NAMED_BY`), in the direction the shift moves it, with its change
  within a month of the pivot.
- **Precision**: each signal measures one aspect of an ad (:func:`aspect_of`), and each shift
  truly changes some aspects of the generated ads (:data:`MOVED_BY`). A significant trend on an
  aspect the brand's shift left alone is a false discovery, even when the analysis caused it (a
  reading that depends on colours, say): the ads did not change there. Over every seed, false
  discoveries stay within the Benjamini-Hochberg level's share of all discoveries, plus a little
  slack for chance.

Recall and false discoveries per seed and overall are recorded as test properties and written to
the terminal.
"""

from __future__ import annotations

import fnmatch
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import dagster as dg
import psycopg
import pytest

from adology.knowledge.insights.compute import compute_insights, input_fingerprint
from adology.knowledge.insights.load import load_brand_data
from adology.knowledge.insights.model import BrandInsights, Trend
from adology.settings import Settings
from adology.stack import Stack
from adology_assets.ads import ads
from resources import resources_for
from simulators.ad_sources import Catalog
from simulators.ad_sources.catalog import Brand as LibraryBrand
from simulators.ad_sources.seeding import register_library_brands
from tests.stack.analysis_support import AI_ASSETS

# One seed in `make test` keeps the suite inside its 25 minutes (each costs about 100 s on two cores);
# ADOLOGY_TRUTH_SEEDS=1,2,3 measures more (2026-12-06: 15/15 found, 1 false discovery of 148).
SEEDS = tuple(int(seed) for seed in os.environ.get("ADOLOGY_TRUTH_SEEDS", "1").split(","))
# Ads per library: the describe stage is the cost (about 5 ads a second on two cores), and a
# thinner brand (the library splits its ads unevenly) leaves a carousel or video shift too few ads
# after its pivot to stand out among some sixty signals (see docs/design-brand-insights.md §3).
LIBRARY_ADS = 400
LIBRARY_BRANDS = 5  # one brand per kind of shift
TOP = 5
WITHIN = timedelta(days=31)  # "within a month of the pivot"
FDR_LEVEL = 0.05
# Chance alone may add a false discovery or two over a few hundred tests: the bound is the level's
# share of the discoveries plus this many.
FALSE_DISCOVERY_SLACK = 2

Direction = Literal["up", "down", "either"]
Aspect = Literal["format", "look", "offer", "cta", "price", "words", "other"]

# The signals that name each shift, and which way the shift moves them. A palette change has no one
# direction: the old colours fall as the new ones rise, and either says the look changed.
NAMED_BY: dict[str, dict[str, Direction]] = {
    "promo": {
        "urgency": "up",
        "offer:percent_off": "up",
        "offer:bogo": "up",
        "offer:free_shipping": "down",
        "offer:free_gift": "down",
        "offer:none": "down",
        "cta:get_offer": "up",
        "cta:learn_more": "down",
        "tone:urgent": "up",
        "label:TREND:urgency_limited_time": "up",
        "label:TREND:flash_sale": "up",
        "label:UNIVERSAL:discount_offer": "up",
        "label:UNIVERSAL:bogo_offer": "up",
        "label:UNIVERSAL:get_offer_cta": "up",
        "label:UNIVERSAL:learn_more_cta": "down",
    },
    "video": {
        "format:video": "up",
        "media:video": "up",
        "display:video": "up",
        "orientation:portrait": "up",
        "label:UNIVERSAL:video_motion": "up",
        "label:TREND:short_form_vertical_video": "up",
        "format:image": "down",
        "media:image": "down",
        "display:image": "down",
        "orientation:square": "down",
    },
    "palette": {
        "palette:*": "either",
        "hue:*": "either",
        "visual_style:*": "either",
        "label:TREND:pastel_palette": "either",
    },
    "cta": {
        "cta:learn_more": "down",
        "cta:sign_up": "up",
        "cta:shop_now": "up",
        "label:UNIVERSAL:learn_more_cta": "down",
        "label:UNIVERSAL:sign_up_cta": "up",
        "label:UNIVERSAL:shop_now_cta": "up",
    },
    "carousel": {
        "format:carousel": "up",
        "display:carousel": "up",
        "display:dpa": "up",
        "label:UNIVERSAL:carousel_multi_product": "up",
        "format:image": "down",
        "display:image": "down",
    },
}

# What each signal measures, first match wins; any other label is scored on the ad's words.
ASPECTS: tuple[tuple[str, Aspect], ...] = (
    ("format:*", "format"),
    ("media:*", "format"),
    ("display:*", "format"),
    ("orientation:*", "format"),
    ("label:UNIVERSAL:video_motion", "format"),
    ("label:UNIVERSAL:carousel_multi_product", "format"),
    ("label:TREND:short_form_vertical_video", "format"),
    ("hue:*", "look"),
    ("palette:*", "look"),
    ("visual_style:*", "look"),
    ("people_present", "look"),
    # measured from the pixels: colours, edges, how much of the frame text covers
    ("label:TREND:pastel_palette", "look"),
    ("label:TREND:bold_color_blocking", "look"),
    ("label:UNIVERSAL:minimal_design", "look"),
    ("label:UNIVERSAL:text_heavy", "look"),
    ("offer:*", "offer"),
    ("urgency", "offer"),
    ("scarcity", "offer"),
    ("tone:*", "offer"),  # the local provider reads one tone, "urgent"
    ("label:UNIVERSAL:discount_offer", "offer"),
    ("label:UNIVERSAL:free_shipping", "offer"),
    ("label:UNIVERSAL:bogo_offer", "offer"),
    ("label:UNIVERSAL:bundle_offer", "offer"),
    ("label:UNIVERSAL:free_gift_offer", "offer"),
    ("label:UNIVERSAL:value_price", "offer"),
    ("label:TREND:urgency_limited_time", "offer"),
    ("label:TREND:flash_sale", "offer"),
    ("label:TREND:countdown", "offer"),
    ("label:TREND:scarcity_low_stock", "offer"),
    ("cta:*", "cta"),
    ("label:UNIVERSAL:*_cta", "cta"),
    ("price_shown", "price"),
    ("label:UNIVERSAL:price_display", "price"),
    ("label:*", "words"),
)

# What each shift changes in the generated ads (catalog.py's late styles), through their pixels or
# their words; every shift but the palette changes some words the labeller reads.
MOVED_BY: dict[str, frozenset[Aspect]] = {
    # urgent headlines, promotions on 85 % of ads drawn as a band on the creative, GET OFFER CTAs
    "promo": frozenset({"offer", "cta", "look", "words"}),
    # video from 5 % to 60 % and 9:16 from a tenth to 70 %: taller frames whose scenes read otherwise
    "video": frozenset({"format", "look", "words"}),
    # new colours and the other background (gradient or colour blocks); not a word changes
    "palette": frozenset({"look"}),
    # LEARN MORE gives way to SIGN UP and SHOP NOW, on the button drawn on the creative too
    "cta": frozenset({"cta", "words"}),
    # carousels and product feeds from 15 % to 65 %: cards with prices, feed copy from the cards
    "carousel": frozenset({"format", "look", "price", "words"}),
}


@dataclass(frozen=True)
class BrandOutcome:
    seed: int
    brand: str
    shift: str
    pivot: date
    found: Trend | None  # the top trend naming the shift, when one is among the top five significant
    significant: list[Trend]
    false_discoveries: list[Trend]


@dataclass(frozen=True)
class _Tally:
    brands: int
    found: int  # brands whose planted shift was named
    discoveries: int  # significant trends
    false: int  # of them, on an aspect the brand's shift left alone

    @classmethod
    def of(cls, outcomes: list[BrandOutcome]) -> _Tally:
        return cls(
            brands=len(outcomes),
            found=sum(outcome.found is not None for outcome in outcomes),
            discoveries=sum(len(outcome.significant) for outcome in outcomes),
            false=sum(len(outcome.false_discoveries) for outcome in outcomes),
        )

    def __str__(self) -> str:
        share = self.false / max(self.discoveries, 1)
        return f"recall {self.found}/{self.brands}, false discoveries {self.false}/{self.discoveries} ({share:.1%})"


# Measured at 3 seeds x 400 ads on two cores: 4 minutes alone, 5.5 beside other work; the project's
# 600 s default leaves too little room on a busy machine.
@pytest.mark.timeout(900)
def test_insights_name_each_planted_shift_and_little_else(
    make_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    pytestconfig: pytest.Config,
    capsys: pytest.CaptureFixture[str],
    record_property: Any,
) -> None:
    started = time.monotonic()
    outcomes: list[BrandOutcome] = []
    for seed in SEEDS:
        catalog = Catalog.generate(seed=seed, ads=LIBRARY_ADS, brands=LIBRARY_BRANDS)
        settings = make_settings(
            f"truth-{seed}",
            ADOLOGY_LIBRARY_SEED=str(seed),
            ADOLOGY_LIBRARY_ADS=str(LIBRARY_ADS),
            ADOLOGY_LIBRARY_BRANDS=str(LIBRARY_BRANDS),
        )
        with monkeypatch.context() as environment:
            for name, value in settings.client_environment().items():
                environment.setenv(name, value)  # the resources' EnvVars resolve to this seed's stack
            insights = _library_insights(settings, as_of=catalog.reference)
        outcomes += [_outcome(seed, brand, insights[brand.slug]) for brand in catalog.brands]

    lines = [_described(outcome) for outcome in outcomes]
    for name, counted in [(f"seed_{seed}", [o for o in outcomes if o.seed == seed]) for seed in SEEDS] + [
        ("overall", outcomes)
    ]:
        tally = _Tally.of(counted)
        record_property(f"{name}_recall", f"{tally.found}/{tally.brands}")
        record_property(f"{name}_false_discoveries", f"{tally.false}/{tally.discoveries}")
        lines.append(f"{name}: {tally}")
    seconds = round(time.monotonic() - started)
    record_property("seconds", seconds)
    lines.append(f"{len(SEEDS)} seeds x {LIBRARY_ADS} ads in {seconds}s")
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    with capsys.disabled():  # the figures are the point of the run: shown even when it passes
        for line in lines:
            reporter.write_line(line)

    missed = [_described(outcome) for outcome in outcomes if outcome.found is None]
    assert not missed, "planted shifts not named:\n" + "\n".join(missed)
    overall = _Tally.of(outcomes)
    assert overall.false <= FDR_LEVEL * overall.discoveries + FALSE_DISCOVERY_SLACK, "\n".join(lines)


def _library_insights(settings: Settings, *, as_of: datetime) -> dict[str, BrandInsights]:
    """The seed's library acquired, analysed and summed up into each brand's insights, on a stack of its own."""
    stack = Stack(settings)
    stack.up()
    try:
        with psycopg.connect(settings.database_url or "") as conn:
            brands = register_library_brands(conn, f"http://127.0.0.1:{settings.library_port}", status="analyzed")
        keys = [brand.partition_key for brand in brands]
        with dg.instance_for_test() as instance:
            instance.add_dynamic_partitions("brand", keys)
            # one run over every brand, as a backfill makes it: the analysis keeps every core busy across brands
            result = dg.materialize(
                [ads, *AI_ASSETS],
                resources=resources_for(settings),
                instance=instance,
                tags={
                    "dagster/asset_partition_range_start": keys[0],
                    "dagster/asset_partition_range_end": keys[-1],
                },
            )
            assert result.success
        with psycopg.connect(settings.database_url or "") as conn:
            loaded = {key: load_brand_data(conn, key) for key in keys}
    finally:
        stack.down()
    return {
        key: compute_insights(data, as_of=as_of, fingerprint=input_fingerprint(data, "none"))
        for key, data in loaded.items()
    }


def _outcome(seed: int, brand: LibraryBrand, insights: BrandInsights) -> BrandOutcome:
    pivot = datetime.fromtimestamp(brand.pivot, UTC).date()
    significant = insights.significant_trends()
    named = [trend for trend in significant[:TOP] if _names_shift(trend, brand.shift, pivot)]
    false = [trend for trend in significant if aspect_of(trend.signal) not in MOVED_BY[brand.shift]]
    return BrandOutcome(seed, brand.slug, brand.shift, pivot, named[0] if named else None, significant, false)


def aspect_of(signal: str) -> Aspect:
    """What the signal measures (:data:`ASPECTS`); "other" for a signal no shift can move."""
    return next((aspect for pattern, aspect in ASPECTS if fnmatch.fnmatchcase(signal, pattern)), "other")


def _names_shift(trend: Trend, shift: str, pivot: date) -> bool:
    """The trend is on a signal naming ``shift``, in its direction, with its change within a month of the pivot."""
    direction = next((d for pattern, d in NAMED_BY[shift].items() if fnmatch.fnmatchcase(trend.signal, pattern)), None)
    if direction is None or direction not in ("either", trend.direction):
        return False
    before, after = trend.changed_between
    return max(before - pivot, pivot - after, timedelta(0)) <= WITHIN


def _described(outcome: BrandOutcome) -> str:
    significant = ", ".join(
        f"{t.signal} {t.direction} {t.changed_between[0]}..{t.changed_between[1]} q={t.q_value:.2g}"
        for t in outcome.significant
    )
    false = ", ".join(t.signal for t in outcome.false_discoveries) or "none"
    verdict = "found" if outcome.found is not None else "MISSED"
    return (
        f"seed {outcome.seed} {outcome.brand} ({outcome.shift}, pivot {outcome.pivot}): {verdict}; "
        f"significant: {significant or 'none'}; false: {false}"
    )
