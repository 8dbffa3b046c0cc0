"""Stream a creative from its URL straight into S3, content-addressed by sha256.

Bytes flow from the HTTP response into S3 in parts: memory per transfer is bounded by the part
size (a file smaller than one part is a single PUT). The sha256 is known only at the end, so a
multipart upload goes to a temporary key and is copied server-side to ``media/{sha256}.{ext}``;
a creative shared by many ads is stored once. Transient failures (timeouts, dropped
connections, 429/5xx) are retried with exponential backoff and jitter; permanent ones (404,
403, not media, too large, too slow, blocked address) fail at once with a reason the ad keeps.

Every hop (redirects included) is judged by the fetcher's :class:`UrlPolicy` before it is
requested, and the session's :class:`~adology.media.guard.GuardedConnector` judges the addresses
the connection itself resolves, so a name rebound to an internal address between the two is
refused as ``blocked`` too. A server that keeps the connection alive with a trickle of bytes
(one every few seconds never trips the read timeout) fails as ``too_slow`` once it sends less
than ``min_bytes_per_second`` over a window of waiting, instead of holding a download slot for
the whole transfer timeout, attempt after attempt.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from botocore.exceptions import BotoCoreError, ClientError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from adology.errors import AdologyError
from adology.logs import get_logger
from adology.media.guard import BlockedUrlError, GuardedConnector, UrlPolicy
from adology.media.sniff import SNIFF_BYTES, MediaType, looks_like_markup, sniff
from adology.storage.s3 import ObjectStore, ObjectStoreError

log = get_logger(__name__)

MIN_PART_BYTES = 5 * 1024 * 1024  # S3's smallest part (except the last)
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FailureReason(str, enum.Enum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    HTTP_ERROR = "http_error"
    TIMEOUT = "timeout"
    TRUNCATED = "truncated"
    NETWORK = "network"
    NOT_MEDIA = "not_media"
    TOO_LARGE = "too_large"
    TOO_SLOW = "too_slow"
    EMPTY = "empty"
    BLOCKED = "blocked"
    STORAGE = "storage"


_TRANSIENT = {FailureReason.TIMEOUT, FailureReason.TRUNCATED, FailureReason.NETWORK, FailureReason.HTTP_ERROR}


class MediaFetchError(AdologyError):
    def __init__(self, reason: FailureReason, detail: str, *, transient: bool = False) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.transient = transient


@dataclass(frozen=True)
class MediaLimits:
    max_bytes: int = 100 * 1024 * 1024
    part_bytes: int = 8 * 1024 * 1024
    attempts: int = 3
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 8.0
    transfer_timeout_seconds: float = 300.0
    # A body must arrive at this rate over each window of waiting for it; time spent storing
    # what arrived is not counted against the server.
    min_bytes_per_second: int = 16 * 1024
    rate_window_seconds: float = 60.0


@dataclass(frozen=True)
class StoredMedia:
    key: str
    sha256: str
    content_type: str
    kind: str
    size: int
    already_stored: bool  # the same bytes were in S3 before this transfer


class MediaFetcher:
    """Fetches creatives into an :class:`ObjectStore`; share one per run (it holds the HTTP pool)."""

    def __init__(
        self,
        *,
        http: aiohttp.ClientSession,
        store: ObjectStore,
        policy: UrlPolicy,
        limits: MediaLimits = MediaLimits(),
        concurrency: int = 16,
    ) -> None:
        if limits.part_bytes < MIN_PART_BYTES:
            raise ValueError(f"part_bytes must be at least {MIN_PART_BYTES} (S3's minimum part size)")
        if not isinstance(http.connector, GuardedConnector):
            # a plain pool resolves each name again, unjudged: a rebound name would reach this network
            raise ValueError("the media fetcher needs a session from http_client(), whose connections are guarded")
        self.http = http
        self.store = store
        self.policy = policy
        self.limits = limits
        self._slots = asyncio.Semaphore(concurrency)

    async def fetch(self, url: str) -> StoredMedia:
        """Store the creative at ``url``; raise :class:`MediaFetchError` with the reason it failed."""
        async with self._slots:
            retrying = AsyncRetrying(
                stop=stop_after_attempt(self.limits.attempts),
                wait=wait_exponential_jitter(
                    multiplier=self.limits.backoff_initial_seconds,
                    max=self.limits.backoff_max_seconds,
                    jitter=self.limits.backoff_initial_seconds,
                ),
                retry=retry_if_exception(lambda exc: isinstance(exc, MediaFetchError) and exc.transient),
                reraise=True,
            )
            async for attempt in retrying:
                with attempt:
                    try:
                        return await asyncio.wait_for(self._transfer(url), self.limits.transfer_timeout_seconds)
                    except TimeoutError:
                        raise MediaFetchError(
                            FailureReason.TIMEOUT,
                            f"transfer took longer than {self.limits.transfer_timeout_seconds:.0f}s",
                            transient=True,
                        ) from None
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def _transfer(self, url: str) -> StoredMedia:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                await self.policy.check(current)
                async with self.http.get(current, allow_redirects=False) as response:
                    if response.status in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise MediaFetchError(FailureReason.HTTP_ERROR, f"HTTP {response.status} without Location")
                        current = _redirect_target(current, location)
                        continue
                    _raise_for_status(response.status)
                    return await self._stream_to_store(response)
            except BlockedUrlError as exc:  # by the check, or by the connection's own lookup
                raise MediaFetchError(FailureReason.BLOCKED, str(exc)) from None
            except TimeoutError:
                raise MediaFetchError(
                    FailureReason.TIMEOUT, f"no data from {_host(current)} in time", transient=True
                ) from None
            except aiohttp.ClientPayloadError as exc:
                raise MediaFetchError(
                    FailureReason.TRUNCATED, f"connection closed early: {exc}", transient=True
                ) from None
            except aiohttp.ClientConnectionError as exc:
                raise MediaFetchError(FailureReason.NETWORK, f"{type(exc).__name__}: {exc}", transient=True) from None
            except aiohttp.ClientError as exc:  # a URL aiohttp cannot request: retrying cannot help
                raise MediaFetchError(FailureReason.NETWORK, f"{type(exc).__name__}: {exc}") from None
        raise MediaFetchError(FailureReason.HTTP_ERROR, f"more than {MAX_REDIRECTS} redirects")

    async def _stream_to_store(self, response: aiohttp.ClientResponse) -> StoredMedia:
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise MediaFetchError(FailureReason.TOO_LARGE, f"{declared} bytes declared; limit {self.limits.max_bytes}")
        digest = hashlib.sha256()
        buffer = bytearray()
        media_type: MediaType | None = None
        size = 0
        upload: _MultipartUpload | None = None
        body = _PacedBody(response.content, self.limits)
        try:
            while chunk := await body.read():
                size += len(chunk)
                if size > self.limits.max_bytes:
                    raise MediaFetchError(FailureReason.TOO_LARGE, f"more than {self.limits.max_bytes} bytes")
                digest.update(chunk)
                buffer += chunk
                if media_type is None and len(buffer) >= SNIFF_BYTES:
                    media_type = _require_media(bytes(buffer[:SNIFF_BYTES]))
                if len(buffer) >= self.limits.part_bytes:
                    upload = upload or await _MultipartUpload.start(self.store)
                    await upload.add_part(bytes(buffer))
                    buffer.clear()
            if size == 0:
                raise MediaFetchError(FailureReason.EMPTY, "the server sent zero bytes")
            encoded = "content-encoding" in response.headers  # then Content-Length counts compressed bytes
            if not encoded and declared is not None and declared.isdigit() and size < int(declared):
                raise MediaFetchError(FailureReason.TRUNCATED, f"{size} of {declared} bytes arrived", transient=True)
            media_type = media_type or _require_media(bytes(buffer))
            sha256 = digest.hexdigest()
            key = f"media/{sha256}.{media_type.extension}"
            if upload is not None:
                already_stored = await asyncio.to_thread(self.store.exists, key=key)
                if buffer:
                    await upload.add_part(bytes(buffer))
                await upload.finish(key=key, copy=not already_stored)
                upload = None
            else:
                already_stored = not await asyncio.to_thread(
                    self.store.put_bytes_if_absent, key=key, data=bytes(buffer), content_type=media_type.content_type
                )
        except (BotoCoreError, ClientError, ObjectStoreError) as exc:
            raise MediaFetchError(FailureReason.STORAGE, f"S3 refused the object: {exc}", transient=True) from None
        finally:
            if upload is not None:
                await upload.abort()
        return StoredMedia(key, sha256, media_type.content_type, media_type.kind, size, already_stored)


class _PacedBody:
    """A response body read chunk by chunk, failing as ``too_slow`` when a window of waiting for
    the server brings fewer than ``min_bytes_per_second`` × ``rate_window_seconds`` bytes.

    Only the waits count: the clock stops while the caller stores a part in S3. A window ends early,
    and the next begins, as soon as its bytes have arrived."""

    def __init__(self, content: aiohttp.StreamReader, limits: MediaLimits) -> None:
        self._content = content
        self._window_seconds = limits.rate_window_seconds
        self._window_bytes = limits.min_bytes_per_second * limits.rate_window_seconds
        self._rate = limits.min_bytes_per_second
        self._waited = 0.0
        self._received = 0

    async def read(self) -> bytes:
        """The next chunk, or b"" at the end of the body."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(self._window_seconds - self._waited) as window:
                chunk = await self._content.readany()
        except TimeoutError:
            if window.expired():
                raise MediaFetchError(
                    FailureReason.TOO_SLOW,
                    f"{self._received} bytes in {self._window_seconds:g}s, "
                    f"under the minimum of {self._rate} bytes per second",
                ) from None
            raise  # the session's read timeout: a silent server, retried as a timeout
        self._waited += loop.time() - started
        self._received += len(chunk)
        if self._received >= self._window_bytes:
            self._waited, self._received = 0.0, 0
        return chunk


