"""Source clients over real HTTP: paging, retries, error envelopes and secret hygiene.

Each test starts an aiohttp server on 127.0.0.1 that answers in the sources' real shapes and
drives a client against it with the real HTTP session (``http_client``). Pinned: Meta cursor paging
and its throttling retries, non-retryable Meta errors raising SourceError without the token, the Apify
run-then-dataset flow (including waiting for a running run and refusing a failed one), SerpApi
listing paging with per-creative details merged under a concurrency bound, SerpApi "no results",
bounded retries of server errors and dropped connections, and that no token or key reaches a
ParsedPage, an exception or a log record (each request's own included).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adology.errors import SourceError, TransientSourceError
from adology.sources.clients import ApifyClient, MetaAdLibraryClient, SerpApiClient
from adology.sources.http import http_client
from adology.sources.models import ParsedPage
from tests.source_servers import FAST_RETRY, fixture, serving

META_TOKEN = "EAAB-client-test-token-7f3a9c"
APIFY_TOKEN = "apify_api_client-test-token-51de"
SERPAPI_KEY = "serpapi-client-test-key-0b77e2"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def collect(fetch: AsyncIterator[ParsedPage]) -> list[ParsedPage]:
    return [page async for page in fetch]


def assert_secret_absent(secret: str, pages: list[ParsedPage]) -> None:
    for page in pages:
        assert secret not in page.model_dump_json()
        assert secret not in json.dumps(page.payload)
        for ad in page.ads:
            assert secret not in ad.model_dump_json() and secret not in json.dumps(ad.raw)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at INFO and adology's at DEBUG (each source request), even if an earlier test
    stopped ``adology`` propagating."""
    adology_logger = logging.getLogger("adology")
    propagated = adology_logger.propagate
    adology_logger.propagate = True
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="adology")
    try:
        yield caplog
    finally:
        adology_logger.propagate = propagated


