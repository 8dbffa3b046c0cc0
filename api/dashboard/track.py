"""Logging in and out, the brandspace's brands (Track), a brand's ads grid with filters and the ad
panel, requesting a new brand with its progress, and the admin page."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from adology.ai.types import AIError
from adology.media.posters import poster_frame, poster_key
from adology.requests.lifecycle import FINAL_STATUSES
from adology.requests.messages import BRAND_KEY_PATTERN
from adology.requests.notifications import brand_counts
from adology.serving.activity import organization_request
from adology.serving.ads import ad_brand_id, ad_detail, ads_query, first_creatives, label_counts, stored_creative
from adology.serving.brands import MemberBrand, brandspace_brands, brandspace_members
from adology.tenancy.accounts import User, authenticate, create_user, delete_user, list_users
from adology.tenancy.brandspaces import (
    Brandspace,
    link_user,
    remove_brand,
    require_admin,
    set_brand_role,
    usable_brandspace,
)
from adology.tenancy.errors import (
    InvalidCredentialsError,
    InvalidTokenError,
    LoginRateLimitedError,
    NotFoundError,
)
from adology.tenancy.onboarding import confirm_lookup, start_lookup
from adology.tenancy.tokens import issue_token, revoke_token, user_for_token
from api.dashboard.shell import PageShell, end_session, space_url, start_session
from api.dashboard.templating import PREFIX, STATIC, TEMPLATES, render
from api.deps import (
    SESSION_COOKIE,
    AppSettings,
    CurrentUser,
    Db,
    Store,
    UsableBrandspace,
    page_session,
    same_origin,
)
from api.errors import ApiError
from api.routers.ads import CREATIVE_URL_SECONDS, AdFilterParams, ad_filters
from api.routers.auth import client_address
from api.routers.ws import POLICY_VIOLATION, organization_wakeups

router = APIRouter(prefix=PREFIX, include_in_schema=False)

GRID_PAGE = 24
LIVE_SECONDS = 1.0  # how often a request's live progress looks again without a notification
PROGRESS = "fragments/progress.html"
AdId = Annotated[int, Path(ge=1, le=2**63 - 1)]
BrandKey = Annotated[str, Path(pattern=BRAND_KEY_PATTERN)]


def _safe_next(target: str | None) -> str:
    """Only a path of the dashboard itself: a login link must not send the user to another site."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, conn: Db, next: str | None = None) -> Response:
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        with contextlib.suppress(InvalidTokenError):  # an expired or revoked session shows the form
            user_for_token(conn, session)
            return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "prefix": PREFIX})


