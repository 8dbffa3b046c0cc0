"""Schema-driven fuzzing of the whole OpenAPI surface against the running server (schemathesis):
valid and invalid requests to every operation, as a logged-in admin of an organization of its own.
No request may get a 5xx, and every 4xx answers in the one error shape."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from adology.settings import Settings
from adology.tenancy.accounts import create_user, ensure_organization
from tests.api_world import PASSWORD, Api, World

EXAMPLES_PER_MODE = 10


@pytest.fixture(scope="module")
def api_schema(api_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{api_url}/openapi.json")


@pytest.fixture(scope="module")
def fuzz_token(stack_settings: Settings, world: World, api: Api) -> Iterator[str]:
    with psycopg.connect(stack_settings.database_url or "") as conn:
        organization = ensure_organization(conn, f"fuzz {world.tag}")
        user = create_user(
            conn, organization_id=organization, email=f"fuzz-{world.tag}@fuzz.example", password=PASSWORD, role="admin"
        )
    yield api.token(user.email)
    # the fuzzer's failed logins count against this machine's address; later tests log in from it too
    with psycopg.connect(stack_settings.database_url or "") as conn:
        conn.execute("DELETE FROM login_failures WHERE subject LIKE 'address:%%'")


def _check(case: schemathesis.Case, token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    where = f"{case.method} {case.formatted_path} {case.query} {str(case.body)[:200]}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "request_id"}, f"{where}: {body}"
        assert [body["request_id"]] == response.headers["x-request-id"]


def test_no_request_gets_a_server_error_and_every_error_has_the_shape(
    api_schema: schemathesis.BaseSchema, fuzz_token: str
) -> None:
    """Hypothesis drives schemathesis' strategies per operation (its pytest plugin does not load under
    this pytest), valid requests and requests that break the schema alike."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # logging out would revoke the fuzzer's own token for every case after it
    fuzzed = [operation for operation in operations if operation.path != "/v1/auth/logout"]
    assert len(fuzzed) >= 25
    for operation in fuzzed:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_MODE, deadline=None, suppress_health_check=list(HealthCheck), database=None
            )
            def fuzz(case: schemathesis.Case) -> None:
                _check(case, fuzz_token)

            fuzz()
