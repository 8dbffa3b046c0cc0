"""A brand's insights as typed data: what :func:`adology.knowledge.insights.compute.compute_insights`
returns and what each stored version holds (its JSON snapshot is this model's dump)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA = "insights-v1"

Status = Literal["ok", "too_little_data", "no_ads"]
Direction = Literal["up", "down"]
Period = Literal["week", "month"]
Taxonomy = Literal["UNIVERSAL", "TREND"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ThemeMethod(_Frozen):
    algorithm: str  # e.g. "kmeans", "minibatch-kmeans"
    k: int
    silhouette: float | None
    features: list[str]  # which vectors were clustered: "retrieval", "visual"


class Theme(_Frozen):
    id: str  # "t1", "t2", ... by share, largest first
    terms: list[str]  # the most distinctive words of its descriptions (c-TF-IDF), best first
    name: str  # the AI-written name when the provider wrote one, else the leading terms
    summary: str | None  # one line, AI-written; None without an AI name
    name_source: Literal["ctfidf", "ai"]
    ad_ids: list[int]  # every member ad (each of the brand's counted ads sits in exactly one theme)
    exemplar_ad_ids: list[int]  # up to 3 members nearest the centre
    share: float  # of the brand's counted ads
    first_seen: date
    last_seen: date
    median_days_running: float | None


class ThemeSet(_Frozen):
    status: Status
    reason: str | None = None  # why there are no themes (too little data, no distinct groups)
    method: ThemeMethod | None = None
    themes: list[Theme] = Field(default_factory=list)


class ValueShare(_Frozen):
    value: str
    ads: int
    share: float  # of the ads whose value is known
    ad_ids: list[int]  # up to 5 examples


class Distribution(_Frozen):
    attribute: str  # an attribute name (offer_type, cta_type, tone, ...), or "format", "media", "palette"
    known_ads: int  # ads whose value is known (unknown is not "none")
    values: list[ValueShare]  # top 10, most ads first


class LabelShare(_Frozen):
    taxonomy: Taxonomy
    label: str
    ads: int
    share: float  # of the brand's labelled ads
    ad_ids: list[int]  # up to 5 examples


class AttributeSummary(_Frozen):
    ads_described: int
    ads_labelled: int
    distributions: list[Distribution]
    labels: list[LabelShare]


class PeriodCount(_Frozen):
    start: date
    ads: int  # creative units starting in the period


class Trend(_Frozen):
    signal: str  # "cta:learn_more", "format:video", "label:TREND:urgency_limited_time", "visual_style:v2", ...
    family: str  # the part before the first colon
    direction: Direction
    significant: bool  # q <= the set's level
    p_value: float
    q_value: float  # Benjamini-Hochberg over every signal tested for the brand
    change_after: date  # the first period after the most likely change point
    changed_between: tuple[date, date]  # the last period before it and the first after
    share_before: float
    share_after: float
    ads_before: int
    ads_after: int
    effect_h: float  # Cohen's h of share_after against share_before
    shares_by_period: list[float]  # aligned to TrendSet.periods
    evidence_ad_ids: list[int]  # up to 5 ads showing the change (the signal after the change, or before it for a fall)


class TrendSet(_Frozen):
    status: Status
    reason: str | None = None
    period: Period | None = None
    periods: list[PeriodCount] = Field(default_factory=list)
    level: float = 0.05
    tested: int = 0  # signals with enough support to test
    trends: list[Trend] = Field(default_factory=list)  # every tested signal: significant first (by q, then |h|)


class VisualDrift(_Frozen):
    status: Status
    reason: str | None = None
    shift: float | None = None  # cosine distance between the mean visual vectors either side of the split
    split: date | None = None
    signal: str | None = None  # the visual_style trend the split comes from
    evidence_ad_ids: list[int] = Field(default_factory=list)


class Proven(_Frozen):
    threshold_days: int
    ads: int
    share: float
    ad_ids: list[int]  # up to 10, longest running first


class Momentum(_Frozen):
    as_of: AwareDatetime
    active_ads: int
    new_7d: int
    new_30d: int
    latest_start: date | None  # so a reader sees when the brand's newest ad started
    median_days_running: float | None
    proven: Proven


class Claim(_Frozen):
    text: str
    fact_ids: list[str]
    ad_ids: list[int]


class ThemeName(_Frozen):
    theme_id: str
    name: str
    summary: str


class Summary(_Frozen):
    status: Literal["ok", "missing", "not_needed"]
    reason: str | None = None  # why it is missing (an AI failure's reason), or why not needed
    routine_version: str | None = None
    claims: list[Claim] = Field(default_factory=list)
    dropped: dict[str, int] = Field(default_factory=dict)  # claims the checks refused, by reason
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class BrandInsights(_Frozen):
    schema_version: str = SCHEMA
    brand: str  # partition key
    brand_id: int
    name: str
    as_of: AwareDatetime
    algorithm_version: str
    input_fingerprint: str
    ads_counted: int
    units_counted: int  # creative units (an image run on Meta and on Google counts once)
    status: Status
    notes: list[str] = Field(default_factory=list)
    themes: ThemeSet
    attributes: AttributeSummary
    trends: TrendSet
    visual: VisualDrift
    momentum: Momentum
    summary: Summary

    def shares(self) -> list[float]:
        """Every share the insights state (each must lie in [0, 1])."""
        values = [theme.share for theme in self.themes.themes]
        values += [item.share for dist in self.attributes.distributions for item in dist.values]
        values += [item.share for item in self.attributes.labels]
        for trend in self.trends.trends:
            values += [trend.share_before, trend.share_after, *trend.shares_by_period]
        values.append(self.momentum.proven.share)
        return values

    def cited_ad_ids(self) -> set[int]:
        """Every ad id the insights name."""
        ids: set[int] = set()
        for theme in self.themes.themes:
            ids.update(theme.ad_ids)
            ids.update(theme.exemplar_ad_ids)
        for dist in self.attributes.distributions:
            for item in dist.values:
                ids.update(item.ad_ids)
        for label in self.attributes.labels:
            ids.update(label.ad_ids)
        for trend in self.trends.trends:
            ids.update(trend.evidence_ad_ids)
        ids.update(self.visual.evidence_ad_ids)
        ids.update(self.momentum.proven.ad_ids)
        for claim in self.summary.claims:
            ids.update(claim.ad_ids)
        return ids

    def significant_trends(self) -> list[Trend]:
        return [trend for trend in self.trends.trends if trend.significant]