def _require_media(head: bytes) -> MediaType:
    media_type = sniff(head)
    if media_type is not None:
        return media_type
    if looks_like_markup(head):
        raise MediaFetchError(FailureReason.NOT_MEDIA, "the server sent an HTML/XML page, not media")
    raise MediaFetchError(FailureReason.NOT_MEDIA, f"unrecognised media type (starts with {head[:8].hex()})")


def _raise_for_status(status: int) -> None:
    if status == 200:
        return
    if status in (404, 410):
        raise MediaFetchError(FailureReason.NOT_FOUND, f"HTTP {status}")
    if status in (401, 403):
        raise MediaFetchError(FailureReason.FORBIDDEN, f"HTTP {status} (a signed URL may have expired)")
    if status == 429 or status >= 500:
        raise MediaFetchError(FailureReason.HTTP_ERROR, f"HTTP {status}", transient=True)
    raise MediaFetchError(FailureReason.HTTP_ERROR, f"HTTP {status}")


def _redirect_target(url: str, location: str) -> str:
    """Where a redirect from ``url`` leads; a Location that is no URL is refused like a bad address."""
    try:
        return urljoin(url, location)
    except ValueError as exc:  # a malformed IPv6 host or port in the Location
        raise BlockedUrlError(f"malformed redirect Location {location[:80]!r}: {exc}") from None


