"""Source parsers turn saved Meta, Apify and SerpApi payloads into NormalizedAds, item by item.

Pinned here: every field mapping the three sources need (ids, copy, dates, platforms, ranges,
media), the odd cases each source has (open-ended ranges, undisclosed impressions, DPA/DCO
placeholder copy, HTML5 creatives without an image, "no results" answers), per-item failures
that leave the other items parsed (garbage and hostile values in every field included, each item
an ad every store takes or a failure with a rule's reason), unknown fields kept in ``raw``, tokens
redacted from everything stored, and reading saved payload files including JSON lines with a
broken line.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
import pytest

from adology.acquisition.raw import ad_document
from adology.acquisition.rows import unstorable_reason
from adology.brands import Brand
from adology.errors import SourceError
from adology.sources.apify import parse_apify_items
from adology.sources.meta import parse_meta_page
from adology.sources.models import Connector, MediaKind, MediaRef, NormalizedAd, ParsedPage, Range
from adology.sources.payloads import load_payload_file, parse_payload
from adology.sources.redaction import redact_secrets
from adology.sources.serpapi import apply_serpapi_details, parse_serpapi_listing

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
META_TOKEN = "EAAB-FIXTURE-TOKEN-0001"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def by_id(ads: list[NormalizedAd]) -> dict[str, NormalizedAd]:
    return {ad.source_ad_id: ad for ad in ads}


# --- Meta Ad Library API -------------------------------------------------------------------------


def test_meta_page_maps_every_ad_field() -> None:
    ads, failures = parse_meta_page(fixture("meta_ads_archive_page.json"))
    assert failures == []
    assert [ad.source_ad_id for ad in ads] == ["1023456789012345", "2034567890123456", "3045678901234567"]
    political = ads[0]
    assert (political.source, political.connector) == ("meta", Connector.META)
    assert (political.advertiser_id, political.advertiser_name) == ("104000000000001", "Friends of Parks")
    assert political.body == "Vote YES on Measure 12: cleaner parks for every neighbourhood."
    assert political.title == "Yes on 12"
    assert political.platforms == ["facebook", "instagram"]
    assert political.started_at == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    # Meta has no media, CTA or landing link: they come from a scraper.
    assert (political.media, political.cta, political.link_url) == ([], None, None)


def test_meta_political_ranges_keep_currency_and_open_upper_bound() -> None:
    political = parse_meta_page(fixture("meta_ads_archive_page.json"))[0][0]
    assert political.spend == Range(lower=1000, upper=1499, currency="USD")
    assert political.impressions == Range(lower=1_000_000, upper=None)


def test_meta_absent_stop_time_means_active_and_a_stop_time_means_ended() -> None:
    ads = by_id(parse_meta_page(fixture("meta_ads_archive_page.json"))[0])
    running, stopped = ads["1023456789012345"], ads["2034567890123456"]
    assert (running.is_active, running.ended_at) == (True, None)
    assert stopped.is_active is False
    # "+0100" offset is converted, not dropped.
    assert stopped.ended_at == datetime(2024, 2, 15, 22, 59, 59, tzinfo=UTC)
    assert stopped.ended_at.tzinfo is not None


def test_meta_date_only_start_and_missing_copy_are_accepted() -> None:
    sparse = by_id(parse_meta_page(fixture("meta_ads_archive_page.json"))[0])["3045678901234567"]
    assert sparse.started_at == datetime(2024, 4, 2, tzinfo=UTC)
    assert (sparse.body, sparse.title, sparse.spend, sparse.impressions) == (None, None, None, None)
    assert sparse.platforms == ["threads"]


def test_meta_unknown_and_eu_fields_are_ignored_but_kept_in_raw() -> None:
    eu_ad = by_id(parse_meta_page(fixture("meta_ads_archive_page.json"))[0])["2034567890123456"]
    assert eu_ad.raw["some_future_field"] == {"nested": ["kept", "in", "raw"]}
    assert eu_ad.raw["eu_total_reach"] == 184000
    assert eu_ad.raw["target_locations"][0]["name"] == "Germany"


def test_meta_raw_has_the_access_token_redacted_from_snapshot_urls() -> None:
    ads, _ = parse_payload(Connector.META, fixture("meta_ads_archive_page.json"))
    for ad in ads:
        stored = json.dumps(ad.raw) + ad.model_dump_json()
        assert META_TOKEN not in stored and "access_token" not in stored
        assert ad.raw["ad_snapshot_url"] == f"https://www.facebook.com/ads/archive/render_ad/?id={ad.source_ad_id}"


def test_meta_bad_items_fail_alone_with_position_and_reason() -> None:
    ads, failures = parse_meta_page(fixture("meta_items_with_failures.json"))
    assert [ad.source_ad_id for ad in ads] == ["5000000000000001", "5000000000000007"]
    assert ads[1].started_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # unix seconds
    reasons = {failure.position: (failure.reason, failure.source_ad_id) for failure in failures}
    assert set(reasons) == {1, 2, 3, 4, 5}
    assert reasons[1] == ("missing id", None)
    assert reasons[2] == ("item is a string, expected an object", None)
    assert reasons[3][1] == "5000000000000004" and "ad_delivery_start_time" in reasons[3][0]
    assert "last tuesday" in reasons[3][0]
    assert reasons[4] == ("spend is a string, expected {lower_bound, upper_bound}", "5000000000000005")
    assert reasons[5] == ("publisher_platforms is an object, expected an array", "5000000000000006")


def test_meta_error_envelope_and_non_page_payloads_raise_source_error() -> None:
    with pytest.raises(SourceError, match=r"Invalid parameter \(code 100\)"):
        parse_meta_page({"error": {"message": "Invalid parameter", "type": "OAuthException", "code": 100}})
    with pytest.raises(SourceError, match="no data array"):
        parse_meta_page({"paging": {}})
    with pytest.raises(SourceError, match="is a string"):
        parse_meta_page("<html>")


# --- Apify scrapers ------------------------------------------------------------------------------


def test_apify_snake_case_image_ad() -> None:
    ads, _ = parse_apify_items(fixture("apify_snake_case_items.json"))
    image_ad = by_id(ads)["1111111111111111"]
    assert (image_ad.source, image_ad.connector) == ("meta", Connector.APIFY)
    assert (image_ad.advertiser_id, image_ad.advertiser_name) == ("104000000000002", "Acme Outdoor")
    assert image_ad.body == "Waterproof to the last stitch. Meet the Alpine Trail Shoe."
    assert image_ad.title == "Alpine Trail Shoe"
    assert image_ad.cta == "Shop now"
    assert image_ad.link_url == "https://acme-outdoor.example/alpine?utm_source=facebook"
    assert image_ad.display_format == "IMAGE"
    assert image_ad.platforms == ["facebook", "instagram"]
    assert image_ad.started_at == datetime(2024, 3, 1, tzinfo=UTC)
    # A running ad's end_date is the scrape day, not an end.
    assert (image_ad.is_active, image_ad.ended_at) == (True, None)
    assert image_ad.media == [
        MediaRef(
            kind=MediaKind.IMAGE, url="https://scontent.example/v/t39/alpine-original.jpg?stp=dst-jpg&oh=11&oe=66AA"
        )
    ]
    assert image_ad.raw["gated_type"] == "ELIGIBLE"  # unknown field, kept


def test_apify_video_ad_keeps_hd_video_and_preview_image_and_disclosed_ranges() -> None:
    video_ad = by_id(parse_apify_items(fixture("apify_snake_case_items.json"))[0])["2222222222222222"]
    assert video_ad.media == [
        MediaRef(kind=MediaKind.VIDEO, url="https://video.example/v/t42/yes12-hd.mp4?oh=21&oe=66AA"),
        MediaRef(
            kind=MediaKind.IMAGE, url="https://scontent.example/v/t15/yes12-preview.jpg?oh=23&oe=66AA", role="preview"
        ),
    ]
    assert video_ad.is_active is False
    assert video_ad.ended_at == datetime(2024, 4, 1, tzinfo=UTC)
    assert video_ad.spend == Range(lower=100, upper=199, currency="USD", text="$100 - $199")
    assert video_ad.impressions == Range(lower=1000, upper=5000, text="1K-5K")


def test_apify_carousel_cards_become_card_media_and_copy_stays_on_the_snapshot() -> None:
    carousel = by_id(parse_apify_items(fixture("apify_snake_case_items.json"))[0])["3333333333333333"]
    assert (carousel.body, carousel.title) == ("Three ways to stay dry this spring.", "Spring rain kit")
    assert carousel.link_url == "https://acme-outdoor.example/spring"
    assert [(ref.kind, ref.role, ref.url.split("?")[0].rsplit("/", 1)[1]) for ref in carousel.media] == [
        (MediaKind.IMAGE, "card", "storm-shell.jpg"),
        (MediaKind.IMAGE, "card", "alpine-card.jpg"),
        (MediaKind.VIDEO, "card", "rain-test-hd.mp4"),
        (MediaKind.IMAGE, "preview", "rain-test-preview.jpg"),
    ]
    assert carousel.platforms == ["facebook", "instagram", "audience_network"]


def test_apify_undisclosed_impressions_index_reads_as_none_even_with_text() -> None:
    ads = by_id(parse_apify_items(fixture("apify_snake_case_items.json"))[0])
    undisclosed = {"impressions_text": "<100", "impressions_index": -1}
    assert ads["3333333333333333"].raw["impressions_with_index"] == undisclosed
    assert ads["3333333333333333"].impressions is None
    assert ads["1111111111111111"].impressions is None


def test_apify_dpa_placeholder_copy_is_taken_from_the_first_card() -> None:
    dpa = by_id(parse_apify_items(fixture("apify_snake_case_items.json"))[0])["4444444444444444"]
    assert dpa.body == "Storm Shell jacket, now 20% off"
    assert dpa.title == "Storm Shell"
    assert dpa.cta == "Buy now"
    assert dpa.link_url == "https://acme-outdoor.example/p/storm-shell"
    assert [ref.role for ref in dpa.media] == ["card", "card"]
    assert dpa.started_at == datetime(2024, 5, 1, tzinfo=UTC)  # numeric string seconds


def test_apify_placeholder_copy_without_cards_is_dropped_not_kept() -> None:
    item = {"ad_archive_id": "42", "snapshot": {"body": {"text": "{{product.name}}"}, "cta_text": "Shop now"}}
    ads, failures = parse_apify_items([item])
    assert failures == []
    assert (ads[0].body, ads[0].cta) == (None, "Shop now")


def test_apify_bad_item_fails_alone_with_its_id() -> None:
    ads, failures = parse_apify_items(fixture("apify_snake_case_items.json"))
    assert len(ads) == 4
    assert [(f.position, f.source_ad_id, f.reason) for f in failures] == [
        (4, "5555555555555555", "snapshot is a string, expected an object")
    ]


def test_apify_camel_case_items_parse_the_same_way() -> None:
    ads, failures = parse_apify_items(fixture("apify_camel_case_items.json"))
    assert failures == []
    video, dco = ads
    assert (video.source_ad_id, video.advertiser_id, video.advertiser_name) == (
        "6666666666666666",
        "104000000000002",
        "Acme Outdoor",
    )
    assert (video.cta, video.link_url, video.display_format) == (
        "Watch more",
        "https://acme-outdoor.example/storm-shell",
        "VIDEO",
    )
    assert video.media[0] == MediaRef(
        kind=MediaKind.VIDEO, url="https://video.example/v/t42/storm-hd.mp4?oh=61&oe=66AA"
    )
    assert video.media[1].role == "preview"
    assert (video.is_active, video.platforms, video.impressions) == (True, ["facebook", "instagram"], None)
    assert (dco.body, dco.title, dco.link_url) == (
        "Warm layers for cold mornings",
        "Base Layer",
        "https://acme-outdoor.example/base-layer",
    )
    assert dco.ended_at == datetime(2024, 2, 1, tzinfo=UTC)


def test_apify_page_that_is_not_a_list_raises() -> None:
    with pytest.raises(SourceError, match="expected an array of items"):
        parse_apify_items({"error": {"type": "record-not-found", "message": "Dataset was not found"}})


# --- SerpApi Google Ads Transparency Center -------------------------------------------------------


def test_serpapi_listing_maps_creatives_and_html5_has_no_media() -> None:
    ads, failures = parse_serpapi_listing(fixture("serpapi_listing_page1.json"))
    assert failures == []
    image_ad, html5_ad = ads
    assert (image_ad.source, image_ad.connector, image_ad.source_ad_id) == (
        "google",
        Connector.SERPAPI,
        "CR10000000000000000001",
    )
    assert (image_ad.advertiser_id, image_ad.advertiser_name) == ("AR01234567890123456789", "Acme Outdoor LLC")
    assert image_ad.media == [
        MediaRef(
            kind=MediaKind.IMAGE,
            url="https://tpc.googlesyndication.com/archive/simgad/1000000000000000001",
            width=300,
            height=250,
        )
    ]
    assert image_ad.link_url == "https://acme-outdoor.example"
    assert (image_ad.display_format, image_ad.started_at, image_ad.ended_at) == (
        "image",
        datetime(2024, 3, 1, tzinfo=UTC),
        datetime(2024, 5, 24, tzinfo=UTC),
    )
    assert (html5_ad.media, html5_ad.link_url, html5_ad.body) == ([], None, None)
    assert html5_ad.raw["total_days_shown"] == 54


def test_serpapi_video_thumbnail_is_a_preview_and_schemed_domain_is_kept() -> None:
    ads, failures = parse_serpapi_listing(fixture("serpapi_listing_page2.json"))
    video = ads[0]
    assert video.media[0].role == "preview" and video.media[0].kind is MediaKind.IMAGE
    assert video.link_url == "https://shop.acme-outdoor.example"
    assert video.started_at == datetime(2024, 5, 1, tzinfo=UTC)
    assert [(f.position, f.reason) for f in failures] == [(1, "missing ad_creative_id")]


def test_serpapi_no_results_is_zero_ads_and_zero_failures() -> None:
    assert parse_serpapi_listing(fixture("serpapi_no_results.json")) == ([], [])


def test_serpapi_other_errors_raise() -> None:
    with pytest.raises(SourceError, match="Invalid API key"):
        parse_serpapi_listing(
            {"error": "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key"}
        )


def test_serpapi_details_add_copy_link_and_cta_from_the_first_variant() -> None:
    html5_ad = parse_serpapi_listing(fixture("serpapi_listing_page1.json"))[0][1]
    merged = apply_serpapi_details(html5_ad, fixture("serpapi_details_text.json"))
    assert merged.title == "Alpine Trail Shoes | Waterproof, 60-Day Returns"
    assert merged.body == "Grip on wet rock, dry feet all day. Free shipping over $50."
    assert merged.link_url == "https://acme-outdoor.example/trail?gclid=example"
    assert merged.cta == "Shop now"
    assert (merged.source_ad_id, merged.started_at) == (html5_ad.source_ad_id, html5_ad.started_at)
    assert merged.raw["details"]["search_information"]["region_name"] == "United States"
    assert merged.raw["total_days_shown"] == 54
    assert merged.content_hash() != html5_ad.content_hash()


def test_serpapi_video_details_add_the_video_and_keep_the_sized_thumbnail() -> None:
    video_ad = parse_serpapi_listing(fixture("serpapi_listing_page2.json"))[0][0]
    merged = apply_serpapi_details(video_ad, fixture("serpapi_details_video.json"))
    assert merged.title == "Rain test: 60 seconds in a storm"
    assert merged.body == "We stood in a storm for 60 seconds so you do not have to"
    assert merged.cta == "Watch now"
    assert merged.media == [
        MediaRef(
            kind=MediaKind.IMAGE,
            url="https://i.ytimg.com/vi/aBcDeFgHiJk/hqdefault.jpg",
            role="preview",
            width=480,
            height=360,
        ),
        MediaRef(kind=MediaKind.VIDEO, url="https://rr1---sn-example.googlevideo.com/videoplayback?id=abc&itag=18"),
    ]


def test_serpapi_details_error_raises() -> None:
    html5_ad = parse_serpapi_listing(fixture("serpapi_listing_page1.json"))[0][1]
    with pytest.raises(SourceError, match="CR10000000000000000002"):
        apply_serpapi_details(html5_ad, fixture("serpapi_no_results.json"))
    with pytest.raises(SourceError, match="ad_creatives"):
        apply_serpapi_details(html5_ad, {"ad_creatives": "oops"})


# --- robustness against garbage ----------------------------------------------------------------

GARBAGE = [[], {}, "x", "{{product.name}}", 1.5, 10**30, -1, True, [None], [{}], [[1]], {"text": 5}, float("nan")]
# what a hostile source sends: numbers no store holds, text PostgreSQL and UTF-8 refuse, keys BSON
# refuses, impossible ranges and dates
HOSTILE = [
    "9" * 400,
    "9" * 5000,
    10**20,
    -(2**63) - 1,
    1e300,
    float("inf"),
    "Serum\x00 sale",
    "half \ud83d",
    "\x00",
    "-1,000",
    "$500 - $100",
    "10,000,000,000B",
    -1_000_000_000,
    "9999-12-31T23:00:00-05:00",
    "0001-01-01T00:00:00+05:00",
    {"lower_bound": "500", "upper_bound": "-5"},
    {"a\x00b": 1, "$where": 2, "eu.reach": 3},
    [{"text": "\udc00"}],
]


def field_paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every key and (first two) list positions inside ``value``, depth first."""
    children = value.items() if isinstance(value, dict) else enumerate(value[:2]) if isinstance(value, list) else []
    for key, child in children:
        yield (*prefix, key)
        yield from field_paths(child, (*prefix, key))


