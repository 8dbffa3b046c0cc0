"""Parsing Apify Facebook Ads Library scraper dataset items into NormalizedAds.

Two actors describe the same Facebook Ad Library entries: ``curious_coder/facebook-ads-library-scraper``
in snake_case and ``apify/facebook-ads-scraper`` in camelCase, so every field is read under both
spellings. Their archive ids are the ones the Meta API returns, hence ``source="meta"``.

Dynamic product and dynamic creative ads (DPA/DCO) carry placeholder copy such as
``{{product.name}}`` in the snapshot; the rendered copy is in the cards, so it is taken from the
first card.
"""

from __future__ import annotations

from typing import Any

from adology.errors import SourceError
from adology.sources.models import Connector, MediaKind, MediaRef, NormalizedAd, ParseFailure, Range
from adology.sources.parsing import (
    ItemError,
    as_int,
    bounds_range,
    copy_text,
    describe_type,
    get_bool,
    get_object,
    get_objects,
    get_text,
    get_texts,
    get_timestamp,
    is_template,
    parse_items,
    require_text,
    text_range,
    unique_media,
)

_ID_KEYS = ("ad_archive_id", "adArchiveID", "adArchiveId")
_IMAGE_URL_KEYS = ("original_image_url", "originalImageUrl", "resized_image_url", "resizedImageUrl")
_VIDEO_URL_KEYS = ("video_hd_url", "videoHdUrl", "video_sd_url", "videoSdUrl")
_PREVIEW_URL_KEYS = ("video_preview_image_url", "videoPreviewImageUrl")
# The Ad Library's marker for "impressions not disclosed" (commercial ads outside the EU).
_UNDISCLOSED_INDEX = -1


def parse_apify_items(items: Any) -> tuple[list[NormalizedAd], list[ParseFailure]]:
    """Ads and per-item failures of a list of dataset items in either actor's spelling.

    Raises SourceError when ``items`` is not a list.
    """
    if not isinstance(items, list):
        raise SourceError(f"Apify dataset page is {describe_type(items)}, expected an array of items")
    return parse_items(items, _parse_item, id_keys=_ID_KEYS)


def _parse_item(item: dict[str, Any]) -> NormalizedAd:
    snapshot = get_object(item, "snapshot")
    cards = get_objects(snapshot, "cards")
    is_active = get_bool(item, "is_active", "isActive")
    copy = _ad_copy(snapshot, cards)
    return NormalizedAd(
        source="meta",
        source_ad_id=require_text(item, *_ID_KEYS),
        connector=Connector.APIFY,
        advertiser_id=get_text(item, "page_id", "pageID", "pageId"),
        advertiser_name=get_text(item, "page_name", "pageName") or get_text(snapshot, "page_name", "pageName"),
        title=copy["title"],
        body=copy["body"],
        link_url=copy["link_url"],
        cta=copy["cta"],
        display_format=get_text(snapshot, "display_format", "displayFormat"),
        media=_media(snapshot, cards),
        platforms=[
            platform.lower()
            for platform in get_texts(item, "publisher_platform", "publisherPlatform", "publisher_platforms")
        ],
        started_at=get_timestamp(item, "start_date", "startDate"),
        # For a running ad the scrapers report the scrape day as end_date: it is not an end.
        ended_at=None if is_active else get_timestamp(item, "end_date", "endDate"),
        is_active=is_active,
        spend=_spend(item),
        impressions=_impressions(item),
        raw=item,
    )


def _ad_copy(snapshot: dict[str, Any], cards: list[dict[str, Any]]) -> dict[str, str | None]:
    """Title, body, CTA and link; for templated (DPA/DCO) ads from the first card."""
    snapshot_copy = {
        "body": _body_text(snapshot, "snapshot.body"),
        "title": get_text(snapshot, "title"),
        "cta": get_text(snapshot, "cta_text", "ctaText"),
        "link_url": get_text(snapshot, "link_url", "linkUrl"),
    }
    if not any(is_template(value) for value in snapshot_copy.values()):
        return snapshot_copy
    card = cards[0] if cards else {}
    card_copy = {
        "body": _body_text(card, "snapshot.cards[0].body"),
        "title": get_text(card, "title"),
        "cta": get_text(card, "cta_text", "ctaText"),
        "link_url": get_text(card, "link_url", "linkUrl"),
    }
    return {field: copy_text(card_copy[field]) or copy_text(snapshot_copy[field]) for field in snapshot_copy}


def _body_text(container: dict[str, Any], field: str) -> str | None:
    """Body is ``{text: ...}`` in snapshots and usually a plain string in cards."""
    body = container.get("body")
    if isinstance(body, dict):
        return get_text(body, "text")
    if body is None or isinstance(body, str):
        return get_text(container, "body")
    raise ItemError(f"{field} is {describe_type(body)}, expected text or {{text}}")


def _media(snapshot: dict[str, Any], cards: list[dict[str, Any]]) -> list[MediaRef]:
    refs: list[MediaRef] = []
    for image in get_objects(snapshot, "images"):
        refs += _refs(image, _IMAGE_URL_KEYS, MediaKind.IMAGE, "primary")
    for video in get_objects(snapshot, "videos"):
        refs += _refs(video, _VIDEO_URL_KEYS, MediaKind.VIDEO, "primary")
        refs += _refs(video, _PREVIEW_URL_KEYS, MediaKind.IMAGE, "preview")
    for card in cards:
        refs += _refs(card, _IMAGE_URL_KEYS, MediaKind.IMAGE, "card")
        refs += _refs(card, _VIDEO_URL_KEYS, MediaKind.VIDEO, "card")
        refs += _refs(card, _PREVIEW_URL_KEYS, MediaKind.IMAGE, "preview")
    return unique_media(refs)


def _refs(container: dict[str, Any], url_keys: tuple[str, ...], kind: MediaKind, role: str) -> list[MediaRef]:
    """The best URL among ``url_keys`` (listed best first: HD before SD, original before resized)."""
    url = get_text(container, *url_keys)
    return [MediaRef(kind=kind, url=url, role=role)] if url else []


def _spend(item: dict[str, Any]) -> Range | None:
    currency = get_text(item, "currency")
    spend = item.get("spend")
    if spend is None or isinstance(spend, dict):
        return bounds_range(spend, "spend", currency=currency)
    if isinstance(spend, str):
        return text_range(spend, "spend", currency=currency) if spend.strip() else None
    amount = as_int(spend, "spend")
    return Range(lower=amount, upper=amount, currency=currency)


def _impressions(item: dict[str, Any]) -> Range | None:
    disclosure = get_object(item, "impressions_with_index", "impressionsWithIndex")
    index = as_int(disclosure.get("impressions_index", disclosure.get("impressionsIndex")), "impressions_index")
    text = get_text(disclosure, "impressions_text", "impressionsText")
    if index == _UNDISCLOSED_INDEX or text is None:
        return None
    return text_range(text, "impressions_text")
