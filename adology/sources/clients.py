"""Async clients for the three ad sources, each yielding one ParsedPage per HTTP page.

The caller injects the ``aiohttp.ClientSession`` so it owns timeouts and connection pools. Secrets go
out only inside requests: ``ParsedPage.request`` is the URL without them, payloads are redacted,
and errors and logs are scrubbed (see :mod:`adology.sources.http`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from typing import Any
from urllib.parse import urlencode

import aiohttp

from adology.errors import SourceError
from adology.logs import get_logger
from adology.sources.apify import parse_apify_items
from adology.sources.http import DEFAULT_RETRY, RetryPolicy, SourceHttp, SourceResponse
from adology.sources.meta import parse_meta_page
from adology.sources.models import Connector, NormalizedAd, ParsedPage, ParseFailure
from adology.sources.serpapi import DETAILS_ENGINE, LISTING_ENGINE, apply_serpapi_details, parse_serpapi_listing

log = get_logger(__name__)

META_FIELDS = (
    "id",
    "ad_creation_time",
    "ad_creative_bodies",
    "ad_creative_link_titles",
    "ad_creative_link_descriptions",
    "ad_creative_link_captions",
    "ad_delivery_start_time",
    "ad_delivery_stop_time",
    "ad_snapshot_url",
    "page_id",
    "page_name",
    "publisher_platforms",
    "languages",
    "bylines",
    "currency",
    "spend",
    "impressions",
    "estimated_audience_size",
    "demographic_distribution",
    "delivery_by_region",
    "eu_total_reach",
    "age_country_gender_reach_breakdown",
    "beneficiary_payers",
    "target_ages",
    "target_gender",
    "target_locations",
)
# Meta's throttling error codes: application, user, custom-level and per-call rate limits.
META_THROTTLE_CODES = frozenset({4, 17, 32, 613})

APIFY_DEFAULT_ACTOR = "curious_coder~facebook-ads-library-scraper"
# Apify holds a run-start or run-status request open for at most 60 seconds.
_APIFY_MAX_WAIT_SECONDS = 60
_APIFY_UNFINISHED = frozenset({"READY", "RUNNING"})

SERPAPI_MAX_PAGE_SIZE = 100


def _page(
    connector: Connector, response: SourceResponse, ads: list[NormalizedAd], failures: list[ParseFailure]
) -> ParsedPage:
    return ParsedPage(connector=connector, request=response.url, payload=response.body, ads=ads, failures=failures)


def _log_page(page: ParsedPage, *, handle: str, number: int) -> None:
    fields = {
        "connector": page.connector.value,
        "handle": handle,
        "page": number,
        "ads": len(page.ads),
        "failures": len(page.failures),
        "url": page.request,
    }
    log.info("source page fetched", extra=fields)
    if page.failures:
        log.warning(
            "source items could not be parsed",
            extra={**fields, "first_failure": page.failures[0].reason},
        )


def _log_page_limit(connector: Connector, *, handle: str, max_pages: int) -> None:
    log.warning(
        "source has more pages than the page limit; stopping",
        extra={"connector": connector.value, "handle": handle, "max_pages": max_pages},
    )


class MetaAdLibraryClient:
    """Meta Ad Library API (``ads_archive``) ads of one Facebook page id, or of a keyword search,
    following cursor paging."""

    connector: Connector = Connector.META

    def __init__(
        self,
        *,
        access_token: str,
        http: aiohttp.ClientSession,
        base_url: str = "https://graph.facebook.com",
        api_version: str = "v23.0",
        countries: Sequence[str] = ("ALL",),
        fields: Sequence[str] = META_FIELDS,
        page_size: int = 100,
        max_pages: int = 50,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._access_token = access_token
        self._http = SourceHttp(
            http, connector=self.connector, retry=retry, secrets=[access_token], throttle_codes=META_THROTTLE_CODES
        )
        self._url = f"{base_url.rstrip('/')}/{api_version}/ads_archive"
        self._countries = list(countries)
        self._fields = ",".join(fields)
        self._page_size = page_size
        self._max_pages = max_pages

    async def fetch(self, handle: str, detailed: Collection[str] = frozenset()) -> AsyncIterator[ParsedPage]:
        async for page in self._pages({"search_page_ids": handle}, label=handle):
            yield page

    def search(self, terms: str) -> AsyncIterator[ParsedPage]:
        """Pages of the ads Meta's keyword search finds for ``terms`` (every word, in any order):
        the Ad Library has no advertiser search, so this is how a brand's pages are found."""
        return self._pages({"search_terms": terms, "search_type": "KEYWORD_UNORDERED"}, label=terms)

    async def _pages(self, query: dict[str, str], *, label: str) -> AsyncIterator[ParsedPage]:
        """The pages of one ``ads_archive`` query, following its cursor; ``label`` names it in logs."""
        params: dict[str, str | int] = {
            **query,
            "ad_reached_countries": json.dumps(self._countries),
            "ad_active_status": "ALL",
            "ad_type": "ALL",
            "fields": self._fields,
            "limit": self._page_size,
        }
        for number in range(1, self._max_pages + 1):
            response = await self._http.get_json(
                self._url, params=params, secret_params={"access_token": self._access_token}
            )
            page = _page(self.connector, response, *parse_meta_page(response.body))
            _log_page(page, handle=label, number=number)
            yield page
            after = _meta_next_cursor(response.body)
            if after is None:
                return
            # The cursor, not paging.next: that URL embeds the token and must never be requested as given.
            params = {**params, "after": after}
        _log_page_limit(self.connector, handle=label, max_pages=self._max_pages)


