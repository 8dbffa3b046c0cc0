"""Run outcomes as notification rows plus a Postgres ``NOTIFY`` the API server pushes over WebSocket.

A notification tells the requester what the brand holds once the run ended (:func:`brand_counts`)
and what the run could not do (:func:`run_failed_ads`). Both read ``ad_analysis_state``, which
holds per ad and stage the version of its last result and whether it succeeded: an ad analysed
under two versions is one ad, counted once, and an ad whose latest attempt failed is not counted
as analysed because an older version's rows remain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import psycopg

from adology.analysis.stages import STAGES

CHANNEL = "adology_notifications"


def brand_counts(conn: psycopg.Connection, brand_key: str) -> dict[str, int]:
    """What the brand holds now: its ads, those with a stored creative, the ads whose latest
    description, labels and embeddings succeeded, and the (ad, stage) pairs whose latest attempt failed."""
    row = conn.execute(
        """SELECT (SELECT count(*) FROM ads WHERE brand_id = b.id),
                  (SELECT count(*) FROM ads WHERE brand_id = b.id AND media @? '$[*] ? (@.s3_key != null)'),
                  s.described, s.labelled, s.embedded, s.failed
           FROM brands b
           CROSS JOIN LATERAL (
               SELECT count(*) FILTER (WHERE st.stage = 'describe' AND st.status = 'succeeded') AS described,
                      count(*) FILTER (WHERE st.stage = 'label' AND st.status = 'succeeded') AS labelled,
                      count(*) FILTER (WHERE st.stage = 'embed' AND st.status = 'succeeded') AS embedded,
                      count(*) FILTER (WHERE st.status = 'failed') AS failed
               FROM ad_analysis_state st JOIN ads x ON x.id = st.ad_id
               WHERE x.brand_id = b.id) s
           WHERE b.partition_key = %s""",
        (brand_key,),
    ).fetchone()
    names = ("ads", "ads_with_creative", "described_ads", "labelled_ads", "embedded_ads", "failed_analyses")
    return dict(zip(names, row or (0,) * len(names), strict=True))


def run_failed_ads(
    conn: psycopg.Connection, brand_key: str, assets: Iterable[str], since: datetime
) -> dict[str, dict[str, Any]]:
    """The brand's ads whose attempt at one of the run's stages failed since ``since`` (the run's
    start), per stage: ``{"describe": {"failed": 2, "transient": 1, "reasons": {"media_too_large": 1,
    "ai_rate_limited": 1}}}``, ``transient`` counting the failures a later attempt may not meet.

    One run per brand works at a time (``adology/brand``), so what failed since its start is
    what it attempted and could not do. Stages the run did not select are left out.
    """
    selected = set(assets)
    stages = [stage.name for stage in STAGES if stage.asset in selected]
    if not stages:
        return {}
    rows = conn.execute(
        """SELECT s.stage, coalesce(s.reason, 'unknown'), count(*), count(*) FILTER (WHERE s.transient)
           FROM ad_analysis_state s
           JOIN ads a ON a.id = s.ad_id
           JOIN brands b ON b.id = a.brand_id
           WHERE b.partition_key = %s AND s.stage = ANY(%s) AND s.status = 'failed' AND s.updated_at >= %s
           GROUP BY 1, 2
           ORDER BY 1, 3 DESC, 2""",
        (brand_key, stages, since),
    ).fetchall()
    failed: dict[str, dict[str, Any]] = {}
    for stage, reason, count, transient in rows:
        entry = failed.setdefault(stage, {"failed": 0, "transient": 0, "reasons": {}})
        entry["failed"] += count
        entry["transient"] += transient
        entry["reasons"][reason] = count
    return failed


def record_notification(
    conn: psycopg.Connection,
    *,
    request_id: str,
    brand_key: str,
    run_id: str,
    status: str,
    failure_reason: str | None = None,
    failed_ads: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Write the notification for a request's run (once per run) and NOTIFY listeners.

    Returns the notification, or None when the request is unknown (a schedule refresh has no row)
    or this run's notification exists already.
    """
    counts = brand_counts(conn, brand_key)
    failed = dict(failed_ads or {})
    row = conn.execute(
        """INSERT INTO notifications (request_id, organization_id, user_id, brand_id, run_id, status, counts,
                                      failure_reason, failed_ads)
           SELECT r.id, r.organization_id, r.user_id, r.brand_id, %(run)s, %(status)s, %(counts)s, %(reason)s,
                  %(failed)s
           FROM requests r WHERE r.id::text = %(request)s
           ON CONFLICT (request_id, run_id) DO NOTHING
           RETURNING id, organization_id, user_id""",
        {
            "run": run_id,
            "status": status,
            "counts": json.dumps(counts),
            "reason": failure_reason,
            "failed": json.dumps(failed),
            "request": request_id,
        },
    ).fetchone()
    if row is None:
        return None
    notification = {
        "id": row[0],
        "request_id": request_id,
        "brand": brand_key,
        "run_id": run_id,
        "status": status,
        "counts": counts,
        "failed_ads": failed,
        "failure_reason": failure_reason,
        "organization_id": str(row[1]) if row[1] else None,
        "user_id": str(row[2]) if row[2] else None,
    }
    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, json.dumps(notification)))
    return notification
