"""Ads: the shared library with filters, a brandspace's ads, one ad in full, and semantic search."""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, Depends, Path, Query, Request

from adology.ai.types import AIError
from adology.serving.ads import AdFilters, ad_detail, ads_query
from adology.serving.brands import brand_ids_of
from adology.serving.search import MAX_RESULTS, similar_ads
from api.deps import AiProvider, CurrentUser, Db, Paging, Store, UsableBrandspace
from api.errors import ApiError
from api.exports import CSV_RESPONSE, listing
from api.schemas import AdDetailOut, AdOut, PageOf, SearchOut

router = APIRouter(prefix="/v1", tags=["ads"])

CREATIVE_URL_SECONDS = 300
QUERY_EMBEDDING_SECONDS = 30


@dataclass(frozen=True)
class AdFilterParams:
    """The filters every ads list takes, and the brand keys asked for."""

    brands: list[str] | None
    filters: AdFilters

    def within(self, conn: psycopg.Connection, allowed: list[int] | None) -> AdFilters:
        """The filters limited to ``allowed`` brand ids (None: any brand) and the ``brand`` keys asked for."""
        brand_ids = allowed
        if self.brands:
            brand_ids = [brand for brand in brand_ids_of(conn, self.brands) if allowed is None or brand in allowed]
        return replace(self.filters, brand_ids=brand_ids)


async def ad_filters(
    brand: Annotated[list[str] | None, Query(max_length=100, description="brand keys (repeatable)")] = None,
    platform: Annotated[str | None, Query(max_length=50, description="facebook, instagram, youtube, ...")] = None,
    format: Annotated[str | None, Query(max_length=50, description="the display format: image, video, ...")] = None,
    active: Annotated[bool | None, Query(description="still running")] = None,
    started_after: Annotated[datetime | None, Query(description="started on or after (ISO 8601)")] = None,
    started_before: Annotated[datetime | None, Query(description="started before (ISO 8601)")] = None,
    label: Annotated[str | None, Query(max_length=100, description="a UNIVERSAL or TREND label")] = None,
    attribute: Annotated[
        str | None, Query(max_length=300, pattern=r"^[a-z_]{1,64}=.{1,200}$", description="name=value")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description='words in the copy or the description ("a phrase", -word, or)'),
    ] = None,
) -> AdFilterParams:
    name, _, value = (attribute or "").partition("=")
    filters = AdFilters(
        platform=platform,
        display_format=format,
        active=active,
        started_after=started_after,
        started_before=started_before,
        label=label,
        attribute=(name, value) if attribute else None,
        text=q,
    )
    return AdFilterParams(brand, filters)


Filters = Annotated[AdFilterParams, Depends(ad_filters)]


@router.get("/ads", response_model=PageOf[AdOut], responses=CSV_RESPONSE)
def library_ads(request: Request, filters: Filters, user: CurrentUser, conn: Db, paging: Paging) -> Any:
    """Ads of the whole shared library, newest first."""
    return listing(request, conn, ads_query(filters.within(conn, None)), paging, "ads")


@router.get("/brandspaces/{brandspace_id}/ads", response_model=PageOf[AdOut], responses=CSV_RESPONSE)
def brandspace_ads(request: Request, filters: Filters, space: UsableBrandspace, conn: Db, paging: Paging) -> Any:
    """Ads of the brandspace's brands, newest first."""
    query = ads_query(filters.within(conn, list(space.brand_ids)))
    return listing(request, conn, query, paging, f"ads-{space.partition_key}")


@router.get("/ads/{ad_id}", response_model=AdDetailOut)
def ad(ad_id: Annotated[int, Path(ge=1, le=2**63 - 1)], user: CurrentUser, conn: Db, store: Store) -> dict[str, Any]:
    """The ad with its description, attributes, labels, and its creatives as presigned URLs (5 minutes)."""
    return ad_detail(conn, ad_id, lambda key: store.presigned_url(key, expires_in=CREATIVE_URL_SECONDS))


@router.get("/brandspaces/{brandspace_id}/search", response_model=SearchOut)
def search(
    space: UsableBrandspace,
    conn: Db,
    provider: AiProvider,
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="what the ads are about, in words")],
    limit: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = 20,
) -> SearchOut:
    """The brandspace's ads whose interpretation is nearest the query (the configured AI provider
    embeds it; HNSW over the ads' retrieval vectors)."""
    if not q.strip():
        raise ApiError(422, "invalid_request", "q: the query is blank")
    # the provider lives on the server's event loop (its clients were opened there)
    pending = asyncio.run_coroutine_threadsafe(provider.embed_query(q), request.app.state.loop)
    try:
        embedding, _ = pending.result(timeout=QUERY_EMBEDDING_SECONDS)
    except concurrent.futures.TimeoutError:
        pending.cancel()
        raise AIError("timeout", f"embedding the query took over {QUERY_EMBEDDING_SECONDS} s") from None
    hits = similar_ads(
        conn, vector=embedding.vector, model=embedding.model, brand_ids=list(space.brand_ids), limit=limit
    )
    return SearchOut.model_validate({"query": q, "model": embedding.model, "items": hits})
