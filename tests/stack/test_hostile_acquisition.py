"""Hostile items cost only themselves in a real `ads` materialization, and are recorded once.

A Meta Ad Library page and an Apify dataset, served by a source server of the test's own, mix good
ads with hostile items: a 5,000-digit bound, a 400-digit spend text, a NUL character in a title and
in an id, an unpaired surrogate in the copy, keys with ``$``, ``.`` and NUL and an integer beyond
int64 in the raw item, negative and inverted ranges, dates of 1938 and 9999 and an end before its
start. Pinned here: the step succeeds, the good ads and the repaired ones are in Postgres, each
hostile item is counted with its position and reason in Mongo ``raw_ads``, and a second run adds
no raw document. Below the asset, on the real stores: an ad PostgreSQL cannot hold is refused
alone, a page whose upsert one row fails is written without that row, and ``raw_ads`` inserts
skip what is stored and refuse only the document the store refuses.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
import psycopg
import pytest
from aiohttp import web

from adology.acquisition.brand import AcquisitionReport, acquire_brand
from adology.acquisition.raw import insert_new
from adology.acquisition.rows import NO_MEDIA_REASON, upsert
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
from tests.source_servers import ListedSource, serving

BIGGER_THAN_INT64 = 2**64 - 1  # a JSON integer every JSON reader keeps as an integer


def meta_item(ad_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": ad_id, "page_id": "hostile-page", "ad_creative_bodies": [f"copy of {ad_id}"], **fields}


RAW_UNSAFE = meta_item(
    "910008",
    eu_total_reach={"$where": 1, "a.b": 2, "a\x00b": 3},
    estimated_audience_size=BIGGER_THAN_INT64,
)
META_PAGE = {
    "data": [
        meta_item("910001"),
        meta_item("910002", spend={"lower_bound": "9" * 5000, "upper_bound": "10"}),
        meta_item("910003"),
        meta_item("910004", ad_creative_link_titles=["Glow\x00 serum"]),
        meta_item("910005", spend={"lower_bound": "-100", "upper_bound": "199"}, currency="USD"),
        meta_item("910006", ad_delivery_start_time=-1_000_000_000, ad_delivery_stop_time="9999-12-31"),
        meta_item("91\x000007"),
        RAW_UNSAFE,
        meta_item("910009", ad_delivery_start_time="2024-03-01", ad_delivery_stop_time="2024-01-01"),
    ]
}
# half an emoji: an unpaired surrogate, which JSON can only write as a \u escape
SURROGATE_PAGE = {"data": [meta_item("950001"), meta_item("950002", ad_creative_bodies=["50% off \ud83d today"])]}
META_PAGES = {"hostile-page": META_PAGE, "surrogate-page": SURROGATE_PAGE}


def apify_item(ad_id: str, image_url: str, **fields: Any) -> dict[str, Any]:
    return {
        "ad_archive_id": ad_id,
        "page_id": "hostile-page",
        "is_active": True,
        "start_date": 1709251200,
        "snapshot": {"title": f"title of {ad_id}", "images": [{"original_image_url": image_url}]},
        **fields,
    }


def apify_items(library_url: str) -> list[dict[str, Any]]:
    image = f"{library_url}/faults/image.jpg"
    return [
        apify_item("920001", image),
        apify_item("920002", image, spend="9" * 400),
        apify_item("920003", image, impressions_with_index={"impressions_text": "500-100", "impressions_index": 3}),
    ]


def source_routes(library_url: str) -> list[web.RouteDef]:
    """Meta's ``ads_archive`` and an Apify actor whose run ends at once, serving the pages above."""

    async def ads_archive(request: web.Request) -> web.Response:
        # json.dumps: NULs and surrogates travel as \u escapes
        return web.json_response(META_PAGES[request.query["search_page_ids"]])

    async def start_run(request: web.Request) -> web.Response:
        return web.json_response({"data": {"id": "run-1", "status": "SUCCEEDED", "defaultDatasetId": "set-1"}})

    async def dataset_items(request: web.Request) -> web.Response:
        return web.json_response(apify_items(library_url))

    return [
        web.get("/{version}/ads_archive", ads_archive),
        web.post("/v2/acts/{actor}/runs", start_run),
        web.get("/v2/datasets/{dataset}/items", dataset_items),
    ]


@contextmanager
def source_server(routes: list[web.RouteDef]) -> Iterator[str]:
    """``serving(routes)`` on a thread of its own: the materialization below runs its own event loop."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    address: list[str] = []

    async def serve() -> None:
        async with serving(routes) as base_url:
            address.append(base_url)
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    try:
        assert ready.wait(timeout=30), "the source server did not start"
        yield address[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()


@pytest.fixture(scope="module")
def hostile_brand(stack_settings: Settings) -> Brand:
    with psycopg.connect(stack_settings.database_url) as conn:
        return upsert_brand(
            conn,
            partition_key="hostile-brand",
            name="Hostile Brand",
            sources=[BrandSource(Connector.META, "hostile-page"), BrandSource(Connector.APIFY, "hostile-page")],
        )


@pytest.fixture(scope="module")
def sources_served(stack_settings: Settings, library_url: str) -> Iterator[Settings]:
    """The stack's settings with Meta and Apify served by the hostile source server."""
    with source_server(source_routes(library_url)) as base_url:
        yield stack_settings.model_copy(update={"meta_api_base_url": base_url, "apify_base_url": base_url})