def _host(url: str) -> str:
    return urlsplit(url).netloc


class _MultipartUpload:
    """A multipart upload to a temporary key, finished by a server-side copy to the final key."""

    def __init__(self, store: ObjectStore, key: str, upload_id: str) -> None:
        self.store, self.key, self.upload_id = store, key, upload_id
        self.parts: list[dict[str, Any]] = []

    @classmethod
    async def start(cls, store: ObjectStore) -> _MultipartUpload:
        key = f"incoming/{uuid.uuid4().hex}"
        response = await asyncio.to_thread(store.client.create_multipart_upload, Bucket=store.bucket, Key=key)
        return cls(store, key, response["UploadId"])

    async def add_part(self, data: bytes) -> None:
        number = len(self.parts) + 1
        response = await asyncio.to_thread(
            self.store.client.upload_part,
            Bucket=self.store.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=data,
        )
        self.parts.append({"PartNumber": number, "ETag": response["ETag"]})

    async def finish(self, *, key: str, copy: bool) -> None:
        client, bucket = self.store.client, self.store.bucket
        await asyncio.to_thread(
            client.complete_multipart_upload,
            Bucket=bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )
        if copy:
            await asyncio.to_thread(
                client.copy_object, Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": self.key}
            )
        await asyncio.to_thread(client.delete_object, Bucket=bucket, Key=self.key)

    async def abort(self) -> None:
        try:
            await asyncio.to_thread(
                self.store.client.abort_multipart_upload,
                Bucket=self.store.bucket,
                Key=self.key,
                UploadId=self.upload_id,
            )
        except (BotoCoreError, ClientError) as exc:
            log.warning("could not abort multipart upload", extra={"key": self.key, "error": str(exc)})
