"""Another organization's private data is never visible, through any route.

Generated from the app's own route table: every route is called with organization B's token on
organization A's resources (and every list also as CSV), so a route added without a tenant check
fails here. A route whose path parameter or body this test cannot fill fails too, until it is taught.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute

from api.app import ROUTERS
from tests.api_world import Api, World

# Path parameters naming something an organization owns: B must get 404 for A's.
PRIVATE_PARAMETERS = {"brandspace_id", "user_id", "request_id", "notification_id", "lookup_id", "conversation_id"}
# Query parameters a route requires.
QUERIES = {"/v1/brandspaces/{brandspace_id}/search": {"q": "hydrating serum"}}
# Covered by their own tests, with the reason.
ELSEWHERE = {
    "/v1/ws": "tests/stack/test_api_ws.py: B's socket never receives A's notification",
    "/v1/auth/logout": "tests/stack/test_api_auth.py: it revokes the caller's own token, nothing else",
}


A_QUESTION = "Which call to action is most common in this brandspace, all told?"


def _parameters(world: World, private: dict[str, str]) -> dict[str, str]:
    return private | {
        "brandspace_id": str(world.a.brandspace.id),
        "user_id": str(world.a.member.id),
        "request_id": str(world.request_id),
        "notification_id": str(world.notification_ids[0]),
        "brand": world.brands["primary"],
        "ad_id": str(world.ads[world.brands["primary"]][0]),
        "version": "1",
    }


def _bodies(world: World) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid body for every write, aimed at A's resources."""
    return {
        ("POST", "/v1/auth/token"): {"email": world.a.admin.email, "password": "a wrong password!"},
        ("POST", "/v1/users"): {"email": f"intruder-{world.tag}@x.example", "password": "long enough password"},
        ("POST", "/v1/brandspaces"): {"name": f"intruder {world.tag}"},
        ("PUT", "/v1/brandspaces/{brandspace_id}/members"): {"user_ids": []},
        ("PUT", "/v1/brandspaces/{brandspace_id}/brands/{brand}"): {"role": "followed"},
        ("POST", "/v1/brand-lookups"): {"name": "Glow Botanicals"},
        ("POST", "/v1/brand-lookups/{lookup_id}/confirm"): {"candidate": 0},
        ("POST", "/v1/requests"): {"brand": world.brands["primary"]},
        ("POST", "/v1/brandspaces/{brandspace_id}/inquire"): {"question": "Which brand runs the most offers?"},
        ("PUT", "/v1/inquire/budget"): {"monthly_usd": 25},
    }


def _secrets_of_a(world: World, private: dict[str, str]) -> list[str]:
    """Strings that only A's private resources contain."""
    return [
        str(world.a.id),
        world.a.name,
        str(world.a.brandspace.id),
        world.a.brandspace.partition_key,
        str(world.a.other_brandspace.id),
        world.a.member.email,
        world.a.admin.email,
        str(world.request_id),
        A_QUESTION,
        *private.values(),
    ]


@pytest.fixture(scope="module")
def private(world: World, tokens: dict[str, str], api: Api) -> dict[str, str]:
    """A's private resources made through the API: a brand lookup and an Inquire conversation."""
    as_a = api.as_user(tokens["a_admin"])
    lookup = as_a.post("/v1/brand-lookups", json={"name": "Glow"})
    assert lookup.status_code == 201, lookup.text
    answer = as_a.post(f"/v1/brandspaces/{world.a.brandspace.id}/inquire", json={"question": A_QUESTION})
    assert answer.status_code == 200, answer.text
    return {"lookup_id": str(lookup.json()["id"]), "conversation_id": answer.json()["conversation_id"]}


def _routes() -> list[APIRoute | APIWebSocketRoute]:
    routes = [route for router in ROUTERS for route in router.routes]
    assert all(isinstance(route, APIRoute | APIWebSocketRoute) for route in routes)
    return routes  # type: ignore[return-value]