def with_value_at(item: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    mutated = copy.deepcopy(item)
    container: Any = mutated
    for step in path[:-1]:
        container = container[step]
    container[path[-1]] = value
    return mutated


@pytest.mark.parametrize(
    ("parse", "items"),
    [
        (parse_meta_page, fixture("meta_ads_archive_page.json")["data"]),
        (parse_apify_items, fixture("apify_snake_case_items.json")[:4] + fixture("apify_camel_case_items.json")),
        (
            lambda items: parse_serpapi_listing({"ad_creatives": items}),
            fixture("serpapi_listing_page1.json")["ad_creatives"],
        ),
    ],
    ids=["meta", "apify", "serpapi"],
)
def test_garbage_in_any_field_fails_only_its_own_item(parse: Any, items: list[dict[str, Any]]) -> None:
    """Each garbage or hostile value in each field: the item parses into an ad every store takes, or
    fails alone with a reason a rule gave (never an exception, never "unexpected")."""
    healthy = items[0]
    healthy_id = parse([healthy])[0][0].source_ad_id
    brand = Brand(1, "garbage-brand", "Garbage", "tracked", ())
    for item in items:
        for path in field_paths(item):
            for value in GARBAGE + HOSTILE:
                ads, failures = parse([healthy, with_value_at(item, path, value)])
                assert ads[0].source_ad_id == healthy_id, (path, value)
                assert len(ads) + len(failures) == 2, (path, value)
                assert all(failure.position == 1 and failure.reason for failure in failures), (path, value)
                assert not any(failure.reason.startswith("unexpected") for failure in failures), (path, value)
                page = ParsedPage(connector=ads[0].connector, request="http://source/page", payload={}, ads=ads)
                for ad in ads:
                    assert unstorable_reason(ad) is None, (path, value)
                    ad.model_dump_json()
                    bson.encode(ad_document(brand, page, ad, datetime.now(UTC)), check_keys=True)


# --- timestamps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        1709251200,
        "1709251200",
        1709251200000,
        "2024-03-01T00:00:00+0000",
        "2024-03-01T01:00:00+01:00",
        "2024-03-01T00:00:00Z",
        "2024-03-01T00:00:00",
        "2024-03-01",
    ],
)
def test_every_timestamp_form_reads_as_the_same_utc_instant(value: object) -> None:
    ads, failures = parse_meta_page([{"id": "1", "ad_delivery_start_time": value}])
    assert failures == []
    assert ads[0].started_at == datetime(2024, 3, 1, tzinfo=UTC)
    assert ads[0].started_at.utcoffset() is not None


