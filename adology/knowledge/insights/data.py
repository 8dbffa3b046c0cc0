"""What the insights are computed from: a brand's ads with their current analyses, as loaded from
Postgres (:mod:`adology.knowledge.insights.load`), and the creative units they form.

The statistics never see the database: they take these records, so they run the same on a demo
brand, a synthetic 20,000-ad benchmark brand and a unit test's handful of ads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class LabelRecord:
    taxonomy: str  # UNIVERSAL | TREND
    label: str
    confidence: float


@dataclass(frozen=True, slots=True)
class AdRecord:
    """One ad and its current analysis (None/empty where a stage has not succeeded)."""

    ad_id: int
    source: str  # the connector that found it: meta, apify, serpapi
    started_at: datetime | None  # when the ad started running, as its source says
    first_seen_at: datetime  # when Adology first stored it
    last_seen_at: datetime
    ended_at: datetime | None
    is_active: bool
    display_format: str | None  # IMAGE, VIDEO, CAROUSEL, DPA, ... as the source says
    cta: str | None
    title: str | None
    body: str | None
    platforms: tuple[str, ...]
    media_sha256: tuple[str, ...]  # the stored creatives' content addresses
    content_hash: str | None
    description: str | None
    attributes: dict[str, Any] = field(default_factory=dict)
    labels: tuple[LabelRecord, ...] = ()
    retrieval: np.ndarray | None = None  # unit-normalised where present
    visual: np.ndarray | None = None
    analysis_versions: tuple[str, ...] = ()  # per stage "stage:version:input_hash", for the fingerprint

    @property
    def start(self) -> datetime:
        """The ad's place on the time axis: when it started, or when it was first seen if its source does not say."""
        return self.started_at or self.first_seen_at


@dataclass(frozen=True, slots=True)
class BrandData:
    brand_id: int
    partition_key: str
    name: str
    ads: tuple[AdRecord, ...]


@dataclass(frozen=True, slots=True)
class CreativeUnit:
    """One creative as the brand ran it: ads that share a creative (the same image on Meta and on
    Google) or, without creatives, the same copy count once in the statistics, so a copy on a
    second platform is not a second observation."""

    ads: tuple[AdRecord, ...]  # at least one; the first is the representative (its analysis is the unit's)

    @property
    def representative(self) -> AdRecord:
        return self.ads[0]

    @property
    def start(self) -> datetime:
        return min(ad.start for ad in self.ads)

    @property
    def ad_ids(self) -> tuple[int, ...]:
        return tuple(ad.ad_id for ad in self.ads)
