"""Acquire one brand: fetch every configured source, store creatives in S3, upsert ads.

Pages are processed as they arrive (memory stays flat however many ads a brand has):
1. each ad is merged with its existing row — the Meta API and the Apify scraper describe the same
   Facebook ad, one with spend ranges, the other with creatives; what the ad says keeps its first
   value, delivery facts (active, end date, spend) take the latest, and nothing known is lost;
2. creatives not yet stored are streamed to S3; a creative already stored for the ad is not
   downloaded again, which is what makes a second run download nothing;
3. the untouched item (secrets already redacted by the parser) goes to Mongo ``raw_ads`` whenever
   the fetch observed something new — a new ad, a connector new to it, or any stored fact changed;
   a re-fetch that repeats what is stored adds no document (its time is the row's ``last_seen_at``);
4. the page's changed rows are upserted in one transaction (``executemany`` on one pipeline) and
   its unchanged rows only get ``last_seen_at``.
A bad URL costs only that creative: the ad records the reason and is retried on the next run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import psycopg
from psycopg.types.json import Jsonb

from adology.brands import Brand
from adology.db.locks import holding_brands
from adology.errors import AdologyError
from adology.logs import get_logger, log_context
from adology.media.fetch import MediaFetcher, MediaFetchError, MediaLimits, StoredMedia
from adology.media.guard import UrlPolicy
from adology.sources.clients import ApifyClient, MetaAdLibraryClient, SerpApiClient
from adology.sources.http import http_client
from adology.sources.models import Connector, MediaRef, NormalizedAd, ParsedPage, SourceClient
from adology.storage.s3 import ObjectStore

log = get_logger(__name__)

NO_MEDIA_REASON = "no creative URL in any source payload for this ad"


@dataclass
class AcquisitionReport:
    pages: int = 0
    ads_seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0  # ads whose creatives could not be stored, each with its reason
    without_media: int = 0  # ads no source gave a creative URL for (text ads, Meta API only)
    parse_failures: int = 0
    media_downloaded: int = 0
    media_deduplicated: int = 0  # downloaded bytes that S3 already held under the same sha256
    media_reused: int = 0  # already stored for the ad: not downloaded at all
    bytes_downloaded: int = 0
    source_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_metadata(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if name != "source_errors"} | {
            "source_errors": len(self.source_errors)
        }


@dataclass
class _Existing:
    id: int
    brand_id: int
    row: dict[str, Any]
    media: list[dict[str, Any]]
    content_hash: str | None
    media_failure: str | None
    connectors: list[str]


# What an ad says never changes once published (a new message is a new ad), so these keep the
# first value seen: a poorer later fetch (a SerpApi listing whose details call failed gives only
# the bare domain as link) must not overwrite it. Delivery fields change, and take the latest.
_CREATIVE_FIELDS = ("advertiser_id", "advertiser_name", "title", "body", "link_url", "cta", "display_format",
                    "started_at")
_DELIVERY_FIELDS = ("ended_at", "is_active")
_COPY_FIELDS = _CREATIVE_FIELDS + _DELIVERY_FIELDS
# every stored fact a fetch can change: equal on all of them, the fetch observed nothing new
_OBSERVED_FIELDS = _COPY_FIELDS + ("platforms", "spend_range", "impressions_range", "media", "content_hash",
                                   "media_failure", "details_fetched")


async def acquire_brand(
    brand: Brand,
    *,
    clients: Mapping[Connector, SourceClient],
    fetcher: MediaFetcher,
    connect: Callable[[], Any],
    raw_ads: Any,
    progress: Callable[[AcquisitionReport], None] | None = None,
) -> AcquisitionReport:
    """Fetch every source of ``brand`` and store what is new; ``connect()`` yields a DB connection."""
    report = AcquisitionReport()
    started = time.monotonic()
    downloads: dict[str, asyncio.Task[StoredMedia]] = {}
    # each ad counted once per run, however many sources list it: (verdict, media state)
    outcomes: dict[tuple[str, str], tuple[str, str]] = {}
    with log_context(brand=brand.partition_key):
        # a second run over this brand (a sensor's, a backfill's) waits here, then finds nothing new
        async with holding_brands(connect, "acquisition", [brand.id]):
            detailed = await asyncio.to_thread(_stored_with_details, connect, brand)
            for source in brand.sources:
                client = clients.get(source.connector)
                if client is None:
                    report.source_errors.append(f"{source.connector.value}: no client configured")
                    continue
                try:
                    async for page in client.fetch(source.handle, detailed):
                        await _store_page(brand, page, fetcher, connect, raw_ads, report, downloads, outcomes)
                        if progress is not None:
                            progress(report)
                except AdologyError as exc:
                    # the pages already stored stay stored; the rest is fetched again next run
                    report.source_errors.append(f"{source.connector.value} {source.handle}: {exc}")
                    log.error("source fetch failed", extra={"connector": source.connector.value, "error": str(exc)})
            with connect() as conn:
                conn.execute("UPDATE brands SET last_acquired_at = now() WHERE id = %s", (brand.id,))
    report.seconds = round(time.monotonic() - started, 3)
    return report


async def _store_page(
    brand: Brand,
    page: ParsedPage,
    fetcher: MediaFetcher,
    connect: Callable[[], Any],
    raw_ads: Any,
    report: AcquisitionReport,
    downloads: dict[str, asyncio.Task[StoredMedia]],
    outcomes: dict[tuple[str, str], tuple[str, str]],
) -> None:
    report.pages += 1
    report.parse_failures += len(page.failures)
    fetched_at = datetime.now(UTC)
    ads = _dedupe(page.ads)
    if not ads:
        _save_raw(raw_ads, brand, page, [], fetched_at)
        return
    existing = await asyncio.to_thread(_load_existing, connect, ads)
    plans = [_plan_media(ad, existing.get((ad.source, ad.source_ad_id))) for ad in ads]
    for plan in plans:
        for ref in plan.to_fetch:
            if ref.url not in downloads:
                downloads[ref.url] = asyncio.ensure_future(fetcher.fetch(ref.url))
    changed, repeated, observed = [], [], []  # rows to write, rows seen again as stored, their items
    for ad, plan in zip(ads, plans, strict=True):
        media = [await _resolve(entry, downloads, report) for entry in plan.entries]
        current = existing.get((ad.source, ad.source_ad_id))
        row = _merge(brand, ad, current, media)
        if _observes_something_new(ad, row, current):
            changed.append(row)
            observed.append(ad)
        else:
            repeated.append(row)
        key = (ad.source, ad.source_ad_id)
        if current is None:
            outcome = "new"
        elif row["content_hash"] != current.content_hash or row["media_failure"] != current.media_failure:
            outcome = "updated"
        else:
            outcome = "unchanged"
        earlier = outcomes.get(key, (outcome, ""))[0]
        verdict = outcome if earlier == "unchanged" else earlier  # a later source never demotes "new"
        failure = row["media_failure"]
        outcomes[key] = (verdict, "none" if failure == NO_MEDIA_REASON else ("failed" if failure else "stored"))
    # raw items first: a row committed without them would look unchanged next run and never get them
    _save_raw(raw_ads, brand, page, observed, fetched_at)
    await asyncio.to_thread(_upsert, connect, changed, repeated)
    _tally(report, outcomes)
    log.info("page stored", extra={"connector": page.connector.value, "ads": len(ads), "new": report.new,
                                   "failed": report.failed})


def _tally(report: AcquisitionReport, outcomes: dict[tuple[str, str], tuple[str, str]]) -> None:
    verdicts = [verdict for verdict, _ in outcomes.values()]
    states = [state for _, state in outcomes.values()]
    report.ads_seen = len(outcomes)
    report.new, report.updated, report.unchanged = (verdicts.count(v) for v in ("new", "updated", "unchanged"))
    report.failed, report.without_media = states.count("failed"), states.count("none")


def _dedupe(ads: list[NormalizedAd]) -> list[NormalizedAd]:
    unique: dict[tuple[str, str], NormalizedAd] = {}
    for ad in ads:
        unique[(ad.source, ad.source_ad_id)] = ad
    return list(unique.values())


def _observes_something_new(ad: NormalizedAd, row: dict[str, Any], current: _Existing | None) -> bool:
    if current is None or ad.connector.value not in current.connectors:
        return True
    return any(row[name] != current.row.get(name) for name in _OBSERVED_FIELDS)


def _save_raw(raw_ads: Any, brand: Brand, page: ParsedPage, observed: list[NormalizedAd], fetched_at: datetime) -> None:
    """The page's parse failures and the items of ``observed``, the ads this fetch told something new."""
    documents = [
        {"source": ad.source, "source_ad_id": ad.source_ad_id, "connector": page.connector.value,
         "brand": brand.partition_key, "request": page.request, "fetched_at": fetched_at, "payload": ad.raw}
        for ad in observed
    ] + [
        {"connector": page.connector.value, "brand": brand.partition_key, "request": page.request,
         "fetched_at": fetched_at, "parse_failure": failure.model_dump()}
        for failure in page.failures
    ]
    if documents:
        raw_ads.insert_many(documents)


