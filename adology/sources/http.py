"""HTTP plumbing the source clients share: one retry policy, one reading of error envelopes.

Throttling (HTTP 429, a source's own throttling codes), server errors (5xx) and dropped connections
are retried with exponential backoff and jitter, a bounded number of times; any other error becomes
a :class:`SourceError` at once. Secrets travel only in the request itself: the URL a caller sees,
every message and every returned body have them removed.

An answer is held to :mod:`adology.sources.limits` as it arrives: a body larger than the limit is
refused when the limit is passed (or at once, when its Content-Length says so), and a document
nested too deep or holding too many values is refused before it is parsed, each a
:class:`~adology.sources.limits.PayloadLimitError` naming the limit, not retried: the same page
would come back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from yarl import URL

from adology.errors import SourceError, TransientSourceError
from adology.logs import get_logger
from adology.media.guard import BlockedUrlError, GuardedConnector, UrlPolicy
from adology.sources.limits import SOURCE_LIMITS, PayloadLimitError, PayloadLimits, parse_json
from adology.sources.models import Connector
from adology.sources.parsing import error_envelope
from adology.sources.redaction import mask_secrets, redact_secrets, redact_url

log = get_logger(__name__)

# How much of a non-JSON error body to quote: enough to recognise an HTML error page.
_BODY_EXCERPT_CHARS = 200

QueryParams = Mapping[str, str | int]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter; tests shrink ``base_wait_seconds`` to milliseconds."""

    attempts: int = 5
    base_wait_seconds: float = 1.0
    max_wait_seconds: float = 60.0


DEFAULT_RETRY = RetryPolicy()
_CONNECT_TIMEOUT_SECONDS = 10.0


