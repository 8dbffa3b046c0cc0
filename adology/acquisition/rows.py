"""A fetched ad merged into its stored row: the ``ads`` table as acquisition reads and writes it.

The Meta API and the Apify scraper describe the same Facebook ad, one with spend ranges, the other
with creatives: what the ad says keeps its first value, delivery facts (active, end date, spend)
take the latest, and nothing known is lost. Every creative stored before stays, whatever a later
fetch lists. A row PostgreSQL refuses costs only itself: the page is written again row by row and
the refused rows come back with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from adology.brands import Brand
from adology.logs import get_logger
from adology.sources.item_rules import MAX_ID_CHARS
from adology.sources.models import Connector, MediaRef, NormalizedAd
from adology.sources.values import text_flaw
from adology.storage.postgres import one_row

log = get_logger(__name__)

NO_MEDIA_REASON = "no creative URL in any source payload for this ad"


@dataclass
class StoredAd:
    """An ad as stored before this fetch."""

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
_CREATIVE_FIELDS = (
    "advertiser_id",
    "advertiser_name",
    "title",
    "body",
    "link_url",
    "cta",
    "display_format",
    "started_at",
)
_DELIVERY_FIELDS = ("ended_at", "is_active")
_COPY_FIELDS = _CREATIVE_FIELDS + _DELIVERY_FIELDS
# every stored fact a fetch can change: equal on all of them, the fetch observed nothing new
_OBSERVED_FIELDS = (
    *_COPY_FIELDS,
    "platforms",
    "spend_range",
    "impressions_range",
    "media",
    "content_hash",
    "media_failure",
    "details_fetched",
)


@dataclass
class MediaPlan:
    entries: list[dict[str, Any]]  # the ad's media list; entries without s3_key await a download
    to_fetch: list[MediaRef]


def _creative_identity(kind: str, url: str) -> tuple[str, str]:
    """A creative is its file: signed query strings change on every fetch, and the role a source
    gives it depends on what that fetch knew (a SerpApi listing calls a video's image its
    "preview", its details may not), so neither may make it a second creative."""
    return kind, url.split("?", 1)[0]


def plan_media(ad: NormalizedAd, existing: StoredAd | None) -> MediaPlan:
    """The ad's media after this fetch: every creative stored before stays (the library is
    permanent, and a source that omits one this time — the Meta API never lists any — must not
    erase it); refs not stored yet are fetched."""
    previous = list(existing.media) if existing else []
    stored = {_creative_identity(e["kind"], e["source_url"]): e for e in previous if e.get("s3_key")}
    entries = [entry for entry in previous if entry.get("s3_key")]
    to_fetch = []
    for ref in ad.media:
        key = _creative_identity(ref.kind.value, ref.url)
        if key in stored:
            continue
        stored[key] = {
            "kind": ref.kind.value,
            "role": ref.role,
            "source_url": key[1],
            "fetch_url": ref.url,
            "width": ref.width,
            "height": ref.height,
        }
        entries.append(stored[key])
        to_fetch.append(ref)
    if not ad.media:
        entries += [entry for entry in previous if not entry.get("s3_key")]  # keep recorded failures
    return MediaPlan(entries, to_fetch)


def merge_ad(brand: Brand, ad: NormalizedAd, current: StoredAd | None, media: list[dict[str, Any]]) -> dict[str, Any]:
    """The ad's row after this fetch: creative fields keep their first value, delivery fields take
    the latest, and nothing known is lost to a fetch that lacks it."""
    previous = current.row if current else {}
    row: dict[str, Any] = {
        "brand_id": current.brand_id if current else brand.id,
        "source": ad.source,
        "source_ad_id": ad.source_ad_id,
    }
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
        source=ad.source,
        source_ad_id=ad.source_ad_id,
        connector=ad.connector,
        title=row["title"],
        body=row["body"],
        link_url=row["link_url"],
        cta=row["cta"],
        media=[MediaRef(kind=e["kind"], role=e["role"], url=e["source_url"]) for e in media],
    )
    row["content_hash"] = hashed.content_hash()
    return row


def observes_something_new(ad: NormalizedAd, row: dict[str, Any], current: StoredAd | None) -> bool:
    if current is None or ad.connector.value not in current.connectors:
        return True
    return any(row[name] != current.row.get(name) for name in _OBSERVED_FIELDS)


_TEXT_FIELDS = ("advertiser_id", "advertiser_name", "title", "body", "link_url", "cta", "display_format")


def unstorable_reason(ad: NormalizedAd) -> str | None:
    """Why the ads table would refuse ``ad``, or None: text PostgreSQL cannot hold (a NUL character,
    an unpaired surrogate) or an id too long for its unique index. The parsers keep their ads to
    this (:func:`adology.sources.parsing.checked_ad`); an ad from anywhere else is checked here,
    before one bad id fails the query that loads the whole page's stored rows."""
    if len(ad.source_ad_id) > MAX_ID_CHARS:
        return f"source_ad_id is {len(ad.source_ad_id)} characters long, more than {MAX_ID_CHARS}"
    ranges = {"spend": ad.spend, "impressions": ad.impressions}
    texts = {
        "source": ad.source,
        "source_ad_id": ad.source_ad_id,
        **{name: getattr(ad, name) for name in _TEXT_FIELDS},
        **{f"platforms[{index}]": platform for index, platform in enumerate(ad.platforms)},
        **{f"media[{index}].url": ref.url for index, ref in enumerate(ad.media)},
        **{f"{name}.text": value.text for name, value in ranges.items() if value is not None},
        **{f"{name}.currency": value.currency for name, value in ranges.items() if value is not None},
    }
    for field, text in texts.items():
        flaw = text_flaw(text) if text is not None else None
        if flaw is not None:
            return f"{field} has {flaw}, which PostgreSQL cannot store"
    return None


