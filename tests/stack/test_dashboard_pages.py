"""The dashboard's pages over HTTP, against the session's API server: the login form and its session
cookie, what a page without a session does, writes from another site refused, CSV through the API's
path, and every page route walked as another organization's user (a 404 page naming nothing of A's).
The pages in a real browser are tests/e2e/test_demo_dashboard.py."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import cv2
import httpx
import numpy as np
import psycopg
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from psycopg.types.json import Jsonb
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from adology.brands import BrandSource, upsert_brand
from adology.media.posters import POSTER_WIDTH, poster_key
from adology.settings import Settings
from adology.sources.models import Connector
from adology.storage.aws import settings_object_store
from adology.tenancy.accounts import create_user, ensure_organization
from api.dashboard.install import ROUTERS
from api.deps import SESSION_COOKIE
from api.routers.ws import POLICY_VIOLATION
from tests.api_world import PASSWORD, Api, World
from tests.stack.analysis_support import acquire_sample

# Path parameters naming something an organization owns: B must get the 404 page for A's.
PRIVATE_PARAMETERS = {"brandspace_id", "user_id", "request_id", "lookup_id"}
# Pages anyone may open, or that act on the caller's own session only.
PUBLIC = {("GET", "/app/login"), ("POST", "/app/login"), ("POST", "/app/logout"), ("GET", "/app")}
QUERIES = {"/app/b/{brandspace_id}/citations": {"ad": "1"}}


def _forms(world: World) -> dict[tuple[str, str], dict[str, str]]:
    """A valid form for every write, aimed at A's resources."""
    return {
        ("POST", "/app/b/{brandspace_id}/lookups"): {"name": "Glow"},
        ("POST", "/app/b/{brandspace_id}/lookups/{lookup_id}"): {"candidate": "0", "role": "followed"},
        ("POST", "/app/b/{brandspace_id}/admin/users"): {
            "email": f"intruder-{world.tag}@x.example",
            "password": "long enough password",
        },
        ("POST", "/app/b/{brandspace_id}/admin/brands/{brand_key}"): {"role": "followed"},
    }


def _session(api: Api, token: str) -> httpx.Client:
    """A browser-like client: the session cookie, and the Origin a page of the app sends on a write."""
    origin = api.base_url.rstrip("/")
    return httpx.Client(base_url=api.base_url, timeout=30, cookies={SESSION_COOKIE: token}, headers={"Origin": origin})