def assert_secret_not_logged(secret: str, caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in str(vars(record))


# --- Meta Ad Library API -------------------------------------------------------------------------


def meta_ad(ad_id: str, token: str) -> dict[str, Any]:
    """An ad as Meta sends it, snapshot URL embedding the caller's token."""
    return {
        "id": ad_id,
        "ad_creative_bodies": [f"Body of {ad_id}"],
        "ad_delivery_start_time": "2024-03-01T08:00:00+0000",
        "ad_snapshot_url": f"https://www.facebook.com/ads/archive/render_ad/?id={ad_id}&access_token={token}",
        "page_id": "104000000000002",
        "page_name": "Acme Outdoor",
        "publisher_platforms": ["facebook"],
    }


def meta_client(base_url: str, http: aiohttp.ClientSession, **options: Any) -> MetaAdLibraryClient:
    return MetaAdLibraryClient(
        access_token=META_TOKEN, http=http, base_url=base_url, page_size=1, retry=FAST_RETRY, **options
    )


def test_meta_follows_cursor_paging_across_three_pages(logs: pytest.LogCaptureFixture) -> None:
    queries: list[dict[str, str]] = []
    cursors = {None: ("111", "c1"), "c1": ("222", "c2"), "c2": ("333", None)}

    async def ads_archive(request: web.Request) -> web.Response:
        queries.append(dict(request.query))
        ad_id, after = cursors[request.query.get("after")]
        token = request.query["access_token"]
        paging: dict[str, Any] = {"cursors": {"before": "b", "after": after or "end"}}
        page = {"data": [meta_ad(ad_id, token)], "paging": paging}
        if after:
            paging["next"] = str(request.url.with_query({"access_token": token, "after": after}))
        return web.json_response(page)

    async def scenario() -> list[ParsedPage]:
        async with serving([web.get("/v23.0/ads_archive", ads_archive)]) as base_url, http_client(timeout=5) as http:
            return await collect(meta_client(base_url, http).fetch("104000000000002"))

    pages = asyncio.run(scenario())
    assert [[ad.source_ad_id for ad in page.ads] for page in pages] == [["111"], ["222"], ["333"]]
    assert [query.get("after") for query in queries] == [None, "c1", "c2"]
    first = queries[0]
    assert first["access_token"] == META_TOKEN
    assert (first["search_page_ids"], first["ad_active_status"], first["ad_type"], first["limit"]) == (
        "104000000000002",
        "ALL",
        "ALL",
        "1",
    )
    assert first["ad_reached_countries"] == '["ALL"]'
    assert {"id", "spend", "impressions", "ad_snapshot_url"} <= set(first["fields"].split(","))
    assert pages[0].request.startswith("http://127.0.0.1:") and "search_page_ids=104000000000002" in pages[0].request
    assert pages[0].payload["paging"]["next"].endswith("?after=c1")
    assert_secret_absent(META_TOKEN, pages)
    requested = [record.url for record in logs.records if record.getMessage() == "source request"]
    assert len(requested) == 3 and all("search_page_ids=104000000000002" in url for url in requested)
    assert_secret_not_logged(META_TOKEN, logs)


def test_meta_stops_at_the_page_limit() -> None:
    async def endless(request: web.Request) -> web.Response:
        after = int(request.query.get("after", "0")) + 1
        return web.json_response(
            {"data": [meta_ad(str(after), "t")], "paging": {"cursors": {"after": str(after)}, "next": "more"}}
        )

    async def scenario() -> list[ParsedPage]:
        async with serving([web.get("/v23.0/ads_archive", endless)]) as base_url, http_client(timeout=5) as http:
            return await collect(meta_client(base_url, http, max_pages=2).fetch("1"))

    assert [page.ads[0].source_ad_id for page in asyncio.run(scenario())] == ["1", "2"]


def test_meta_throttling_code_613_is_retried_until_it_succeeds(logs: pytest.LogCaptureFixture) -> None:
    calls = 0

    async def throttled_twice(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls <= 2:
            error = {
                "message": "Calls to this api have exceeded the rate limit.",
                "type": "OAuthException",
                "code": 613,
                "fbtrace_id": "AbCdEf123",
            }
            return web.json_response({"error": error}, status=400)
        return web.json_response({"data": [meta_ad("444", request.query["access_token"])], "paging": {}})

    async def scenario() -> list[ParsedPage]:
        async with (
            serving([web.get("/v23.0/ads_archive", throttled_twice)]) as base_url,
            http_client(timeout=5) as http,
        ):
            return await collect(meta_client(base_url, http).fetch("1"))

    pages = asyncio.run(scenario())
    assert calls == 3
    assert [ad.source_ad_id for page in pages for ad in page.ads] == ["444"]
    retries = [record for record in logs.records if record.getMessage() == "source request failed; retrying"]
    assert [record.__dict__["attempt"] for record in retries] == [1, 2]
    assert "code 613" in retries[0].__dict__["reason"]
    assert_secret_not_logged(META_TOKEN, logs)


def test_meta_invalid_token_raises_at_once_without_the_token(logs: pytest.LogCaptureFixture) -> None:
    calls = 0

    async def invalid_token(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        # Meta quotes the offending token back in some messages: it must still not leak.
        message = f"Invalid OAuth access token - Cannot parse access token {request.query['access_token']}"
        error = {"message": message, "type": "OAuthException", "code": 190, "fbtrace_id": "AbCdEf124"}
        return web.json_response({"error": error}, status=400)

    async def scenario() -> None:
        async with serving([web.get("/v23.0/ads_archive", invalid_token)]) as base_url, http_client(timeout=5) as http:
            await collect(meta_client(base_url, http).fetch("1"))

    with pytest.raises(SourceError) as raised:
        asyncio.run(scenario())
    error = raised.value
    assert not isinstance(error, TransientSourceError)
    assert calls == 1
    assert (error.code, error.status) == (190, 400)
    assert "Invalid OAuth access token" in str(error)
    assert META_TOKEN not in str(error) and META_TOKEN not in repr(error.args)
    assert_secret_not_logged(META_TOKEN, logs)


def test_server_error_then_success_is_retried() -> None:
    calls = 0

    async def flaky(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.Response(status=500, text="<html>Internal Server Error</html>", content_type="text/html")
        return web.json_response({"data": [meta_ad("555", "t")], "paging": {}})

    async def scenario() -> list[ParsedPage]:
        async with serving([web.get("/v23.0/ads_archive", flaky)]) as base_url, http_client(timeout=5) as http:
            return await collect(meta_client(base_url, http).fetch("1"))

    pages = asyncio.run(scenario())
    assert calls == 2
    assert [ad.source_ad_id for ad in pages[0].ads] == ["555"]


def test_retries_are_bounded_and_end_in_a_transient_source_error() -> None:
    calls = 0

    async def always_busy(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        return web.json_response({"error": {"message": "Too many calls", "code": 4}}, status=429)

    async def scenario() -> None:
        async with serving([web.get("/v23.0/ads_archive", always_busy)]) as base_url, http_client(timeout=5) as http:
            await collect(meta_client(base_url, http).fetch("1"))

    with pytest.raises(TransientSourceError, match="HTTP 429: Too many calls") as raised:
        asyncio.run(scenario())
    assert calls == FAST_RETRY.attempts
    assert raised.value.status == 429


def test_unreachable_source_raises_source_error_without_the_token() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    async def scenario() -> None:
        async with http_client(timeout=5) as http:
            await collect(meta_client(f"http://127.0.0.1:{closed_port}", http).fetch("1"))

    with pytest.raises(TransientSourceError, match="Cannot connect to host") as raised:
        asyncio.run(scenario())
    assert META_TOKEN not in str(raised.value)


# --- Apify ---------------------------------------------------------------------------------------


def apify_routes(run_statuses: list[str], items: list[Any], seen: dict[str, list[Any]]) -> list[web.RouteDef]:
    """Run start, run polling and dataset paging; each run lookup answers the next status in turn."""
    statuses = iter(run_statuses)

    def run_object() -> dict[str, Any]:
        return {"data": {"id": "run-1", "actId": "actor-1", "status": next(statuses), "defaultDatasetId": "dataset-1"}}

    async def start_run(request: web.Request) -> web.Response:
        seen["runs"].append((request.headers.get("Authorization"), dict(request.query), await request.json()))
        return web.json_response(run_object(), status=201)

    async def poll_run(request: web.Request) -> web.Response:
        seen["polls"].append(dict(request.query))
        return web.json_response(run_object())

    async def dataset_items(request: web.Request) -> web.Response:
        assert request.headers.get("Authorization") == f"Bearer {APIFY_TOKEN}"
        seen["pages"].append(dict(request.query))
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        return web.json_response(items[offset : offset + limit])

    return [
        web.post("/v2/acts/curious_coder~facebook-ads-library-scraper/runs", start_run),
        web.get("/v2/actor-runs/run-1", poll_run),
        web.get("/v2/datasets/dataset-1/items", dataset_items),
    ]


def test_apify_waits_for_the_run_then_pages_through_its_dataset(logs: pytest.LogCaptureFixture) -> None:
    items = fixture("apify_snake_case_items.json")  # 4 ads and one unparseable item, last
    seen: dict[str, list[Any]] = {"runs": [], "polls": [], "pages": []}

    async def scenario() -> list[ParsedPage]:
        routes = apify_routes(["RUNNING", "SUCCEEDED"], items, seen)
        async with serving(routes) as base_url, http_client(timeout=5) as http:
            client = ApifyClient(
                token=APIFY_TOKEN, http=http, base_url=base_url, max_items=50, page_size=2, retry=FAST_RETRY
            )
            return await collect(client.fetch("104000000000002"))

    pages = asyncio.run(scenario())
    authorization, run_query, run_input = seen["runs"][0]
    assert authorization == f"Bearer {APIFY_TOKEN}"
    assert run_query == {"waitForFinish": "60"}
    assert run_input == {
        "urls": [
            {
                "url": "https://www.facebook.com/ads/library/?active_status=all&ad_type=all&country=ALL"
                "&view_all_page_id=104000000000002"
            }
        ],
        "count": 50,
    }
    assert len(seen["polls"]) == 1
    assert [(query["offset"], query["limit"], query["format"], query["clean"]) for query in seen["pages"]] == [
        ("0", "2", "json", "true"),
        ("2", "2", "json", "true"),
        ("4", "2", "json", "true"),
    ]
    assert [[ad.source_ad_id for ad in page.ads] for page in pages] == [
        ["1111111111111111", "2222222222222222"],
        ["3333333333333333", "4444444444444444"],
        [],
    ]
    assert [(f.position, f.source_ad_id) for f in pages[2].failures] == [(0, "5555555555555555")]
    assert pages[0].request.endswith("/v2/datasets/dataset-1/items?format=json&clean=true&offset=0&limit=2")
    assert_secret_absent(APIFY_TOKEN, pages)
    assert_secret_not_logged(APIFY_TOKEN, logs)


def test_apify_failed_run_raises_with_its_status() -> None:
    seen: dict[str, list[Any]] = {"runs": [], "polls": [], "pages": []}

    async def scenario() -> None:
        async with serving(apify_routes(["FAILED"], [], seen)) as base_url, http_client(timeout=5) as http:
            client = ApifyClient(token=APIFY_TOKEN, http=http, base_url=base_url, retry=FAST_RETRY)
            await collect(client.fetch("104000000000002"))

    with pytest.raises(SourceError, match="ended FAILED, not SUCCEEDED") as raised:
        asyncio.run(scenario())
    assert APIFY_TOKEN not in str(raised.value)
    assert seen["pages"] == []


# --- SerpApi -------------------------------------------------------------------------------------


def test_serpapi_pages_the_listing_and_merges_details(logs: pytest.LogCaptureFixture) -> None:
    listings: list[dict[str, str]] = []
    details_asked: list[str] = []
    in_flight = peak_in_flight = 0
    details = {
        "CR10000000000000000002": fixture("serpapi_details_text.json"),
        "CR10000000000000000003": fixture("serpapi_details_video.json"),
    }

    async def search(request: web.Request) -> web.Response:
        nonlocal in_flight, peak_in_flight
        assert request.query["api_key"] == SERPAPI_KEY
        if request.query["engine"] == "google_ads_transparency_center":
            listings.append(dict(request.query))
            page = "serpapi_listing_page2.json" if "next_page_token" in request.query else "serpapi_listing_page1.json"
            return web.json_response(fixture(page))
        creative_id = request.query["creative_id"]
        details_asked.append(creative_id)
        in_flight += 1
        peak_in_flight = max(peak_in_flight, in_flight)
        await asyncio.sleep(0.02)  # long enough for an unbounded client to overlap two calls
        in_flight -= 1
        if creative_id not in details:
            return web.json_response({"error": "Invalid creative_id."}, status=400)
        return web.json_response(details[creative_id])

    async def scenario() -> list[ParsedPage]:
        async with serving([web.get("/search.json", search)]) as base_url, http_client(timeout=5) as http:
            client = SerpApiClient(
                api_key=SERPAPI_KEY, http=http, base_url=base_url, details_concurrency=1, retry=FAST_RETRY
            )
            return await collect(client.fetch("AR01234567890123456789"))

    pages = asyncio.run(scenario())
    assert [(query["advertiser_id"], query["region"], query["num"]) for query in listings] == [
        ("AR01234567890123456789", "2840", "100"),
        ("AR01234567890123456789", "2840", "100"),
    ]
    assert listings[1]["next_page_token"] == "CgoAP7znOo9_page2"
    assert sorted(details_asked) == ["CR10000000000000000001", "CR10000000000000000002", "CR10000000000000000003"]
    assert peak_in_flight == 1
    image_ad, text_ad = pages[0].ads
    assert image_ad.title is None and image_ad.media[0].width == 300  # details failed: listing ad kept as it was
    assert text_ad.title == "Alpine Trail Shoes | Waterproof, 60-Day Returns"
    assert text_ad.raw["details"]["search_parameters"]["creative_id"] == "CR10000000000000000002"
    video_ad = pages[1].ads[0]
    assert [ref.kind.value for ref in video_ad.media] == ["image", "video"]
    assert [f.reason for f in pages[1].failures] == ["missing ad_creative_id"]
    assert pages[0].failures == []  # a failed details call is not a page failure
    warnings = [record for record in logs.records if record.getMessage().startswith("creative details unavailable")]
    assert [record.__dict__["source_ad_id"] for record in warnings] == ["CR10000000000000000001"]
    assert "Invalid creative_id" in warnings[0].__dict__["reason"]
    assert_secret_absent(SERPAPI_KEY, pages)
    assert_secret_not_logged(SERPAPI_KEY, logs)


def test_serpapi_no_results_is_one_empty_page() -> None:
    engines: list[str] = []

    async def search(request: web.Request) -> web.Response:
        engines.append(request.query["engine"])
        return web.json_response(fixture("serpapi_no_results.json"))

    async def scenario() -> list[ParsedPage]:
        async with serving([web.get("/search.json", search)]) as base_url, http_client(timeout=5) as http:
            client = SerpApiClient(api_key=SERPAPI_KEY, http=http, base_url=base_url, retry=FAST_RETRY)
            return await collect(client.fetch("AR09999999999999999999"))

    pages = asyncio.run(scenario())
    assert [(page.ads, page.failures) for page in pages] == [([], [])]
    assert engines == ["google_ads_transparency_center"]
