"""What one stage did in one run: counts, failure and waiting reasons, AI usage, the ads whose results
it stored, and whether its failures are the step's (:meth:`StageReport.step_failure`)."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

from adology.ai.types import Usage

# When failed ads fail the step. Every ad attempted failing means the run produced nothing, however
# few ads it had: that is the service, the store or the configuration failing, not one ad. Past that,
# more than half of the attempts failing is the same story told by a share, once there are enough
# attempts for a share to mean something: below MIN_ATTEMPTS_FOR_SHARE, two odd creatives in a brand
# of three new ads would fail its refresh although the third was analysed.
FAILED_SHARE_LIMIT = 0.5
MIN_ATTEMPTS_FOR_SHARE = 10


@dataclass
class StageReport:
    stage: str  # the stage's name: describe, label or embed
    skipped_reason: str | None = None
    brands: int = 0
    ads: int = 0
    unchanged: int = 0
    selected: int = 0
    succeeded: int = 0
    failed: int = 0
    # failed again for the reason of their previous attempt, a reason no retry cures (a corrupt
    # creative): counted in ``failed`` and its reasons, but already reported, so the step's verdict
    # leaves them out (else one such ad would fail every later run of its brand, and skip the
    # stages after it)
    failed_as_before: int = 0
    not_started_budget: int = 0
    waiting_for_description: int = 0
    waiting_for_creative: int = 0
    failure_reasons: collections.Counter[str] = field(default_factory=collections.Counter)
    waiting_reasons: collections.Counter[str] = field(default_factory=collections.Counter)
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    # the ads whose results this run stored: what its asset checks look at
    stored_ad_ids: list[int] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        """Ads the stage called its routine for (or failed before it could): budget stops are not attempts."""
        return self.succeeded + self.failed

    def step_failure(self) -> str | None:
        """Why this stage fails its step, or None: every ad it attempted failed, or more than
        :data:`FAILED_SHARE_LIMIT` of at least :data:`MIN_ATTEMPTS_FOR_SHARE` (ads failing as before
        left out of both counts)."""
        failed = self.failed - self.failed_as_before
        judged = self.attempted - self.failed_as_before
        if failed == 0:
            return None
        if failed < judged and (judged < MIN_ATTEMPTS_FOR_SHARE or failed <= FAILED_SHARE_LIMIT * judged):
            return None
        reasons = ", ".join(f"{reason}: {count}" for reason, count in self.failure_reasons.most_common())
        return f"{self.stage} failed for {failed} of {judged} ads attempted ({reasons})"

    def as_metadata(self) -> dict[str, Any]:
        return {
            "brands": self.brands,
            "ads": self.ads,
            "unchanged": self.unchanged,
            "selected": self.selected,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "failed_as_before": self.failed_as_before,
            "not_started_budget": self.not_started_budget,
            "waiting_for_description": self.waiting_for_description,
            "waiting_for_creative": self.waiting_for_creative,
            "ai_calls": self.usage.calls,
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "estimated_cost_usd": round(self.usage.cost_usd, 6),
            "seconds": round(self.seconds, 3),
        }
