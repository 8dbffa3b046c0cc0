"""The brandspace report as typed data: what :func:`adology.knowledge.report.build_report` returns and
what each stored version holds (its JSON snapshot is this model's dump)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

Role = Literal["primary", "competitor", "followed"]
Taxonomy = Literal["UNIVERSAL", "TREND"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReportMember(_Frozen):
    brand_id: int
    partition_key: str
    name: str
    role: Role


class Count(_Frozen):
    value: str
    ads: int


class LabelShare(_Frozen):
    label: str
    ads: int
    share: float  # of the brand's labelled ads


class BrandActivity(_Frozen):
    partition_key: str
    name: str
    role: Role
    ads_total: int
    ads_active: int
    ads_new_30d: int
    labelled_ads: int
    formats: list[Count]  # display format (IMAGE, VIDEO, CAROUSEL, DPA, ...; UNKNOWN when not given)
    media: list[Count]  # video when any creative is a video, image when all are images, none
    platforms: list[Count]
    top_ctas: list[Count]
    top_universal_labels: list[LabelShare]
    top_trend_labels: list[LabelShare]


class VoiceShare(_Frozen):
    partition_key: str
    role: Role
    active_ads: int
    share: float | None  # None when no benchmarked brand has an active ad


class LabelGap(_Frozen):
    taxonomy: Taxonomy
    label: str
    primary_share: float
    competitor_average: float  # over the competitors with labelled ads, 0 for those without the label
    competitors_with_label: int


class Benchmark(_Frozen):
    primary: str | None
    competitors: list[str]
    share_of_voice: list[VoiceShare]
    label_gaps: list[LabelGap]


class TrendShift(_Frozen):
    label: str
    previous_ads: int
    recent_ads: int
    previous_share: float
    recent_share: float


class CreativeTrends(_Frozen):
    window_days: int
    previous_labelled_ads: int
    recent_labelled_ads: int
    rising: list[TrendShift]


class BrandspaceReport(_Frozen):
    brandspace: str
    name: str
    as_of: AwareDatetime
    members: list[ReportMember]
    brands: list[BrandActivity]
    benchmark: Benchmark
    trends: CreativeTrends
    recommendations: list[str]

    def shares(self) -> list[float]:
        """Every share the report states (each must lie in [0, 1])."""
        values = [item.share for brand in self.brands for item in brand.top_universal_labels + brand.top_trend_labels]
        values += [item.share for item in self.benchmark.share_of_voice if item.share is not None]
        values += [share for gap in self.benchmark.label_gaps for share in (gap.primary_share, gap.competitor_average)]
        values += [share for shift in self.trends.rising for share in (shift.previous_share, shift.recent_share)]
        return values

    def ads_counted(self) -> int:
        return sum(brand.ads_total for brand in self.brands)
