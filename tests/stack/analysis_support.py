"""Shared equipment of the AI-asset tests on the real stack: a brand of real library ads acquired
with their creatives, the AI assets materialized for it, a stage's report read back, and the AI
resource pointed at the fake OpenAI-compatible service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from typing import Any

import dagster as dg
import httpx
import psycopg

from adology.acquisition.brand import acquire_brand
from adology.brands import Brand, BrandSource, upsert_brand
from adology.media.fetch import MediaFetcher, MediaLimits
from adology.media.guard import UrlPolicy
from adology.settings import Settings
from adology.sources.apify import parse_apify_items
from adology.sources.http import http_client
from adology.sources.models import Connector, NormalizedAd, ParsedPage
from adology.storage.aws import settings_object_store
from adology.storage.mongo import open_mongo
from adology_assets.interpretation import ad_descriptions, ad_labels_and_embeddings
from resources import AIResource, resources_for

AI_ASSETS = [ad_descriptions, ad_labels_and_embeddings]
ADS_PER_BRAND = 6


class _Listing:
    """An Apify client whose every listing is the one page given."""

    connector = Connector.APIFY

    def __init__(self, page: ParsedPage) -> None:
        self.page = page

    async def fetch(self, handle: str, detailed: Collection[str] = frozenset()) -> AsyncIterator[ParsedPage]:
        yield self.page


def library_sample(library_url: str, partition_key: str) -> tuple[str, list[NormalizedAd]]:
    """A few real library ads (images, carousels, a video when the sample has one) under fresh ids
    for the brand ``partition_key``, and the library page they come from."""
    brands = httpx.get(f"{library_url}/brands").json()
    page_id = brands[1]["sources"]["apify"]["handle"]
    run = httpx.post(
        f"{library_url}/v2/acts/curious_coder~facebook-ads-library-scraper/runs",
        headers={"Authorization": "Bearer t0ken-for-tests"},
        json={"urls": [{"url": f"https://www.facebook.com/ads/library/?view_all_page_id={page_id}"}], "count": 40},
    ).json()["data"]
    items = httpx.get(f"{library_url}/v2/datasets/{run['defaultDatasetId']}/items").json()
    ads, _ = parse_apify_items(items)
    videos = [ad for ad in ads if ad.display_format == "VIDEO"][:1]
    sample = videos + [ad for ad in ads if ad not in videos][: ADS_PER_BRAND - len(videos)]
    for ad in sample:  # a separate brand of its own: fresh ids, same real creatives
        ad.source_ad_id = f"{partition_key}-{ad.source_ad_id}"
    return page_id, sample


def acquire_sample(settings: Settings, library_url: str, partition_key: str, status: str) -> Brand:
    """A brand holding a few real library ads, acquired with their creatives."""
    page_id, sample = library_sample(library_url, partition_key)
    return acquire(settings, library_url, partition_key, status, page_id, sample)


def acquire(
    settings: Settings, library_url: str, partition_key: str, status: str, page_id: str, sample: list[NormalizedAd]
) -> Brand:
    """The brand ``partition_key`` with ``sample`` acquired as one page (creatives downloaded from the library)."""
    with psycopg.connect(settings.database_url) as conn:
        brand = upsert_brand(
            conn,
            partition_key=partition_key,
            name=partition_key.title(),
            status=status,
            sources=[BrandSource(Connector.APIFY, page_id)],
        )
    store = settings_object_store(settings)

    async def go() -> None:
        async with http_client(timeout=10) as http:
            fetcher = MediaFetcher(
                http=http, store=store, policy=UrlPolicy.allowing([library_url[7:]]), limits=MediaLimits(attempts=1)
            )
            with open_mongo(settings.mongo_uri, settings.mongo_database) as database:
                await acquire_brand(
                    brand,
                    clients={
                        Connector.APIFY: _Listing(
                            ParsedPage(connector=Connector.APIFY, request="t", payload={}, ads=sample)
                        )
                    },
                    fetcher=fetcher,
                    connect=lambda: psycopg.connect(settings.database_url),
                    raw_ads=database.raw_ads,
                )

    asyncio.run(go())
    return brand


def materialize(
    settings: Settings,
    instance: dg.DagsterInstance,
    brand: Brand,
    assets: list[Any],
    selection: list[dg.AssetKey] | dg.AssetSelection | None = None,
    raise_on_error: bool = True,
    **ai_overrides: Any,
) -> dg.ExecuteInJobResult:
    """The ``brand`` partition of ``assets`` on the stack's resources, with another AI configuration
    (``ai_overrides``) when given."""
    instance.add_dynamic_partitions("brand", [brand.partition_key])
    resources = resources_for(settings)
    if ai_overrides:
        resources["ai"] = AIResource(**{**resources["ai"].model_dump(), **ai_overrides})
    return dg.materialize(
        assets,
        partition_key=brand.partition_key,
        resources=resources,
        instance=instance,
        selection=selection or [key for asset in assets for key in asset.keys],
        raise_on_error=raise_on_error,
    )


def stage_metadata(result: dg.ExecuteInJobResult, asset: str) -> dict[str, Any]:
    """The stage's report: a run over a partition range records the same one for every partition."""
    materialization, *others = [
        event.materialization
        for event in result.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey(asset)
    ]
    assert all(other.metadata == materialization.metadata for other in others)
    return {name: value.value for name, value in materialization.metadata.items()}


def openai_overrides(server: Any, **overrides: Any) -> dict[str, Any]:
    """The ``ai`` resource's fields for the OpenAI provider on the fake service ``server``."""
    return {
        "provider": "openai",
        "openai": {"base_url": f"{server.base_url}/v1", "api_key": "sk-test-key"},
        "concurrency": 4,
        **overrides,
    }
