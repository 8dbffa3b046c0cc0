"""Hostile and impossible items cost their own item at most, and always say why.

Pinned here, on the parsers, redaction and the raw-document rules alone: numbers beyond 64 bits
and huge digit strings fail their item with its position and reason (never an OverflowError or
Python's int-conversion ValueError); nesting thousands of levels deep is redacted and parsed;
NUL characters and unpaired surrogates are removed or replaced in text with a note, fail an item
whose id holds them, and drop a URL that holds them; negative or inverted ranges and impossible
dates are dropped with a note while the rest of the ad stays; a raw item BSON cannot hold is kept
whole as its JSON text; and the records of one item have the same id however often it is met.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bson
import pytest

from adology.acquisition.raw import ad_document, bson_flaw, failure_document
from adology.acquisition.rows import unstorable_reason
from adology.brands import Brand
from adology.sources.apify import parse_apify_items
from adology.sources.meta import parse_meta_page
from adology.sources.models import Connector, MediaKind, MediaRef, NormalizedAd, ParsedPage, Range
from adology.sources.parsing import error_envelope
from adology.sources.redaction import redact_secrets
from adology.sources.serpapi import apply_serpapi_details, parse_serpapi_listing

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
BRAND = Brand(1, "hostile-brand", "Hostile Brand", "tracked", ())


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def meta_item(ad_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": ad_id, "page_id": "104000000000001", "ad_creative_bodies": [f"copy of {ad_id}"], **fields}


def apify_item(ad_id: str, **fields: Any) -> dict[str, Any]:
    item = copy.deepcopy(fixture("apify_snake_case_items.json")[0])
    item["ad_archive_id"] = ad_id
    item.update(fields)
    return item


def parse_meta_between_good_items(hostile: dict[str, Any]) -> tuple[list[NormalizedAd], list[Any]]:
    """The hostile item at position 1 of a Meta page, between two good ones that must survive it."""
    ads, failures = parse_meta_page({"data": [meta_item("100"), hostile, meta_item("300")]})
    assert [ad.source_ad_id for ad in ads if ad.source_ad_id != hostile["id"]] == ["100", "300"]
    return ads, failures


def only_failure(failures: list[Any]) -> Any:
    (failure,) = failures
    assert failure.position == 1
    return failure


# --- numbers no store can hold -------------------------------------------------------------------


def test_a_400_digit_spend_text_fails_its_item_alone() -> None:
    ads, failures = parse_apify_items([apify_item("100"), apify_item("200", spend="1" * 400), apify_item("300")])
    assert [ad.source_ad_id for ad in ads] == ["100", "300"]
    failure = only_failure(failures)
    assert failure.reason == "spend has 400 digits, more than a 64-bit integer holds"
    assert failure.source_ad_id == "200"


def test_a_5000_digit_bound_fails_its_item_alone_before_it_is_converted() -> None:
    hostile = meta_item("200", spend={"lower_bound": "9" * 5000, "upper_bound": "1"})
    _, failures = parse_meta_between_good_items(hostile)
    failure = only_failure(failures)
    assert failure.reason == "spend.lower_bound has 5000 digits, more than a 64-bit integer holds"
    assert failure.source_ad_id == "200"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("impressions", {"lower_bound": 10**20}, f"impressions.lower_bound is {10**20}, beyond a 64-bit integer"),
        ("spend", {"upper_bound": "9,223,372,036,854,775,808"}, f"spend.upper_bound is {2**63}, beyond a 64-bit"),
        ("spend", {"lower_bound": 1e300}, "spend.lower_bound is a 997-bit number, beyond a 64-bit integer"),
        ("page_id", -(10**20), f"page_id is {-(10**20)}, beyond a 64-bit integer"),
        ("ad_delivery_start_time", 10**400, "ad_delivery_start_time is a 1329-bit number, beyond a 64-bit integer"),
    ],
)
def test_an_integer_beyond_64_bits_fails_its_item_alone(field: str, value: Any, reason: str) -> None:
    _, failures = parse_meta_between_good_items(meta_item("200", **{field: value}))
    assert only_failure(failures).reason.startswith(reason)


def test_a_billion_billions_in_range_text_fails_its_item() -> None:
    hostile = apify_item("200", impressions_with_index={"impressions_text": "10,000,000,000B+", "impressions_index": 9})
    _, failures = parse_apify_items([apify_item("100"), hostile])
    assert only_failure(failures).reason == "impressions_text is 10000000000000000000, beyond a 64-bit integer"


# --- nesting -------------------------------------------------------------------------------------


def nested(levels: int) -> Any:
    value: Any = "https://x.example/?access_token=SECRET&q=1"
    for level in range(levels):
        value = {"child": value} if level % 2 else [value]
    return value


@pytest.mark.parametrize(("levels", "json_can_write_it"), [(500, True), (10_000, False)])
def test_nesting_thousands_of_levels_deep_is_redacted_and_parsed(levels: int, json_can_write_it: bool) -> None:
    page = {"data": [meta_item("100"), meta_item("200", demographic_distribution=nested(levels))]}
    redacted = redact_secrets(page, ("SECRET",))
    innermost = redacted["data"][1]["demographic_distribution"]
    for level in reversed(range(levels)):
        innermost = innermost["child"] if level % 2 else innermost[0]
    assert innermost == "https://x.example/?q=1"
    ads, failures = parse_meta_page(redacted)
    assert failures == [] and [ad.source_ad_id for ad in ads] == ["100", "200"]
    assert bson_flaw(ads[1].raw) == "nested deeper than 99 levels"
    page = ParsedPage(connector=Connector.META, request="http://meta/ads_archive", payload={}, ads=ads)
    if json_can_write_it:  # kept whole as JSON text
        document = ad_document(BRAND, page, ads[1], datetime.now(UTC))
        assert json.loads(document["payload_json"]) == ads[1].raw
    else:  # no JSON reader could have read it either; acquisition records the ad as a store failure
        with pytest.raises(RecursionError):
            ad_document(BRAND, page, ads[1], datetime.now(UTC))


# --- NUL characters and unpaired surrogates ------------------------------------------------------


def test_an_unpaired_surrogate_in_copy_becomes_a_replacement_character_with_a_note() -> None:
    ads, failures = parse_meta_between_good_items(meta_item("200", ad_creative_bodies=["50% off \ud83d today"]))
    assert failures == []
    hostile = ads[1]
    assert hostile.body == "50% off \ufffd today"
    assert hostile.notes == ["body: replaced 1 unpaired surrogate with U+FFFD"]
    assert "\ufffd" in hostile.model_dump_json()  # serialises, where the surrogate made it raise


def test_a_surrogate_pair_written_as_two_code_points_is_joined_without_a_note() -> None:
    ads, _ = parse_meta_between_good_items(meta_item("200", ad_creative_link_titles=["Glow \ud83d\ude00"]))
    assert (ads[1].title, ads[1].notes) == ("Glow \U0001f600", [])


def test_a_nul_character_in_a_title_is_removed_with_a_note() -> None:
    ads, _ = parse_meta_between_good_items(meta_item("200", ad_creative_link_titles=["Serum\x00 \x00sale"]))
    assert ads[1].title == "Serum sale"
    assert ads[1].notes == ["title: removed 2 NUL characters"]
    assert unstorable_reason(ads[1]) is None


@pytest.mark.parametrize(("ad_id", "flaw"), [("20\x000", "a NUL character"), ("20\udc000", "an unpaired surrogate")])
def test_an_id_with_a_nul_or_an_unpaired_surrogate_fails_its_item(ad_id: str, flaw: str) -> None:
    _, failures = parse_meta_page({"data": [meta_item("100"), meta_item(ad_id), meta_item("300")]})
    failure = only_failure(failures)
    assert failure.reason == f"id {ad_id!a} has {flaw}"
    assert failure.source_ad_id == ascii(ad_id)  # traceable, and storable itself


def test_an_id_longer_than_any_source_uses_fails_its_item() -> None:
    _, failures = parse_meta_page({"data": [meta_item("100"), meta_item("7" * 5000)]})
    assert failures[0].reason == "id is 5000 characters long; no source has ids above 256"


def test_a_url_with_a_nul_character_is_dropped_not_cleaned() -> None:
    hostile = apify_item("200")
    hostile["snapshot"]["link_url"] = "https://brand.example/\x00admin"
    hostile["snapshot"]["images"][0]["original_image_url"] = "https://cdn.example/a\ud800.jpg"
    ads, failures = parse_apify_items([apify_item("100"), hostile])
    assert failures == []
    assert (ads[1].link_url, ads[1].media, ads[1].title) == (None, [], "Alpine Trail Shoe")
    assert ads[1].notes == [
        "link_url dropped: its URL has a NUL character",
        "media[0] dropped: its URL has an unpaired surrogate",
    ]


def test_serpapi_details_keep_the_same_text_rules_as_listings() -> None:
    listed = parse_serpapi_listing(fixture("serpapi_listing_page1.json"))[0][1]
    details = fixture("serpapi_details_text.json")
    details["ad_creatives"][0]["title"] = "Alpine\x00 Trail"
    merged = apply_serpapi_details(listed, details)
    assert (merged.title, merged.notes) == ("Alpine Trail", ["title: removed 1 NUL character"])


def test_a_source_error_message_with_a_nul_is_escaped_not_kept() -> None:
    envelope = error_envelope({"error": {"message": "bad\x00 input \ud800", "code": 100}})
    assert envelope is not None and envelope.message == "bad\\x00 input \\ud800"


def test_unstorable_reason_names_the_field_postgres_would_refuse() -> None:
    ad = NormalizedAd(source="meta", source_ad_id="1", connector=Connector.APIFY, body="ok", cta="Buy\x00")
    assert unstorable_reason(ad) == "cta has a NUL character, which PostgreSQL cannot store"
    ranged = ad.model_copy(update={"cta": None, "spend": Range(lower=1, upper=2, text="1\ud8002")})
    assert unstorable_reason(ranged) == "spend.text has an unpaired surrogate, which PostgreSQL cannot store"
    media = ad.model_copy(update={"cta": None, "media": [MediaRef(kind=MediaKind.IMAGE, url="http://x/\x00")]})
    assert unstorable_reason(media) == "media[0].url has a NUL character, which PostgreSQL cannot store"


# --- ranges and dates that cannot be true --------------------------------------------------------


@pytest.mark.parametrize(
    ("spend", "note"),
    [
        ({"lower_bound": "-100", "upper_bound": "199"}, "spend dropped: a negative bound (-100 to 199)"),
        ({"lower_bound": "0", "upper_bound": "-1"}, "spend dropped: a negative bound (0 to -1)"),
        ({"lower_bound": "5000", "upper_bound": "100"}, "spend dropped: lower bound 5000 above upper bound 100"),
    ],
)
def test_a_negative_or_inverted_range_is_dropped_with_a_note(spend: dict[str, str], note: str) -> None:
    ads, failures = parse_meta_between_good_items(meta_item("200", spend=spend, impressions={"lower_bound": "1000"}))
    assert failures == []
    assert (ads[1].spend, ads[1].notes) == (None, [note])
    assert ads[1].impressions == Range(lower=1000)  # the rest of the ad stays


def test_an_inverted_range_in_scraper_text_is_dropped_with_a_note() -> None:
    ads, _ = parse_apify_items([apify_item("200", spend="$500 - $100", currency="USD")])
    assert (ads[0].spend, ads[0].notes) == (None, ["spend dropped: lower bound 500 above upper bound 100"])


def test_dates_before_any_ad_or_beyond_tomorrow_are_dropped_with_a_note() -> None:
    in_two_days = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    cases = {
        "201": ({"ad_delivery_start_time": -1_000_000_000}, "started_at dropped: 1938-04-24T22:13:20+00:00"),
        "202": ({"ad_delivery_start_time": 0}, "started_at dropped: 1970-01-01T00:00:00+00:00"),
        "203": ({"ad_delivery_stop_time": "9999-12-31"}, "ended_at dropped: 9999-12-31T00:00:00+00:00 is more"),
        "204": ({"ad_delivery_start_time": in_two_days.isoformat()}, "started_at dropped: "),
    }
    for ad_id, (fields, note) in cases.items():
        ads, failures = parse_meta_between_good_items(meta_item(ad_id, **fields))
        assert failures == [], ad_id
        (only_note,) = ads[1].notes
        assert only_note.startswith(note), (ad_id, only_note)
        assert (ads[1].started_at, ads[1].ended_at, ads[1].body) == (None, None, f"copy of {ad_id}")
    tomorrow = (datetime.now(UTC) + timedelta(hours=20)).replace(microsecond=0)
    ads, _ = parse_meta_between_good_items(meta_item("205", ad_delivery_start_time=tomorrow.isoformat()))
    assert (ads[1].started_at, ads[1].notes) == (tomorrow, [])  # within the day clocks may differ by


def test_an_end_before_the_start_drops_the_end_and_the_ad_stays_stopped() -> None:
    hostile = meta_item("200", ad_delivery_start_time="2024-03-01", ad_delivery_stop_time="2024-01-15")
    ads, _ = parse_meta_between_good_items(hostile)
    assert ads[1].started_at == datetime(2024, 3, 1, tzinfo=UTC)
    assert ads[1].ended_at is None and ads[1].is_active is False  # Meta said it stopped; only the date is wrong
    assert ads[1].notes == [
        "ended_at dropped: 2024-01-15T00:00:00+00:00 is before started_at 2024-03-01T00:00:00+00:00"
    ]


def test_a_date_beyond_the_calendar_fails_its_item_as_unreadable() -> None:
    _, failures = parse_meta_between_good_items(meta_item("200", ad_delivery_start_time="9999-12-31T23:00:00-05:00"))
    assert only_failure(failures).reason == (
        "ad_delivery_start_time is '9999-12-31T23:00:00-05:00', outside the range of dates"
    )


# --- raw documents -------------------------------------------------------------------------------


def page_of(items: list[dict[str, Any]]) -> tuple[ParsedPage, list[NormalizedAd]]:
    ads, _ = parse_meta_page({"data": items})
    return ParsedPage(connector=Connector.META, request="http://meta/ads_archive", payload={}, ads=ads), ads


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"a\x00b": 1}, "a key with a NUL character"),
        ({"$where": "1"}, "a key starting with '$'"),
        ({"eu.reach": 5}, "a key with a '.'"),
        ({"reach": 10**20}, "an integer beyond 64 bits"),
        ({"note": "half \ud83d"}, "a string with an unpaired surrogate"),
        ({"deep": nested(150)}, "nested deeper than 99 levels"),
    ],
)
def test_a_raw_item_bson_cannot_hold_is_kept_whole_as_its_json_text(extra: dict[str, Any], reason: str) -> None:
    item = meta_item("200", eu_total_reach=extra)
    page, ads = page_of([item])
    document = ad_document(BRAND, page, ads[0], datetime.now(UTC))
    assert document["payload_json_reason"] == reason and "payload" not in document
    assert json.loads(document["payload_json"]) == item  # nothing of the item is lost
    assert document["payload_json"].isascii()
    bson.encode(document, check_keys=True)  # what MongoDB and montydb accept


def test_a_raw_item_bson_can_hold_stays_a_document_with_the_parsers_notes() -> None:
    item = meta_item("200", ad_creative_link_titles=["Serum\x00"], eu_total_reach={"FR": 12})
    page, ads = page_of([item])
    document = ad_document(BRAND, page, ads[0], datetime.now(UTC))
    assert document["payload"] == item and "payload_json" not in document
    assert document["notes"] == ["title: removed 1 NUL character"]
    bson.encode(document, check_keys=True)


def test_a_records_id_is_what_it_records_not_when() -> None:
    page, ads = page_of([meta_item("200"), meta_item("201")])
    first = ad_document(BRAND, page, ads[0], datetime(2026, 1, 1, tzinfo=UTC))
    again = ad_document(BRAND, page, ads[0], datetime(2026, 2, 1, tzinfo=UTC))
    assert first["_id"] == again["_id"]
    changed = ads[0].model_copy(update={"raw": {**ads[0].raw, "ad_creative_bodies": ["new copy"]}})
    assert ad_document(BRAND, page, changed, datetime.now(UTC))["_id"] != first["_id"]
    assert ad_document(BRAND, page, ads[1], datetime.now(UTC))["_id"] != first["_id"]

    def failure_id(position: int, source_ad_id: str | None, reason: str) -> str:
        document = failure_document(BRAND, page, "parse_failure", position, source_ad_id, reason, datetime.now(UTC))
        return str(document["_id"])

    assert failure_id(3, "9", "spend has 400 digits") == failure_id(7, "9", "spend has 400 digits")
    assert failure_id(3, "9", "spend has 400 digits") != failure_id(3, "9", "spend has 401 digits")
    assert failure_id(3, None, "item is a string") != failure_id(4, None, "item is a string")