# --- payload files, dispatch and redaction -------------------------------------------------------


def test_json_lines_with_a_malformed_line_report_its_line_number(tmp_path: Path) -> None:
    documents, failures = load_payload_file(FIXTURES / "apify_items.jsonl")
    assert [document["ad_archive_id"] for document in documents] == ["1111111111111111", "2222222222222222"]
    assert len(failures) == 1
    assert failures[0].position == 3
    assert failures[0].reason.startswith("line 3 is not valid JSON")
    ads = [ad for document in documents for ad in parse_payload(Connector.APIFY, document)[0]]
    assert [ad.source_ad_id for ad in ads] == ["1111111111111111", "2222222222222222"]


def test_a_single_json_page_or_list_is_one_document() -> None:
    page_documents, page_failures = load_payload_file(FIXTURES / "meta_ads_archive_page.json")
    assert page_failures == [] and len(page_documents) == 1
    assert len(parse_payload(Connector.META, page_documents[0])[0]) == 3
    list_documents, _ = load_payload_file(FIXTURES / "apify_camel_case_items.json")
    assert len(list_documents) == 1
    assert len(parse_payload(Connector.APIFY, list_documents[0])[0]) == 2


def test_a_file_that_is_neither_json_nor_json_lines_raises(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "1"},\n')
    with pytest.raises(SourceError, match="not valid JSON"):
        load_payload_file(broken)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    assert load_payload_file(empty) == ([], [])


