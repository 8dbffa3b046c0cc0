"""What every remote AI call shares: the retry policy (bounded attempts, server-directed or
backed-off waits) and pricing.

A throttled or failing call is tried again up to ``max_attempts`` times in all. Before each retry
it waits what the server asked for (``retry-after-ms`` or ``Retry-After``) when it said, because
retrying earlier only earns another 429; otherwise exponential backoff with jitter, so clients
throttled together do not return together. Both are capped at ``backoff_max_seconds``: a worker
should not sit idle for minutes on one ad when it can fail it as retryable and move on.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from adology.logs import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_initial_seconds < 0 or self.backoff_max_seconds < 0:
            raise ValueError("backoff times must not be negative")


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, else ``Retry-After`` in seconds or as a date."""
    lowered = {name.lower(): value for name, value in headers.items()}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return max(0.0, float(lowered[name]) * scale)
        except (KeyError, ValueError):
            continue
    if "retry-after" not in lowered:
        return None
    try:
        when = email.utils.parsedate_to_datetime(lowered["retry-after"])
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _Wait:
    """Tenacity's wait: the server's hint when the failure carries one, else backoff with jitter."""

    def __init__(self, policy: RetryPolicy, hint: Callable[[BaseException], float | None]) -> None:
        self._policy = policy
        self._hint = hint

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        hinted = self._hint(error) if error is not None else None
        if hinted is None:
            initial = self._policy.backoff_initial_seconds
            hinted = initial * 2 ** (state.attempt_number - 1) + random.uniform(0, initial)
        return min(hinted, self._policy.backoff_max_seconds)


def retrying(
    policy: RetryPolicy,
    *,
    transient: Callable[[BaseException], bool],
    hint: Callable[[BaseException], float | None],
    provider: str,
    routine: str,
) -> AsyncRetrying:
    """An AsyncRetrying that retries ``transient`` failures and re-raises the last one when out of attempts."""

    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "AI request failed; retrying",
            extra={
                "provider": provider,
                "routine": routine,
                "attempt": state.attempt_number,
                "max_attempts": policy.max_attempts,
                "wait_seconds": round(state.next_action.sleep, 3) if state.next_action else None,
                "error": f"{type(error).__name__}: {error}"[:300],
            },
        )

    return AsyncRetrying(
        stop=stop_after_attempt(policy.max_attempts),
        wait=_Wait(policy, hint),
        retry=retry_if_exception(transient),
        before_sleep=log_retry,
        reraise=True,
    )


def cost(tokens: int, price_per_million: float) -> float:
    """US dollars for ``tokens`` at a price quoted, as providers quote it, per million tokens."""
    return tokens * price_per_million / 1_000_000