def http_client(*, timeout: float, connections: int = 100, policy: UrlPolicy | None = None) -> aiohttp.ClientSession:
    """An HTTP session for acquisition: its source clients and its media fetcher each use one.

    Every name the session connects to is resolved by the connection itself, and each address that
    lookup returns is judged by ``policy`` before it is used (:class:`~adology.media.guard.GuardedConnector`):
    the address connected to is the address judged, whatever an earlier check was told, so a name
    that answers a check with a public address and the connection with 127.0.0.1 reaches nothing.
    Without a policy a name must resolve to public addresses only. A URL that writes an address out
    is connected to without a lookup and judged by whoever chose it (the media fetcher, every hop;
    the source clients request only their configured base URLs).

    ``timeout`` bounds each wait for data, not a whole transfer (a large video may take minutes;
    the media fetcher bounds transfers itself). aiohttp rather than httpx: httpcore's pool walks
    every connection, reading each one's socket attributes, whenever a request starts or ends,
    which made httpx about half of acquisition's CPU in the benchmark."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=_CONNECT_TIMEOUT_SECONDS, sock_read=timeout),
        connector=GuardedConnector(policy or UrlPolicy(), limit=connections),
        trust_env=False,  # a proxy from the environment would resolve the names the guard judges
    )


@dataclass(frozen=True)
class SourceResponse:
    """A successful JSON answer: the URL asked (no secrets), its status and its body (redacted)."""

    url: str
    status: int
    body: Any


class SourceHttp:
    """One connector's HTTP access: retries, error envelopes and secret hygiene in one place."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        connector: Connector,
        retry: RetryPolicy,
        secrets: Sequence[str],
        throttle_codes: frozenset[int] = frozenset(),
        limits: PayloadLimits = SOURCE_LIMITS,
    ) -> None:
        self._http = http
        self._connector = connector
        self._retry = retry
        self._secrets = tuple(secret for secret in secrets if secret)
        self._throttle_codes = throttle_codes
        self._limits = limits

    def scrub(self, text: str) -> str:
        """``text`` without this connector's secrets, whether as URL parameters or verbatim."""
        return mask_secrets(redact_url(text), self._secrets)

    async def get_json(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        secret_params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> SourceResponse:
        return await self.request_json("GET", url, params=params, secret_params=secret_params, headers=headers)

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        params: QueryParams | None = None,
        secret_params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> SourceResponse:
        """Send a request, retrying transient failures; raises SourceError once it cannot succeed.

        ``secret_params`` are added to the query of the request sent and nowhere else.
        """
        public_url = str(URL(url).extend_query(dict(params or {})))
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._retry.attempts),
            # Jitter keeps parallel clients that were throttled together from retrying in step.
            wait=wait_exponential(multiplier=self._retry.base_wait_seconds, max=self._retry.max_wait_seconds)
            + wait_random(0, self._retry.base_wait_seconds),
            retry=retry_if_exception_type(TransientSourceError),
            before_sleep=self._log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                response = await self._send_once(
                    method,
                    url,
                    public_url,
                    params={**(params or {}), **(secret_params or {})},
                    headers=headers,
                    json_body=json_body,
                )
        return response

    async def _send_once(
        self,
        method: str,
        url: str,
        public_url: str,
        *,
        params: QueryParams,
        headers: Mapping[str, str] | None,
        json_body: Any,
    ) -> SourceResponse:
        label = f"{self._connector.value} {method} {public_url}"
        try:
            async with self._http.request(
                method, url, params=params, headers=headers, json=json_body, allow_redirects=False
            ) as response:
                status = response.status
                try:
                    raw = await _read_body(response, self._limits)
                except PayloadLimitError as exc:
                    raise self._refused(label, status, exc) from None
        # "from None" below: the exception may hold the request, whose URL carries the secret.
        except BlockedUrlError as exc:  # the guard refused the address: retrying cannot help
            raise SourceError(self.scrub(f"{label} refused: {exc}")) from None
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as exc:
            raise TransientSourceError(self.scrub(f"{label} failed: {type(exc).__name__}: {exc}")) from None
        except aiohttp.ClientError as exc:  # a bad URL: retrying cannot help
            raise SourceError(self.scrub(f"{label} failed: {type(exc).__name__}: {exc}")) from None
        log.debug(
            "source request",
            extra={"connector": self._connector.value, "method": method, "url": public_url, "status": status},
        )
        try:
            body = parse_json(raw, self._limits)
        except PayloadLimitError as exc:
            raise self._refused(label, status, exc) from None
        except ValueError:  # not JSON (an HTML error page, an empty body): judged by status below
            body = None
        envelope = error_envelope(body)
        code = envelope.code if envelope else None
        reason = (
            f"{envelope.message} (code {envelope.code}, type {envelope.kind})"
            if envelope
            else raw[:_BODY_EXCERPT_CHARS].decode(errors="replace") or "empty body"
        )
        message = self.scrub(f"{label}: HTTP {status}: {reason}")
        if status == 429 or status >= 500 or (code is not None and code in self._throttle_codes):
            raise TransientSourceError(message, code=code, status=status)
        # A structured error object is an error even under 2xx; SerpApi's plain-string "error" at
        # 200 (its "no results") is left for the parser to judge.
        if status >= 400 or (envelope is not None and isinstance(body["error"], dict)):
            raise SourceError(message, code=code, status=status)
        if body is None:
            raise SourceError(self.scrub(f"{label}: HTTP {status}: answer is not JSON: {reason}"), status=status)
        return SourceResponse(url=public_url, status=status, body=redact_secrets(body, self._secrets))

    def _refused(self, label: str, status: int, error: PayloadLimitError) -> PayloadLimitError:
        return PayloadLimitError(self.scrub(f"{label}: HTTP {status}: answer refused: {error}"), status=status)

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "source request failed; retrying",
            extra={
                "connector": self._connector.value,
                "attempt": state.attempt_number,
                "max_attempts": self._retry.attempts,
                "wait_seconds": round(state.next_action.sleep, 3) if state.next_action else None,
                "reason": str(error),
            },
        )


async def _read_body(response: aiohttp.ClientResponse, limits: PayloadLimits) -> bytearray:
    """The body of ``response``, refused once it passes ``limits.max_bytes``: never held whole.

    aiohttp counts the bytes after decompression here, so a small compressed answer that inflates
    past the limit is refused as well."""
    declared = response.content_length
    if declared is not None and declared > limits.max_bytes:
        raise PayloadLimitError(f"declares {declared} bytes; the limit is {limits.max_bytes}")
    body = bytearray()
    async for chunk in response.content.iter_any():
        body += chunk
        if len(body) > limits.max_bytes:
            raise PayloadLimitError(f"more than the limit of {limits.max_bytes} bytes")
    return body
