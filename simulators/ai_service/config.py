"""The fake AI server's knobs (latency, concurrency, rate limits, faults) and its counters.

The configuration is a live object: a test changes a field between calls (``server.configure``)
or another process posts JSON to ``/_admin/config``; each request reads the values in force when
it arrives. The ``*_first_n`` faults are budgets that count down as they are spent, so a test can
arm "the next three requests are throttled" on a server other tests already used.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, Field, ValidationError
from pydantic.dataclasses import dataclass


@dataclass(config=ConfigDict(validate_assignment=True, extra="forbid"))
class FakeServerConfig:
    """How the fake behaves; every field can change while it runs."""

    latency_seconds: float = Field(default=0.0, ge=0.0)  # mean time to answer, after admission
    latency_jitter_seconds: float = Field(default=0.0, ge=0.0)  # uniform ± around the mean
    max_concurrency: int | None = Field(default=None, ge=1)  # beyond it requests queue (None: no limit)
    requests_per_minute: int | None = Field(default=None, ge=1)  # sliding 60 s window; over it → 429
    # The Retry-After sent with a 429; None: the time until the rate window frees a slot (1 s for
    # fail_first_n). Fractions are sent as-is (real services send whole seconds) so tests stay fast.
    retry_after_seconds: float | None = Field(default=None, ge=0.0)
    error_rate_500: float = Field(default=0.0, ge=0.0, le=1.0)  # probability of an HTTP 500
    malformed_rate: float = Field(default=0.0, ge=0.0, le=1.0)  # probability of a bad structured answer
    malformed_first_n: int = Field(default=0, ge=0)  # the next N structured answers are bad (counts down)
    fail_first_n: int = Field(default=0, ge=0)  # the next N requests get a 429 (counts down)
    image_tokens: int = Field(default=85, ge=0)  # prompt tokens counted per image (OpenAI's low-detail cost)
    seed: int = 0  # seeds latency jitter and fault rolls; answers depend only on the request

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def checked_update(self, changes: Mapping[str, Any]) -> None:
        """Apply ``changes`` all together, or none of them; raises ValueError naming a bad field."""
        try:
            candidate = FakeServerConfig(**{**self.to_dict(), **changes})
        except (ValidationError, TypeError) as exc:  # TypeError: a field that does not exist
            raise ValueError(str(exc)) from None
        for name, value in dataclasses.asdict(candidate).items():
            setattr(self, name, value)


class FakeServerStats:
    """Counters since start (or the last reset); read from any thread through :meth:`snapshot`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0  # gauges, not counters: a reset must not forget requests still running
        self.waiting = 0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: Counter[str] = Counter()
            self.status_429 = 0
            self.status_500 = 0
            self.malformed = 0
            self.prompt_tokens = 0
            self.completion_tokens = 0
            self.max_in_flight = self.in_flight
            self.max_waiting = self.waiting

    def add(self, **amounts: int) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.max_waiting = max(self.max_waiting, self.waiting)

    def count_request(self, endpoint: str) -> None:
        with self._lock:
            self.requests[endpoint] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self.requests),
                "requests_total": sum(self.requests.values()),
                "status_429": self.status_429,
                "status_500": self.status_500,
                "malformed": self.malformed,
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "waiting": self.waiting,
                "max_waiting": self.max_waiting,
            }
