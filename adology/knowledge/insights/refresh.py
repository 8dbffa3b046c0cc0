"""One brand's insights brought up to date: load, fingerprint, compute, summarize, store, alert.

A brand whose ads and analyses are what the latest version was computed from gets no new
version and no AI call (:func:`adology.knowledge.insights.compute.input_fingerprint`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

import psycopg

from adology.ai.routines import summary_version
from adology.ai.types import Provider
from adology.knowledge.insights.alerts import material_changes, record_alerts
from adology.knowledge.insights.compute import compute_insights, input_fingerprint
from adology.knowledge.insights.load import load_brand_data
from adology.knowledge.insights.model import BrandInsights
from adology.knowledge.insights.narrative import narrate
from adology.knowledge.insights.store import StoredInsights, latest_readable, store_insights
from adology.logs import get_logger
from adology.storage.s3 import ObjectStore

log = get_logger(__name__)


@dataclass
class InsightsOutcome:
    brand: str
    version: int
    unchanged: bool  # the latest version was computed from these very inputs: nothing stored, no AI call
    stored: StoredInsights  # the version this run stored, or the latest one when unchanged
    alerts: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


async def refresh_insights(
    connect: Callable[[], AbstractContextManager[psycopg.Connection]],
    store: ObjectStore,
    provider: Provider,
    brand_key: str,
    *,
    now: datetime,
) -> InsightsOutcome:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with connect() as conn:
        data = load_brand_data(conn, brand_key)
        fingerprint = input_fingerprint(data, summary_version(provider))
        latest = latest_readable(conn, data.brand_id)
    seconds["load"] = time.perf_counter() - started
    if latest is not None and latest.insights.input_fingerprint == fingerprint:
        log.info("insights unchanged", extra={"brand": brand_key, "version": latest.version})
        return InsightsOutcome(brand_key, latest.version, True, latest, seconds=seconds)
    mark = time.perf_counter()
    insights = compute_insights(data, as_of=now, fingerprint=fingerprint)
    seconds["compute"] = time.perf_counter() - mark
    mark = time.perf_counter()
    descriptions = {ad.ad_id: ad.description for ad in data.ads if ad.description}
    insights = await narrate(provider, insights, descriptions)
    seconds["summary"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with connect() as conn, conn.transaction():
        stored, previous = store_insights(conn, store, insights)
        alerts = record_alerts(conn, insights, stored.version, material_changes(_insights_of(previous), insights))
    seconds["store"] = time.perf_counter() - mark
    return InsightsOutcome(brand_key, stored.version, False, stored, alerts, seconds)


def _insights_of(stored: StoredInsights | None) -> BrandInsights | None:
    return stored.insights if stored else None
