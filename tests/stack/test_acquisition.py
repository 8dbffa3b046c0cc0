"""The `ads` asset end to end against the real stack and the local ad library: every creative
lands in SeaweedFS by sha256, every ad in Postgres, raw payloads in Mongo with no secret; a second
run changes and downloads nothing; one bad URL costs only its ad, which is retried next run."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import aiohttp
import dagster as dg
import httpx
import psycopg
import pytest

from adology.acquisition.brand import AcquisitionReport, acquire_brand
from adology.acquisition.rows import NO_MEDIA_REASON, ad_invariants
from adology.brands import Brand, BrandSource, upsert_brand
from adology.media.fetch import MediaFetcher, MediaLimits
from adology.media.guard import UrlPolicy
from adology.settings import Settings
from adology.sources.http import http_client
from adology.sources.models import Connector, MediaKind, MediaRef, NormalizedAd
from adology.storage.aws import settings_object_store
from adology.storage.mongo import open_mongo
from adology_assets.ads import ads
from resources import resources_for
from simulators.ad_sources.seeding import register_library_brands
from tests.source_servers import ListedSource


@pytest.fixture(scope="module")
def brand(stack_settings: Settings, library_url: str) -> Brand:
    with psycopg.connect(stack_settings.database_url) as conn:
        return register_library_brands(conn, library_url, limit=1)[0]


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def _materialize(settings: Settings, instance: dg.DagsterInstance, partition: str) -> dg.ExecuteInJobResult:
    instance.add_dynamic_partitions("brand", [partition])
    return dg.materialize([ads], partition_key=partition, resources=resources_for(settings), instance=instance)


def _metadata(result: dg.ExecuteInJobResult) -> dict[str, Any]:
    (materialization,) = result.asset_materializations_for_node("ads")
    return {name: value.value for name, value in materialization.metadata.items()}


def test_ads_are_acquired_once_and_a_second_run_changes_nothing(
    stack_settings: Settings, instance: dg.DagsterInstance, brand: Brand, library_url: str
) -> None:
    first = _materialize(stack_settings, instance, brand.partition_key)
    assert first.success
    report = _metadata(first)
    catalog_entry = next(
        b for b in httpx.get(f"{library_url}/brands").json() if b["partition_key"] == brand.partition_key
    )
    expected_ads = catalog_entry["ads"] + catalog_entry["google_ads"]
    assert report["new"] == expected_ads and report["failed"] == 0 and report["parse_failures"] == 0
    assert report["media_downloaded"] > 0 and report["bytes_downloaded"] > 0
    assert all(check.passed for check in first.get_asset_check_evaluations())

    store = settings_object_store(stack_settings)
    with psycopg.connect(stack_settings.database_url) as conn:
        rows = conn.execute(
            "SELECT source, media, connectors, spend_range, media_failure FROM ads WHERE brand_id = %s", (brand.id,)
        ).fetchall()
        assert ad_invariants(conn, brand.id) == {"ads_without_creative_or_reason": 0, "duplicate_source_ids": 0}
    assert len(rows) == expected_ads
    keys = {item["s3_key"] for _, media, *_ in rows for item in media if item.get("s3_key")}
    assert keys and all(key.startswith("media/") for key in keys)
    assert all(store.exists(key=key) for key in keys)
    facebook = [row for row in rows if row[0] == "meta"]
    assert all(set(row[2]) == {"apify", "meta"} for row in facebook)  # both connectors merged into one row
    assert any(row[3] for row in facebook)  # spend ranges came from the Meta API, creatives from Apify
    textual = [row for row in rows if row[4] == NO_MEDIA_REASON]  # Google text ads have no creative to store
    assert all(row[0] == "google" for row in textual) and len(textual) == report["without_media"]
    assert all(row[4] is None for row in rows if row not in textual)

    with open_mongo(stack_settings.mongo_uri, stack_settings.mongo_database) as database:
        documents = list(database.raw_ads.find({"brand": brand.partition_key}))
    assert len(documents) >= expected_ads
    serialized = json.dumps(documents, default=str)
    for secret in ("local-meta-token", "local-apify-token", "local-serpapi-key"):
        assert secret not in serialized

    second = _materialize(stack_settings, instance, brand.partition_key)
    again = _metadata(second)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, expected_ads)
    assert again["media_downloaded"] == 0 and again["bytes_downloaded"] == 0
    with open_mongo(stack_settings.mongo_uri, stack_settings.mongo_database) as database:
        # a fetch that repeats what is stored adds no raw document; the row records when it was seen
        assert database.raw_ads.count_documents({"brand": brand.partition_key}) == len(documents)
    with psycopg.connect(stack_settings.database_url) as conn:
        (seen_again,) = conn.execute(
            "SELECT count(*) FROM ads WHERE brand_id = %s AND last_seen_at > first_seen_at", (brand.id,)
        ).fetchone()
    assert seen_again == expected_ads


def test_an_unknown_brand_fails_with_a_clear_error(stack_settings: Settings, instance: dg.DagsterInstance) -> None:
    result = (
        dg.materialize(
            [ads],
            partition_key="no-such-brand",
            resources=resources_for(stack_settings),
            instance=instance,
            raise_on_error=False,
        )
        if instance.add_dynamic_partitions("brand", ["no-such-brand"]) is None
        else None
    )
    assert result is not None and not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert "no brand with partition key 'no-such-brand'" in str(failure.step_failure_data.error)


async def _acquire(
    settings: Settings, library_url: str, brand: Brand, http: aiohttp.ClientSession, clients: dict[Connector, Any]
) -> AcquisitionReport:
    """``acquire_brand`` on the real stores, creatives allowed from the library only, one attempt each."""
    store = settings_object_store(settings)
    fetcher = MediaFetcher(
        http=http, store=store, policy=UrlPolicy.allowing([library_url[7:]]), limits=MediaLimits(attempts=1)
    )
    with open_mongo(settings.mongo_uri, settings.mongo_database) as database:
        return await acquire_brand(
            brand,
            clients=clients,
            fetcher=fetcher,
            connect=lambda: psycopg.connect(settings.database_url),
            raw_ads=database.raw_ads,
        )


async def _acquire_listing(
    settings: Settings, library_url: str, brand: Brand, ads: list[NormalizedAd]
) -> AcquisitionReport:
    async with http_client(timeout=5) as http:
        return await _acquire(settings, library_url, brand, http, {Connector.APIFY: ListedSource(ads)})


def _ad(ad_id: str, *urls: str) -> NormalizedAd:
    return NormalizedAd(
        source="meta",
        source_ad_id=ad_id,
        connector=Connector.APIFY,
        title=f"ad {ad_id}",
        media=[MediaRef(kind=MediaKind.IMAGE, url=url) for url in urls],
    )


def test_one_bad_url_costs_only_its_ad_and_is_retried_next_run(stack_settings: Settings, library_url: str) -> None:
    with psycopg.connect(stack_settings.database_url) as conn:
        brand = upsert_brand(
            conn, partition_key="fault-brand", name="Fault Brand", sources=[BrandSource(Connector.APIFY, "fault-page")]
        )
    listing = [
        _ad("9001", f"{library_url}/faults/image.jpg"),
        _ad("9002", f"{library_url}/faults/404"),
        _ad("9003", f"{library_url}/faults/flaky/retry-next-run?failures=1"),
        _ad("9004", f"{library_url}/faults/html", f"{library_url}/faults/image.jpg"),
        _ad("9005"),
    ]

    def run() -> AcquisitionReport:
        return asyncio.run(_acquire_listing(stack_settings, library_url, brand, listing))

    def failures() -> dict[str, str | None]:
        with psycopg.connect(stack_settings.database_url) as conn:
            return dict(
                conn.execute("SELECT source_ad_id, media_failure FROM ads WHERE brand_id = %s", (brand.id,)).fetchall()
            )

    first = run()
    assert (first.new, first.failed, first.without_media) == (5, 2, 1)
    reasons = failures()
    assert reasons["9001"] is None and reasons["9004"] is None  # one good creative is enough
    assert reasons["9002"].startswith("not_found") and reasons["9003"].startswith("http_error")
    assert reasons["9005"] == NO_MEDIA_REASON

    second = run()  # the flaky server has used up its one failure: the ad is stored now
    assert failures()["9003"] is None
    assert (second.updated, second.unchanged, second.failed) == (1, 4, 1) and second.media_downloaded == 1


def test_two_runs_over_one_brand_store_and_download_it_once(stack_settings: Settings, library_url: str) -> None:
    """A sensor's run and a backfill's run reaching the same brand together: the second waits for
    the brand's lock, then finds every ad stored."""
    with psycopg.connect(stack_settings.database_url) as conn:
        brand = upsert_brand(
            conn,
            partition_key="overlap-brand",
            name="Overlap Brand",
            sources=[BrandSource(Connector.APIFY, "overlap-page")],
        )
    listing = [_ad("9101", f"{library_url}/faults/image.jpg"), _ad("9102", f"{library_url}/faults/image.jpg?v=2")]

    async def both() -> list[AcquisitionReport]:
        return list(
            await asyncio.gather(*(_acquire_listing(stack_settings, library_url, brand, listing) for _ in range(2)))
        )

    first, second = sorted(asyncio.run(both()), key=lambda report: report.new)
    assert (first.new, first.unchanged, first.media_downloaded) == (0, 2, 0)
    assert (second.new, second.media_downloaded) == (2, 2)


