"""Brandspaces: the switcher's list, creating one, its members, and its brands with their roles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from adology.requests.messages import BRAND_KEY_PATTERN
from adology.serving.brands import BRANDSPACE_BRAND_COLUMNS, brandspace_brands
from adology.serving.spend import spend_query
from adology.tenancy.brandspaces import (
    create_brandspace,
    remove_brand,
    set_brand_role,
    set_members,
    usable_brandspaces,
)
from api.deps import AdminUser, CurrentUser, Db, Paging, UsableBrandspace
from api.exports import CSV_RESPONSE, listing, rows_listing
from api.schemas import (
    BrandRoleIn,
    BrandspaceBrandOut,
    BrandspaceCreate,
    BrandspaceOut,
    MembershipOut,
    MembersIn,
    PageOf,
    RemovalOut,
    SpendMonthOut,
)

router = APIRouter(prefix="/v1/brandspaces", tags=["brandspaces"])

BrandKey = Annotated[str, Path(pattern=BRAND_KEY_PATTERN, description="the brand's key")]


@router.get("", response_model=list[BrandspaceOut])
def brandspaces(user: CurrentUser, conn: Db) -> list[BrandspaceOut]:
    return [BrandspaceOut.model_validate(space, from_attributes=True) for space in usable_brandspaces(conn, user)]


@router.post("", response_model=BrandspaceOut, status_code=201)
def add_brandspace(body: BrandspaceCreate, admin: AdminUser, conn: Db) -> BrandspaceOut:
    return BrandspaceOut.model_validate(create_brandspace(conn, admin, body.name), from_attributes=True)


@router.get("/{brandspace_id}", response_model=BrandspaceOut)
def brandspace(space: UsableBrandspace) -> BrandspaceOut:
    return BrandspaceOut.model_validate(space, from_attributes=True)


@router.put("/{brandspace_id}/members", status_code=204)
def members(body: MembersIn, space: UsableBrandspace, admin: AdminUser, conn: Db) -> Response:
    """Link exactly these users of the organization to the brandspace."""
    set_members(conn, admin, space.id, body.user_ids)
    return Response(status_code=204)


@router.get("/{brandspace_id}/brands", response_model=list[BrandspaceBrandOut], responses=CSV_RESPONSE)
def brands(request: Request, space: UsableBrandspace, conn: Db) -> Any:
    """The brandspace's brands, primary first, with status and new ads in the last 7 and 30 days."""
    return rows_listing(
        request, brandspace_brands(conn, space.id), BRANDSPACE_BRAND_COLUMNS, f"brands-{space.partition_key}"
    )


@router.get("/{brandspace_id}/spend", response_model=PageOf[SpendMonthOut], responses=CSV_RESPONSE)
def spend(request: Request, space: UsableBrandspace, conn: Db, paging: Paging) -> Any:
    """Disclosed spend and impression ranges per brand and month the ads started, newest first: sums of
    the ranges the ad libraries publish over the ads that disclose one (``ads_disclosing_*`` of ``ads``);
    an ad without a range is unknown, not zero. An upper sum is null when a range is open-ended."""
    return listing(request, conn, spend_query(list(space.brand_ids)), paging, f"spend-{space.partition_key}")


@router.put("/{brandspace_id}/brands/{brand}", response_model=MembershipOut)
def set_brand(brand: BrandKey, body: BrandRoleIn, space: UsableBrandspace, admin: AdminUser, conn: Db) -> MembershipOut:
    """Add the brand with a role, or change its role. Adding makes the brand analyzed and records an
    analysis request (its id is in the answer; follow it at /v1/requests/{id})."""
    change = set_brand_role(conn, admin, space.id, brand, body.role)
    return MembershipOut(brand=change.brand_key, role=change.role, added=change.added, request_id=change.request_id)


@router.delete("/{brandspace_id}/brands/{brand}", response_model=RemovalOut)
def drop_brand(brand: BrandKey, space: UsableBrandspace, admin: AdminUser, conn: Db) -> RemovalOut:
    """Take the brand out; when no brandspace holds it any more it returns to tracked."""
    return RemovalOut(brand=brand, tracked=remove_brand(conn, admin, space.id, brand))