def _stored_with_details(connect: Callable[[], Any], brand: Brand) -> frozenset[str]:
    """The brand's ads whose details a fetch may skip: held, and every creative they name stored
    (a creative that failed is only named in the details, so they are asked again to retry it)."""
    with connect() as conn:
        return frozenset(source_ad_id for (source_ad_id,) in conn.execute(
            """SELECT source_ad_id FROM ads
               WHERE brand_id = %s AND details_fetched
                 AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(media) m WHERE m->>'s3_key' IS NULL)""",
            (brand.id,)))


def _load_existing(connect: Callable[[], Any], ads: list[NormalizedAd]) -> dict[tuple[str, str], _Existing]:
    with connect() as conn:
        cursor = conn.execute(
            f"""SELECT id, brand_id, source, source_ad_id, media, content_hash, media_failure, {", ".join(_COPY_FIELDS)},
                       platforms, spend_range, impressions_range, connectors, details_fetched
                FROM ads
                WHERE (source, source_ad_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))""",
            ([ad.source for ad in ads], [ad.source_ad_id for ad in ads]),
        )
        names = [column.name for column in cursor.description]
        found = {}
        for values in cursor:
            record = dict(zip(names, values, strict=True))
            found[(record["source"], record["source_ad_id"])] = _Existing(
                record["id"], record["brand_id"], record, record["media"], record["content_hash"],
                record["media_failure"], record["connectors"],
            )
        return found


