"""Parsing Meta Ad Library API ``ads_archive`` pages into NormalizedAds.

The API discloses copy, dates, platforms and, for political and issue ads, spend and impression
ranges; it has no media URL, CTA or landing link, so those stay empty here and come from a
scraper. Every ad's ``ad_snapshot_url`` embeds the caller's access token: parsers take payloads
already redacted where they enter (a source response, a saved file), so ``raw`` holds no token.
"""

from __future__ import annotations

from typing import Any

from adology.errors import SourceError
from adology.sources.models import Connector, NormalizedAd, ParseFailure
from adology.sources.parsing import (
    bounds_range,
    copy_text,
    describe_type,
    error_envelope,
    first_text,
    get_text,
    get_texts,
    get_timestamp,
    parse_items,
    require_text,
)

_ID_KEYS = ("id",)


def parse_meta_page(payload: Any) -> tuple[list[NormalizedAd], list[ParseFailure]]:
    """Ads and per-item failures of one ``{data: [...], paging: {...}}`` page, or of a bare list of ads.

    Raises SourceError when the payload is Meta's error envelope or not a page at all.
    """
    return parse_items(_page_items(payload), _parse_ad, id_keys=_ID_KEYS)


def _page_items(payload: Any) -> list[Any]:
    if isinstance(payload, list):
        return payload
    if not isinstance(payload, dict):
        raise SourceError(f"Meta page is {describe_type(payload)}, expected an object with a data array")
    error = error_envelope(payload)
    if error is not None:
        raise SourceError(
            f"Meta returned an error instead of ads: {error.message} (code {error.code})", code=error.code
        )
    data = payload.get("data")
    if not isinstance(data, list):
        raise SourceError(f"Meta page has no data array (data is {describe_type(data)})")
    return data


def _parse_ad(item: dict[str, Any]) -> NormalizedAd:
    ended_at = get_timestamp(item, "ad_delivery_stop_time")
    return NormalizedAd(
        source="meta",
        source_ad_id=require_text(item, *_ID_KEYS),
        connector=Connector.META,
        advertiser_id=get_text(item, "page_id"),
        advertiser_name=get_text(item, "page_name"),
        # DPA/DCO ads list their template ("{{product.name}}"); the rendered copy is not in the API
        title=copy_text(first_text(item, "ad_creative_link_titles")),
        body=copy_text(first_text(item, "ad_creative_bodies")),
        platforms=[platform.lower() for platform in get_texts(item, "publisher_platforms")],
        started_at=get_timestamp(item, "ad_delivery_start_time"),
        ended_at=ended_at,
        # Meta sets a stop time only once delivery has stopped; its absence means still running.
        is_active=ended_at is None,
        spend=bounds_range(item.get("spend"), "spend", currency=get_text(item, "currency")),
        impressions=bounds_range(item.get("impressions"), "impressions"),
        raw=item,
    )
