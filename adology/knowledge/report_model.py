"""The brandspace report as typed data: what :func:`adology.knowledge.report.build_report` returns and
what each stored version holds (its JSON snapshot is this model's dump), and how two versions differ
(:func:`diff_reports`)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from adology.knowledge.insights.model import Claim, Direction
from adology.knowledge.insights.model import Status as InsightsStatus

SCHEMA = "report-v2"
SHARE_CHANGE = 0.05  # a share (of a topic, a CTA, the voice) that moved by five points or more is a change

Role = Literal["primary", "competitor", "followed"]
MatchMethod = Literal["centroid_cosine", "term_overlap"]  # how themes were matched across brands


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReportMember(_Frozen):
    brand_id: int
    partition_key: str
    name: str
    role: Role


class InsightsRef(_Frozen):
    """Which insights version of a brand the report was built on."""

    version: int
    status: InsightsStatus
    as_of: AwareDatetime
    ads_counted: int
    units_counted: int
    themes: int
    significant_trends: int


class BrandActivity(_Frozen):
    partition_key: str
    name: str
    role: Role
    ads_total: int
    ads_active: int
    ads_new_30d: int
    insights: InsightsRef | None  # None: the brand has no insights yet
    note: str | None = None  # what the report could not say about the brand, and why


class VoiceShare(_Frozen):
    partition_key: str
    role: Role
    active_ads: int
    share: float | None  # None when no benchmarked brand has an active ad


class Benchmark(_Frozen):
    primary: str | None
    competitors: list[str]
    share_of_voice: list[VoiceShare]


class TopicShare(_Frozen):
    """One brand's part of a shared topic."""

    brand: str  # partition key
    share: float  # of the brand's creative units, in its themes matched to the topic (0 when none is)
    ads: int  # the brand's ads in those themes
    theme_ids: list[str]
    ad_ids: list[int]  # exemplars of those themes


class Topic(_Frozen):
    """Themes of the compared brands that are about the same thing, matched across brands."""

    key: str  # from its leading terms, e.g. "hydration-serum"
    name: str  # e.g. "hydration / serum"
    terms: list[str]
    shares: list[TopicShare]  # every compared brand with themes, in member order
    leader: str | None  # the brand with the largest share; None on a tie
    sentence: str  # e.g. "Glow Botanicals leads with hydration / serum (41% of its ads vs Lumen Lab 9%)."


class ThemeComparison(_Frozen):
    method: MatchMethod | None
    threshold: float | None  # the distance under which themes were matched
    brands: list[str]  # the compared brands whose insights have themes
    reason: str | None = None  # why there are no topics
    topics: list[Topic] = Field(default_factory=list)  # shared by the most brands first, then largest


class BrandTrend(_Frozen):
    """One brand's result for a signal its insights tested."""

    brand: str
    significant: bool
    direction: Direction
    change_after: date
    changed_between: tuple[date, date]
    share_before: float
    share_after: float
    p_value: float
    q_value: float
    evidence_ad_ids: list[int]


class TrendComparison(_Frozen):
    signal: str
    family: str
    significant_for: list[str]  # the brands where it is significant
    brands: list[BrandTrend]  # every member whose insights tested it


class CtaUse(_Frozen):
    """How one brand uses a call-to-action type, with two effectiveness proxies."""

    brand: str
    share: float  # of the brand's creative units whose CTA type is known (its insights)
    units: int
    ads: int  # its ads with this CTA type in their current description (Postgres)
    median_days_running: float | None  # longevity: ads an advertiser keeps paying for are what works for it
    reused_share: float | None  # reuse: of those ads, the share whose creative also runs as another of its ads
    ad_ids: list[int]  # its longest-running ads with this CTA type


class CtaComparison(_Frozen):
    cta: str  # the attribute's value: shop_now, learn_more, ...
    brands: list[CtaUse]  # every compared brand with insights, in member order
    longest_running: str | None  # the brand whose ads with it run longest (at least a few ads)


