"""What routes need, declared once as ``Annotated`` aliases: a connection, the current user, an admin,
a brandspace the user may use, a page request. A route's signature says which it takes; the tenant
check is in these dependencies, never a ``WHERE`` a route has to remember.

A caller authenticates with ``Authorization: Bearer <token>`` or, in the dashboard's browser, with the
same token in the ``adology_session`` cookie (HttpOnly, SameSite=Strict). A write authenticated by
the cookie must come from the app's own origin, so another site cannot make the browser send one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

import psycopg
from fastapi import Depends, Query, Request, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg_pool import ConnectionPool

from adology.ai.types import Provider
from adology.serving.listing import DEFAULT_LIMIT, MAX_LIMIT
from adology.settings import Settings
from adology.storage.s3 import ObjectStore
from adology.tenancy.accounts import User
from adology.tenancy.brandspaces import Brandspace, require_admin, usable_brandspace
from adology.tenancy.errors import InvalidTokenError
from adology.tenancy.tokens import user_for_token
from api.errors import ApiError


def _pool(request: Request) -> ConnectionPool:
    return request.app.state.pool  # type: ignore[no-any-return]


def connection(request: Request) -> Iterator[psycopg.Connection]:
    """A pooled connection for the request: committed when the route returns, rolled back if it raises."""
    with _pool(request).connection() as conn:
        yield conn


# committed when the route function returns, before the response is sent (scope "function"): with the
# default scope the commit would follow the response, and a client's next request, served by another
# worker, could miss the write it was just told succeeded
Db = Annotated[psycopg.Connection, Depends(connection, scope="function")]


async def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def object_store(request: Request) -> ObjectStore:
    return request.app.state.store  # type: ignore[no-any-return]


async def provider(request: Request) -> Provider:
    return request.app.state.provider  # type: ignore[no-any-return]


AppSettings = Annotated[Settings, Depends(settings)]
Store = Annotated[ObjectStore, Depends(object_store)]
AiProvider = Annotated[Provider, Depends(provider)]

_bearer = HTTPBearer(auto_error=False, description="a token from POST /v1/auth/token")


SESSION_COOKIE = "adology_session"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def same_origin(request: Request) -> bool:
    """The request's ``Origin`` is the host it was sent to (a browser always sends one on a write)."""
    origin = request.headers.get("origin")
    return origin is not None and origin.partition("://")[2] == request.headers.get("host")


def page_session(websocket: WebSocket) -> str | None:
    """The session cookie of a socket that one of the app's own pages opened: a socket is not bound by
    the same-origin policy, so another site's page could otherwise open one as the user."""
    if websocket.headers.get("origin", "").partition("://")[2] != websocket.headers.get("host"):
        return None
    return websocket.cookies.get(SESSION_COOKIE)


async def bearer_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    if credentials is not None:
        return credentials.credentials
    session = request.cookies.get(SESSION_COOKIE)
    if session is None:
        raise ApiError(
            401, "unauthorized", "log in: send Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"}
        )
    if request.method not in _SAFE_METHODS and not same_origin(request):
        raise ApiError(403, "forbidden", "a write with the session cookie must come from the dashboard's own pages")
    return session


Token = Annotated[str, Depends(bearer_token)]


def current_user(request: Request, conn: Db, token: Token) -> User:
    try:
        user = user_for_token(conn, token)
    except InvalidTokenError as exc:
        raise ApiError(401, "invalid_token", str(exc), {"WWW-Authenticate": "Bearer"}) from None
    state = request.scope.setdefault("state", {})
    state["organization_id"], state["user_id"] = str(user.organization_id), str(user.id)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def admin_user(user: CurrentUser) -> User:
    require_admin(user)
    return user


AdminUser = Annotated[User, Depends(admin_user)]


def brandspace(brandspace_id: uuid.UUID, user: CurrentUser, conn: Db) -> Brandspace:
    """The path's brandspace when the user may use it; 404 otherwise, whoever owns it."""
    return usable_brandspace(conn, user, brandspace_id)


UsableBrandspace = Annotated[Brandspace, Depends(brandspace)]


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None
    limit: int


async def page_request(
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> PageRequest:
    return PageRequest(cursor, limit)


# Dependencies that do no I/O are coroutines: FastAPI runs a plain function's dependency in its
# threadpool, a hop that costs more than the work in these.
Paging = Annotated[PageRequest, Depends(page_request)]
