"""Run outcomes as notification rows plus a Postgres ``NOTIFY`` the API server pushes over WebSocket."""

from __future__ import annotations

import json
from typing import Any

import psycopg

CHANNEL = "adology_notifications"


def brand_counts(conn: psycopg.Connection, brand_key: str) -> dict[str, int]:
    """What the brand holds now: the figures a requester wants to see when the run ends."""
    row = conn.execute(
        """SELECT count(*),
                  count(*) FILTER (WHERE a.media @? '$[*] ? (@.s3_key != null)'),
                  (SELECT count(*) FROM ad_descriptions d JOIN ads x ON x.id = d.ad_id WHERE x.brand_id = b.id),
                  (SELECT count(DISTINCT l.ad_id) FROM ad_labels l JOIN ads x ON x.id = l.ad_id
                   WHERE x.brand_id = b.id),
                  (SELECT count(DISTINCT e.ad_id) FROM ad_embeddings e JOIN ads x ON x.id = e.ad_id
                   WHERE x.brand_id = b.id),
                  (SELECT count(*) FROM ad_analysis_state s JOIN ads x ON x.id = s.ad_id
                   WHERE x.brand_id = b.id AND s.status = 'failed')
           FROM brands b LEFT JOIN ads a ON a.brand_id = b.id
           WHERE b.partition_key = %s
           GROUP BY b.id""",
        (brand_key,),
    ).fetchone()
    names = ("ads", "ads_with_creative", "descriptions", "labelled_ads", "embedded_ads", "failed_analyses")
    return dict(zip(names, row or (0,) * len(names), strict=True))


def record_notification(
    conn: psycopg.Connection,
    *,
    request_id: str,
    brand_key: str,
    run_id: str,
    status: str,
    failure_reason: str | None = None,
) -> dict[str, Any] | None:
    """Write the notification for a request's run (once per run) and NOTIFY listeners.

    Returns the notification, or None when the request is unknown (a schedule refresh has no row).
    """
    counts = brand_counts(conn, brand_key)
    row = conn.execute(
        """INSERT INTO notifications (request_id, organization_id, user_id, brand_id, run_id, status, counts,
                                      failure_reason)
           SELECT r.id, r.organization_id, r.user_id, r.brand_id, %(run)s, %(status)s, %(counts)s, %(reason)s
           FROM requests r WHERE r.id::text = %(request)s
           ON CONFLICT (request_id, run_id) DO NOTHING
           RETURNING id, organization_id, user_id""",
        {
            "run": run_id,
            "status": status,
            "counts": json.dumps(counts),
            "reason": failure_reason,
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
        "failure_reason": failure_reason,
        "organization_id": str(row[1]) if row[1] else None,
        "user_id": str(row[2]) if row[2] else None,
    }
    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, json.dumps(notification)))
    return notification
