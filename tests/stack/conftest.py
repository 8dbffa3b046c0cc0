"""Fixtures of the API tests: one world of two organizations per session, and their logins."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from adology.settings import Settings
from adology.storage.aws import settings_object_store
from tests.api_world import Api, World, build_world


@pytest.fixture(scope="session")
def api(api_url: str) -> Iterator[Api]:
    client = Api(api_url)
    yield client
    client.http.close()


@pytest.fixture(scope="session")
def world(stack_settings: Settings) -> World:
    with psycopg.connect(stack_settings.database_url or "") as conn:
        return build_world(conn, settings_object_store(stack_settings))


@pytest.fixture(scope="session")
def tokens(world: World, api: Api) -> dict[str, str]:
    """Bearer tokens of A's admin and member and B's admin."""
    return {
        "a_admin": api.token(world.a.admin.email),
        "a_member": api.token(world.a.member.email),
        "b_admin": api.token(world.b.admin.email),
    }
