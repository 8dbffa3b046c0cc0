"""Each report version stored: the JSON snapshot in S3, then the row that points to it.

**Storage** (:func:`store_report`): versions count up per brandspace under a per-brandspace
lock; the JSON snapshot goes to ``reports/{brandspace}/{version}.json`` in S3 before the row that
points to it commits. **Reading** (:func:`load_report`, :func:`previous_report`): a stored version
back as the typed report, for the CLI and for the next version's diff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from adology.errors import AdologyError
from adology.knowledge.report import UnknownBrandspaceError
from adology.knowledge.report_model import BrandspaceReport
from adology.knowledge.versions import snapshot_problems
from adology.logs import get_logger
from adology.storage.postgres import one_row
from adology.storage.s3 import ObjectStore

log = get_logger(__name__)


@dataclass(frozen=True)
class StoredReport:
    brandspace: str
    version: int
    s3_key: str
    trigger: str


class UnreadableReportError(AdologyError):
    """A stored report version was written under an earlier schema than this code reads."""


@dataclass(frozen=True)
class LoadedReport:
    stored: StoredReport
    report: BrandspaceReport


def report_key(brandspace_key: str, version: int) -> str:
    return f"reports/{brandspace_key}/{version}.json"


def store_report(
    conn: psycopg.Connection, store: ObjectStore, brandspace_key: str, report: BrandspaceReport, *, trigger: str
) -> StoredReport:
    """Store ``report`` as the brandspace's next version: S3 snapshot first, then the row, in one transaction.

    A transaction-scoped advisory lock per brandspace makes concurrent writers take turns, so
    ``max(version) + 1`` is never computed twice for one version (the primary key would refuse it
    anyway). The snapshot is written before the row commits, so a row never points to a missing
    object; a failure after the upload leaves an object no row names, which the next version's
    upload of the same key replaces.
    """
    body = report.model_dump(mode="json")
    with conn.transaction():
        row = conn.execute("SELECT id FROM brandspaces WHERE partition_key = %s", (brandspace_key,)).fetchone()
        if row is None:
            raise UnknownBrandspaceError(f"no brandspace with partition key {brandspace_key!r} in table brandspaces")
        (brandspace_id,) = row
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('brandspace_reports:' || %s::text, 0))", (brandspace_id,)
        )
        (version,) = one_row(
            conn.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM brandspace_reports WHERE brandspace_id = %s",
                (brandspace_id,),
            )
        )
        key = report_key(brandspace_key, version)
        store.put_bytes(key=key, data=json.dumps(body).encode(), content_type="application/json")
        # created_at is the report's as_of: ads first seen after it are the next report's "new ads"
        conn.execute(
            "INSERT INTO brandspace_reports (brandspace_id, version, report, s3_key, trigger, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (brandspace_id, version, Jsonb(body), key, trigger, report.as_of),
        )
    log.info(
        "report stored", extra={"brandspace": brandspace_key, "version": version, "s3_key": key, "trigger": trigger}
    )
    return StoredReport(brandspace_key, version, key, trigger)


def stored_report_problems(conn: psycopg.Connection, store: ObjectStore, stored: StoredReport) -> list[str]:
    """What is wrong with a stored version: a missing row or object, or a snapshot that differs from the row."""
    row = conn.execute(
        "SELECT r.report, r.s3_key FROM brandspace_reports r JOIN brandspaces s ON s.id = r.brandspace_id "
        "WHERE s.partition_key = %s AND r.version = %s",
        (stored.brandspace, stored.version),
    ).fetchone()
    return snapshot_problems(store, row, table="brandspace_reports", version=stored.version, s3_key=stored.s3_key)


def load_report(conn: psycopg.Connection, brandspace_key: str, *, version: int | None = None) -> LoadedReport | None:
    """The brandspace's newest stored version (or ``version``), or None when there is none; raises
    :class:`UnreadableReportError` for a version written under an earlier schema."""
    row = conn.execute(
        """SELECT r.version, r.s3_key, r.trigger, r.report FROM brandspace_reports r
           JOIN brandspaces s ON s.id = r.brandspace_id
           WHERE s.partition_key = %s AND (%s::int IS NULL OR r.version = %s) ORDER BY r.version DESC LIMIT 1""",
        (brandspace_key, version, version),
    ).fetchone()
    if row is None:
        return None
    found, key, trigger, body = row
    try:
        report = BrandspaceReport.model_validate(body)
    except ValidationError as exc:
        schema = body.get("schema_version", "report-v1") if isinstance(body, dict) else "unknown"
        raise UnreadableReportError(
            f"version {found} of brandspace {brandspace_key!r} was written under schema {schema!r}, "
            f"which this version of Adology does not read; build a new version to see the report"
        ) from exc
    return LoadedReport(StoredReport(brandspace_key, found, key, trigger), report)


def previous_report(conn: psycopg.Connection, brandspace_key: str) -> BrandspaceReport | None:
    """The newest version a new one is compared with; None when there is none or it is unreadable
    (then the new version has nothing to be compared with, as a first one)."""
    try:
        loaded = load_report(conn, brandspace_key)
    except UnreadableReportError as exc:
        log.warning("previous report unreadable", extra={"brandspace": brandspace_key, "error": str(exc)})
        return None
    return loaded.report if loaded else None