def _meta_next_cursor(body: Any) -> str | None:
    """``paging.cursors.after`` when ``paging.next`` says there is another page."""
    paging = body.get("paging") if isinstance(body, dict) else None
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    if not isinstance(after, str) or not after:
        log.warning("Meta announced a next page without an after cursor; stopping", extra={"connector": "meta"})
        return None
    return after


class ApifyClient:
    """An Apify Facebook Ads Library scraper run for one page id (or a keyword search), then its
    dataset page by page."""

    connector: Connector = Connector.APIFY

    def __init__(
        self,
        *,
        token: str,
        http: aiohttp.ClientSession,
        base_url: str = "https://api.apify.com",
        actor_id: str = APIFY_DEFAULT_ACTOR,
        max_items: int = 200,
        page_size: int = 100,
        max_pages: int = 50,
        run_timeout_seconds: float = 900,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._http = SourceHttp(http, connector=self.connector, retry=retry, secrets=[token])
        self._headers = {"Authorization": f"Bearer {token}"}
        self._base_url = base_url.rstrip("/")
        self._actor_id = actor_id
        self._max_items = max_items
        self._page_size = page_size
        self._max_pages = max_pages
        self._run_timeout_seconds = run_timeout_seconds

    async def fetch(self, handle: str, detailed: Collection[str] = frozenset()) -> AsyncIterator[ParsedPage]:
        async for page in self._run_pages({"view_all_page_id": handle}, label=handle):
            yield page

    def search(self, terms: str) -> AsyncIterator[ParsedPage]:
        """Pages of the ads the Ad Library's keyword search (``q``, every word in any order) finds for
        ``terms``, scraped by one run of the actor: how a brand's pages are found through Apify."""
        return self._run_pages({"q": terms, "search_type": "keyword_unordered", "media_type": "all"}, label=terms)

    async def _run_pages(self, library_query: dict[str, str], *, label: str) -> AsyncIterator[ParsedPage]:
        """One actor run over the Ad Library URL with ``library_query``, then its dataset page by page."""
        run = await self._finished_run(library_query, label=label)
        dataset_url = f"{self._base_url}/v2/datasets/{run['defaultDatasetId']}/items"
        offset = 0
        for number in range(1, self._max_pages + 1):
            response = await self._http.get_json(
                dataset_url,
                params={"format": "json", "clean": "true", "offset": offset, "limit": self._page_size},
                headers=self._headers,
            )
            page = _page(self.connector, response, *parse_apify_items(response.body))
            _log_page(page, handle=label, number=number)
            yield page
            if len(response.body) < self._page_size:
                return
            offset += len(response.body)
        _log_page_limit(self.connector, handle=label, max_pages=self._max_pages)

    async def _finished_run(self, library_query: dict[str, str], *, label: str) -> dict[str, Any]:
        """Start the actor on the Ad Library URL with ``library_query`` and wait until its run ends;
        SourceError unless it SUCCEEDED."""
        library_url = "https://www.facebook.com/ads/library/?" + urlencode(
            {"active_status": "all", "ad_type": "all", "country": "ALL", **library_query}
        )
        # Retried like any request: a start lost to a dropped connection may leave a duplicate run,
        # which costs a run's credits, where not retrying would lose the brand's refresh.
        started = await self._http.request_json(
            "POST",
            f"{self._base_url}/v2/acts/{self._actor_id}/runs",
            params={"waitForFinish": _APIFY_MAX_WAIT_SECONDS},
            headers=self._headers,
            json_body={"urls": [{"url": library_url}], "count": self._max_items},
        )
        run = _apify_run(started.body)
        log.info(
            "apify run started",
            extra={"connector": self.connector.value, "handle": label, "run_id": run["id"], "status": run["status"]},
        )
        deadline = asyncio.get_running_loop().time() + self._run_timeout_seconds
        while run["status"] in _APIFY_UNFINISHED:
            if asyncio.get_running_loop().time() >= deadline:
                raise SourceError(
                    f"Apify run {run['id']} of {self._actor_id} still {run['status']} "
                    f"after {self._run_timeout_seconds} s"
                )
            polled = await self._http.get_json(
                f"{self._base_url}/v2/actor-runs/{run['id']}",
                params={"waitForFinish": _APIFY_MAX_WAIT_SECONDS},
                headers=self._headers,
            )
            run = _apify_run(polled.body)
        if run["status"] != "SUCCEEDED":
            raise SourceError(f"Apify run {run['id']} of {self._actor_id} ended {run['status']}, not SUCCEEDED")
        if not run.get("defaultDatasetId"):
            raise SourceError(f"Apify run {run['id']} of {self._actor_id} has no defaultDatasetId")
        return run


def _apify_run(body: Any) -> dict[str, Any]:
    """The run object of a ``{data: {id, status, defaultDatasetId}}`` answer."""
    run = body.get("data") if isinstance(body, dict) else None
    if not isinstance(run, dict) or not isinstance(run.get("id"), str) or not isinstance(run.get("status"), str):
        raise SourceError(f"Apify answered without a run object (data.id, data.status): {str(body)[:200]}")
    return run


class SerpApiClient:
    """Google Ads Transparency Center creatives of one advertiser (``AR...``), each merged with its
    details; or the bare listing of a name or domain search."""

    connector: Connector = Connector.SERPAPI

    def __init__(
        self,
        *,
        api_key: str,
        http: aiohttp.ClientSession,
        base_url: str = "https://serpapi.com",
        region: str = "2840",
        page_size: int = SERPAPI_MAX_PAGE_SIZE,
        max_pages: int = 10,
        details_concurrency: int = 5,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._api_key = api_key
        self._http = SourceHttp(http, connector=self.connector, retry=retry, secrets=[api_key])
        self._url = f"{base_url.rstrip('/')}/search.json"
        self._region = region
        self._page_size = min(page_size, SERPAPI_MAX_PAGE_SIZE)
        self._max_pages = max_pages
        self._details_concurrency = details_concurrency

    async def fetch(self, handle: str, detailed: Collection[str] = frozenset()) -> AsyncIterator[ParsedPage]:
        # One semaphore per fetch: it bounds this handle's details calls and belongs to this event loop.
        details_slots = asyncio.Semaphore(self._details_concurrency)

        async def with_details(listed: list[NormalizedAd]) -> list[NormalizedAd]:
            return await self._with_details(listed, handle, details_slots, detailed)

        async for page in self._listing({"advertiser_id": handle}, label=handle, enrich=with_details):
            yield page

    def search(self, text: str) -> AsyncIterator[ParsedPage]:
        """Listing pages of the creatives the Transparency Center's search finds for ``text`` (an
        advertiser name or a domain), without their details: each details call is a paid search,
        and finding advertisers needs only the listing's advertiser and target domain."""
        return self._listing({"text": text}, label=text, enrich=None)

    async def _listing(
        self,
        query: dict[str, str],
        *,
        label: str,
        enrich: Callable[[list[NormalizedAd]], Awaitable[list[NormalizedAd]]] | None,
    ) -> AsyncIterator[ParsedPage]:
        """The listing pages of one query, each page's ads through ``enrich`` when given."""
        params: dict[str, str | int] = {
            "engine": LISTING_ENGINE,
            **query,
            "region": self._region,
            "num": self._page_size,
        }
        for number in range(1, self._max_pages + 1):
            response = await self._http.get_json(self._url, params=params, secret_params={"api_key": self._api_key})
            listed, failures = parse_serpapi_listing(response.body)
            ads = await enrich(listed) if enrich is not None else listed
            page = _page(self.connector, response, ads, failures)
            _log_page(page, handle=label, number=number)
            yield page
            next_page_token = _serpapi_next_page_token(response.body)
            if next_page_token is None:
                return
            params = {**params, "next_page_token": next_page_token}
        _log_page_limit(self.connector, handle=label, max_pages=self._max_pages)

    async def _with_details(
        self, ads: list[NormalizedAd], handle: str, slots: asyncio.Semaphore, detailed: Collection[str]
    ) -> list[NormalizedAd]:
        """Each ad merged with its details, except those stored with them already: a creative's
        details never change, and each call is a paid search."""
        async with asyncio.TaskGroup() as group:
            tasks = {
                ad.source_ad_id: group.create_task(self._with_ad_details(ad, handle, slots))
                for ad in ads
                if ad.source_ad_id not in detailed
            }
        return [tasks[ad.source_ad_id].result() if ad.source_ad_id in tasks else ad for ad in ads]

    async def _with_ad_details(self, ad: NormalizedAd, handle: str, slots: asyncio.Semaphore) -> NormalizedAd:
        """The ad merged with its details; the listing ad as it is when the details cannot be had."""
        async with slots:
            try:
                response = await self._http.get_json(
                    self._url,
                    params={
                        "engine": DETAILS_ENGINE,
                        "advertiser_id": ad.advertiser_id or handle,
                        "creative_id": ad.source_ad_id,
                    },
                    secret_params={"api_key": self._api_key},
                )
                return apply_serpapi_details(ad, response.body)
            except SourceError as exc:
                log.warning(
                    "creative details unavailable; keeping the listing ad",
                    extra={
                        "connector": self.connector.value,
                        "handle": handle,
                        "source_ad_id": ad.source_ad_id,
                        "reason": str(exc),
                    },
                )
                return ad


def _serpapi_next_page_token(body: Any) -> str | None:
    pagination = body.get("serpapi_pagination") if isinstance(body, dict) else None
    token = pagination.get("next_page_token") if isinstance(pagination, dict) else None
    return token if isinstance(token, str) and token else None