def materialize(settings: Settings, partition: str) -> dg.ExecuteInJobResult:
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("brand", [partition])
        return dg.materialize([ads], partition_key=partition, resources=resources_for(settings), instance=instance)


def metadata(result: dg.ExecuteInJobResult) -> dict[str, Any]:
    (materialization,) = result.asset_materializations_for_node("ads")
    return {name: value.value for name, value in materialization.metadata.items()}


def raw_documents(settings: Settings, brand: Brand) -> list[dict[str, Any]]:
    with open_mongo(settings.mongo_uri, settings.mongo_database) as database:
        return list(database.raw_ads.find({"brand": brand.partition_key}))


def test_hostile_items_cost_only_themselves_and_are_recorded_once(
    sources_served: Settings, hostile_brand: Brand
) -> None:
    first = materialize(sources_served, hostile_brand.partition_key)
    assert first.success
    report = metadata(first)
    assert (report["source_errors"], report["parse_failures"], report["store_failures"]) == (0, 3, 0)
    assert report["new"] == 9 and report["fields_dropped_or_cleaned"] == 6

    with psycopg.connect(sources_served.database_url) as conn:
        rows = {
            row[0]: row[1:]
            for row in conn.execute(
                """SELECT source_ad_id, title, spend_range, impressions_range, started_at, ended_at, media_failure
                   FROM ads WHERE brand_id = %s""",
                (hostile_brand.id,),
            )
        }
    assert sorted(rows) == ["910001", "910003", "910004", "910005", "910006", "910008", "910009", "920001", "920003"]
    assert rows["910004"][0] == "Glow serum"
    assert rows["910005"][1] is None and rows["920003"][2] is None
    assert rows["910006"][3:5] == (None, None) and rows["910009"][4] is None
    assert rows["910001"][5] == NO_MEDIA_REASON and rows["920001"][5] is None  # the good creative is stored

    documents = raw_documents(sources_served, hostile_brand)
    failures = sorted(
        (document["connector"], document["parse_failure"]["position"], document["parse_failure"]["reason"])
        for document in documents
        if "parse_failure" in document
    )
    assert failures == [
        ("apify", 1, "spend has 400 digits, more than a 64-bit integer holds"),
        ("meta", 1, "spend.lower_bound has 5000 digits, more than a 64-bit integer holds"),
        ("meta", 6, "id '91\\x000007' has a NUL character"),
    ]
    (unsafe,) = [document for document in documents if document.get("source_ad_id") == "910008"]
    assert json.loads(unsafe["payload_json"]) == RAW_UNSAFE and unsafe["payload_json_reason"]
    (repaired,) = [document for document in documents if document.get("source_ad_id") == "910004"]
    assert repaired["notes"] == ["title: removed 1 NUL character"]

    second = materialize(sources_served, hostile_brand.partition_key)
    assert second.success
    again = metadata(second)
    assert (again["parse_failures"], again["new"], again["unchanged"]) == (3, 0, 9)
    # the same hostile items met again are the same records: raw_ads does not grow run after run
    assert len(raw_documents(sources_served, hostile_brand)) == len(documents)


def test_an_unpaired_surrogate_in_copy_costs_no_page(sources_served: Settings) -> None:
    """The surrogate reaches the parser as JSON wrote it (a \\u escape) and is replaced there; the
    transport must not refuse the page for it, or the good ad next to it is lost."""
    with psycopg.connect(sources_served.database_url) as conn:
        brand = upsert_brand(
            conn,
            partition_key="surrogate-brand",
            name="Surrogate",
            sources=[BrandSource(Connector.META, "surrogate-page")],
        )
    result = materialize(sources_served, brand.partition_key)
    assert result.success
    assert metadata(result)["source_errors"] == 0
    with psycopg.connect(sources_served.database_url) as conn:
        bodies = dict(conn.execute("SELECT source_ad_id, body FROM ads WHERE brand_id = %s", (brand.id,)).fetchall())
    assert bodies == {"950001": "copy of 950001", "950002": "50% off \ufffd today"}
    (document,) = [
        document for document in raw_documents(sources_served, brand) if document["source_ad_id"] == "950002"
    ]
    assert document["notes"] == ["body: replaced 1 unpaired surrogate with U+FFFD"]
    assert document["payload_json_reason"] == "a string with an unpaired surrogate"


# --- the per-item boundaries below the asset --------------------------------------------------------