def test_serpapi_details_are_paid_for_once_per_creative(stack_settings: Settings, library_url: str) -> None:
    """Each details call is a paid search and a creative's details never change: a later fetch asks
    again only where it lacks something — the ad whose details call failed, and the ad whose video
    (named only in its details) could not be stored."""
    from aiohttp import web

    from adology.sources.clients import SerpApiClient
    from tests.source_servers import FAST_RETRY, fixture, serving

    def served(name: str) -> Any:  # the creatives on the library server; the video one is gone
        text = json.dumps(fixture(name))
        for cdn, path in (
            ("https://tpc.googlesyndication.com/archive/simgad/", "/faults/image.jpg?simgad="),
            ("https://i.ytimg.com/vi/aBcDeFgHiJk/hqdefault.jpg", "/faults/image.jpg?yt=hq"),
            ("https://rr1---sn-example.googlevideo.com/videoplayback", "/faults/404"),
        ):
            text = text.replace(cdn, library_url + path)
        return json.loads(text)

    details = {
        "CR10000000000000000002": served("serpapi_details_text.json"),
        "CR10000000000000000003": served("serpapi_details_video.json"),
    }
    details_asked: list[str] = []

    async def search(request: web.Request) -> web.Response:
        if request.query["engine"] == "google_ads_transparency_center":
            page = "serpapi_listing_page2.json" if "next_page_token" in request.query else "serpapi_listing_page1.json"
            return web.json_response(served(page))
        details_asked.append(request.query["creative_id"])
        if request.query["creative_id"] not in details:
            return web.json_response({"error": "Invalid creative_id."}, status=400)
        return web.json_response(details[request.query["creative_id"]])

    with psycopg.connect(stack_settings.database_url) as conn:
        brand = upsert_brand(
            conn,
            partition_key="serpapi-details-brand",
            name="SerpApi Details",
            sources=[BrandSource(Connector.SERPAPI, "AR01234567890123456789")],
        )

    async def one_run() -> AcquisitionReport:
        async with serving([web.get("/search.json", search)]) as base_url, http_client(timeout=5) as http:
            client = SerpApiClient(api_key="serpapi-test-key", http=http, base_url=base_url, retry=FAST_RETRY)
            return await _acquire(stack_settings, library_url, brand, http, {Connector.SERPAPI: client})

    first = asyncio.run(one_run())
    assert first.new == 3 and sorted(details_asked) == [
        "CR10000000000000000001",
        "CR10000000000000000002",
        "CR10000000000000000003",
    ]
    details_asked.clear()
    second = asyncio.run(one_run())
    assert sorted(details_asked) == ["CR10000000000000000001", "CR10000000000000000003"]
    assert second.new == 0 and second.updated == 0  # the listing alone keeps what the details said
    with psycopg.connect(stack_settings.database_url) as conn:
        stored = dict(conn.execute("SELECT source_ad_id, title FROM ads WHERE brand_id = %s", (brand.id,)).fetchall())
    assert stored["CR10000000000000000002"] == "Alpine Trail Shoes | Waterproof, 60-Day Returns"


