"""Brands (shared by every organization): search, detail, insights, and onboarding a new one."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from adology.knowledge.insights.store import latest_insights
from adology.requests.messages import BRAND_KEY_PATTERN
from adology.serving.brands import brand_id, brand_row, brands_query
from adology.serving.knowledge import insights_versions
from adology.tenancy.onboarding import confirm_lookup, get_lookup, start_lookup
from api.deps import AppSettings, CurrentUser, Db, Paging
from api.exports import CSV_RESPONSE, listing
from api.schemas import (
    BrandDetailOut,
    BrandOut,
    ConfirmIn,
    InsightsOut,
    InsightsVersionOut,
    LookupIn,
    LookupOut,
    PageOf,
)

router = APIRouter(prefix="/v1", tags=["brands"])

BrandKey = Annotated[str, Path(pattern=BRAND_KEY_PATTERN, description="the brand's key")]


@router.get("/brands", response_model=PageOf[BrandOut], responses=CSV_RESPONSE)
def brands(
    request: Request,
    user: CurrentUser,
    conn: Db,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=200, description="part of the brand's name")] = None,
) -> Any:
    return listing(request, conn, brands_query(q), paging, "brands")


@router.get("/brands/{brand}", response_model=BrandDetailOut)
def brand(brand: BrandKey, user: CurrentUser, conn: Db) -> dict[str, Any]:
    """The brand's sources and handles, status, ad counts, last acquisition and analysis."""
    return brand_row(conn, brand)


@router.get("/brands/{brand}/insights", response_model=InsightsOut)
def insights(
    brand: BrandKey,
    user: CurrentUser,
    conn: Db,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> InsightsOut:
    """The newest insights (or ``version``): themes, attribute summary, trends, momentum. Before the
    first computation ``insights`` is null and ``versions`` empty."""
    found = brand_id(conn, brand)
    stored = latest_insights(conn, found, version=version)
    return InsightsOut(
        brand=brand,
        version=stored.version if stored else None,
        insights=stored.insights if stored else None,
        versions=[InsightsVersionOut(**row) for row in insights_versions(conn, found)],
    )


@router.post("/brand-lookups", response_model=LookupOut, status_code=201, tags=["onboarding"])
def look_up(body: LookupIn, user: CurrentUser, conn: Db, settings: AppSettings) -> dict[str, Any]:
    """Ask every configured source (Meta, Apify, SerpApi) for the brand; the candidates they propose.
    A source that cannot answer is listed in ``failures``; the others still answer."""
    return start_lookup(conn, settings, user, body.name, domain=body.domain, facebook_page_id=body.facebook_page_id)


@router.get("/brand-lookups/{lookup_id}", response_model=LookupOut, tags=["onboarding"])
def lookup(lookup_id: uuid.UUID, user: CurrentUser, conn: Db) -> dict[str, Any]:
    return get_lookup(conn, user, lookup_id)


@router.post("/brand-lookups/{lookup_id}/confirm", response_model=BrandDetailOut, tags=["onboarding"])
def confirm(lookup_id: uuid.UUID, body: ConfirmIn, user: CurrentUser, conn: Db) -> dict[str, Any]:
    """Register the chosen candidate's brand with its source handles (tracked until a brandspace adds it)."""
    return brand_row(conn, confirm_lookup(conn, user, lookup_id, body.candidate))