def _fill(path: str, parameters: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        assert match.group(1) in parameters, f"teach this test a value for {{{match.group(1)}}} of {path}"
        return parameters[match.group(1)]

    return re.sub(r"\{(\w+)\}", value, path)


def _live_card(api: Api, path: str, token: str, *, origin: str | None = None) -> str:
    """The first message of a page socket opened with the session cookie (from the app's own origin)."""
    url = api.base_url.replace("http://", "ws://") + path
    headers = {"Cookie": f"{SESSION_COOKIE}={token}", "Origin": origin or api.base_url.rstrip("/")}
    with connect(url, additional_headers=headers, proxy=None) as ws:
        message = ws.recv(timeout=10)
        assert isinstance(message, str)
        return message


@pytest.fixture(scope="module")
def lookup_id(world: World, tokens: dict[str, str], api: Api) -> str:
    made = api.as_user(tokens["a_admin"]).post("/v1/brand-lookups", json={"name": "Glow"})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_every_page_keeps_organization_a_private_from_b(
    world: World, tokens: dict[str, str], api: Api, lookup_id: str
) -> None:
    parameters = {
        "brandspace_id": str(world.a.brandspace.id),
        "user_id": str(world.a.member.id),
        "request_id": str(world.request_id),
        "lookup_id": lookup_id,
        "brand_key": world.brands["primary"],
        "ad_id": str(world.ads[world.brands["primary"]][0]),
        "index": "0",
    }
    secrets = [world.a.name, world.a.brandspace.name, world.a.member.email, world.a.admin.email, lookup_id]
    forms = _forms(world)
    as_a, as_b = _session(api, tokens["a_admin"]), _session(api, tokens["b_admin"])
    checked = 0
    for route in [route for router in ROUTERS for route in router.routes]:
        if isinstance(route, APIWebSocketRoute):
            url = _fill(route.path, parameters)
            assert _live_card(api, url, tokens["a_admin"]).startswith("<section"), "A follows its own request"
            with pytest.raises(ConnectionClosed) as refused:
                _live_card(api, url, tokens["b_admin"])
            assert refused.value.rcvd is not None and refused.value.rcvd.code == POLICY_VIOLATION
            checked += 1
            continue
        assert isinstance(route, APIRoute)
        for method in sorted(route.methods - {"HEAD"}):
            if (method, route.path) in PUBLIC:
                continue
            url = _fill(route.path, parameters)
            form = forms.get((method, route.path))
            if method == "GET":
                own = as_a.get(url, params=QUERIES.get(route.path))
                assert own.status_code in (200, 303, 307), f"A opening its own {url}: {own.status_code}"
            response = as_b.request(method, url, data=form, params=QUERIES.get(route.path))
            where = f"B {method} {url}"
            private = bool(PRIVATE_PARAMETERS & set(re.findall(r"\{(\w+)\}", route.path)))
            if private:
                assert response.status_code == 404, f"{where}: {response.status_code}, expected the 404 page"
                assert "<h1>Not found</h1>" in response.text
            leaked = [secret for secret in secrets if secret in response.text]
            assert not leaked, f"{where} leaked {leaked}"
            checked += 1
    assert checked >= 18


def test_the_login_form_sets_a_session_that_pages_and_the_api_accept(world: World, api: Api) -> None:
    browser = httpx.Client(base_url=api.base_url, timeout=30, headers={"Origin": api.base_url.rstrip("/")})
    refused = browser.post("/app/login", data={"email": world.a.admin.email, "password": "wrong password!"})
    assert refused.status_code == 401 and "do not match" in refused.text
    assert SESSION_COOKIE not in browser.cookies

    back_to = f"/app/b/{world.a.brandspace.id}/adspend"
    logged_in = browser.post("/app/login", data={"email": world.a.admin.email, "password": PASSWORD, "next": back_to})
    assert logged_in.status_code == 303 and logged_in.headers["location"] == back_to
    cookie = logged_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert browser.get(back_to).status_code == 200
    assert browser.get("/v1/me").json()["user"]["email"] == world.a.admin.email  # the API takes the cookie too

    browser.post("/app/logout")
    assert browser.get("/v1/me").status_code == 401  # the token behind the cookie is revoked


@pytest.mark.parametrize("target", ["https://evil.example/app", "//evil.example/app", "/v1/me", "/app\\@evil"])
def test_login_goes_back_only_to_a_dashboard_page(world: World, api: Api, target: str) -> None:
    browser = httpx.Client(base_url=api.base_url, timeout=30, headers={"Origin": api.base_url.rstrip("/")})
    answer = browser.post("/app/login", data={"email": world.a.member.email, "password": PASSWORD, "next": target})
    assert answer.status_code == 303 and answer.headers["location"] == "/app"


def test_a_page_without_a_session_asks_to_log_in(world: World, api: Api) -> None:
    page = f"/app/b/{world.a.brandspace.id}/track?x=1"
    answer = httpx.get(api.base_url + page)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/login?next=" + quote(page)  # back here after the form
    fragment = httpx.get(api.base_url + page, headers={"HX-Request": "true"})  # htmx follows HX-Redirect
    assert fragment.status_code == 200 and fragment.headers["HX-Redirect"].startswith("/app/login?next=")
    expired = httpx.get(api.base_url + page, cookies={SESSION_COOKIE: "not-a-token"})
    assert expired.status_code == 303


def test_a_write_with_the_cookie_from_another_site_is_refused(world: World, tokens: dict[str, str], api: Api) -> None:
    """The cookie is SameSite=Strict; a write it authenticates must also carry the app's own Origin."""
    url = f"/v1/brandspaces/{world.a.brandspace.id}/brands/{world.brands['b_only']}"
    for origin in ({"Origin": "https://evil.example"}, {}):
        forged = httpx.put(
            api.base_url + url, json={"role": "followed"}, cookies={SESSION_COOKIE: tokens["a_admin"]}, headers=origin
        )
        assert forged.status_code == 403 and forged.json()["code"] == "forbidden", forged.text
    page_write = httpx.post(
        f"{api.base_url}/app/b/{world.a.brandspace.id}/admin/brands/{world.brands['primary']}",
        data={"role": "followed"},
        cookies={SESSION_COOKIE: tokens["a_admin"]},
        headers={"Origin": "https://evil.example"},
    )
    assert page_write.status_code == 403
    brands = api.as_user(tokens["a_admin"]).get(f"/v1/brandspaces/{world.a.brandspace.id}/brands").json()
    assert {brand["key"]: brand["role"] for brand in brands}[world.brands["primary"]] == "primary"


def _csv(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text)))


def test_lists_the_dashboard_offers_as_csv(world: World, tokens: dict[str, str], api: Api) -> None:
    as_a = api.as_user(tokens["a_admin"])
    space = f"/v1/brandspaces/{world.a.brandspace.id}"
    brands: list[dict[str, Any]] = as_a.get(f"{space}/brands").json()
    rows = _csv(as_a.get(f"{space}/brands.csv"))
    assert rows[0][:4] == ["key", "name", "category", "role"]
    assert sorted(row[0] for row in rows[1:]) == sorted(brand["key"] for brand in brands)
    users = _csv(as_a.get("/v1/users.csv"))
    assert users[0] == ["id", "email", "display_name", "role"] and world.a.member.email in {row[1] for row in users}
    spend = _csv(as_a.get(f"{space}/spend.csv"))
    assert spend[0][:3] == ["month", "brand", "brand_name"]