@dataclass
class _MediaPlan:
    entries: list[dict[str, Any]]  # the ad's media list; entries without s3_key await a download
    to_fetch: list[MediaRef]


def _identity(kind: str, url: str) -> tuple[str, str]:
    """A creative is its file: signed query strings change on every fetch, and the role a source
    gives it depends on what that fetch knew (a SerpApi listing calls a video's image its
    "preview", its details may not), so neither may make it a second creative."""
    return kind, url.split("?", 1)[0]


def _plan_media(ad: NormalizedAd, existing: _Existing | None) -> _MediaPlan:
    """The ad's media after this fetch: every creative stored before stays (the library is
    permanent, and a source that omits one this time — the Meta API never lists any — must not
    erase it); refs not stored yet are fetched."""
    previous = list(existing.media) if existing else []
    stored = {_identity(e["kind"], e["source_url"]): e for e in previous if e.get("s3_key")}
    entries = [entry for entry in previous if entry.get("s3_key")]
    to_fetch = []
    for ref in ad.media:
        key = _identity(ref.kind.value, ref.url)
        if key in stored:
            continue
        stored[key] = {"kind": ref.kind.value, "role": ref.role, "source_url": key[1], "fetch_url": ref.url,
                       "width": ref.width, "height": ref.height}
        entries.append(stored[key])
        to_fetch.append(ref)
    if not ad.media:
        entries += [entry for entry in previous if not entry.get("s3_key")]  # keep recorded failures
    return _MediaPlan(entries, to_fetch)


