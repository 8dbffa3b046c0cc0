"""What the API serves from the materialized tables, on the running server: ads with filters and
pages, one ad with its creatives, CSV exports, semantic search, brands, insights, reports, brand
membership and onboarding, requests and notifications."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
import psycopg
import pytest

from adology.brands import BrandSource, upsert_brand
from adology.settings import Settings
from adology.sources.models import Connector
from api.schemas import AdOut
from tests.api_world import TOPICS, Api, World


@pytest.fixture(scope="module")
def admin(api: Api, tokens: dict[str, str]) -> httpx.Client:
    return api.as_user(tokens["a_admin"])


def _all_pages(client: httpx.Client, path: str, **params: object) -> list[dict[str, object]]:
    items, cursor = [], None
    while True:
        page = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_a_brandspaces_ads_are_its_brands_ads_paged_without_gaps_or_repeats(world: World, admin: httpx.Client) -> None:
    path = f"/v1/brandspaces/{world.a.brandspace.id}/ads"
    items = _all_pages(admin, path, limit=5)
    expected = {ad for role in ("primary", "competitor", "followed") for ad in world.ads[world.brands[role]]}
    assert [item["id"] for item in items] == sorted(expected, reverse=True)
    AdOut.model_validate(items[0])
    assert admin.get(path, params={"limit": 101}).status_code == 422
    assert admin.get(path, params={"cursor": "not-a-cursor"}).json()["code"] == "invalid_cursor"
    brands_cursor = admin.get("/v1/brands", params={"limit": 1}).json()["next_cursor"]
    assert admin.get(path, params={"cursor": brands_cursor}).json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"format": "video"}, lambda i: i % 3 == 0),
        ({"platform": "instagram"}, lambda i: i % 2 == 1),
        ({"active": "false"}, lambda i: i % 4 == 0),
        ({"label": "topic:lipstick"}, lambda i: i % 4 == 2),
        ({"attribute": "offer_type=DISCOUNT"}, lambda i: i % 2 == 1),
        ({"q": "sunscreen tube"}, lambda i: i % 4 == 1),
        ({"q": "Ad 5 of"}, lambda i: i == 5),
    ],
    ids=["format", "platform", "active", "label", "attribute", "text in description", "text in copy"],
)
def test_each_filter_narrows_the_ads(world: World, admin: httpx.Client, params: dict[str, str], keep: object) -> None:
    key = world.brands["primary"]
    found = _all_pages(admin, f"/v1/brandspaces/{world.a.brandspace.id}/ads", brand=key, **params)
    expected = [ad for i, ad in enumerate(world.ads[key]) if keep(i)]  # type: ignore[operator]
    assert sorted(item["id"] for item in found) == sorted(expected)


def test_started_dates_filter_and_the_library_list_spans_every_brand(world: World, admin: httpx.Client) -> None:
    key = world.brands["b_only"]
    everything = _all_pages(admin, "/v1/ads", brand=key)
    assert len(everything) == len(world.ads[key])  # the library is shared: B's brand is readable by A
    newest = max(item["started_at"] for item in everything)
    recent = _all_pages(admin, "/v1/ads", brand=key, started_after=newest)
    assert [item["started_at"] for item in recent] == [newest]
    assert admin.get("/v1/ads", params={"started_after": "yesterday"}).status_code == 422


def test_an_ad_in_full_with_a_creative_url_that_serves_the_stored_bytes(world: World, admin: httpx.Client) -> None:
    ad_id = world.ads[world.brands["primary"]][1]
    detail = admin.get(f"/v1/ads/{ad_id}").json()
    assert detail["description"]["description"] in TOPICS.values()
    assert detail["description"]["attributes"] == {"offer_type": "discount"}
    assert [label["label"] for label in detail["labels"]] == ["topic:sunscreen"]
    (creative,) = detail["creatives"]
    fetched = httpx.get(creative["url"])
    assert fetched.status_code == 200 and fetched.content.startswith(b"\x89PNG") and len(fetched.content) == 72
    assert admin.get("/v1/ads/999999999999").status_code == 404
    assert admin.get("/v1/ads/-1").status_code == 422


def test_lists_stream_as_csv_with_a_header_proper_quoting_and_no_formulas(world: World, admin: httpx.Client) -> None:
    path = f"/v1/brandspaces/{world.a.brandspace.id}/ads"
    by_header = admin.get(path, headers={"Accept": "text/csv"})
    by_suffix = admin.get(path + ".csv")
    assert by_header.status_code == by_suffix.status_code == 200
    assert by_header.headers["content-type"].startswith("text/csv")
    assert "attachment" in by_header.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(by_suffix.text)))
    assert len(rows) == 3 * len(world.ads[world.brands["primary"]])  # every row, not a page
    assert list(rows[0]) == list(AdOut.model_fields)
    first = next(row for row in rows if row["id"] == str(world.ads[world.brands["primary"]][0]))
    assert first["title"].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    assert '"quotes"' in first["body"] and "\n" in first["body"]
    assert first["platforms"] == '["facebook"]'
    requests_csv = admin.get("/v1/requests.csv")
    assert requests_csv.status_code == 200 and str(world.request_id) in requests_csv.text


def test_semantic_search_finds_the_ads_about_the_query_within_the_brandspace(world: World, admin: httpx.Client) -> None:
    found = admin.get(
        f"/v1/brandspaces/{world.a.brandspace.id}/search",
        params={"q": "a moisturizing serum with water drops", "limit": 50},
    ).json()
    assert found["model"] == "wordllama-l2-256"
    held = {ad for role in ("primary", "competitor", "followed") for ad in world.ads[world.brands[role]]}
    ids = [hit["id"] for hit in found["items"]]
    assert set(ids) <= held and len(ids) == len(held)
    assert set(ids[:6]) == set(world.topic_ads["hydration"]) & held
    similarities = [hit["similarity"] for hit in found["items"]]
    assert similarities == sorted(similarities, reverse=True)
    assert admin.get(f"/v1/brandspaces/{world.a.brandspace.id}/search", params={"q": "   "}).status_code == 422


def test_brands_are_searchable_and_show_their_sources_and_an_empty_insights_answer(
    world: World, admin: httpx.Client
) -> None:
    found = admin.get("/v1/brands", params={"q": f"{world.tag} COMPET"}).json()["items"]
    assert [brand["key"] for brand in found] == [world.brands["competitor"]]
    detail = admin.get(f"/v1/brands/{world.brands['competitor']}").json()
    assert detail["status"] == "analyzed" and detail["ads"] == 8 and detail["sources"][0]["source"] == "meta"
    insights = admin.get(f"/v1/brands/{world.brands['competitor']}/insights").json()
    assert insights == {"brand": world.brands["competitor"], "version": None, "insights": None, "versions": []}
    assert admin.get("/v1/brands/NOT_A_KEY").status_code == 422


def test_reports_list_their_versions_and_what_changed(world: World, admin: httpx.Client) -> None:
    base = f"/v1/brandspaces/{world.a.brandspace.id}/reports"
    assert [row["version"] for row in admin.get(base).json()] == [2, 1]
    latest = admin.get(f"{base}/latest").json()
    assert latest["version"] == 2 and latest["report"]["brandspace"] == world.a.brandspace.partition_key
    assert admin.get(f"{base}/1").json()["version"] == 1
    assert "topics_added" in admin.get(f"{base}/2/diff").json()
    assert admin.get(f"{base}/9").status_code == 404
    empty = admin.get(f"/v1/brandspaces/{world.a.other_brandspace.id}/reports/latest").json()
    assert empty == {"brandspace": world.a.other_brandspace.partition_key, "version": None, "report": None}


def test_adding_a_brand_makes_it_analyzed_with_a_request_and_removing_it_tracks_it_again(
    stack_settings: Settings, world: World, admin: httpx.Client
) -> None:
    key = f"api-{world.tag}-newcomer"
    with psycopg.connect(stack_settings.database_url or "") as conn:
        upsert_brand(conn, partition_key=key, name="Newcomer", sources=[BrandSource(Connector.META, "424242")])
    space = f"/v1/brandspaces/{world.a.other_brandspace.id}/brands"
    added = admin.put(f"{space}/{key}", json={"role": "followed"}).json()
    assert added["added"] is True and added["request_id"]
    assert admin.get(f"/v1/brands/{key}").json()["status"] == "analyzed"
    request = admin.get(f"/v1/requests/{added['request_id']}").json()
    assert request["brand"] == key and request["kind"] == "analyze"
    assert admin.put(f"{space}/{key}", json={"role": "competitor"}).json() | {"request_id": None} == {
        "brand": key,
        "role": "competitor",
        "added": False,
        "request_id": None,
    }
    second_primary = admin.put(f"{space}/{key}", json={"role": "primary"})
    assert second_primary.status_code == 200  # the other brandspace has no primary yet
    other = admin.put(f"{space}/{world.brands['competitor']}", json={"role": "primary"})
    assert other.status_code == 409
    assert admin.delete(f"{space}/{key}").json() == {"brand": key, "tracked": True}
    assert admin.get(f"/v1/brands/{key}").json()["status"] == "tracked"
    assert admin.delete(f"{space}/{key}").status_code == 404


def test_requests_are_accepted_for_held_brands_only(world: World, admin: httpx.Client) -> None:
    accepted = admin.post("/v1/requests", json={"brand": world.brands["competitor"]})
    assert accepted.status_code == 202
    request_id = accepted.json()["id"]
    assert admin.get(f"/v1/requests/{request_id}").json()["status"] in {"received", "queued", "running"}
    assert request_id in {item["id"] for item in _all_pages(admin, "/v1/requests")}
    refused = admin.post("/v1/requests", json={"brand": world.brands["b_only"]})
    assert refused.status_code == 422 and refused.json()["code"] == "brand_not_in_brandspace"
    assert admin.get(f"/v1/requests/{uuid.uuid4()}").status_code == 404


def test_notifications_list_and_are_marked_read(world: World, admin: httpx.Client) -> None:
    items = _all_pages(admin, "/v1/notifications", unread="true")
    assert world.notification_ids[0] in {item["id"] for item in items}
    assert admin.post(f"/v1/notifications/{world.notification_ids[0]}/read").status_code == 204
    unread = _all_pages(admin, "/v1/notifications", unread="true")
    assert world.notification_ids[0] not in {item["id"] for item in unread}


def test_a_brand_is_onboarded_from_the_sources_candidates(world: World, admin: httpx.Client) -> None:
    lookup = admin.post("/v1/brand-lookups", json={"name": "glow botanicals"})
    assert lookup.status_code == 201, lookup.text
    body = lookup.json()
    candidate = body["candidates"][0]
    assert candidate["name"] == "Glow Botanicals"
    assert {match["source"] for match in candidate["matches"]} == {"meta", "apify", "serpapi"}
    confirmed = admin.post(f"/v1/brand-lookups/{body['id']}/confirm", json={"candidate": 0}).json()
    handles = {(source["source"], source["handle"]) for source in confirmed["sources"]}
    assert {(match["source"], match["handle"]) for match in candidate["matches"]} <= handles
    again = admin.post("/v1/brand-lookups", json={"name": "Glow Botanicals"}).json()
    assert again["candidates"][0]["registered_brand"] == confirmed["key"]
    assert admin.post(f"/v1/brand-lookups/{body['id']}/confirm", json={"candidate": 7}).status_code == 404
    nothing = admin.post("/v1/brand-lookups", json={"name": "zzqx no such brand"}).json()
    assert nothing["candidates"] == []
    assert admin.post("/v1/brand-lookups", json={"name": "!!!"}).json()["code"] == "invalid_brand_query"


def test_large_answers_are_compressed(world: World, admin: httpx.Client) -> None:
    response = admin.get(
        f"/v1/brandspaces/{world.a.brandspace.id}/ads", params={"limit": 100}, headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip"


def test_nul_characters_are_refused_in_words_not_a_server_error(world: World, admin: httpx.Client) -> None:
    """Postgres cannot hold a NUL in text; schemathesis found a query with one answered 500."""
    for response in (
        admin.get("/v1/brands", params={"q": "\x00"}),
        admin.get(f"/v1/brandspaces/{world.a.brandspace.id}/ads", params={"q": "serum\x00"}),
        admin.post("/v1/brand-lookups", json={"name": "Glow\x00"}),
    ):
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["code"] == "invalid_request" and "NUL" in body["message"]
        assert body["request_id"] == response.headers["x-request-id"]
