"""Acquire one brand: fetch every configured source, store creatives in S3, upsert ads.

Pages are processed as they arrive (memory stays flat however many ads a brand has):
1. each ad is merged with its existing row (:mod:`adology.acquisition.rows`);
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

from adology.acquisition.rows import (
    NO_MEDIA_REASON,
    load_existing,
    merge_ad,
    observes_something_new,
    plan_media,
    stored_with_details,
    upsert,
)
from adology.brands import Brand
from adology.db.locks import holding_brands
from adology.errors import AdologyError
from adology.logs import get_logger, log_context
from adology.media.fetch import MediaFetcher, MediaFetchError, StoredMedia
from adology.sources.models import Connector, NormalizedAd, ParsedPage, SourceClient

log = get_logger(__name__)


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
            detailed = await asyncio.to_thread(stored_with_details, connect, brand)
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
    existing = await asyncio.to_thread(load_existing, connect, ads)
    plans = [plan_media(ad, existing.get((ad.source, ad.source_ad_id))) for ad in ads]
    for plan in plans:
        for ref in plan.to_fetch:
            if ref.url not in downloads:
                downloads[ref.url] = asyncio.ensure_future(fetcher.fetch(ref.url))
    changed, repeated, observed = [], [], []  # rows to write, rows seen again as stored, their items
    for ad, plan in zip(ads, plans, strict=True):
        media = [await _resolve(entry, downloads, report) for entry in plan.entries]
        current = existing.get((ad.source, ad.source_ad_id))
        row = merge_ad(brand, ad, current, media)
        if observes_something_new(ad, row, current):
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
    await asyncio.to_thread(upsert, connect, changed, repeated)
    _tally(report, outcomes)
    log.info(
        "page stored",
        extra={"connector": page.connector.value, "ads": len(ads), "new": report.new, "failed": report.failed},
    )


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


def _save_raw(raw_ads: Any, brand: Brand, page: ParsedPage, observed: list[NormalizedAd], fetched_at: datetime) -> None:
    """The page's parse failures and the items of ``observed``, the ads this fetch told something new."""
    documents = [
        {
            "source": ad.source,
            "source_ad_id": ad.source_ad_id,
            "connector": page.connector.value,
            "brand": brand.partition_key,
            "request": page.request,
            "fetched_at": fetched_at,
            "payload": ad.raw,
        }
        for ad in observed
    ] + [
        {
            "connector": page.connector.value,
            "brand": brand.partition_key,
            "request": page.request,
            "fetched_at": fetched_at,
            "parse_failure": failure.model_dump(),
        }
        for failure in page.failures
    ]
    if documents:
        raw_ads.insert_many(documents)


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
        log.warning(
            "creative not stored", extra={"reason": exc.reason.value, "detail": exc.detail, "url": entry["source_url"]}
        )
        return entry | {"s3_key": None, "error": str(exc)}
    report.media_downloaded += 1
    report.bytes_downloaded += stored.size
    report.media_deduplicated += int(stored.already_stored)
    return entry | {
        "s3_key": stored.key,
        "sha256": stored.sha256,
        "content_type": stored.content_type,
        "bytes": stored.size,
        "error": None,
    }