async def _resolve(
    entry: dict[str, Any], downloads: dict[str, asyncio.Task[StoredMedia]], report: AcquisitionReport
) -> dict[str, Any]:
    fetch_url = entry.pop("fetch_url", None)
    if fetch_url is None:
        if entry.get("s3_key"):
            report.media_reused += 1
        return entry
    try:
        stored = await downloads[fetch_url]
    except MediaFetchError as exc:
        log.warning("creative not stored", extra={"reason": exc.reason.value, "detail": exc.detail,
                                                   "url": entry["source_url"]})
        return entry | {"s3_key": None, "error": str(exc)}
    report.media_downloaded += 1
    report.bytes_downloaded += stored.size
    report.media_deduplicated += int(stored.already_stored)
    return entry | {"s3_key": stored.key, "sha256": stored.sha256, "content_type": stored.content_type,
                    "bytes": stored.size, "error": None}


def _merge(brand: Brand, ad: NormalizedAd, current: _Existing | None, media: list[dict[str, Any]]) -> dict[str, Any]:
    """The ad's row after this fetch: creative fields keep their first value, delivery fields take
    the latest, and nothing known is lost to a fetch that lacks it."""
    previous = current.row if current else {}
    row: dict[str, Any] = {"brand_id": current.brand_id if current else brand.id, "source": ad.source,
                           "source_ad_id": ad.source_ad_id}
    fresh = ad.model_dump(include=set(_COPY_FIELDS))
    for name in _CREATIVE_FIELDS:
        row[name] = previous[name] if previous.get(name) is not None else fresh[name]
    for name in _DELIVERY_FIELDS:
        row[name] = fresh[name] if fresh[name] is not None else previous.get(name)
    row["platforms"] = sorted(set(ad.platforms) | set(previous.get("platforms") or []))
    # The Meta API's ranges are the official ones; the scraper rounds the same buckets differently
    # ("1K-4K" → 4,000 where the API says 4,999), so for an ad the API reports it only fills a gap
    # (else every run would flip the row between the two).
    official = ad.connector is Connector.META or Connector.META.value not in (current.connectors if current else [])
    for name, fresh_range in (("spend_range", ad.spend), ("impressions_range", ad.impressions)):
        keep = previous.get(name) is not None and (fresh_range is None or not official)
        row[name] = previous.get(name) if keep else (fresh_range.model_dump() if fresh_range else None)
    row["media"] = media
    row["connectors"] = [ad.connector.value]
    row["details_fetched"] = ad.details_fetched or bool(previous.get("details_fetched"))
    failures = [entry["error"] for entry in media if entry.get("error")]
    stored_any = any(entry.get("s3_key") for entry in media)
    row["media_failure"] = None if stored_any else ("; ".join(failures) or NO_MEDIA_REASON)
    hashed = NormalizedAd(
        source=ad.source, source_ad_id=ad.source_ad_id, connector=ad.connector,
        title=row["title"], body=row["body"], link_url=row["link_url"], cta=row["cta"],
        media=[MediaRef(kind=e["kind"], role=e["role"], url=e["source_url"]) for e in media],
    )
    row["content_hash"] = hashed.content_hash()
    return row


