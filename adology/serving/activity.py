"""An organization's requests and notifications: private, so every read names the organization."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from adology.serving.listing import Query
from adology.tenancy.errors import NotFoundError

REQUEST_COLUMNS = (
    "id",
    "brand",
    "kind",
    "priority",
    "status",
    "failure_reason",
    "retries",
    "next_attempt_at",
    "run_id",
    "created_at",
    "updated_at",
)
_REQUEST_SELECT = sql.SQL(
    """SELECT r.id, b.partition_key AS brand, r.kind, r.priority, r.status, r.failure_reason, r.retries,
              r.next_attempt_at, r.run_id, r.failed_ads, r.user_id, r.created_at, r.updated_at
       FROM requests r LEFT JOIN brands b ON b.id = r.brand_id"""
)

NOTIFICATION_COLUMNS = (
    "id",
    "kind",
    "request_id",
    "brand",
    "status",
    "counts",
    "failure_reason",
    "payload",
    "created_at",
    "read_at",
)
_NOTIFICATION_SELECT = sql.SQL(
    """SELECT n.id, n.kind, n.request_id, b.partition_key AS brand, n.run_id, n.status, n.counts, n.failed_ads,
              n.failure_reason, n.payload, n.created_at, n.read_at
       FROM notifications n LEFT JOIN brands b ON b.id = n.brand_id"""
)


def requests_query(organization_id: uuid.UUID, *, status: str | None = None) -> Query:
    conditions: list[sql.Composable] = [sql.SQL("r.organization_id = %(organization_id)s")]
    params: dict[str, Any] = {"organization_id": organization_id}
    if status:
        conditions.append(sql.SQL("r.status = %(status)s"))
        params["status"] = status
    return Query(
        kind="requests",
        select=_REQUEST_SELECT,
        conditions=conditions,
        params=params,
        order=("r.created_at", "r.id"),
        key=lambda row: (row["created_at"], str(row["id"])),
        columns=REQUEST_COLUMNS,
    )


def organization_request(conn: psycopg.Connection, organization_id: uuid.UUID, request_id: uuid.UUID) -> dict[str, Any]:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            sql.SQL("{} WHERE r.id = %s AND r.organization_id = %s").format(_REQUEST_SELECT),
            (request_id, organization_id),
        ).fetchone()
    if row is None:
        raise NotFoundError("request", request_id)
    return row


def notifications_query(organization_id: uuid.UUID, *, unread: bool = False) -> Query:
    conditions: list[sql.Composable] = [sql.SQL("n.organization_id = %(organization_id)s")]
    if unread:
        conditions.append(sql.SQL("n.read_at IS NULL"))
    return Query(
        kind="notifications",
        select=_NOTIFICATION_SELECT,
        conditions=conditions,
        params={"organization_id": organization_id},
        order=("n.id",),
        key=lambda row: (row["id"],),
        columns=NOTIFICATION_COLUMNS,
    )


def notifications_after(
    conn: psycopg.Connection, organization_id: uuid.UUID, after: int, *, limit: int = 500
) -> list[dict[str, Any]]:
    """The organization's notifications with an id above ``after``, oldest first: what a socket that
    reconnects with ``?after=`` missed, and what a NOTIFY wake-up announces."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            sql.SQL("{} WHERE n.organization_id = %s AND n.id > %s ORDER BY n.id LIMIT %s").format(
                _NOTIFICATION_SELECT
            ),
            (organization_id, after, limit),
        ).fetchall()


def mark_read(conn: psycopg.Connection, organization_id: uuid.UUID, notification_id: int) -> None:
    updated = conn.execute(
        "UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = %s AND organization_id = %s",
        (notification_id, organization_id),
    ).rowcount
    if not updated:
        raise NotFoundError("notification", notification_id)
