"""Momentum: how much the brand is running now, how much is new, and which creatives keep running.

An ad that keeps running is one its advertiser keeps paying for, the best public sign that it
works: "proven" creatives are those that ran at least 30 days and at least as long as three in four
of the brand's ads, or are still running after 30 days.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from adology.knowledge.insights.data import AdRecord, CreativeUnit
from adology.knowledge.insights.model import Momentum, Proven

PROVEN_DAYS = 30
PROVEN_PERCENTILE = 75
PROVEN_EXAMPLES = 10


def days_running(ad: AdRecord, as_of: datetime) -> float:
    """From its start to its end: the end its source gave, now if it still runs, else when last seen."""
    end = ad.ended_at or (as_of if ad.is_active else ad.last_seen_at)
    return max((end - ad.start).total_seconds() / 86_400, 0.0)


def momentum(ads: Sequence[AdRecord], units: Sequence[CreativeUnit], *, as_of: datetime) -> Momentum:
    running = [days_running(ad, as_of) for ad in ads]
    unit_days = [max(days_running(ad, as_of) for ad in unit.ads) for unit in units]
    threshold = max(float(PROVEN_DAYS), float(np.percentile(unit_days, PROVEN_PERCENTILE))) if unit_days else 0.0
    proven = [
        (days, unit)
        for days, unit in zip(unit_days, units, strict=True)
        if days >= threshold or (days >= PROVEN_DAYS and any(ad.is_active for ad in unit.ads))
    ]
    proven.sort(key=lambda item: (-item[0], item[1].representative.ad_id))
    starts = [ad.start for ad in ads]
    return Momentum(
        as_of=as_of,
        active_ads=sum(ad.is_active for ad in ads),
        new_7d=sum(as_of - timedelta(days=7) < start <= as_of for start in starts),
        new_30d=sum(as_of - timedelta(days=30) < start <= as_of for start in starts),
        latest_start=max(starts).date() if starts else None,
        median_days_running=round(statistics.median(running), 1) if running else None,
        proven=Proven(
            threshold_days=PROVEN_DAYS,
            ads=sum(len(unit.ads) for _, unit in proven),
            share=round(len(proven) / len(units), 4) if units else 0.0,
            ad_ids=[unit.representative.ad_id for _, unit in proven[:PROVEN_EXAMPLES]],
        ),
    )
