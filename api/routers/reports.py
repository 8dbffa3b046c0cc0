"""A brandspace's competitive reports: the versions, the newest, one version, and what changed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from adology.knowledge.report_model import ReportDiff, diff_reports
from adology.knowledge.snapshots import load_report
from adology.serving.knowledge import report_versions
from adology.tenancy.errors import NotFoundError
from api.deps import Db, UsableBrandspace
from api.schemas import ReportOut, ReportVersionOut

router = APIRouter(prefix="/v1/brandspaces/{brandspace_id}/reports", tags=["reports"])

Version = Annotated[int, Path(ge=1, le=1_000_000)]


@router.get("", response_model=list[ReportVersionOut])
def versions(space: UsableBrandspace, conn: Db) -> list[dict[str, object]]:
    """Every stored version, newest first (empty before the first report)."""
    return report_versions(conn, space.id)


@router.get("/latest", response_model=ReportOut)
def latest(space: UsableBrandspace, conn: Db) -> ReportOut:
    """The newest report; ``report`` is null before the first one is built."""
    loaded = load_report(conn, space.partition_key)
    if loaded is None:
        return ReportOut(brandspace=space.partition_key)
    return ReportOut(brandspace=space.partition_key, version=loaded.stored.version, report=loaded.report)


@router.get("/{version}", response_model=ReportOut)
def version(version: Version, space: UsableBrandspace, conn: Db) -> ReportOut:
    loaded = load_report(conn, space.partition_key, version=version)
    if loaded is None:
        raise NotFoundError("report version", version)
    return ReportOut(brandspace=space.partition_key, version=version, report=loaded.report)


@router.get("/{version}/diff", response_model=ReportDiff)
def diff(
    version: Version,
    space: UsableBrandspace,
    conn: Db,
    against: Annotated[int | None, Query(ge=1, le=1_000_000, description="default: the version before")] = None,
) -> ReportDiff:
    """What ``version`` says differently from ``against``, and the changes in the inputs that caused it."""
    current = load_report(conn, space.partition_key, version=version)
    if current is None:
        raise NotFoundError("report version", version)
    earlier = against if against is not None else version - 1
    previous = load_report(conn, space.partition_key, version=earlier) if earlier >= 1 else None
    if previous is None and against is not None:
        raise NotFoundError("report version", against)
    return diff_reports(previous.report if previous else None, current.report)
