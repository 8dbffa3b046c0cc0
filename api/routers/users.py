"""The organization's users: admins list, create and delete them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from adology.tenancy.accounts import create_user, delete_user, get_user, list_users
from adology.tenancy.brandspaces import link_user, usable_brandspace
from api.deps import AdminUser, Db
from api.errors import ApiError
from api.exports import CSV_RESPONSE, rows_listing
from api.schemas import UserCreate, UserOut

router = APIRouter(prefix="/v1/users", tags=["organization"])


def _out(user: object) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


USER_COLUMNS = ("id", "email", "display_name", "role")


@router.get("", response_model=list[UserOut], responses=CSV_RESPONSE)
def users(request: Request, admin: AdminUser, conn: Db) -> Any:
    rows = [_out(user).model_dump() for user in list_users(conn, admin.organization_id)]
    return rows_listing(request, rows, USER_COLUMNS, "users")


@router.post("", response_model=UserOut, status_code=201)
def add_user(body: UserCreate, admin: AdminUser, conn: Db) -> UserOut:
    """A new user of the admin's organization, linked to the given brandspaces."""
    spaces = [usable_brandspace(conn, admin, space_id) for space_id in body.brandspace_ids]
    user = create_user(
        conn,
        organization_id=admin.organization_id,
        email=body.email,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
    )
    link_user(conn, user.id, [space.id for space in spaces])
    return _out(user)


@router.get("/{user_id}", response_model=UserOut)
def user(user_id: uuid.UUID, admin: AdminUser, conn: Db) -> UserOut:
    return _out(get_user(conn, admin.organization_id, user_id))


@router.delete("/{user_id}", status_code=204)
def remove_user(user_id: uuid.UUID, admin: AdminUser, conn: Db) -> Response:
    """Delete a user; its tokens stop working at once."""
    if user_id == admin.id:
        raise ApiError(409, "conflict", "an admin cannot delete themself; ask another admin")
    delete_user(conn, admin.organization_id, user_id)
    return Response(status_code=204)
