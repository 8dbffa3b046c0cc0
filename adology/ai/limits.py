"""Run-wide limits on AI work: requests and tokens per minute, calls in flight, and a budget.

One :class:`AIGovernor` is shared by every coroutine of a run, so the limits hold for the run
as a whole, not per ad. The Dagster ``ai`` pool bounds how many runs do AI work at once, which
together bounds the AI calls in flight across the deployment.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from adology.ai.types import AIError, Usage


class BudgetExhausted(AIError):
    def __init__(self, detail: str) -> None:
        super().__init__("budget_exhausted", detail)


class _TokenBucket:
    """Refills continuously at ``per_minute``; ``take(n)`` waits until ``n`` units are available."""

    def __init__(self, per_minute: float) -> None:
        self.capacity = per_minute
        self.available = per_minute
        self.rate = per_minute / 60.0
        self.updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def take(self, amount: float) -> None:
        amount = min(amount, self.capacity)  # one oversized request must still be able to go
        async with self._lock:
            while True:
                now = time.monotonic()
                self.available = min(self.capacity, self.available + (now - self.updated) * self.rate)
                self.updated = now
                if self.available >= amount:
                    self.available -= amount
                    return
                await asyncio.sleep((amount - self.available) / self.rate)


@dataclass(frozen=True)
class AILimits:
    concurrency: int = 16
    requests_per_minute: float = 3_000
    tokens_per_minute: float = 2_000_000
    budget_usd: float | None = None
    max_calls: int | None = None


class AIGovernor:
    """Admits AI calls under the run's limits and adds up what they cost."""

    def __init__(self, limits: AILimits) -> None:
        self.limits = limits
        self.usage = Usage()
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._requests = _TokenBucket(limits.requests_per_minute)
        self._tokens = _TokenBucket(limits.tokens_per_minute)

    def check_budget(self) -> None:
        budget, max_calls = self.limits.budget_usd, self.limits.max_calls
        if budget is not None and self.usage.cost_usd >= budget:
            raise BudgetExhausted(f"spent ${self.usage.cost_usd:.4f} of the ${budget:.4f} budget")
        if max_calls is not None and self.usage.calls >= max_calls:
            raise BudgetExhausted(f"made {self.usage.calls} of the {max_calls} allowed AI calls")

    async def admit(self, *, estimated_tokens: int) -> asyncio.Semaphore:
        """Wait for a slot, a request and the tokens; the caller holds the returned semaphore.

        The budget is checked once the slot is held, so calls queued behind a slot see the cost
        of the calls that went before them."""
        await self._slots.acquire()
        try:
            self.check_budget()
            await self._requests.take(1)
            await self._tokens.take(estimated_tokens)
        except BaseException:
            self._slots.release()
            raise
        return self._slots

    def record(self, usage: Usage) -> None:
        self.usage = self.usage + usage