def test_an_ad_postgres_cannot_hold_is_refused_alone_and_recorded_once(
    stack_settings: Settings, library_url: str
) -> None:
    with psycopg.connect(stack_settings.database_url) as conn:
        brand = upsert_brand(
            conn, partition_key="unstorable-brand", name="Unstorable", sources=[BrandSource(Connector.APIFY, "p")]
        )
    image = MediaRef(kind=MediaKind.IMAGE, url=f"{library_url}/faults/image.jpg")
    listed = [
        NormalizedAd(source="meta", source_ad_id="930001", connector=Connector.APIFY, title="fine", media=[image]),
        NormalizedAd(source="meta", source_ad_id="930002", connector=Connector.APIFY, cta="Buy\x00", position=1),
        NormalizedAd(source="meta", source_ad_id="930003", connector=Connector.APIFY, body="x\udc00", position=2),
    ]

    async def acquire() -> AcquisitionReport:
        async with http_client(timeout=5) as http:
            fetcher = MediaFetcher(
                http=http,
                store=settings_object_store(stack_settings),
                policy=UrlPolicy.allowing([library_url.removeprefix("http://")]),
                limits=MediaLimits(attempts=1),
            )
            with open_mongo(stack_settings.mongo_uri, stack_settings.mongo_database) as database:
                return await acquire_brand(
                    brand,
                    clients={Connector.APIFY: ListedSource(listed)},
                    fetcher=fetcher,
                    connect=lambda: psycopg.connect(stack_settings.database_url),
                    raw_ads=database.raw_ads,
                )

    first = asyncio.run(acquire())
    assert (first.new, first.store_failures) == (1, 2)
    with psycopg.connect(stack_settings.database_url) as conn:
        stored = [row[0] for row in conn.execute("SELECT source_ad_id FROM ads WHERE brand_id = %s", (brand.id,))]
    assert stored == ["930001"]
    documents = raw_documents(stack_settings, brand)
    refusals = sorted(
        (document["store_failure"]["position"], document["store_failure"]["reason"])
        for document in documents
        if "store_failure" in document
    )
    assert refusals == [
        (1, "cta has a NUL character, which PostgreSQL cannot store"),
        (2, "body has an unpaired surrogate, which PostgreSQL cannot store"),
    ]
    second = asyncio.run(acquire())
    assert (second.unchanged, second.store_failures) == (1, 2)
    assert len(raw_documents(stack_settings, brand)) == len(documents)


def test_a_row_postgres_refuses_fails_alone_and_the_page_is_written(stack_settings: Settings) -> None:
    with psycopg.connect(stack_settings.database_url) as conn:
        brand = upsert_brand(conn, partition_key="refused-row-brand", name="Refused Row", sources=[])

    def row(ad_id: str, title: str) -> dict[str, Any]:
        return {
            "brand_id": brand.id,
            "source": "meta",
            "source_ad_id": ad_id,
            "advertiser_id": None,
            "advertiser_name": None,
            "title": title,
            "body": None,
            "link_url": None,
            "cta": None,
            "display_format": None,
            "started_at": None,
            "ended_at": None,
            "is_active": None,
            "platforms": [],
            "spend_range": None,
            "impressions_range": None,
            "media": [],
            "connectors": ["meta"],
            "media_failure": NO_MEDIA_REASON,
            "content_hash": "h",
            "details_fetched": False,
        }

    refused = upsert(
        lambda: psycopg.connect(stack_settings.database_url),
        [row("940001", "fine"), row("940002", "NUL\x00"), row("940003", "also fine")],
        [],
    )
    assert [(refused_row["source_ad_id"], reason.split(":")[0]) for refused_row, reason in refused] == [
        ("940002", "PostgreSQL refused the row")
    ]
    with psycopg.connect(stack_settings.database_url) as conn:
        stored = sorted(r[0] for r in conn.execute("SELECT source_ad_id FROM ads WHERE brand_id = %s", (brand.id,)))
    assert stored == ["940001", "940003"]


def test_raw_inserts_skip_what_is_stored_and_refuse_only_what_the_store_refuses(stack_settings: Settings) -> None:
    documents = [
        {"_id": "insert-new-1", "brand": "insert-new-brand", "payload": {"a": 1}},
        {"_id": "insert-new-2", "brand": "insert-new-brand", "payload": {"$where": 1}},
        {"_id": "insert-new-3", "brand": "insert-new-brand", "payload": {"b": 2}},
    ]
    with open_mongo(stack_settings.mongo_uri, stack_settings.mongo_database) as database:
        collection = database.raw_ads
        assert insert_new(collection, documents[:1]) == []
        refused = insert_new(collection, documents)  # the first is stored already, the second refused
        assert [document["_id"] for document, _ in refused] == ["insert-new-2"]
        assert "$where" in refused[0][1]
        assert insert_new(collection, [documents[0], documents[2]]) == []
        stored = sorted(document["_id"] for document in collection.find({"brand": "insert-new-brand"}))
    assert stored == ["insert-new-1", "insert-new-3"]
