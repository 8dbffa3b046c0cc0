"""Momentum: how much the brand runs now, how much of it is new, and which creatives keep running.

An ad kept running is one its advertiser keeps paying for, the best public sign that it works. A
creative unit is *proven* when its longest-running ad ran at least 30 days and at least as long as
the longest-running ads of three in four of the brand's creative units, or when one of its ads is
still running after 30 days. The percentile is over creative units, so a creative run on Meta and
on Google counts once.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from adology.knowledge.insights.data import AdRecord, CreativeUnit
from adology.knowledge.insights.model import Momentum, Proven

PROVEN_DAYS = 30
PROVEN_PERCENTILE = 75
PROVEN_EXAMPLES = 10
SECONDS_PER_DAY = 86_400


def days_running(ad: AdRecord, as_of: datetime) -> float:
    """Days from the ad's start to its end: the end its source gave, else ``as_of`` while it still
    runs, else when it was last seen."""
    end = ad.ended_at or (as_of if ad.is_active else ad.last_seen_at)
    return max((end - ad.start).total_seconds() / SECONDS_PER_DAY, 0.0)


def momentum(ads: Sequence[AdRecord], units: Sequence[CreativeUnit], *, as_of: datetime) -> Momentum:
    """``ads``' activity as of ``as_of``, and the proven creatives among ``units`` (the same ads, grouped)."""
    starts = [ad.start for ad in ads]
    longest = [max(days_running(ad, as_of) for ad in unit.ads) for unit in units]
    threshold = max(float(PROVEN_DAYS), float(np.percentile(longest, PROVEN_PERCENTILE))) if longest else 0.0
    proven = sorted(
        (
            (days, unit)
            for days, unit in zip(longest, units, strict=True)
            if days >= threshold or any(ad.is_active and days_running(ad, as_of) >= PROVEN_DAYS for ad in unit.ads)
        ),
        key=lambda item: (-item[0], item[1].representative.ad_id),
    )
    return Momentum(
        as_of=as_of,
        active_ads=sum(ad.is_active for ad in ads),
        new_7d=_started_within(starts, as_of, days=7),
        new_30d=_started_within(starts, as_of, days=30),
        latest_start=max(starts).astimezone(UTC).date() if starts else None,
        median_days_running=round(statistics.median(days_running(ad, as_of) for ad in ads), 1) if ads else None,
        proven=Proven(
            threshold_days=PROVEN_DAYS,
            ads=sum(len(unit.ads) for _, unit in proven),
            share=round(len(proven) / len(units), 4) if units else 0.0,
            ad_ids=[unit.representative.ad_id for _, unit in proven[:PROVEN_EXAMPLES]],
        ),
    )


def _started_within(starts: Sequence[datetime], as_of: datetime, *, days: int) -> int:
    """How many started in the ``days`` days up to ``as_of``."""
    return sum(as_of - timedelta(days=days) < start <= as_of for start in starts)
