"""Acquisition of a run's brands over one HTTP pool and one media fetcher, with the sources and
limits the deployment configures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from adology.acquisition.brand import AcquisitionReport, acquire_brand
from adology.brands import Brand
from adology.media.fetch import MediaFetcher, MediaLimits
from adology.media.guard import UrlPolicy
from adology.sources.clients import ApifyClient, MetaAdLibraryClient, SerpApiClient
from adology.sources.http import http_client
from adology.sources.models import Connector, SourceClient
from adology.storage.s3 import ObjectStore


@dataclass(frozen=True)
class SourceConfig:
    """Where each connector lives and its credential; a connector without one is not configured."""

    meta_base_url: str
    meta_api_version: str
    meta_access_token: str | None
    apify_base_url: str
    apify_token: str | None
    apify_actor_id: str
    serpapi_base_url: str
    serpapi_api_key: str | None


@dataclass(frozen=True)
class MediaConfig:
    allowed_endpoints: tuple[str, ...]
    max_bytes: int
    concurrency: int
    timeout_seconds: float


def build_clients(config: SourceConfig, http: aiohttp.ClientSession) -> dict[Connector, SourceClient]:
    clients: dict[Connector, SourceClient] = {}
    if config.meta_access_token:
        clients[Connector.META] = MetaAdLibraryClient(
            access_token=config.meta_access_token,
            http=http,
            base_url=config.meta_base_url,
            api_version=config.meta_api_version,
        )
    if config.apify_token:
        clients[Connector.APIFY] = ApifyClient(
            token=config.apify_token,
            http=http,
            base_url=config.apify_base_url,
            actor_id=config.apify_actor_id,
            max_items=10_000,
        )
    if config.serpapi_api_key:
        clients[Connector.SERPAPI] = SerpApiClient(
            api_key=config.serpapi_api_key,
            http=http,
            base_url=config.serpapi_base_url,
        )
    return clients


async def run_acquisition(
    brands: list[Brand],
    *,
    sources: SourceConfig,
    media: MediaConfig,
    store: ObjectStore,
    connect: Callable[[], Any],
    raw_ads: Any,
    brand_concurrency: int = 4,
    progress: Callable[[Brand, AcquisitionReport], None] | None = None,
) -> list[AcquisitionReport]:
    """Acquire ``brands`` (one report each, in order) over one HTTP pool and one media fetcher, a few
    brands at a time, so one brand's source paging overlaps another's downloads and uploads."""
    slots = asyncio.Semaphore(brand_concurrency)
    # room for every download at once plus each brand's source paging
    connections = media.concurrency + 2 * brand_concurrency
    async with http_client(timeout=media.timeout_seconds, connections=connections) as http:
        fetcher = MediaFetcher(
            http=http,
            store=store,
            policy=UrlPolicy.allowing(media.allowed_endpoints),
            limits=MediaLimits(max_bytes=media.max_bytes),
            concurrency=media.concurrency,
        )
        clients = build_clients(sources, http)

        async def acquire(brand: Brand) -> AcquisitionReport:
            async with slots:
                return await acquire_brand(
                    brand,
                    clients=clients,
                    fetcher=fetcher,
                    connect=connect,
                    raw_ads=raw_ads,
                    progress=(lambda report: progress(brand, report)) if progress is not None else None,
                )

        return list(await asyncio.gather(*(acquire(brand) for brand in brands)))
