"""A brand's insights from its loaded ads: creative units, themes, attribute summary, trends, visual
drift and momentum, with the fingerprint of the inputs they were computed from.

The summary (an AI routine's claims, checked against these statistics) is written afterwards by
:func:`adology.knowledge.insights.narrative.narrate`; until then it is ``not_needed``/pending.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

from threadpoolctl import threadpool_limits

from adology.knowledge.insights.attributes import attribute_summary
from adology.knowledge.insights.data import BrandData
from adology.knowledge.insights.model import BrandInsights, Status, Summary
from adology.knowledge.insights.momentum import momentum
from adology.knowledge.insights.signals import signal_matrix
from adology.knowledge.insights.themes import theme_set
from adology.knowledge.insights.trends import trend_set
from adology.knowledge.insights.units import creative_units
from adology.knowledge.insights.visual import visual_drift, visual_styles
from adology.logs import get_logger

log = get_logger(__name__)

# Names every rule above; changing any of them makes every brand's next materialization a new version.
ALGORITHM_VERSION = "insights-v1"
MIN_UNITS = 20  # fewer creative units than this make themes and trends noise


def input_fingerprint(data: BrandData, summary_routine: str) -> str:
    """Changes exactly when what the insights are computed from changes: the algorithm, the summary
    routine's version, and per ad its content, dates, activity and current analysis versions."""
    digest = hashlib.sha256(f"{ALGORITHM_VERSION}\x1e{summary_routine}".encode())
    for ad in sorted(data.ads, key=lambda record: record.ad_id):
        parts = (
            str(ad.ad_id),
            ad.content_hash or "",
            ad.started_at.isoformat() if ad.started_at else "",
            ad.ended_at.isoformat() if ad.ended_at else "",
            str(ad.is_active),
            *ad.analysis_versions,
        )
        digest.update(("\x1e" + "\x1f".join(parts)).encode())
    return digest.hexdigest()


def compute_insights(data: BrandData, *, as_of: datetime, fingerprint: str) -> BrandInsights:
    """The statistics of ``data`` as of ``as_of`` (momentum's windows end there); the summary is pending."""
    # One thread for the clustering: scikit-learn's OpenMP k-means spins against the threads of other
    # busy processes (a run's analysis uses every core), and on a loaded 2-core machine two threads
    # fitted 60 times slower than one.
    with threadpool_limits(limits=1):
        return _compute(data, as_of=as_of, fingerprint=fingerprint)


def _compute(data: BrandData, *, as_of: datetime, fingerprint: str) -> BrandInsights:
    started = time.perf_counter()
    units = creative_units(data.ads)
    status: Status = "no_ads" if not units else "too_little_data" if len(units) < MIN_UNITS else "ok"
    styles = visual_styles(units)
    signals = signal_matrix(units, styles)
    trends = trend_set(units, signals, seed=data.partition_key)
    notes = []
    undated = sum(ad.started_at is None for ad in data.ads)
    if undated:
        notes.append(f"{undated} ads have no start date from their source; their first-seen date places them in time")
    if status != "ok":
        notes.append(f"{len(units)} creative units; themes and trends need at least {MIN_UNITS}")
    insights = BrandInsights(
        brand=data.partition_key,
        brand_id=data.brand_id,
        name=data.name,
        as_of=as_of,
        algorithm_version=ALGORITHM_VERSION,
        input_fingerprint=fingerprint,
        ads_counted=sum(len(unit.ads) for unit in units),
        units_counted=len(units),
        status=status,
        notes=notes,
        themes=theme_set(units, as_of=as_of, min_units=MIN_UNITS),
        attributes=attribute_summary(units),
        trends=trends,
        visual=visual_drift(units, trends),
        momentum=momentum(data.ads, units, as_of=as_of),
        summary=Summary(status="not_needed", reason="not written yet"),
    )
    log.info(
        "insights computed",
        extra={
            "brand": data.partition_key,
            "ads": insights.ads_counted,
            "units": insights.units_counted,
            "themes": len(insights.themes.themes),
            "significant_trends": len(insights.significant_trends()),
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return insights
