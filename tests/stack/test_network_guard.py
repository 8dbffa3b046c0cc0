"""Where the media fetcher and the object store connect, against the session stack's SeaweedFS.

Pinned: a creative whose name answers the guard's check with a public address and the connection
with 127.0.0.1 (DNS rebinding) fails as ``blocked`` and no request reaches the server on 127.0.0.1,
while the same name allowed by its exact ``host:port`` is fetched and stored; the fetcher refuses a
session that does not guard its connections. An object store built for an endpoint keeps using it,
through obstore and boto3 alike, with ``AWS_ENDPOINT_URL_S3`` (and its kin) pointing elsewhere.
"""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest
from aiohttp import web

from adology.media.fetch import FailureReason, MediaFetcher, MediaFetchError, MediaLimits, StoredMedia
from adology.media.guard import UrlPolicy
from adology.settings import Settings
from adology.sources.http import http_client
from adology.storage.aws import settings_object_store
from adology.storage.s3 import ObjectStore
from tests.source_servers import PUBLIC_ADDRESS, counted, install_name_server

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 1020


@pytest.fixture(scope="module")
def store(stack_settings: Settings) -> ObjectStore:
    return settings_object_store(stack_settings)


async def creative(request: web.Request) -> web.Response:
    return web.Response(body=JPEG, content_type="image/jpeg")


async def fetch_named_creative(
    store: ObjectStore, answers: list[str], *, allow_name: bool
) -> tuple[StoredMedia, list[str]]:
    """Fetch ``http://cdn.rebind.example:<port>/creative.jpg`` from a server on 127.0.0.1, the name
    resolving to ``answers`` in turn."""
    async with counted(creative) as (port, requested):
        policy = UrlPolicy.allowing([f"cdn.rebind.example:{port}"] if allow_name else [])
        async with http_client(timeout=5, policy=policy) as http:
            install_name_server("cdn.rebind.example", answers)
            fetcher = MediaFetcher(http=http, store=store, policy=policy, limits=MediaLimits(attempts=1))
            try:
                return await fetcher.fetch(f"http://cdn.rebind.example:{port}/creative.jpg"), requested
            except MediaFetchError as error:
                error.add_note(f"requests that reached the server: {requested}")
                raise


def test_a_creative_rebound_to_loopback_after_the_check_is_blocked_unrequested(store: ObjectStore) -> None:
    with pytest.raises(MediaFetchError) as raised:
        asyncio.run(fetch_named_creative(store, [PUBLIC_ADDRESS, "127.0.0.1"], allow_name=False))
    error = raised.value
    assert error.reason is FailureReason.BLOCKED and not error.transient
    assert "cdn.rebind.example resolves to 127.0.0.1, a non-public address" in error.detail
    assert error.__notes__ == ["requests that reached the server: []"]


def test_a_name_allowed_by_its_exact_endpoint_is_fetched(store: ObjectStore) -> None:
    stored, requested = asyncio.run(fetch_named_creative(store, ["127.0.0.1"], allow_name=True))
    assert requested == ["/creative.jpg"]
    assert store.get_bytes(key=stored.key) == JPEG


def test_the_fetcher_refuses_a_session_that_does_not_guard_its_connections(store: ObjectStore) -> None:
    async def build() -> None:
        async with aiohttp.ClientSession() as plain:
            MediaFetcher(http=plain, store=store, policy=UrlPolicy())

    with pytest.raises(ValueError, match=r"needs a session from http_client\(\)"):
        asyncio.run(build())


def test_a_store_keeps_its_endpoint_whatever_the_environment_says(
    stack_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto, the stack's SQS server, answers S3 requests too: a client that followed the environment
    # would talk to a live server that has no such bucket, not fail to connect
    elsewhere = stack_settings.sqs_endpoint_url
    assert elsewhere and elsewhere != stack_settings.s3_endpoint_url
    for variable in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"):
        monkeypatch.setenv(variable, elsewhere)
    store = settings_object_store(stack_settings)
    through_obstore, through_boto3 = f"tests/endpoint/{uuid.uuid4().hex}", f"tests/endpoint/{uuid.uuid4().hex}"

    store.put_bytes(key=through_obstore, data=b"written by obstore")
    store.client.put_object(Bucket=store.bucket, Key=through_boto3, Body=b"written by boto3")

    assert store.client.get_object(Bucket=store.bucket, Key=through_obstore)["Body"].read() == b"written by obstore"
    assert store.get_bytes(key=through_boto3) == b"written by boto3"
    monkeypatch.undo()  # the stack's own view of the bucket, with the stack's environment back
    assert settings_object_store(stack_settings).get_bytes(key=through_obstore) == b"written by obstore"
