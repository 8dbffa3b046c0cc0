"""Streaming creatives into S3: every bad input ends with a clear per-creative reason and stores
nothing wrong; good creatives are stored once, content-addressed, with bounded memory (multipart);
a server that drips its body too slowly is dropped as ``too_slow`` after one window, not retried."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from aiohttp import web

from adology.media.fetch import FailureReason, MediaFetcher, MediaFetchError, MediaLimits, StoredMedia
from adology.media.guard import UrlPolicy
from adology.settings import Settings
from adology.sources.http import http_client
from adology.storage.aws import object_store, settings_object_store
from adology.storage.s3 import ObjectStore
from tests.source_servers import serving

FAST_RETRY = {"attempts": 3, "backoff_initial_seconds": 0.01, "backoff_max_seconds": 0.05}


@pytest.fixture(scope="module")
def store(stack_settings: Settings) -> ObjectStore:
    return settings_object_store(stack_settings)


def _fetch(
    store: ObjectStore,
    library_url: str,
    path: str,
    *,
    limits: MediaLimits | None = None,
    timeout: float = 5.0,
    policy: UrlPolicy | None = None,
) -> StoredMedia:
    async def run() -> StoredMedia:
        async with http_client(timeout=timeout) as http:
            fetcher = MediaFetcher(
                http=http,
                store=store,
                limits=limits or MediaLimits(**FAST_RETRY),
                policy=policy or UrlPolicy.allowing([library_url.removeprefix("http://")]),
            )
            return await fetcher.fetch(f"{library_url}{path}")

    return asyncio.run(run())


def _failure(store: ObjectStore, library_url: str, path: str, **kwargs: object) -> MediaFetchError:
    with pytest.raises(MediaFetchError) as error:
        _fetch(store, library_url, path, **kwargs)
    return error.value


def test_a_good_image_is_stored_under_its_sha256(store: ObjectStore, library_url: str) -> None:
    stored = _fetch(store, library_url, "/faults/image.jpg")
    body = store.get_bytes(key=stored.key)
    assert stored.key == f"media/{hashlib.sha256(body).hexdigest()}.jpg"
    assert stored.content_type == "image/jpeg" and stored.size == len(body) > 0
    again = _fetch(store, library_url, "/faults/image.jpg")
    assert again.key == stored.key and again.already_stored


def test_a_store_that_refuses_the_write_is_a_storage_failure(stack_settings: Settings, library_url: str) -> None:
    refusing = object_store(
        stack_settings.s3_bucket,
        region=stack_settings.aws_region,
        endpoint_url=stack_settings.s3_endpoint_url,
        access_key_id=stack_settings.aws_access_key_id,
        secret_access_key="not-the-secret",
    )
    error = _failure(refusing, library_url, "/faults/image.jpg")
    assert error.reason is FailureReason.STORAGE and "403" in str(error)


def test_404_is_a_permanent_not_found(store: ObjectStore, library_url: str) -> None:
    assert _failure(store, library_url, "/faults/404").reason is FailureReason.NOT_FOUND


def test_500_then_200_is_retried_and_stored(store: ObjectStore, library_url: str) -> None:
    stored = _fetch(store, library_url, "/faults/flaky/media-test?failures=2")
    assert stored.content_type == "image/jpeg"


def test_500_every_time_fails_after_the_retries(store: ObjectStore, library_url: str) -> None:
    error = _failure(store, library_url, "/faults/flaky/always-broken?failures=100")
    assert error.reason is FailureReason.HTTP_ERROR and "500" in error.detail


def test_a_slow_server_times_out(store: ObjectStore, library_url: str) -> None:
    error = _failure(store, library_url, "/faults/slow?seconds=3", timeout=0.5, limits=MediaLimits(attempts=1))
    assert error.reason is FailureReason.TIMEOUT


def test_a_stream_cut_short_is_truncated(store: ObjectStore, library_url: str) -> None:
    error = _failure(store, library_url, "/faults/cut")
    assert error.reason is FailureReason.TRUNCATED


def test_html_served_as_an_image_is_not_media(store: ObjectStore, library_url: str) -> None:
    error = _failure(store, library_url, "/faults/html")
    assert error.reason is FailureReason.NOT_MEDIA and "HTML" in error.detail


@pytest.mark.parametrize("declare", ["1", "0"])
def test_a_file_over_the_size_limit_is_refused(store: ObjectStore, library_url: str, declare: str) -> None:
    error = _failure(
        store,
        library_url,
        f"/faults/big?bytes=300000&declare={declare}",
        limits=MediaLimits(max_bytes=100_000, **FAST_RETRY),
    )
    assert error.reason is FailureReason.TOO_LARGE


def test_an_expired_signed_url_is_forbidden(store: ObjectStore, library_url: str) -> None:
    error = _failure(store, library_url, "/faults/expired")
    assert error.reason is FailureReason.FORBIDDEN and "expired" in error.detail


def test_a_redirect_to_a_private_address_is_blocked(store: ObjectStore, library_url: str) -> None:
    for target in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/x.jpg", "http://localhost:22/"):
        error = _failure(store, library_url, f"/faults/redirect?to={target}")
        assert error.reason is FailureReason.BLOCKED, target


def test_a_zero_byte_file_is_empty(store: ObjectStore, library_url: str) -> None:
    assert _failure(store, library_url, "/faults/empty").reason is FailureReason.EMPTY


def test_the_library_itself_is_refused_without_the_explicit_exception(store: ObjectStore, library_url: str) -> None:
    error = _failure(store, library_url, "/faults/image.jpg", policy=UrlPolicy())
    assert error.reason is FailureReason.BLOCKED and "non-public" in error.detail


def test_a_large_creative_streams_through_multipart_upload(store: ObjectStore, library_url: str) -> None:
    # 12 MB with 5 MB parts: three parts, never the whole file in memory
    limits = MediaLimits(max_bytes=50_000_000, part_bytes=5 * 1024 * 1024, **FAST_RETRY)
    stored = _fetch(store, library_url, "/faults/big?bytes=12000000&declare=0", limits=limits)
    assert stored.size == 12_000_000
    assert len(store.get_bytes(key=stored.key)) == 12_000_000
    assert store.list_keys(prefix="incoming/") == []  # the temporary multipart object is gone


def test_a_server_dripping_its_body_fails_as_too_slow_once(store: ObjectStore) -> None:
    requests = 0

    async def drip(request: web.Request) -> web.StreamResponse:
        nonlocal requests
        requests += 1
        response = web.StreamResponse(headers={"Content-Type": "image/jpeg", "Content-Length": "100000"})
        await response.prepare(request)
        await response.write(b"\xff\xd8\xff\xe0" + b"\0" * 28)  # a JPEG, as far as sniffing can tell
        while True:  # a byte at a time: never silent long enough for the read timeout
            await asyncio.sleep(0.05)
            await response.write(b"\0")

    async def run() -> None:
        async with serving([web.get("/creative.jpg", drip)]) as base_url, http_client(timeout=5) as http:
            limits = MediaLimits(min_bytes_per_second=1000, rate_window_seconds=0.5, **FAST_RETRY)
            fetcher = MediaFetcher(
                http=http, store=store, limits=limits, policy=UrlPolicy.allowing([base_url.removeprefix("http://")])
            )
            await fetcher.fetch(f"{base_url}/creative.jpg")

    with pytest.raises(MediaFetchError) as raised:
        asyncio.run(run())
    error = raised.value
    assert error.reason is FailureReason.TOO_SLOW and not error.transient
    assert "under the minimum of 1000 bytes per second" in error.detail
    assert requests == 1  # not retried