def test_spend_sums_the_disclosed_ranges_per_brand_and_month(
    world: World, tokens: dict[str, str], api: Api, stack_settings: Settings
) -> None:
    """Known ranges in two months: the sums, an open-ended range making the upper sum unknown, and an
    ad without a range counted among the ads but not as disclosing."""
    key = f"spend-{world.tag}"
    march, april = datetime(2025, 3, 10, tzinfo=UTC), datetime(2025, 4, 2, tzinfo=UTC)
    ranges = [
        ({"lower": 100, "upper": 199, "currency": "EUR"}, {"lower": 1000, "upper": 4999}, march),
        ({"lower": 1000, "currency": "EUR"}, None, march + timedelta(days=5)),
        (None, None, march + timedelta(days=6)),
        ({"lower": 0, "upper": 99, "currency": "EUR"}, {"lower": 0, "upper": 999}, april),
    ]
    with psycopg.connect(stack_settings.database_url or "") as conn:
        brand = upsert_brand(
            conn, partition_key=key, name=f"Spend {world.tag}", sources=[BrandSource(Connector.META, key)]
        )
        for i, (spend, impressions, started) in enumerate(ranges):
            conn.execute(
                """INSERT INTO ads (brand_id, source, source_ad_id, started_at, media, spend_range, impressions_range)
                   VALUES (%s, 'meta', %s, %s, '[]', %s, %s)""",
                (
                    brand.id,
                    f"{key}-{i}",
                    started,
                    Jsonb(spend) if spend else None,
                    Jsonb(impressions) if impressions else None,
                ),
            )
        # an organization of its own, so no other test's brandspaces change
        organization = ensure_organization(conn, f"Spend {world.tag}")
        create_user(
            conn, organization_id=organization, email=f"spend-{world.tag}@x.example", password=PASSWORD, role="admin"
        )
    admin = api.as_user(api.token(f"spend-{world.tag}@x.example"))
    space = admin.post("/v1/brandspaces", json={"name": f"Spend {world.tag}"}).json()
    assert admin.put(f"/v1/brandspaces/{space['id']}/brands/{key}", json={"role": "primary"}).status_code == 200
    answer = admin.get(f"/v1/brandspaces/{space['id']}/spend")
    items = answer.json()["items"]
    assert items, (space, admin.get(f"/v1/brandspaces/{space['id']}/brands").json(), answer.text)
    common = {"brand": key, "brand_name": f"Spend {world.tag}", "sources": ["meta"], "currencies": ["EUR"]}
    assert items == [
        common
        | {
            "month": "2025-04-01T00:00:00Z",
            "ads": 1,
            "ads_disclosing_spend": 1,
            "spend_lower": 0,
            "spend_upper": 99,
            "ads_disclosing_impressions": 1,
            "impressions_lower": 0,
            "impressions_upper": 999,
        },
        common
        | {
            "month": "2025-03-01T00:00:00Z",
            "ads": 3,
            "ads_disclosing_spend": 2,
            "spend_lower": 1100,
            "spend_upper": None,
            "ads_disclosing_impressions": 1,
            "impressions_lower": 1000,
            "impressions_upper": 4999,
        },
    ]


def test_a_page_socket_from_another_site_is_refused(world: World, tokens: dict[str, str], api: Api) -> None:
    """The live progress socket takes the session cookie only from the app's own pages."""
    path = f"/app/b/{world.a.brandspace.id}/requests/{world.request_id}/live"
    assert "<section" in _live_card(api, path, tokens["a_admin"])
    with pytest.raises(ConnectionClosed) as refused:
        _live_card(api, path, tokens["a_admin"], origin="https://evil.example")
    assert refused.value.rcvd is not None and refused.value.rcvd.code == POLICY_VIOLATION


def test_a_video_card_shows_a_poster_frame_made_once(
    world: World, tokens: dict[str, str], api: Api, stack_settings: Settings, library_url: str
) -> None:
    """A video's poster is a JPEG of its opening, kept in S3 by the video's content; a creative that
    cannot be decoded gets the drawn placeholder, never a broken image."""
    brand = acquire_sample(stack_settings, library_url, f"posters-{world.tag}", "tracked")
    with psycopg.connect(stack_settings.database_url or "") as conn:
        media = conn.execute(
            "SELECT id, media -> 0 FROM ads WHERE brand_id = %s AND media -> 0 ->> 's3_key' IS NOT NULL", (brand.id,)
        ).fetchall()
    (video_id, video), *_ = [(ad_id, item) for ad_id, item in media if item["kind"] == "video"]
    browser = _session(api, tokens["b_admin"])  # ads are shared: any organization's user sees them
    made = browser.get(f"/app/media/{video_id}/0/poster")
    assert made.status_code == 307
    jpeg = httpx.get(made.headers["location"]).content
    assert jpeg[:3] == b"\xff\xd8\xff"
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert frame is not None and 0 < frame.shape[1] <= POSTER_WIDTH
    store = settings_object_store(stack_settings)
    assert store.exists(key=poster_key(video["sha256"]))
    assert browser.get(f"/app/media/{video_id}/0/poster").status_code == 307  # kept: no second decode
    corrupt = world.ads[world.brands["primary"]][0]  # its stored "PNG" is a header and random bytes
    placeholder = browser.get(f"/app/media/{corrupt}/0/poster")
    assert placeholder.status_code == 200 and placeholder.headers["content-type"].startswith("image/svg+xml")