def test_parse_payload_dispatches_serpapi_listings_and_details() -> None:
    listing_ads, _ = parse_payload(Connector.SERPAPI, fixture("serpapi_listing_page1.json"))
    assert [ad.source_ad_id for ad in listing_ads] == ["CR10000000000000000001", "CR10000000000000000002"]
    details_ads, failures = parse_payload(Connector.SERPAPI, fixture("serpapi_details_text.json"))
    assert failures == []
    assert (details_ads[0].source_ad_id, details_ads[0].advertiser_id, details_ads[0].cta) == (
        "CR10000000000000000002",
        "AR01234567890123456789",
        "Shop now",
    )
    orphan_ads, orphan_failures = parse_payload(
        Connector.SERPAPI, {"search_parameters": {"engine": "google_ads_transparency_center_ad_details"}}
    )
    assert orphan_ads == [] and "creative_id" in orphan_failures[0].reason


def test_redact_secrets_removes_secret_keys_and_url_parameters_deeply() -> None:
    payload: dict[str, Any] = {
        "paging": {"next": "https://graph.facebook.com/v23.0/ads_archive?limit=3&access_token=SECRET1&after=abc"},
        "items": [
            {"url": "https://serpapi.com/search.json?api_key=SECRET2&engine=x"},
            "see https://x.example/?token=SECRET3",
        ],
        "access_token": "SECRET4",
        "Token": "SECRET5",
        "note": "What? token=not-a-url-parameter",
    }
    redacted = redact_secrets(payload)
    assert "SECRET" not in json.dumps(redacted)
    assert redacted["paging"]["next"] == "https://graph.facebook.com/v23.0/ads_archive?limit=3&after=abc"
    assert redacted["items"][0] == {"url": "https://serpapi.com/search.json?engine=x"}
    assert redacted["items"][1] == "see https://x.example/"
    assert redacted["note"] == payload["note"]
    assert "SECRET1" in payload["paging"]["next"]  # a copy: the original is untouched


def test_redact_secrets_masks_the_callers_own_secrets_wherever_they_are_echoed() -> None:
    payload = {"error": {"message": "bad key k3y-123 (k3y-123)"}, "k3y-123": ["x?api_key=k3y-123&q=1", 7, None]}
    redacted = redact_secrets(payload, ("k3y-123",))
    assert redacted == {"error": {"message": "bad key [redacted] ([redacted])"}, "[redacted]": ["x?q=1", 7, None]}