def _fill(path: str, parameters: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in parameters, f"teach this test a value for path parameter {{{name}}} of {path}"
        return parameters[name]

    return re.sub(r"\{(\w+)\}", value, path)


def test_every_route_keeps_organization_a_private_from_b(
    world: World, tokens: dict[str, str], api: Api, private: dict[str, str]
) -> None:
    parameters = _parameters(world, private)
    bodies = _bodies(world)
    secrets = _secrets_of_a(world, private)
    as_a, as_b = api.as_user(tokens["a_admin"]), api.as_user(tokens["b_admin"])
    checked = 0
    for route in _routes():
        if isinstance(route, APIWebSocketRoute) or route.path in ELSEWHERE:
            assert route.path in ELSEWHERE, f"WebSocket route {route.path} has no isolation test"
            continue
        url = _fill(route.path, parameters)
        private = bool(PRIVATE_PARAMETERS & set(re.findall(r"\{(\w+)\}", route.path)))
        for method in sorted(route.methods - {"HEAD"}):
            body = bodies.get((method, route.path))
            if method in {"POST", "PUT", "PATCH"} and route.body_field is not None:
                assert body is not None, f"teach this test a body for {method} {route.path}"
            if method == "GET":
                own = as_a.get(url, params=QUERIES.get(route.path))
                assert own.status_code == 200, f"A reading its own {url}: {own.status_code} {own.text[:300]}"
            variants = [{}, {"Accept": "text/csv"}] if method == "GET" else [{}]
            for headers in variants:
                response = as_b.request(method, url, json=body, headers=headers, params=QUERIES.get(route.path))
                where = f"B {method} {url} {headers}"
                assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
                if private:
                    assert response.status_code == 404, f"{where}: {response.status_code}, expected 404"
                    assert response.json()["code"] == "not_found"
                # what B put in the URL may come back in the error message; anything else of A's may not
                leaked = [secret for secret in secrets if secret in response.text and secret not in url]
                assert not leaked, f"{where} leaked {leaked}"
                checked += 1
    assert checked >= 30


def test_b_writes_changed_nothing_of_a(world: World, tokens: dict[str, str], api: Api) -> None:
    """After B's attempts above (and again here), A's brandspace, members and users are as they were."""
    as_a, as_b = api.as_user(tokens["a_admin"]), api.as_user(tokens["b_admin"])
    before = as_a.get(f"/v1/brandspaces/{world.a.brandspace.id}/brands").json()
    as_b.put(f"/v1/brandspaces/{world.a.brandspace.id}/brands/{world.brands['b_only']}", json={"role": "followed"})
    as_b.delete(f"/v1/brandspaces/{world.a.brandspace.id}/brands/{world.brands['primary']}")
    assert as_b.delete(f"/v1/users/{world.a.member.id}").status_code == 404
    assert as_a.get(f"/v1/brandspaces/{world.a.brandspace.id}/brands").json() == before
    assert as_a.get(f"/v1/users/{world.a.member.id}").status_code == 200
    member_spaces = api.as_user(tokens["a_member"]).get("/v1/me").json()["brandspaces"]
    assert [space["id"] for space in member_spaces] == [str(world.a.brandspace.id)]


def test_a_member_cannot_reach_a_brandspace_of_its_own_organization_it_is_not_linked_to(
    world: World, tokens: dict[str, str], api: Api
) -> None:
    member = api.as_user(tokens["a_member"])
    assert member.get(f"/v1/brandspaces/{world.a.other_brandspace.id}").status_code == 404
    assert member.get(f"/v1/brandspaces/{world.a.other_brandspace.id}/ads").status_code == 404
    assert member.get(f"/v1/brandspaces/{world.a.brandspace.id}/ads").status_code == 200
    refused = member.post("/v1/brandspaces", json={"name": "mine"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_a_brandspace_list_never_holds_another_organizations_ads(
    world: World, tokens: dict[str, str], api: Api
) -> None:
    """B naming A's brand in a filter of its own brandspace's ads gets only what B's brandspace holds."""
    as_b = api.as_user(tokens["b_admin"])
    asked = as_b.get(
        f"/v1/brandspaces/{world.b.brandspace.id}/ads",
        params={"brand": [world.brands["competitor"], world.brands["b_only"]], "limit": 100},
    ).json()
    assert {ad["brand"] for ad in asked["items"]} == {world.brands["b_only"]}
    found = as_b.get(f"/v1/brandspaces/{world.b.brandspace.id}/search", params={"q": "lipstick"}).json()
    assert {hit["brand"] for hit in found["items"]} <= {world.brands["b_only"], world.brands["primary"]}


def test_without_a_token_every_route_but_login_is_refused(world: World, api: Api) -> None:
    nothing = "00000000-0000-0000-0000-000000000000"
    parameters = _parameters(world, {"lookup_id": nothing, "conversation_id": nothing})
    for route in _routes():
        if isinstance(route, APIWebSocketRoute) or route.path == "/v1/auth/token":
            continue
        for method in route.methods - {"HEAD"}:
            response = httpx.request(method, api.base_url + _fill(route.path, parameters), json={})
            assert response.status_code == 401, f"{method} {route.path}: {response.status_code}"
            assert response.json()["code"] == "unauthorized"
