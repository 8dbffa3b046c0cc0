"""What one stage did in one run: counts, failure reasons, AI usage, and the ads whose results it stored."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

from adology.ai.types import Usage


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
    not_started_budget: int = 0
    waiting_for_description: int = 0
    failure_reasons: collections.Counter[str] = field(default_factory=collections.Counter)
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    # the ads whose results this run stored: what its asset checks look at
    stored_ad_ids: list[int] = field(default_factory=list)

    def as_metadata(self) -> dict[str, Any]:
        return {
            "brands": self.brands,
            "ads": self.ads,
            "unchanged": self.unchanged,
            "selected": self.selected,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "not_started_budget": self.not_started_budget,
            "waiting_for_description": self.waiting_for_description,
            "ai_calls": self.usage.calls,
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "estimated_cost_usd": round(self.usage.cost_usd, 6),
            "seconds": round(self.seconds, 3),
        }
