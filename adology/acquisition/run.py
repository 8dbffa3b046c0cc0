"""Acquisition of a run's brands over one media fetcher and the source clients, with the sources and
limits the deployment configures.

The sources and the media fetcher each have their own guarded HTTP pool (``http_client``): every
address either pool connects to is judged by its own policy. Media may reach the public internet
and the exact ``ADOLOGY_MEDIA_ALLOWED_ENDPOINTS``; the source clients the public internet and the
endpoints of their configured base URLs (locally the ad library, in a deployment perhaps a proxy on
a private address). A creative URL therefore cannot reach a source's private endpoint, and a source
answer cannot lead a client anywhere but the public internet and the sources themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from adology.acquisition.brand import AcquisitionReport, acquire_brand
from adology.brands import Brand
from adology.media.fetch import MediaFetcher, MediaLimits
from adology.media.guard import UrlPolicy
from adology.sources.clients import ApifyClient, MetaAdLibraryClient, SerpApiClient
from adology.sources.http import http_client
from adology.sources.models import Connector, SourceClient
from adology.storage.s3 import ObjectStore

# a brand's listing or dataset page, plus SerpApi's details calls (five at once), with room to spare
_SOURCE_CONNECTIONS_PER_BRAND = 8


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

    def endpoints(self) -> tuple[str, ...]:
        """The ``host:port`` of each source's base URL: what the source clients may connect to
        even where it is not on the public internet."""
        bases = (URL(base) for base in (self.meta_base_url, self.apify_base_url, self.serpapi_base_url) if base)
        return tuple(f"{base.raw_host}:{base.port}" for base in bases if base.raw_host)


@dataclass(frozen=True)
class MediaConfig:
    allowed_endpoints: tuple[str, ...]
    max_bytes: int
    concurrency: int
    timeout_seconds: float
    min_bytes_per_second: int


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
    """Acquire ``brands`` (one report each, in order) over one media fetcher and the source clients,
    a few brands at a time, so one brand's source paging overlaps another's downloads and uploads."""
    slots = asyncio.Semaphore(brand_concurrency)
    media_policy = UrlPolicy.allowing(media.allowed_endpoints)
    async with (
        http_client(timeout=media.timeout_seconds, connections=media.concurrency, policy=media_policy) as media_http,
        http_client(
            timeout=media.timeout_seconds,
            connections=_SOURCE_CONNECTIONS_PER_BRAND * brand_concurrency,
            policy=UrlPolicy.allowing(sources.endpoints()),
        ) as source_http,
    ):
        fetcher = MediaFetcher(
            http=media_http,
            store=store,
            policy=media_policy,
            limits=MediaLimits(max_bytes=media.max_bytes, min_bytes_per_second=media.min_bytes_per_second),
            concurrency=media.concurrency,
        )
        clients = build_clients(sources, source_http)

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