_UPSERT = """
INSERT INTO ads (brand_id, source, source_ad_id, advertiser_id, advertiser_name, title, body, link_url, cta,
                 display_format, started_at, ended_at, is_active, platforms, spend_range, impressions_range,
                 media, connectors, media_failure, content_hash, details_fetched)
VALUES (%(brand_id)s, %(source)s, %(source_ad_id)s, %(advertiser_id)s, %(advertiser_name)s, %(title)s, %(body)s,
        %(link_url)s, %(cta)s, %(display_format)s, %(started_at)s, %(ended_at)s, %(is_active)s, %(platforms)s,
        %(spend_range)s, %(impressions_range)s, %(media)s, %(connectors)s, %(media_failure)s, %(content_hash)s,
        %(details_fetched)s)
ON CONFLICT (source, source_ad_id) DO UPDATE SET
    advertiser_id = EXCLUDED.advertiser_id, advertiser_name = EXCLUDED.advertiser_name,
    title = EXCLUDED.title, body = EXCLUDED.body, link_url = EXCLUDED.link_url, cta = EXCLUDED.cta,
    display_format = EXCLUDED.display_format, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
    is_active = EXCLUDED.is_active, platforms = EXCLUDED.platforms, spend_range = EXCLUDED.spend_range,
    impressions_range = EXCLUDED.impressions_range, media = EXCLUDED.media,
    connectors = ARRAY(SELECT DISTINCT unnest(ads.connectors || EXCLUDED.connectors) ORDER BY 1),
    media_failure = EXCLUDED.media_failure, content_hash = EXCLUDED.content_hash,
    details_fetched = ads.details_fetched OR EXCLUDED.details_fetched, last_seen_at = now()
"""


def _upsert(connect: Callable[[], Any], changed: list[dict[str, Any]], repeated: list[dict[str, Any]]) -> None:
    """Write the ``changed`` rows; the ``repeated`` ones (stored as they are) only move ``last_seen_at``."""
    params = [
        row | {"media": Jsonb(row["media"]),
               "spend_range": Jsonb(row["spend_range"]) if row["spend_range"] is not None else None,
               "impressions_range": Jsonb(row["impressions_range"]) if row["impressions_range"] is not None else None}
        for row in changed
    ]
    with connect() as conn, conn.transaction():
        conn.cursor().executemany(_UPSERT, params)
        if repeated:
            conn.execute("""UPDATE ads SET last_seen_at = now()
                            WHERE (source, source_ad_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))""",
                         ([row["source"] for row in repeated], [row["source_ad_id"] for row in repeated]))


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
            access_token=config.meta_access_token, http=http, base_url=config.meta_base_url,
            api_version=config.meta_api_version,
        )
    if config.apify_token:
        clients[Connector.APIFY] = ApifyClient(
            token=config.apify_token, http=http, base_url=config.apify_base_url, actor_id=config.apify_actor_id,
            max_items=10_000,
        )
    if config.serpapi_api_key:
        clients[Connector.SERPAPI] = SerpApiClient(
            api_key=config.serpapi_api_key, http=http, base_url=config.serpapi_base_url,
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
            http=http, store=store, policy=UrlPolicy.allowing(media.allowed_endpoints),
            limits=MediaLimits(max_bytes=media.max_bytes), concurrency=media.concurrency,
        )
        clients = build_clients(sources, http)

        async def acquire(brand: Brand) -> AcquisitionReport:
            async with slots:
                return await acquire_brand(
                    brand, clients=clients, fetcher=fetcher, connect=connect, raw_ads=raw_ads,
                    progress=(lambda report: progress(brand, report)) if progress is not None else None,
                )

        return list(await asyncio.gather(*(acquire(brand) for brand in brands)))


def ad_invariants(conn: psycopg.Connection, brand_id: int) -> dict[str, int]:
    """Counts that must be zero: ads with neither a stored creative nor a failure reason, and
    source ids stored twice."""
    (without_creative,) = conn.execute(
        """SELECT count(*) FROM ads
           WHERE brand_id = %s AND media_failure IS NULL
             AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(media) AS m WHERE m->>'s3_key' IS NOT NULL)""",
        (brand_id,),
    ).fetchone()
    (duplicates,) = conn.execute(
        """SELECT count(*) FROM (SELECT 1 FROM ads WHERE brand_id = %s
                                 GROUP BY source, source_ad_id HAVING count(*) > 1) AS repeated""",
        (brand_id,),
    ).fetchone()
    return {"ads_without_creative_or_reason": without_creative, "duplicate_source_ids": duplicates}
