"""The one normalized ad model every source parser produces, and the connector interface.

``source`` names the ad library an id belongs to, not the connector that fetched it: the Meta Ad
Library API and the Apify scrapers both return Facebook Ad Library archive ids, so both produce
``source="meta"`` and the same ad fetched through either lands on the same row (the API brings
spend ranges, the scraper brings creatives). SerpApi produces ``source="google"``.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import AsyncIterator, Collection
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field


class Connector(str, enum.Enum):
    META = "meta"
    APIFY = "apify"
    SERPAPI = "serpapi"


class MediaKind(str, enum.Enum):
    IMAGE = "image"
    VIDEO = "video"


class MediaRef(BaseModel):
    """A creative an ad points to. ``url`` may be signed and short-lived: copy it at once."""

    model_config = ConfigDict(frozen=True)

    kind: MediaKind
    url: str
    role: str = "primary"  # primary | card | preview
    width: int | None = None
    height: int | None = None


class Range(BaseModel):
    """A disclosed range such as spend or impressions; ``upper`` is None when open-ended."""

    model_config = ConfigDict(frozen=True)

    lower: int | None = None
    upper: int | None = None
    currency: str | None = None
    text: str | None = None


class NormalizedAd(BaseModel):
    """One ad, whatever source it came from. ``raw`` is the untouched item, kept for Mongo."""

    source: str  # "meta" (Facebook Ad Library ids) or "google" (Ads Transparency Center ids)
    source_ad_id: str
    connector: Connector
    advertiser_id: str | None = None
    advertiser_name: str | None = None
    title: str | None = None
    body: str | None = None
    link_url: str | None = None
    cta: str | None = None
    display_format: str | None = None
    media: list[MediaRef] = Field(default_factory=list)
    platforms: list[str] = Field(default_factory=list)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    is_active: bool | None = None
    spend: Range | None = None
    impressions: Range | None = None
    # set by a client whose per-ad details call succeeded (SerpApi); listings alone leave it False
    details_fetched: bool = False
    # what the parser dropped or cleaned, one reason per field (see adology.sources.parsing)
    notes: list[str] = Field(default_factory=list)
    # where the item was in its page, for a failure further on (a store refusing it) to name it
    position: int | None = Field(default=None, exclude=True)
    raw: dict[str, Any] = Field(default_factory=dict, exclude=True, repr=False)

    def content_hash(self) -> str:
        """Changes exactly when what analysis reads changes: copy, link, CTA or media list."""
        material = {
            "title": self.title,
            "body": self.body,
            "link_url": self.link_url,
            "cta": self.cta,
            "media": sorted((m.kind.value, m.role, _stable_media_identity(m.url)) for m in self.media),
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _stable_media_identity(url: str) -> str:
    """Signed URLs change on every fetch; their path does not."""
    return url.split("?", 1)[0]


class ParseFailure(BaseModel):
    """An item that could not be parsed: where it was and why. The other items still parse."""

    position: int
    reason: str
    source_ad_id: str | None = None


class ParsedPage(BaseModel):
    """One fetched page: its ads, its failures, and the untouched payload (secrets redacted)."""

    connector: Connector
    request: str  # the URL fetched, with tokens and keys removed
    payload: Any
    ads: list[NormalizedAd] = Field(default_factory=list)
    failures: list[ParseFailure] = Field(default_factory=list)


class SourceClient(Protocol):
    """A connector: pages of ads for one brand handle (page id, advertiser id), fetched lazily."""

    connector: Connector

    def fetch(self, handle: str, detailed: Collection[str] = frozenset()) -> AsyncIterator[ParsedPage]:
        """Pages of ``handle``'s ads. ``detailed``: source ad ids already stored with their details;
        a client that pays a call per ad for details (SerpApi) skips those, the others ignore it."""
        ...
