"""The versions of a brand's insights and of a brandspace's reports, newest first."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg.rows import dict_row


def insights_versions(conn: psycopg.Connection, brand_id: int) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT version, status, ads_counted, computed_at FROM brand_insights WHERE brand_id = %s "
            "ORDER BY version DESC",
            (brand_id,),
        ).fetchall()


def report_versions(conn: psycopg.Connection, brandspace_id: uuid.UUID) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT version, trigger, created_at, (report ->> 'as_of')::timestamptz AS as_of "
            "FROM brandspace_reports WHERE brandspace_id = %s ORDER BY version DESC",
            (brandspace_id,),
        ).fetchall()
