"""Parsing SerpApi's Google Ads Transparency Center responses into NormalizedAds.

The listing engine (``google_ads_transparency_center``) names creatives, their advertiser, dates,
format and a preview image, but carries no copy; the details engine
(``google_ads_transparency_center_ad_details``) adds the copy, landing link, CTA and full media of
each creative's variants, merged in by :func:`apply_serpapi_details`.

SerpApi answers "no results" with HTTP 200 and ``{"error": "..."}``: that is an empty listing,
not a failure. Any other ``error`` is.
"""

from __future__ import annotations

import re
from typing import Any

from adology.errors import SourceError
from adology.logs import get_logger
from adology.sources.models import Connector, MediaKind, MediaRef, NormalizedAd, ParseFailure
from adology.sources.parsing import (
    ItemError,
    as_int,
    as_text,
    checked_ad,
    describe_type,
    error_envelope,
    get_object,
    get_objects,
    get_text,
    get_timestamp,
    https_url,
    parse_items,
    require_text,
    unique_media,
)

log = get_logger(__name__)

LISTING_ENGINE = "google_ads_transparency_center"
DETAILS_ENGINE = "google_ads_transparency_center_ad_details"

_ID_KEYS = ("ad_creative_id",)
_NO_RESULTS = re.compile(r"(hasn't|has not|didn't|did not) return(ed)? any results|\bno results\b", re.IGNORECASE)


def is_no_results(message: str) -> bool:
    """Whether a SerpApi ``error`` string only says the search found nothing."""
    return _NO_RESULTS.search(message) is not None


def parse_serpapi_listing(payload: Any) -> tuple[list[NormalizedAd], list[ParseFailure]]:
    """Ads and per-item failures of one listing page; a no-results answer is zero of both.

    Raises SourceError for any other ``error`` and for a payload that is not a listing page.
    """
    if not isinstance(payload, dict):
        raise SourceError(f"SerpApi listing is {describe_type(payload)}, expected an object")
    error = error_envelope(payload)
    if error is not None:
        if is_no_results(error.message):
            return [], []
        raise SourceError(f"SerpApi returned an error: {error.message}", code=error.code)
    creatives = payload.get("ad_creatives")
    if creatives is None:
        return [], []
    if not isinstance(creatives, list):
        raise SourceError(f"SerpApi listing ad_creatives is {describe_type(creatives)}, expected an array")
    return parse_items(creatives, _parse_creative, id_keys=_ID_KEYS)


def _parse_creative(item: dict[str, Any]) -> NormalizedAd:
    display_format = get_text(item, "format")
    image = get_text(item, "image")
    media = []
    if image:
        # A video creative's listing image is its thumbnail, not the creative itself.
        role = "preview" if (display_format or "").lower() == "video" else "primary"
        media.append(
            MediaRef(
                kind=MediaKind.IMAGE,
                url=image,
                role=role,
                width=as_int(item.get("width"), "width"),
                height=as_int(item.get("height"), "height"),
            )
        )
    return NormalizedAd(
        source="google",
        source_ad_id=require_text(item, *_ID_KEYS),
        connector=Connector.SERPAPI,
        advertiser_id=get_text(item, "advertiser_id"),
        advertiser_name=get_text(item, "advertiser"),
        link_url=https_url(get_text(item, "target_domain")),
        display_format=display_format,
        media=media,
        started_at=get_timestamp(item, "first_shown"),
        ended_at=get_timestamp(item, "last_shown"),
        raw=item,
    )


def apply_serpapi_details(ad: NormalizedAd, details_payload: Any) -> NormalizedAd:
    """``ad`` with copy, link, CTA and media from the first variant of its details response.

    The details payload is kept in ``raw["details"]``. Listing values stay where the details say
    nothing. Raises SourceError when the payload is an error or not a details response (or when
    what it says breaks a rule that fails an item, see :mod:`adology.sources.parsing`).
    """
    if not isinstance(details_payload, dict):
        raise SourceError(
            f"SerpApi details for {ad.source_ad_id} are {describe_type(details_payload)}, expected an object"
        )
    error = error_envelope(details_payload)
    if error is not None:
        raise SourceError(f"SerpApi details for {ad.source_ad_id}: {error.message}", code=error.code)
    try:
        return _merged(ad, details_payload)
    except ItemError as exc:
        raise SourceError(f"SerpApi details for {ad.source_ad_id}: {exc}") from None
    except Exception as exc:
        # a reader's bug (or details no rule foresaw) costs this ad its details, as any bad details do
        log.exception("SerpApi details could not be merged", extra={"source_ad_id": ad.source_ad_id})
        raise SourceError(f"SerpApi details for {ad.source_ad_id}: unexpected {type(exc).__name__}") from None