class Recommendations(_Frozen):
    status: Literal["ok", "missing", "not_needed"]
    reason: str | None = None  # why they are missing (an AI failure's reason) or not needed
    routine_version: str | None = None
    items: list[Claim] = Field(default_factory=list)  # each passed the checks: its facts and ads exist
    dropped: dict[str, int] = Field(default_factory=dict)  # drafts the checks refused, by reason
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class ShareChange(_Frozen):
    kind: Literal["topic", "cta", "voice"]
    subject: str  # the topic key, the CTA type, or "share_of_voice"
    brand: str
    before: float
    after: float


class Cause(_Frozen):
    kind: Literal["member_added", "member_removed", "insights_changed", "new_ads"]
    brand: str
    from_version: int | None = None  # insights_changed: None when the brand had none
    to_version: int | None = None
    ads: int | None = None  # new_ads: how many more ads the brand has


class ReportDiff(_Frozen):
    """What changed since the previous version, and what in the inputs changed to cause it."""

    previous_as_of: AwareDatetime | None  # None: there is no previous (readable) version
    topics_added: list[str] = Field(default_factory=list)
    topics_removed: list[str] = Field(default_factory=list)
    share_changes: list[ShareChange] = Field(default_factory=list)  # of SHARE_CHANGE or more
    trends_new: list[str] = Field(default_factory=list)  # "brand signal direction", significant now only
    trends_ended: list[str] = Field(default_factory=list)  # significant before, not now
    recommendations_added: list[str] = Field(default_factory=list)
    recommendations_removed: list[str] = Field(default_factory=list)
    causes: list[Cause] = Field(default_factory=list)


class BrandspaceReport(_Frozen):
    schema_version: str = SCHEMA
    brandspace: str
    name: str
    as_of: AwareDatetime
    members: list[ReportMember]
    brands: list[BrandActivity]
    benchmark: Benchmark
    themes: ThemeComparison
    trends: list[TrendComparison]  # every signal significant for some member, most widespread first
    ctas: list[CtaComparison]
    notes: list[str]
    recommendations: Recommendations
    changes_since_previous: ReportDiff | None = None

    def shares(self) -> list[float]:
        """Every share the report states (each must lie in [0, 1])."""
        values = [voice.share for voice in self.benchmark.share_of_voice if voice.share is not None]
        values += [part.share for topic in self.themes.topics for part in topic.shares]
        for trend in self.trends:
            values += [share for found in trend.brands for share in (found.share_before, found.share_after)]
        for cta in self.ctas:
            values += [use.share for use in cta.brands]
            values += [use.reused_share for use in cta.brands if use.reused_share is not None]
        return values

    def cited_ad_ids(self) -> set[int]:
        """Every ad id the report names."""
        ids = {ad_id for topic in self.themes.topics for part in topic.shares for ad_id in part.ad_ids}
        ids.update(ad_id for trend in self.trends for found in trend.brands for ad_id in found.evidence_ad_ids)
        ids.update(ad_id for cta in self.ctas for use in cta.brands for ad_id in use.ad_ids)
        ids.update(ad_id for item in self.recommendations.items for ad_id in item.ad_ids)
        return ids

    def ads_counted(self) -> int:
        return sum(brand.ads_total for brand in self.brands)


