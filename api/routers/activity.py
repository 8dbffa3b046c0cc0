"""The organization's analysis requests (created through the outbox) and its notifications."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from adology.serving.activity import mark_read, notifications_query, organization_request, requests_query
from adology.tenancy.brandspaces import request_analysis
from api.deps import CurrentUser, Db, Paging
from api.exports import CSV_RESPONSE, listing
from api.schemas import NotificationOut, PageOf, RequestAccepted, RequestIn, RequestOut

router = APIRouter(prefix="/v1", tags=["requests"])


@router.post("/requests", response_model=RequestAccepted, status_code=202)
def create_request(body: RequestIn, user: CurrentUser, conn: Db) -> RequestAccepted:
    """Ask for a brand's acquisition and analysis now. The request is recorded with its message in
    one transaction and sent by the outbox relay; follow it at /v1/requests/{id} or on /v1/ws. The
    brand must be in one of the user's brandspaces."""
    return RequestAccepted(id=request_analysis(conn, user, body.brand, kind=body.kind), status="received")


@router.get("/requests", response_model=PageOf[RequestOut], responses=CSV_RESPONSE)
def requests(
    request: Request,
    user: CurrentUser,
    conn: Db,
    paging: Paging,
    status: Annotated[
        Literal["received", "queued", "running", "retrying", "succeeded", "failed"] | None, Query()
    ] = None,
) -> Any:
    return listing(request, conn, requests_query(user.organization_id, status=status), paging, "requests")


@router.get("/requests/{request_id}", response_model=RequestOut)
def request_status(request_id: uuid.UUID, user: CurrentUser, conn: Db) -> dict[str, Any]:
    return organization_request(conn, user.organization_id, request_id)


@router.get("/notifications", response_model=PageOf[NotificationOut], responses=CSV_RESPONSE, tags=["notifications"])
def notifications(
    request: Request,
    user: CurrentUser,
    conn: Db,
    paging: Paging,
    unread: Annotated[bool, Query(description="only those not marked read")] = False,
) -> Any:
    """Run outcomes of the organization's requests and insight changes of brands it follows, newest first."""
    return listing(request, conn, notifications_query(user.organization_id, unread=unread), paging, "notifications")


@router.post("/notifications/{notification_id}/read", status_code=204, tags=["notifications"])
def read(notification_id: Annotated[int, Path(ge=1, le=2**63 - 1)], user: CurrentUser, conn: Db) -> Response:
    mark_read(conn, user.organization_id, notification_id)
    return Response(status_code=204)