@router.post("/login", response_class=HTMLResponse)
def log_in(
    request: Request,
    conn: Db,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = PREFIX,
) -> Response:
    if not same_origin(request):
        raise ApiError(403, "forbidden", "log in from the dashboard's own login page")
    try:
        user = authenticate(conn, email, password, address=client_address(request))
    except (InvalidCredentialsError, LoginRateLimitedError) as exc:
        message = str(exc) if isinstance(exc, LoginRateLimitedError) else "That email and password do not match."
        context = {"next": _safe_next(next), "prefix": PREFIX, "email": email, "error": message}
        return render(request, "login.html", context, status=401 if isinstance(exc, InvalidCredentialsError) else 429)
    issued = issue_token(conn, user.id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(response, request, issued.token)
    return response


@router.post("/logout")
def log_out(request: Request, user: CurrentUser, conn: Db) -> Response:
    revoke_token(conn, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    end_session(response)
    return response


@router.get("", response_class=HTMLResponse)
def home(request: Request, shell: PageShell) -> Response:
    """The first brandspace's Track page, or what to do when the user has none."""
    if shell.brandspaces:
        return RedirectResponse(space_url(shell.brandspaces[0]), status_code=303)
    return shell.page(request, "empty.html", None, None)


@router.get("/b/{brandspace_id}", response_class=HTMLResponse)
def brandspace_home(space: UsableBrandspace) -> Response:
    return RedirectResponse(space_url(space), status_code=303)


@router.get("/b/{brandspace_id}/track", response_class=HTMLResponse)
def track(request: Request, space: UsableBrandspace, shell: PageShell, conn: Db) -> Response:
    """The brandspace's brands with status, ad counts and new ads; an admin adds a brand here."""
    brands = brandspace_brands(conn, space.id)
    return shell.page(request, "track.html", space, "track", brands=brands)


def _member(conn: Db, space: UsableBrandspace, brand: str) -> MemberBrand:
    """The brand when it is in the brandspace (404 otherwise)."""
    member = brandspace_members(conn, space.id).get(brand)
    if member is None:
        raise NotFoundError("brand in this brandspace", brand)
    return member


def _grid(
    request: Request, conn: Db, space: UsableBrandspace, brand: str, filters: AdFilterParams, cursor: str | None
) -> dict[str, Any]:
    """One page of the brand's ads under the filters, with what the cards show of each creative."""
    member = _member(conn, space, brand)
    page = ads_query(replace(filters.filters, brand_ids=[member.id])).page(conn, cursor=cursor, limit=GRID_PAGE)
    covers = first_creatives(conn, [ad["id"] for ad in page.items])
    kept = [(key, value) for key, value in request.query_params.multi_items() if value and key != "cursor"]
    return {
        "brand": brand,
        "brand_id": member.id,
        "brand_name": member.name,
        "ads": [ad | {"cover": covers.get(ad["id"])} for ad in page.items],
        "next_cursor": page.next_cursor,
        "filters": urlencode(kept),
        "csv_url": f"/v1/brandspaces/{space.id}/ads.csv?" + urlencode([("brand", brand), *kept]),
        "first_page": cursor is None,
    }


Filters = Annotated[AdFilterParams, Depends(ad_filters)]


@router.get("/b/{brandspace_id}/brands/{brand_key}", response_class=HTMLResponse)
def brand_page(
    request: Request, brand_key: BrandKey, space: UsableBrandspace, shell: PageShell, conn: Db, filters: Filters
) -> Response:
    """The brand's ads as a grid of creatives, with filters that redraw the grid in place."""
    grid = _grid(request, conn, space, brand_key, filters, None)
    labels = label_counts(conn, grid["brand_id"])
    values = {key: request.query_params.get(key, "") for key in FILTER_NAMES}
    return shell.page(request, "brand.html", space, "track", labels=labels, values=values, **grid)


FILTER_NAMES = ("platform", "format", "active", "started_after", "started_before", "label", "q")


@router.get("/b/{brandspace_id}/brands/{brand_key}/ads", response_class=HTMLResponse)
def brand_ads(
    request: Request,
    brand_key: BrandKey,
    space: UsableBrandspace,
    user: CurrentUser,
    conn: Db,
    filters: Filters,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The grid (filtered), or its next cards when ``cursor`` is given (infinite scroll)."""
    grid = _grid(request, conn, space, brand_key, filters, cursor)
    response = render(request, "fragments/grid.html", grid | {"space": space, "prefix": PREFIX})
    if cursor is None and request.headers.get("hx-target") == "grid":
        # the address bar keeps the filters, so a reload or a shared link shows the same grid
        response.headers["HX-Replace-Url"] = f"{PREFIX}/b/{space.id}/brands/{brand_key}" + (
            f"?{grid['filters']}" if grid["filters"] else ""
        )
    return response


@router.get("/b/{brandspace_id}/ads/{ad_id}", response_class=HTMLResponse)
def ad_panel(
    request: Request, ad_id: AdId, space: UsableBrandspace, user: CurrentUser, conn: Db, store: Store
) -> Response:
    """One ad in full: its creatives, copy, description, attributes and labels."""
    if ad_brand_id(conn, ad_id) not in space.brand_ids:
        raise NotFoundError("ad in this brandspace", ad_id)
    ad = ad_detail(conn, ad_id, lambda key: store.presigned_url(key, expires_in=CREATIVE_URL_SECONDS))
    return render(request, "fragments/ad_panel.html", {"ad": ad, "space": space, "prefix": PREFIX})


Index = Annotated[int, Path(ge=0, le=1000)]


def _stored(conn: Db, ad_id: int, index: int) -> dict[str, str]:
    found = stored_creative(conn, ad_id, index)
    if found is None:
        raise NotFoundError("stored creative", f"{ad_id}/{index}")
    return found


def _redirect(store: Store, key: str) -> Response:
    url = store.presigned_url(key, expires_in=CREATIVE_URL_SECONDS)
    return RedirectResponse(url, status_code=307, headers={"Cache-Control": "private, max-age=240"})


@router.get("/media/{ad_id}/{index}")
def creative(ad_id: AdId, index: Index, user: CurrentUser, conn: Db, store: Store) -> Response:
    """The ad's creative, by a redirect to a short-lived S3 URL (ads are shared by every organization)."""
    return _redirect(store, _stored(conn, ad_id, index)["s3_key"])


@router.get("/media/{ad_id}/{index}/poster")
def poster(ad_id: AdId, index: Index, user: CurrentUser, conn: Db, store: Store) -> Response:
    """A video creative's poster frame, made at its first request and kept in S3 by the video's
    content; a video that cannot be decoded gets a drawn placeholder, never a broken image."""
    found = _stored(conn, ad_id, index)
    key = poster_key(found["sha256"])
    if not store.exists(key=key):
        try:
            frame = poster_frame(store.get_bytes(key=found["s3_key"]))
        except AIError:
            return FileResponse(STATIC / "video-poster.svg", media_type="image/svg+xml")
        store.put_bytes(key=key, data=frame, content_type="image/jpeg")
    return _redirect(store, key)


@router.post("/b/{brandspace_id}/lookups", response_class=HTMLResponse)
def look_up(
    request: Request,
    space: UsableBrandspace,
    user: CurrentUser,
    conn: Db,
    settings: AppSettings,
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    """Ask every source for the brand; the candidates to pick from."""
    require_admin(user)
    if not name.strip():
        raise ApiError(422, "invalid_request", "type a brand name to look for")
    found = start_lookup(conn, settings, user, name.strip())
    return render(request, "fragments/candidates.html", {"lookup": found, "space": space, "prefix": PREFIX})


@router.post("/b/{brandspace_id}/lookups/{lookup_id}", response_class=HTMLResponse)
def add_candidate(
    request: Request,
    lookup_id: uuid.UUID,
    space: UsableBrandspace,
    user: CurrentUser,
    conn: Db,
    candidate: Annotated[int, Form(ge=0, le=100)],
    role: Annotated[Literal["competitor", "followed", "primary"], Form()] = "competitor",
) -> Response:
    """Register the picked candidate's brand, add it to the brandspace, and follow its analysis."""
    require_admin(user)
    key = confirm_lookup(conn, user, lookup_id, candidate)
    change = set_brand_role(conn, user, space.id, key, role)
    context = {"space": space, "brand": key, "request_id": change.request_id, "prefix": PREFIX}
    if change.request_id is None:
        return render(request, "fragments/already_added.html", context)
    return _progress(request, conn, user, space, change.request_id)


def _progress_context(conn: Db, user: User, space: Brandspace, request_id: uuid.UUID) -> dict[str, Any]:
    found = organization_request(conn, user.organization_id, request_id)
    finished = found["status"] in FINAL_STATUSES
    member = brandspace_members(conn, space.id).get(found["brand"])
    return {
        "space": space,
        "request": found,
        "brand_name": member.name if member else found["brand"],
        "counts": brand_counts(conn, found["brand"]),
        "finished": finished,
        # the brands table redrawn once, with the new brand's counts
        "brands": brandspace_brands(conn, space.id) if finished else None,
        "prefix": PREFIX,
    }


def _progress(
    request: Request, conn: Db, user: CurrentUser, space: UsableBrandspace, request_id: uuid.UUID
) -> Response:
    return render(request, PROGRESS, _progress_context(conn, user, space, request_id))


@router.websocket("/b/{brandspace_id}/requests/{request_id}/live")
async def request_live(websocket: WebSocket, brandspace_id: uuid.UUID, request_id: uuid.UUID) -> None:
    """The request's progress card, sent whenever it changes (the brand's counts as the runs store each
    stage, the status), until the request ends: a notification of the organization wakes it at once,
    else it looks again every second. Only the app's own pages may open it, with their session."""
    await websocket.accept()
    pool = websocket.app.state.pool
    token = page_session(websocket)

    def user_and_space() -> tuple[User, Brandspace] | None:
        with pool.connection() as conn:
            try:
                user = user_for_token(conn, token or "")
                space = usable_brandspace(conn, user, brandspace_id)
                organization_request(conn, user.organization_id, request_id)
            except (InvalidTokenError, NotFoundError):
                return None
            return user, space

    def card(user: User, space: Brandspace) -> tuple[str, bool]:
        with pool.connection() as conn:
            context = _progress_context(conn, user, space, request_id)
        return TEMPLATES.get_template(PROGRESS).render(context), context["finished"]

    allowed = await run_in_threadpool(user_and_space) if token else None
    if allowed is None:
        await websocket.close(code=POLICY_VIOLATION, reason="not found, or not logged in")
        return
    user, space = allowed
    async with organization_wakeups(websocket, str(user.organization_id)) as wakeups:
        sent = None
        while wakeups.open:
            html, finished = await run_in_threadpool(card, user, space)
            if html != sent:
                await websocket.send_text(html)
                sent = html
            if finished:
                await websocket.close()
                return
            await wakeups.wait(LIVE_SECONDS)


@router.get("/b/{brandspace_id}/admin", response_class=HTMLResponse)
def admin(request: Request, space: UsableBrandspace, shell: PageShell, conn: Db) -> Response:
    """The organization's users, and the brandspace's brands with their roles (admins only)."""
    require_admin(shell.user)
    users = list_users(conn, shell.user.organization_id)
    brands = brandspace_brands(conn, space.id)
    return shell.page(request, "admin.html", space, "admin", users=users, brands=brands)


@router.post("/b/{brandspace_id}/admin/users")
def add_user(
    space: UsableBrandspace,
    user: CurrentUser,
    conn: Db,
    email: Annotated[str, Form(min_length=3, max_length=320)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[Literal["admin", "member"], Form()] = "member",
) -> Response:
    require_admin(user)
    created = create_user(
        conn,
        organization_id=user.organization_id,
        email=email.strip(),
        password=password,
        role=role,
        display_name=display_name.strip() or None,
    )
    link_user(conn, created.id, [space.id])
    return RedirectResponse(space_url(space, "admin"), status_code=303)


@router.post("/b/{brandspace_id}/admin/users/{user_id}/delete")
def remove_user(user_id: uuid.UUID, space: UsableBrandspace, user: CurrentUser, conn: Db) -> Response:
    require_admin(user)
    if user_id == user.id:
        raise ApiError(409, "conflict", "you cannot remove yourself; ask another admin")
    delete_user(conn, user.organization_id, user_id)
    return RedirectResponse(space_url(space, "admin"), status_code=303)


@router.post("/b/{brandspace_id}/admin/brands/{brand_key}")
def change_brand(
    brand_key: BrandKey,
    space: UsableBrandspace,
    user: CurrentUser,
    conn: Db,
    role: Annotated[Literal["primary", "competitor", "followed", "remove"], Form()],
) -> Response:
    if role == "remove":
        remove_brand(conn, user, space.id, brand_key)
    else:
        set_brand_role(conn, user, space.id, brand_key, role)
    return RedirectResponse(space_url(space, "admin"), status_code=303)
