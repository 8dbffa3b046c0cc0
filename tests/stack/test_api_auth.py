"""Logging in and out on the running API: tokens that expire, are revoked, or outlive their user;
brute force refused; no password or token ever in a response or a log line."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from adology.settings import Settings
from adology.tenancy.accounts import LoginLimit, authenticate, create_user, ensure_organization
from adology.tenancy.errors import InvalidCredentialsError, LoginRateLimitedError
from adology.tenancy.tokens import issue_token
from tests.api_world import PASSWORD, Api, World


def _error(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"code", "message", "request_id"}
    assert body["request_id"] == response.headers["x-request-id"]  # type: ignore[attr-defined]
    return body  # type: ignore[no-any-return]


def test_a_login_gives_a_token_that_says_who_and_which_brandspaces(world: World, api: Api) -> None:
    response = api.http.post("/v1/auth/token", json={"email": world.a.member.email, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["access_token"].startswith("adt_")
    me = api.as_user(body["access_token"]).get("/v1/me").json()
    assert me["user"]["email"] == world.a.member.email and me["user"]["role"] == "member"
    assert me["organization"]["name"] == world.a.name
    assert [space["name"] for space in me["brandspaces"]] == ["alpha space"]  # not the one it is not linked to
    admin = api.as_user(api.token(world.a.admin.email)).get("/v1/me").json()
    assert sorted(space["name"] for space in admin["brandspaces"]) == ["alpha private space", "alpha space"]


@pytest.mark.parametrize(
    ("email", "password"),
    [("nobody@nowhere.example", PASSWORD), (None, "not the password at all")],
    ids=["unknown email", "wrong password"],
)
def test_a_wrong_login_says_only_that_it_is_wrong(world: World, api: Api, email: str | None, password: str) -> None:
    response = api.http.post("/v1/auth/token", json={"email": email or world.b.admin.email, "password": password})
    assert response.status_code == 401
    assert _error(response) | {"request_id": ""} == {
        "code": "invalid_credentials",
        "message": "the email or password is wrong",
        "request_id": "",
    }


def test_an_expired_a_revoked_and_a_deleted_users_token_are_refused(
    stack_settings: Settings, world: World, api: Api, tokens: dict[str, str]
) -> None:
    with psycopg.connect(stack_settings.database_url or "") as conn:
        expired = issue_token(conn, world.b.admin.id, ttl=timedelta(seconds=-1)).token
        leaver = create_user(
            conn, organization_id=world.a.id, email=f"leaver-{world.tag}@alpha.example", password=PASSWORD
        )
    response = api.as_user(expired).get("/v1/me")
    assert response.status_code == 401 and "expired" in _error(response)["message"]
    assert response.headers["www-authenticate"] == "Bearer"

    token = api.token(world.b.admin.email)
    client = api.as_user(token)
    assert client.get("/v1/me").status_code == 200
    assert client.post("/v1/auth/logout").status_code == 204
    response = client.get("/v1/me")
    assert response.status_code == 401 and "revoked" in _error(response)["message"]
    assert api.as_user(tokens["b_admin"]).get("/v1/me").status_code == 200  # other tokens live on

    leaver_client = api.as_user(api.token(leaver.email))
    assert leaver_client.get("/v1/me").status_code == 200
    assert api.as_user(tokens["a_admin"]).delete(f"/v1/users/{leaver.id}").status_code == 204
    response = leaver_client.get("/v1/me")
    assert response.status_code == 401 and _error(response)["code"] == "invalid_token"

    for header in ("Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer adt_" + "x" * 200):
        response = api.http.get("/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_brute_force_on_one_email_is_refused_before_the_password_is_checked(
    stack_settings: Settings, world: World, api: Api
) -> None:
    with psycopg.connect(stack_settings.database_url or "") as conn:
        email = create_user(
            conn, organization_id=world.a.id, email=f"target-{world.tag}@alpha.example", password=PASSWORD
        ).email
    statuses = [
        api.http.post("/v1/auth/token", json={"email": email, "password": f"guess number {n}"}).status_code
        for n in range(12)
    ]
    assert statuses == [401] * 10 + [429] * 2
    refused = api.http.post("/v1/auth/token", json={"email": email, "password": PASSWORD})  # even the right one
    assert refused.status_code == 429 and _error(refused)["code"] == "too_many_logins"
    assert int(refused.headers["retry-after"]) > 0
    assert api.token(world.a.member.email)  # another email logs in as before


def test_failures_from_one_address_are_limited_across_emails(stack_settings: Settings, world: World) -> None:
    limit = LoginLimit(per_email=100, per_address=3)
    address = f"198.51.100.{int(world.tag, 16) % 250}"
    with psycopg.connect(stack_settings.database_url or "") as conn:
        organization = ensure_organization(conn, f"address test {world.tag}")
        user = create_user(conn, organization_id=organization, email=f"addr-{world.tag}@x.example", password=PASSWORD)
        for n in range(3):
            with pytest.raises(InvalidCredentialsError):
                authenticate(conn, f"someone{n}-{world.tag}@x.example", "wrong password!", address=address, limit=limit)
        with pytest.raises(LoginRateLimitedError):
            authenticate(conn, user.email, PASSWORD, address=address, limit=limit)
        assert authenticate(conn, user.email, PASSWORD, address="203.0.113.9", limit=limit).id == user.id


def test_weak_passwords_and_a_second_login_with_one_email_are_refused(
    world: World, api: Api, tokens: dict[str, str]
) -> None:
    admin = api.as_user(tokens["a_admin"])
    weak = admin.post("/v1/users", json={"email": f"weak-{world.tag}@alpha.example", "password": "short"})
    assert weak.status_code == 422 and _error(weak)["code"] == "weak_password"
    taken = api.as_user(tokens["b_admin"]).post("/v1/users", json={"email": world.a.member.email, "password": PASSWORD})
    assert taken.status_code == 409 and _error(taken)["code"] == "conflict"
    member = api.as_user(tokens["a_member"]).post("/v1/users", json={"email": "x@y.example", "password": PASSWORD})
    assert member.status_code == 403


def test_no_password_or_token_reaches_a_response_or_the_logs(
    stack_settings: Settings, world: World, api: Api, tokens: dict[str, str]
) -> None:
    admin = api.as_user(tokens["a_admin"])
    for path in ("/v1/me", "/v1/users", f"/v1/users/{world.a.member.id}"):
        text = admin.get(path).text
        assert "password" not in text and "argon2" not in text and "adt_" not in text, path
    log = (stack_settings.state_dir / "logs" / "api.log").read_text()
    assert PASSWORD not in log
    for token in tokens.values():
        assert token not in log and token[4:20] not in log
    assert "$argon2" not in log