def test_a_poorer_later_fetch_keeps_the_copy_and_updates_delivery(stack_settings: Settings, library_url: str) -> None:
    with psycopg.connect(stack_settings.database_url) as conn:
        brand = upsert_brand(
            conn, partition_key="merge-brand", name="Merge Brand", sources=[BrandSource(Connector.APIFY, "merge-page")]
        )
    rich = _ad("7001", f"{library_url}/faults/image.jpg").model_copy(
        update={"link_url": "https://brand.example/serum?utm=ad", "cta": "SHOP NOW", "is_active": True}
    )
    poor = NormalizedAd(
        source="meta", source_ad_id="7001", connector=Connector.APIFY, link_url="https://brand.example", is_active=False
    )

    def acquire(ad: NormalizedAd) -> AcquisitionReport:
        return asyncio.run(_acquire_listing(stack_settings, library_url, brand, [ad]))

    acquire(rich)
    report = acquire(poor)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)  # nothing the ad says changed
    with psycopg.connect(stack_settings.database_url) as conn:
        row = conn.execute(
            "SELECT title, link_url, cta, is_active, media FROM ads WHERE source_ad_id = '7001'"
        ).fetchone()
    assert row[:3] == ("ad 7001", "https://brand.example/serum?utm=ad", "SHOP NOW")  # the copy stays
    assert row[3] is False and row[4][0]["s3_key"]  # delivery follows the latest fetch; the creative stays
