"""The second-stage routine's types: ``summarize`` turns computed statistics (facts with ids and
the ads that evidence them) and a sample of descriptions into short claims that cite both.

A provider only drafts: :func:`adology.knowledge.citations.verify_claims` checks every cited fact,
ad id and quoted number against the facts before anything is stored, and drops what it cannot check.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SUMMARIZE_PROMPT_VERSION = "summarize-v1"
MAX_CLAIMS = 8
MAX_RECOMMENDATIONS = 5
MAX_CLAIM_CHARS = 300
MAX_THEME_NAME_WORDS = 6
MAX_THEME_SUMMARY_WORDS = 25


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fact(_Frozen):
    """One computed statistic a claim may rest on: ``values`` holds every number a claim may quote
    (shares as fractions in [0, 1], counts as ints, p-values as floats), ``ad_ids`` the ads that
    evidence it (a claim may cite only these)."""

    id: str  # "theme:t1", "trend:cta:learn_more", "share:offer_type:percent_off", ...
    kind: str  # theme | trend | distribution | label | momentum | comparison
    statement: str  # the fact in plain words, numbers included
    values: dict[str, float | int | str]
    ad_ids: list[int]
    brand: str | None = None  # the brand's partition key, for a brandspace's facts


class SummarySample(_Frozen):
    ad_id: int
    description: str  # at most 80 words


class SummaryRequest(_Frozen):
    kind: Literal["brand", "brandspace"]
    subject: str  # the brand's or brandspace's name
    facts: list[Fact]
    samples: list[SummarySample] = Field(default_factory=list)
    theme_ids: list[str] = Field(default_factory=list)  # themes to name (brand only)


class DraftClaim(_Frozen):
    text: str
    fact_ids: list[str]
    ad_ids: list[int]


class DraftThemeName(_Frozen):
    theme_id: str
    name: str
    summary: str


class SummaryDraft(_Frozen):
    """A provider's answer before the checks: claims (brand summary or report findings), theme
    names, and recommendations (brandspace only)."""

    claims: list[DraftClaim] = Field(default_factory=list)
    theme_names: list[DraftThemeName] = Field(default_factory=list)
    recommendations: list[DraftClaim] = Field(default_factory=list)