def _merged(ad: NormalizedAd, details: dict[str, Any]) -> NormalizedAd:
    information = get_object(details, "search_information")
    variants = get_objects(details, "ad_creatives")
    variant = variants[0] if variants else {}
    title = get_text(variant, "title", "headline", "long_headline")
    body = get_text(variant, "snippet")
    long_headline = get_text(variant, "long_headline")
    if body is None and long_headline != title:
        body = long_headline
    listing_media = {ref.url: ref for ref in ad.media}
    # The same image in the listing carries width and height; prefer that reference.
    variant_media = [listing_media.get(ref.url, ref) for ref in _variant_media(variant)]
    merged = ad.model_copy(
        update={
            "title": title or ad.title,
            "body": body or ad.body,
            "link_url": get_text(variant, "link") or https_url(get_text(variant, "visible_link")) or ad.link_url,
            "cta": get_text(variant, "call_to_action") or ad.cta,
            "display_format": ad.display_format or get_text(information, "format"),
            "media": unique_media([*variant_media, *ad.media]),
            "raw": {**ad.raw, "details": details},
            "details_fetched": True,
        }
    )
    # the details are a second entry point: their copy and media keep the same rules as the listing's
    return checked_ad(merged)


def _variant_media(variant: dict[str, Any]) -> list[MediaRef]:
    refs: list[MediaRef] = []
    image = get_text(variant, "image")
    if image:
        refs.append(MediaRef(kind=MediaKind.IMAGE, url=image))
    images = variant.get("images")
    if images is not None and not isinstance(images, list):
        raise ItemError(f"images is {describe_type(images)}, expected an array")
    for index, entry in enumerate(images or []):
        url = _image_url(entry, f"images[{index}]")
        if url:
            refs.append(MediaRef(kind=MediaKind.IMAGE, url=url))
    # raw_video_link is the downloadable stream; video_link is a player page, kept as the fallback.
    video = get_text(variant, "raw_video_link", "video_link")
    if video:
        refs.append(MediaRef(kind=MediaKind.VIDEO, url=video))
    return refs


def _image_url(entry: Any, field: str) -> str | None:
    """Variant images come as URL strings or as objects naming the URL under ``link``/``image``."""
    if isinstance(entry, dict):
        return get_text(entry, "link", "image", "url")
    return as_text(entry, field)


def is_serpapi_details(payload: Any) -> bool:
    """Whether a saved SerpApi response came from the details engine rather than the listing."""
    if not isinstance(payload, dict):
        return False
    parameters = payload.get("search_parameters")
    engine = parameters.get("engine") if isinstance(parameters, dict) else None
    if isinstance(engine, str) and engine in {LISTING_ENGINE, DETAILS_ENGINE}:
        return engine == DETAILS_ENGINE
    return "search_information" in payload


def parse_serpapi_details(payload: Any) -> tuple[list[NormalizedAd], list[ParseFailure]]:
    """One ad built from a details response alone (ids from its ``search_parameters``).

    For re-parsing saved details payloads that have no listing next to them.
    """
    parameters = payload.get("search_parameters") if isinstance(payload, dict) else None
    parameters = parameters if isinstance(parameters, dict) else {}
    try:
        creative_id = require_text(parameters, "creative_id")
        base = NormalizedAd(
            source="google",
            source_ad_id=creative_id,
            connector=Connector.SERPAPI,
            advertiser_id=get_text(parameters, "advertiser_id"),
        )
    except ItemError as exc:
        return [], [ParseFailure(position=0, reason=f"details search_parameters: {exc}")]
    try:
        return [apply_serpapi_details(base, payload)], []
    except SourceError as exc:
        return [], [ParseFailure(position=0, reason=str(exc), source_ad_id=creative_id)]
