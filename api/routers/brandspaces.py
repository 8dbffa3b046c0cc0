"""Brandspaces: the switcher's list, creating one, its members, and its brands with their roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from adology.requests.messages import BRAND_KEY_PATTERN
from adology.serving.brands import brandspace_brands
from adology.tenancy.brandspaces import (
    create_brandspace,
    remove_brand,
    set_brand_role,
    set_members,
    usable_brandspaces,
)
from api.deps import AdminUser, CurrentUser, Db, UsableBrandspace
from api.schemas import (
    BrandRoleIn,
    BrandspaceBrandOut,
    BrandspaceCreate,
    BrandspaceOut,
    MembershipOut,
    MembersIn,
    RemovalOut,
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


@router.get("/{brandspace_id}/brands", response_model=list[BrandspaceBrandOut])
def brands(space: UsableBrandspace, conn: Db) -> list[dict[str, object]]:
    """The brandspace's brands, primary first, with status and new ads in the last 7 and 30 days."""
    return brandspace_brands(conn, space.id)


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
