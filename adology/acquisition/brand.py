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

A bad item costs only that item. The parsers refuse what cannot be an ad (a ``parse_failure``);
an ad that parsed but that a store refuses — text PostgreSQL cannot hold, a row it rejects, a
document Mongo rejects, or any failure while its creatives are resolved and its row merged — is a
``store_failure`` with its position and reason. Both are recorded in ``raw_ads``
(:mod:`adology.acquisition.raw`) and counted in the report, and the rest of the page is stored.
Every ``raw_ads`` document's id is a digest of what it records, so a run that meets the same item
again, after a failure or because the item fails every time, adds no document.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from adology.acquisition.raw import ad_document, failure_document, insert_new
from adology.acquisition.rows import (
    NO_MEDIA_REASON,
    StoredAd,
    load_existing,
    merge_ad,
    observes_something_new,
    plan_media,
    stored_with_details,
    unstorable_reason,
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
    parse_failures: int = 0  # items the parsers refused, each recorded in raw_ads with its reason
    store_failures: int = 0  # ads that parsed but could not be stored, each recorded in raw_ads with its reason
    fields_dropped_or_cleaned: int = 0  # by the parsers' rules, on the ads stored; each noted with its raw item
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
    run = _BrandRun(brand, fetcher, connect, raw_ads, report)
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
                        await _store_page(run, page)
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


@dataclass
class _BrandRun:
    """What storing one brand's pages shares across them."""

    brand: Brand
    fetcher: MediaFetcher
    connect: Callable[[], Any]
    raw_ads: Any
    report: AcquisitionReport
    downloads: dict[str, asyncio.Task[StoredMedia]] = field(default_factory=dict)
    # each ad counted once per run, however many sources list it: (verdict, media state)
    outcomes: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _StoreFailure:
    """An ad that parsed but could not be stored: where it was on its page, and why."""

    position: int | None
    source_ad_id: str
    reason: str


@dataclass(frozen=True)
class _Merged:
    """A fetched ad, its row after this fetch, and its row before it."""

    ad: NormalizedAd
    row: dict[str, Any]
    current: StoredAd | None

    @property
    def key(self) -> tuple[str, str]:
        return self.ad.source, self.ad.source_ad_id


async def _store_page(run: _BrandRun, page: ParsedPage) -> None:
    report = run.report
    report.pages += 1
    report.parse_failures += len(page.failures)
    fetched_at = datetime.now(UTC)
    storable, failures = [], []
    for ad in _dedupe(page.ads):
        reason = unstorable_reason(ad)
        if reason is None:
            storable.append(ad)
        else:
            failures.append(_store_failure(ad, reason))
    if storable:
        failures += await _store_ads(run, page, storable, fetched_at)
    _record_failures(run, page, failures, fetched_at)
    report.store_failures += len(failures)
    _tally(report, run.outcomes)
    log.info(
        "page stored",
        extra={
            "connector": page.connector.value,
            "ads": len(page.ads),
            "new": report.new,
            "failed": report.failed,
            "parse_failures": len(page.failures),
            "store_failures": len(failures),
        },
    )


async def _store_ads(
    run: _BrandRun, page: ParsedPage, ads: list[NormalizedAd], fetched_at: datetime
) -> list[_StoreFailure]:
    """Store the page's ads (creatives, raw items, rows); returns those that could not be, each with why."""
    existing = await asyncio.to_thread(load_existing, run.connect, ads)
    plans = [plan_media(ad, existing.get((ad.source, ad.source_ad_id))) for ad in ads]
    for plan in plans:
        for ref in plan.to_fetch:
            if ref.url not in run.downloads:
                run.downloads[ref.url] = asyncio.ensure_future(run.fetcher.fetch(ref.url))
    failures: list[_StoreFailure] = []
    changed: list[_Merged] = []  # rows to write, and the items told something new: their raw goes to Mongo
    repeated: list[_Merged] = []  # rows seen again as stored
    for ad, plan in zip(ads, plans, strict=True):
        current = existing.get((ad.source, ad.source_ad_id))
        try:
            media = [await _resolve(entry, run.downloads, run.report) for entry in plan.entries]
            row = merge_ad(run.brand, ad, current, media)
        except Exception as exc:  # noqa: BLE001 - whatever one ad meets costs it alone, recorded as its failure
            failures.append(_store_failure(ad, f"{type(exc).__name__} while its creatives were stored: {exc}"))
            continue
        (changed if observes_something_new(ad, row, current) else repeated).append(_Merged(ad, row, current))
    # raw items first: a row committed without them would look unchanged next run and never get them
    # (and an item saved for a row that then fails is not saved again: its document's id is its content)
    refused = _save_raw(run, page, [entry.ad for entry in changed], fetched_at)
    failures += [_store_failure(entry.ad, refused[entry.key]) for entry in changed if entry.key in refused]
    changed = [entry for entry in changed if entry.key not in refused]
    rejected = await asyncio.to_thread(
        upsert, run.connect, [entry.row for entry in changed], [entry.row for entry in repeated]
    )
    rejected_reasons = {(row["source"], row["source_ad_id"]): reason for row, reason in rejected}
    for entry in changed + repeated:
        if entry.key in rejected_reasons:
            failures.append(_store_failure(entry.ad, rejected_reasons[entry.key]))
        else:
            run.report.fields_dropped_or_cleaned += len(entry.ad.notes)
            _count_outcome(run.outcomes, entry)
    return failures


def _count_outcome(outcomes: dict[tuple[str, str], tuple[str, str]], entry: _Merged) -> None:
    row, current = entry.row, entry.current
    if current is None:
        outcome = "new"
    elif row["content_hash"] != current.content_hash or row["media_failure"] != current.media_failure:
        outcome = "updated"
    else:
        outcome = "unchanged"
    earlier = outcomes.get(entry.key, (outcome, ""))[0]
    verdict = outcome if earlier == "unchanged" else earlier  # a later source never demotes "new"
    failure = row["media_failure"]
    outcomes[entry.key] = (verdict, "none" if failure == NO_MEDIA_REASON else ("failed" if failure else "stored"))


def _store_failure(ad: NormalizedAd, reason: str) -> _StoreFailure:
    """``ad``'s failure, logged where it happens."""
    log.warning(
        "ad not stored",
        extra={"connector": ad.connector.value, "ad": ad.source_ad_id, "position": ad.position, "reason": reason},
    )
    return _StoreFailure(ad.position, ad.source_ad_id, reason)


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


def _save_raw(
    run: _BrandRun, page: ParsedPage, observed: list[NormalizedAd], fetched_at: datetime
) -> dict[tuple[str, str], str]:
    """The items of ``observed``, the ads this fetch told something new; returns why, by ad, for
    those the document store refused or that could not be made a document."""
    refused: dict[tuple[str, str], str] = {}
    documents = []
    for ad in observed:
        try:
            documents.append(ad_document(run.brand, page, ad, fetched_at))
        except (ValueError, TypeError, RecursionError) as exc:  # not JSON, or beyond what JSON text can write
            refused[(ad.source, ad.source_ad_id)] = f"its raw item cannot be written: {type(exc).__name__}: {exc}"
    for document, reason in insert_new(run.raw_ads, documents):
        refused[(document["source"], document["source_ad_id"])] = f"the document store refused its raw item: {reason}"
    return refused


def _record_failures(run: _BrandRun, page: ParsedPage, failures: list[_StoreFailure], fetched_at: datetime) -> None:
    """The page's parse failures and store failures, each stored once however often it recurs."""
    documents = [
        failure_document(run.brand, page, kind, failure.position, failure.source_ad_id, failure.reason, fetched_at)
        for kind, failures_of_kind in (("parse_failure", page.failures), ("store_failure", failures))
        for failure in failures_of_kind
    ]
    for document, reason in insert_new(run.raw_ads, documents):
        log.error(
            "failure record not stored",
            extra={"connector": page.connector.value, "document": str(document)[:200], "reason": reason},
        )


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
