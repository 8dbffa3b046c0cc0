"""Creative units: an ad copied to another source (the same creative on Meta and Google, or a Google
text ad with the Meta ad's copy) counts once, a unit speaks through its best-described member, and
every ad lands in exactly one unit, quickly even for a 20,000-ad brand."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from adology.knowledge.insights.data import AdRecord
from adology.knowledge.insights.units import creative_units
from tests.insight_records import record

START = datetime(2025, 3, 3, 9, tzinfo=UTC)


def ad(ad_id: int, *, day: float = 0, **fields: Any) -> AdRecord:
    """A described, active Meta image ad with its own creative and copy, unless ``fields`` say otherwise."""
    start = START + timedelta(days=day)
    values: dict[str, Any] = {
        "last_seen_at": start + timedelta(days=30),
        "is_active": True,
        "cta": "SHOP NOW",
        "title": f"Title {ad_id}",
        "body": f"Body of ad {ad_id}",
        "description": f"An image ad, number {ad_id}.",
    }
    return record(ad_id, start, **(values | fields))


def google_copy(original: AdRecord, ad_id: int, **fields: Any) -> AdRecord:
    """The same ad as SerpApi stores it: another id, no description yet, the same creative and copy."""
    values: dict[str, Any] = {
        "source": "serpapi",
        "description": None,
        "title": original.title,
        "body": original.body,
        "media_sha256": original.media_sha256,
        "started_at": original.started_at,
    }
    return ad(ad_id, **(values | fields))


def grouped(units: list[Any]) -> list[list[int]]:
    return sorted(sorted(unit.ad_ids) for unit in units)


def test_a_google_copy_with_the_same_creative_is_one_unit_with_the_meta_ad() -> None:
    meta = ad(1)
    google = google_copy(meta, 2, title="Another headline Google wrote")
    units = creative_units([google, meta, ad(3)])
    assert grouped(units) == [[1, 2], [3]]
    (shared,) = [unit for unit in units if 2 in unit.ad_ids]
    assert shared.ad_ids == (1, 2)  # the described Meta ad first: its analysis is the unit's


def test_ads_sharing_any_creative_are_one_unit_through_a_chain() -> None:
    carousel = ad(1, media_sha256=("card-a", "card-b"))
    second = ad(2, media_sha256=("card-b", "card-c"))
    third = ad(3, media_sha256=("card-c",))
    units = creative_units([third, carousel, second, ad(4, media_sha256=("card-d",))])
    assert grouped(units) == [[1, 2, 3], [4]]


def test_a_text_copy_joins_the_ad_with_the_same_copy_whatever_its_case_and_spacing() -> None:
    meta = ad(1, title="Glow Serum", body="Hydrate  daily.\nFor a limited time")
    text = google_copy(meta, 2, media_sha256=(), title="GLOW serum ", body="hydrate daily. for a  limited time")
    units = creative_units([meta, text, ad(3)])
    assert grouped(units) == [[1, 2], [3]]


def test_text_ads_with_the_same_copy_and_no_creative_to_join_are_one_unit() -> None:
    first = ad(1, media_sha256=(), title="Glow", body="Hydrate daily", description=None)
    second = ad(2, media_sha256=(), title="glow", body="hydrate   daily", source="serpapi", description=None)
    other = ad(3, media_sha256=(), title="Glow", body="Something else")
    units = creative_units([first, second, other])
    assert grouped(units) == [[1, 2], [3]]


def test_copy_reused_on_two_creatives_stays_two_units_and_a_text_copy_joins_the_nearer() -> None:
    spring = ad(1, day=0, title="Glow", body="Hydrate daily")
    autumn = ad(2, day=200, title="Glow", body="Hydrate daily")
    text = ad(3, day=190, media_sha256=(), title="Glow", body="Hydrate daily", source="serpapi")
    assert grouped(creative_units([spring, autumn, text])) == [[1], [2, 3]]


def test_an_ad_without_creative_or_copy_is_a_unit_of_its_own() -> None:
    bare = [ad(i, media_sha256=(), title=None, body=None) for i in (1, 2)]
    assert grouped(creative_units(bare)) == [[1], [2]]


def test_the_representative_is_described_then_from_meta_then_the_lowest_id() -> None:
    undescribed_meta = ad(5, media_sha256=("x",), description=None)
    described_google = ad(6, media_sha256=("x",), source="serpapi")
    assert creative_units([undescribed_meta, described_google])[0].ad_ids == (6, 5)
    google_first = ad(1, media_sha256=("y",), source="serpapi")
    meta = ad(9, media_sha256=("y",))
    meta_too = ad(7, media_sha256=("y",))
    assert creative_units([google_first, meta, meta_too])[0].ad_ids == (7, 9, 1)


def test_units_are_ordered_by_start_then_representative_and_hold_every_ad_once() -> None:
    ads = [ad(10, day=5), ad(4, day=5), ad(7, day=1), google_copy(ad(7, day=1), 8, started_at=START)]
    units = creative_units(ads)
    assert [unit.representative.ad_id for unit in units] == [7, 4, 10]
    assert units[0].start == START  # a unit starts with its earliest member
    assert sorted(ad_id for unit in units for ad_id in unit.ad_ids) == [4, 7, 8, 10]
    assert creative_units([]) == []


def test_twenty_thousand_ads_group_in_well_under_a_second() -> None:
    originals = [ad(i, day=i % 700, title=f"Headline {i % 3_000}", body="Shared body") for i in range(1, 14_001)]
    copies = [google_copy(originals[i], 20_000 + i) for i in range(0, 14_000, 3)]
    text_copies = [google_copy(originals[i], 40_000 + i, media_sha256=()) for i in range(1, 14_000, 7)]
    ads = originals + copies + text_copies
    started = time.process_time()
    units = creative_units(ads)
    seconds = time.process_time() - started
    assert len(units) == 14_000 and sum(len(unit.ads) for unit in units) == len(ads)
    assert seconds < 1.0, seconds  # measured about 0.3 s; a quadratic merge would take minutes
