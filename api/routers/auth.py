"""Logging in and out, and who the caller is (with the brandspaces to switch between)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from adology.tenancy.accounts import authenticate
from adology.tenancy.brandspaces import usable_brandspaces
from adology.tenancy.tokens import issue_token, revoke_token
from api.deps import CurrentUser, Db, Token
from api.schemas import BrandspaceOut, MeOut, OrganizationOut, TokenOut, TokenRequest, UserOut

router = APIRouter(prefix="/v1", tags=["auth"])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/token", response_model=TokenOut)
def log_in(body: TokenRequest, request: Request, conn: Db) -> TokenOut:
    """Exchange an email and password for a bearer token (valid 12 hours). Failed logins are limited
    per email and per address: past the limit the answer is 429 with Retry-After."""
    user = authenticate(conn, body.email, body.password, address=client_address(request))
    issued = issue_token(conn, user.id)
    return TokenOut(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/auth/logout", status_code=204)
def log_out(user: CurrentUser, token: Token, conn: Db) -> Response:
    """Revoke the token this request carries."""
    revoke_token(conn, token)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut)
def me(user: CurrentUser, conn: Db) -> MeOut:
    return MeOut(
        user=UserOut(id=user.id, email=user.email, display_name=user.display_name, role=user.role),
        organization=OrganizationOut(id=user.organization_id, name=user.organization_name),
        brandspaces=[
            BrandspaceOut.model_validate(space, from_attributes=True) for space in usable_brandspaces(conn, user)
        ],
    )