def diff_reports(previous: BrandspaceReport | None, current: BrandspaceReport) -> ReportDiff:
    """What ``current`` says differently from ``previous``: topics that appear or vanish (a topic is
    the same when half the terms of the shorter list are shared, since its key follows its leading
    terms), shares that moved by :data:`SHARE_CHANGE` or more, significant trends that began or
    ended, recommendations added or removed; and the causes in the inputs: members added or removed,
    a member's new insights version, a member's new ads."""
    if previous is None:
        return ReportDiff(previous_as_of=None)
    matched = _matched_topics(previous.themes.topics, current.themes.topics)
    share_changes = [
        ShareChange(kind="topic", subject=now.key, brand=brand, before=before, after=after)
        for old, now in matched
        for brand, (before, after) in _paired(_topic_shares(old), _topic_shares(now)).items()
        if abs(after - before) >= SHARE_CHANGE
    ]
    old_ctas = {cta.cta: cta for cta in previous.ctas}
    share_changes += [
        ShareChange(kind="cta", subject=cta.cta, brand=brand, before=before, after=after)
        for cta in current.ctas
        if cta.cta in old_ctas
        for brand, (before, after) in _paired(_cta_shares(old_ctas[cta.cta]), _cta_shares(cta)).items()
        if abs(after - before) >= SHARE_CHANGE
    ]
    share_changes += [
        ShareChange(kind="voice", subject="share_of_voice", brand=brand, before=before, after=after)
        for brand, (before, after) in _paired(_voice(previous), _voice(current)).items()
        if abs(after - before) >= SHARE_CHANGE
    ]
    old_trends, new_trends = _significant(previous), _significant(current)
    old_texts = [item.text for item in previous.recommendations.items]
    new_texts = [item.text for item in current.recommendations.items]
    return ReportDiff(
        previous_as_of=previous.as_of,
        topics_added=[topic.key for topic in current.themes.topics if all(topic is not now for _, now in matched)],
        topics_removed=[topic.key for topic in previous.themes.topics if all(topic is not old for old, _ in matched)],
        share_changes=share_changes,
        trends_new=[trend for trend in new_trends if trend not in old_trends],
        trends_ended=[trend for trend in old_trends if trend not in new_trends],
        recommendations_added=[text for text in new_texts if text not in old_texts],
        recommendations_removed=[text for text in old_texts if text not in new_texts],
        causes=_causes(previous, current),
    )


def _matched_topics(previous: list[Topic], current: list[Topic]) -> list[tuple[Topic, Topic]]:
    """Pairs of the same topic in two versions, the best overlapping pairs first, each topic in one pair."""
    candidates = sorted(
        (
            (-_overlap(old.terms, now.terms), old_index, now_index)
            for old_index, old in enumerate(previous)
            for now_index, now in enumerate(current)
            if _overlap(old.terms, now.terms) >= 0.5
        )
    )
    pairs: list[tuple[Topic, Topic]] = []
    used_old: set[int] = set()
    used_now: set[int] = set()
    for _, old_index, now_index in candidates:
        if old_index not in used_old and now_index not in used_now:
            used_old.add(old_index)
            used_now.add(now_index)
            pairs.append((previous[old_index], current[now_index]))
    return pairs


def _overlap(first: list[str], second: list[str]) -> float:
    shorter = min(len(first), len(second))
    return len(set(first) & set(second)) / shorter if shorter else 0.0


def _paired(before: dict[str, float], after: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Per brand stated in both versions: its share before and after."""
    return {brand: (before[brand], share) for brand, share in after.items() if brand in before}


def _topic_shares(topic: Topic) -> dict[str, float]:
    return {part.brand: part.share for part in topic.shares}


def _cta_shares(cta: CtaComparison) -> dict[str, float]:
    return {use.brand: use.share for use in cta.brands}


def _voice(report: BrandspaceReport) -> dict[str, float]:
    return {voice.partition_key: voice.share for voice in report.benchmark.share_of_voice if voice.share is not None}


def _significant(report: BrandspaceReport) -> list[str]:
    return [
        f"{found.brand} {trend.signal} {found.direction}"
        for trend in report.trends
        for found in trend.brands
        if found.significant
    ]


def _causes(previous: BrandspaceReport, current: BrandspaceReport) -> list[Cause]:
    before = {brand.partition_key: brand for brand in previous.brands}
    after = {brand.partition_key: brand for brand in current.brands}
    causes = [Cause(kind="member_added", brand=key) for key in after if key not in before]
    causes += [Cause(kind="member_removed", brand=key) for key in before if key not in after]
    for key, brand in after.items():
        if key not in before:
            continue
        old = before[key]
        old_version = old.insights.version if old.insights else None
        new_version = brand.insights.version if brand.insights else None
        if old_version != new_version:
            causes.append(Cause(kind="insights_changed", brand=key, from_version=old_version, to_version=new_version))
        if brand.ads_total > old.ads_total:
            causes.append(Cause(kind="new_ads", brand=key, ads=brand.ads_total - old.ads_total))
    return causes