def stored_with_details(connect: Callable[[], Any], brand: Brand) -> frozenset[str]:
    """The brand's ads whose details a fetch may skip: held, and every creative they name stored
    (a creative that failed is only named in the details, so they are asked again to retry it)."""
    with connect() as conn:
        return frozenset(
            source_ad_id
            for (source_ad_id,) in conn.execute(
                """SELECT source_ad_id FROM ads
               WHERE brand_id = %s AND details_fetched
                 AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(media) m WHERE m->>'s3_key' IS NULL)""",
                (brand.id,),
            )
        )


def load_existing(connect: Callable[[], Any], ads: list[NormalizedAd]) -> dict[tuple[str, str], StoredAd]:
    with connect() as conn:
        cursor = conn.execute(
            f"""SELECT id, brand_id, source, source_ad_id, media, content_hash, media_failure,
                       {", ".join(_COPY_FIELDS)}, platforms, spend_range, impressions_range, connectors, details_fetched
                FROM ads
                WHERE (source, source_ad_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))""",
            ([ad.source for ad in ads], [ad.source_ad_id for ad in ads]),
        )
        names = [column.name for column in cursor.description]
        found = {}
        for values in cursor:
            record = dict(zip(names, values, strict=True))
            found[(record["source"], record["source_ad_id"])] = StoredAd(
                record["id"],
                record["brand_id"],
                record,
                record["media"],
                record["content_hash"],
                record["media_failure"],
                record["connectors"],
            )
        return found


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


# What PostgreSQL says about one row's values (text or a number it cannot hold, a key too long for
# its index), as opposed to the connection or the server failing.
_ROW_ERRORS = (psycopg.DataError, psycopg.IntegrityError, psycopg.errors.ProgramLimitExceeded)


def upsert(
    connect: Callable[[], Any], changed: list[dict[str, Any]], repeated: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], str]]:
    """Write the ``changed`` rows; the ``repeated`` ones (stored as they are) only move ``last_seen_at``.

    Returns the rows PostgreSQL refused, each with its reason; every other row is written. A page
    is one transaction, so a refused row rolls the page back, and the page is then written again
    row by row to find the refused ones.
    """
    try:
        _write(connect, changed, repeated)
        return []
    except _ROW_ERRORS as exc:
        log.warning("a row of the page was refused; writing its rows one by one", extra={"error": str(exc)})
    refused = []
    for row in changed:
        try:
            _write(connect, [row], [])
        except _ROW_ERRORS as exc:
            first_line = next(iter(str(exc).splitlines()), "")  # the DETAIL and CONTEXT lines repeat the value
            refused.append((row, f"PostgreSQL refused the row: {type(exc).__name__}: {first_line}"))
    _write(connect, [], repeated)
    return refused


def _write(connect: Callable[[], Any], changed: list[dict[str, Any]], repeated: list[dict[str, Any]]) -> None:
    if not changed and not repeated:
        return
    params = [
        row
        | {
            "media": Jsonb(row["media"]),
            "spend_range": Jsonb(row["spend_range"]) if row["spend_range"] is not None else None,
            "impressions_range": Jsonb(row["impressions_range"]) if row["impressions_range"] is not None else None,
        }
        for row in changed
    ]
    with connect() as conn, conn.transaction():
        conn.cursor().executemany(_UPSERT, params)
        if repeated:
            conn.execute(
                """UPDATE ads SET last_seen_at = now()
                            WHERE (source, source_ad_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))""",
                ([row["source"] for row in repeated], [row["source_ad_id"] for row in repeated]),
            )


def ad_invariants(conn: psycopg.Connection, brand_id: int) -> dict[str, int]:
    """Counts that must be zero: ads with neither a stored creative nor a failure reason, and
    source ids stored twice."""
    (without_creative,) = one_row(
        conn.execute(
            """SELECT count(*) FROM ads
           WHERE brand_id = %s AND media_failure IS NULL
             AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(media) AS m WHERE m->>'s3_key' IS NOT NULL)""",
            (brand_id,),
        )
    )
    (duplicates,) = one_row(
        conn.execute(
            """SELECT count(*) FROM (SELECT 1 FROM ads WHERE brand_id = %s
                                 GROUP BY source, source_ad_id HAVING count(*) > 1) AS repeated""",
            (brand_id,),
        )
    )
    return {"ads_without_creative_or_reason": without_creative, "duplicate_source_ids": duplicates}
