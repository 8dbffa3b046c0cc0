"""A brandspace's competitive report, built on its brands' insights.

**The report** (:func:`build_report`, schema ``report-v2``) reads each member brand's latest stored
insights (:mod:`adology.knowledge.insights`) and the ad totals Postgres holds at ``now``:

- *share of voice*: the primary's and competitors' active ads;
- *themes*: the themes of the primary and competitors matched into shared topics. Each theme's
  centroid is the pgvector ``avg`` of its ads' retrieval vectors (of the model most of them were
  embedded with); themes closer than :data:`TOPIC_DISTANCE` in cosine distance (average linkage)
  form one topic. When a theme has no vectors, topics come from term overlap instead. Per topic,
  each brand's share of its creative units and the leader; topics several brands share come first;
- *trends*: every signal significant for some member (followed brands included: following a
  brand is watching its trends), with each member's direction, change period and q-value;
- *CTAs*: each compared brand's share per CTA type (its insights' distribution) with two
  effectiveness proxies from Postgres over its ads whose current description names that CTA type:
  the median days running (an ad kept running is one its advertiser keeps paying for) and reuse
  (the share whose creative also runs as another of its ads, by content address).

Followed brands are reported, and their trends tracked, but their themes and CTAs are not
benchmarked: they are brands a customer watches, not necessarily rivals. A member without
insights yet is listed with ``insights: null`` and a note; the report builds without it.

**Recommendations** (:func:`compose_report`): the comparisons become facts (``compare:voice``,
``compare:theme:<topic>``, ``compare:cta:<cta>``, ``trend:<brand>:<signal>``) with the numbers a
claim may quote and the ads that evidence them; the provider's ``summarize`` drafts INSPIRE
recommendations from them, and only those that pass
:func:`~adology.knowledge.citations.verify_claims` (facts given, ads of the member brands, numbers
as the facts state them) are kept. An AI failure leaves the statistics and marks the
recommendations missing with the reason. The result is diffed against the previous version
(:func:`~adology.knowledge.report_model.diff_reports`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain, zip_longest
from uuid import UUID

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics.pairwise import cosine_distances

from adology.ai.routines import summary_version
from adology.ai.summaries import Fact, SummaryRequest
from adology.ai.types import AIError, Provider
from adology.errors import AdologyError
from adology.knowledge.citations import verify_claims
from adology.knowledge.insights.model import BrandInsights, Theme, Trend
from adology.knowledge.insights.narrative import signal_phrase, significance
from adology.knowledge.insights.store import StoredInsights, latest_readable
from adology.knowledge.report_model import (
    Benchmark,
    BrandActivity,
    BrandspaceReport,
    BrandTrend,
    CtaComparison,
    CtaUse,
    InsightsRef,
    MatchMethod,
    Recommendations,
    ReportMember,
    ThemeComparison,
    Topic,
    TopicShare,
    TrendComparison,
    VoiceShare,
    diff_reports,
)
from adology.logs import get_logger

log = get_logger(__name__)

WINDOW = timedelta(days=30)  # "new ads": first seen in the last 30 days
# The cosine distance between theme centroids under which themes share a topic. Measured on the
# local retrieval model over four demo brands: the offer themes they share (free shipping, a gift
# with purchase) lie 0.12-0.2 apart across brands, while their product themes lie 0.2-0.4 from
# other brands' themes; at 0.3 nearly every theme fell into one topic. A model that spreads
# vectors wider matches fewer themes: it fails towards separate topics, never towards false ones.
TOPIC_DISTANCE = 0.2
TERM_DISTANCE = 0.7  # without vectors, the Jaccard distance of theme terms: three of five shared (0.57) match
TOPIC_TERMS = 5
TOPIC_NAME_TERMS = 2
EXAMPLES = 5  # ad ids per brand in a topic or CTA entry
LEAD_MARGIN = 0.10  # the primary trails a topic's leader by ten points: worth a recommendation
MIN_CTA_ADS = 3  # fewer ads with a CTA type make its median days running an anecdote
LONGER_BY_DAYS = 7  # a competitor's CTA runs this much longer than the primary's: worth a recommendation
FACT_TOPICS = 6
FACT_CTAS = 6
FACT_TRENDS = 10
FACT_EVIDENCE = 8
_ROLE_ORDER = {"primary": 0, "competitor": 1, "followed": 2}
_TREND_SUGGESTION_ORDER = {"competitor": 0, "followed": 1, "primary": 2}  # whose trends inspire the primary first
SUGGESTION = "suggestion"  # the fact value holding what its numbers suggest for the primary
RENDERED_TRENDS = 12


class UnknownBrandspaceError(AdologyError):
    """The brandspace partition has no row in ``brandspaces``."""


@dataclass(frozen=True)
class _Member:
    """A member brand as the report reads it: who it is, and its latest insights if it has any."""

    member: ReportMember
    stored: StoredInsights | None

    @property
    def insights(self) -> BrandInsights | None:
        return self.stored.insights if self.stored else None


def build_report(conn: psycopg.Connection, brandspace_key: str, *, now: datetime) -> BrandspaceReport:
    """The brandspace's report from its members' latest insights and the ads first seen at or before
    ``now``; its recommendations are not written yet (:func:`compose_report` writes them)."""
    row = conn.execute("SELECT id, name FROM brandspaces WHERE partition_key = %s", (brandspace_key,)).fetchone()
    if row is None:
        raise UnknownBrandspaceError(f"no brandspace with partition key {brandspace_key!r} in table brandspaces")
    brandspace_id, name = row
    members = _read_members(conn, brandspace_id)
    totals = _ad_totals(conn, [read.member.brand_id for read in members], now)
    brands = [_activity(read, totals.get(read.member.brand_id, (0, 0, 0))) for read in members]
    benchmark = _benchmark(members, brands)
    compared = [read for read in members if read.member.role != "followed" and read.insights is not None]
    themes = _theme_comparison(conn, compared)
    report = BrandspaceReport(
        brandspace=brandspace_key,
        name=name,
        as_of=now,
        members=[read.member for read in members],
        brands=brands,
        benchmark=benchmark,
        themes=themes,
        trends=_trend_comparisons(members),
        ctas=_cta_comparisons(conn, compared, now),
        notes=_notes(members, benchmark, themes),
        recommendations=Recommendations(status="not_needed", reason="not written yet"),
    )
    log.info(
        "report built",
        extra={
            "brandspace": brandspace_key,
            "brands": len(members),
            "with_insights": sum(read.insights is not None for read in members),
            "topics": len(themes.topics),
            "ads_counted": report.ads_counted(),
        },
    )
    return report


async def compose_report(
    connect: Callable[[], AbstractContextManager[psycopg.Connection]],
    provider: Provider,
    brandspace_key: str,
    *,
    now: datetime,
    previous: BrandspaceReport | None,
) -> BrandspaceReport:
    """The report as :func:`build_report` builds it, with its checked recommendations and what
    changed since ``previous``. No connection is held while the provider writes."""
    with connect() as conn:
        report = build_report(conn, brandspace_key, now=now)
        facts = report_facts(report)
        member_ads = member_ad_ids(conn, report, {ad_id for fact in facts for ad_id in fact.ad_ids})
    report = await recommend(provider, report, facts, member_ads)
    return report.model_copy(update={"changes_since_previous": diff_reports(previous, report)})


def member_ad_ids(conn: psycopg.Connection, report: BrandspaceReport, ad_ids: Collection[int]) -> set[int]:
    """Those of ``ad_ids`` that are ads of the report's member brands."""
    rows = conn.execute(
        "SELECT id FROM ads WHERE id = ANY(%s) AND brand_id = ANY(%s)",
        (sorted(ad_ids), [member.brand_id for member in report.members]),
    )
    return {ad_id for (ad_id,) in rows}


def ads_outside_members(conn: psycopg.Connection, report: BrandspaceReport) -> list[int]:
    """Every ad id the report cites that is not an ad of one of its member brands."""
    cited = report.cited_ad_ids()
    return sorted(cited - member_ad_ids(conn, report, cited))


def _read_members(conn: psycopg.Connection, brandspace_id: UUID) -> list[_Member]:
    members = sorted(
        (
            ReportMember(brand_id=brand_id, partition_key=key, name=brand_name, role=role)
            for brand_id, key, brand_name, role in conn.execute(
                "SELECT b.id, b.partition_key, b.name, m.role "
                "FROM brandspace_brands m JOIN brands b ON b.id = m.brand_id WHERE m.brandspace_id = %s",
                (brandspace_id,),
            )
        ),
        key=lambda member: (_ROLE_ORDER[member.role], member.partition_key),
    )
    return [_Member(member, latest_readable(conn, member.brand_id)) for member in members]


def _ad_totals(conn: psycopg.Connection, brand_ids: list[int], now: datetime) -> dict[int, tuple[int, int, int]]:
    rows = conn.execute(
        """SELECT brand_id, count(*), count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE first_seen_at > %s)
           FROM ads WHERE brand_id = ANY(%s) AND first_seen_at <= %s GROUP BY brand_id""",
        (now - WINDOW, brand_ids, now),
    ).fetchall()
    return {brand_id: (total, active, new) for brand_id, total, active, new in rows}


def _activity(read: _Member, totals: tuple[int, int, int]) -> BrandActivity:
    member, stored = read.member, read.stored
    total, active, new = totals
    ref = None
    note = None
    if stored is None:
        note = f"{member.name} has no insights yet, so its themes, trends and calls to action are not compared"
    else:
        insights = stored.insights
        ref = InsightsRef(
            version=stored.version,
            status=insights.status,
            as_of=insights.as_of,
            ads_counted=insights.ads_counted,
            units_counted=insights.units_counted,
            themes=len(insights.themes.themes),
            significant_trends=len(insights.significant_trends()),
        )
        if insights.status != "ok":
            note = (
                f"{member.name}'s insights have {insights.units_counted} creative units ({insights.status}): "
                f"{insights.themes.reason or 'no themes or trends'}"
            )
    return BrandActivity(
        partition_key=member.partition_key,
        name=member.name,
        role=member.role,
        ads_total=total,
        ads_active=active,
        ads_new_30d=new,
        insights=ref,
        note=note,
    )


def _benchmark(members: list[_Member], brands: list[BrandActivity]) -> Benchmark:
    primary = next((read.member for read in members if read.member.role == "primary"), None)
    competitors = [read.member for read in members if read.member.role == "competitor"]
    activity = {brand.partition_key: brand for brand in brands}
    compared = ([primary] if primary else []) + competitors
    active_total = sum(activity[member.partition_key].ads_active for member in compared)
    voices = sorted(
        (
            VoiceShare(
                partition_key=member.partition_key,
                role=member.role,
                active_ads=activity[member.partition_key].ads_active,
                share=round(activity[member.partition_key].ads_active / active_total, 4) if active_total else None,
            )
            for member in compared
        ),
        key=lambda voice: (-voice.active_ads, voice.partition_key),
    )
    return Benchmark(
        primary=primary.partition_key if primary else None,
        competitors=[member.partition_key for member in competitors],
        share_of_voice=voices,
    )


def _theme_comparison(conn: psycopg.Connection, compared: list[_Member]) -> ThemeComparison:
    themed = [read for read in compared if _distinct_themes(read)]
    brands = [read.member.partition_key for read in themed]
    if len(themed) < 2:
        return ThemeComparison(
            method=None, threshold=None, brands=brands, reason="fewer than two compared brands have distinct themes"
        )
    themes = [(read.member, theme) for read in themed if read.insights for theme in read.insights.themes.themes]
    centroids = _theme_centroids(conn, themes)
    if all((member.brand_id, theme.id) in centroids for member, theme in themes):
        vectors = np.stack([centroids[(member.brand_id, theme.id)] for member, theme in themes])
        distances = np.clip(cosine_distances(vectors), 0.0, 2.0)
        method: MatchMethod = "centroid_cosine"
        threshold = TOPIC_DISTANCE
    else:
        distances = np.array([[_term_distance(first, second) for _, second in themes] for _, first in themes])
        method = "term_overlap"
        threshold = TERM_DISTANCE
    clusters = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    ).fit_predict(distances)
    grouped: dict[int, list[tuple[ReportMember, Theme]]] = defaultdict(list)
    for cluster, member_theme in zip(clusters, themes, strict=True):
        grouped[int(cluster)].append(member_theme)
    names = {read.member.partition_key: read.member.name for read in themed}
    topics = [_topic(group, brands, names) for group in grouped.values()]
    topics.sort(
        key=lambda topic: (
            -sum(part.share > 0 for part in topic.shares),
            -sum(part.share for part in topic.shares),
            topic.key,
        )
    )
    return ThemeComparison(method=method, threshold=threshold, brands=brands, topics=_unique_keys(topics))


def _distinct_themes(read: _Member) -> bool:
    """Whether the brand's ads form several themes: one theme holding them all (too few ads, or no
    grouping that stands out) is the brand itself, and "leads with" it would say nothing."""
    return read.insights is not None and len(read.insights.themes.themes) >= 2


def _theme_centroids(
    conn: psycopg.Connection, themes: list[tuple[ReportMember, Theme]]
) -> dict[tuple[int, str], np.ndarray]:
    """Per (brand id, theme id): the mean retrieval vector of the theme's ads, for the embedding model
    most of the compared ads were embedded with (vectors of two models are not comparable)."""
    brand_ids, theme_ids, ad_ids = [], [], []
    for member, theme in themes:
        for ad_id in theme.ad_ids:
            brand_ids.append(member.brand_id)
            theme_ids.append(theme.id)
            ad_ids.append(ad_id)
    register_vector(conn)  # the averages arrive as numpy arrays
    rows = conn.cursor(binary=True).execute(
        """WITH members AS (
               SELECT * FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) AS m(brand_id, theme_id, ad_id)
           ), vectors AS (
               SELECT m.brand_id, m.theme_id, e.model, e.embedding
               FROM members m JOIN ad_embeddings e ON e.ad_id = m.ad_id AND e.kind = 'retrieval'
           ), main_model AS (
               SELECT model FROM vectors GROUP BY model ORDER BY count(*) DESC, model LIMIT 1
           )
           SELECT v.brand_id, v.theme_id, avg(v.embedding) FROM vectors v JOIN main_model USING (model)
           GROUP BY v.brand_id, v.theme_id""",
        (brand_ids, theme_ids, ad_ids),
    )
    return {(brand_id, theme_id): centroid.to_numpy().astype(np.float64) for brand_id, theme_id, centroid in rows}


def _term_distance(first: Theme, second: Theme) -> float:
    union = set(first.terms) | set(second.terms)
    return 1.0 - len(set(first.terms) & set(second.terms)) / len(union) if union else 1.0


def _topic(group: list[tuple[ReportMember, Theme]], brands: list[str], names: dict[str, str]) -> Topic:
    """A topic from its matched themes: terms weighted by rank and theme share, each brand's part, the leader."""
    weights: dict[str, float] = defaultdict(float)
    for _, theme in group:
        for rank, term in enumerate(theme.terms):
            if not re.fullmatch(r"[\d.,%]+", term):  # a bare figure in a name would read as a number
                weights[term] += theme.share * (len(theme.terms) - rank)
    terms = [term for term, _ in sorted(weights.items(), key=lambda item: (-item[1], item[0]))][:TOPIC_TERMS]
    name = " / ".join(terms[:TOPIC_NAME_TERMS]) or group[0][1].name
    shares = []
    for brand in brands:
        mine = [theme for member, theme in group if member.partition_key == brand]
        exemplars = [ad_id for theme in mine for ad_id in theme.exemplar_ad_ids]
        shares.append(
            TopicShare(
                brand=brand,
                share=round(min(sum(theme.share for theme in mine), 1.0), 4),
                ads=sum(len(theme.ad_ids) for theme in mine),
                theme_ids=[theme.id for theme in mine],
                ad_ids=exemplars[:EXAMPLES],
            )
        )
    ranked = sorted(shares, key=lambda part: -part.share)
    tied = len(ranked) > 1 and ranked[0].share == ranked[1].share
    leader = None if tied else ranked[0].brand
    return Topic(
        key=_slug(" ".join(terms[:TOPIC_NAME_TERMS]) or name),
        name=name,
        terms=terms,
        shares=shares,
        leader=leader,
        sentence=_topic_sentence(name, shares, leader, names),
    )


def _topic_sentence(name: str, shares: list[TopicShare], leader: str | None, names: dict[str, str]) -> str:
    if leader is None:
        top = max(part.share for part in shares)
        sharing = [names[part.brand] for part in shares if part.share == top]
        others = ", ".join(f"{names[part.brand]} {part.share:.0%}" for part in shares if part.share != top)
        return f"{' and '.join(sharing)} share the lead with {name} ({top:.0%} of their ads each" + (
            f" vs {others})." if others else ")."
        )
    first = next(part for part in shares if part.brand == leader)
    others = ", ".join(f"{names[part.brand]} {part.share:.0%}" for part in shares if part.brand != leader)
    return f"{names[leader]} leads with {name} ({first.share:.0%} of its ads vs {others})."


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "topic"


def _unique_keys(topics: list[Topic]) -> list[Topic]:
    seen: dict[str, int] = defaultdict(int)
    unique = []
    for topic in topics:
        seen[topic.key] += 1
        unique.append(
            topic if seen[topic.key] == 1 else topic.model_copy(update={"key": f"{topic.key}-{seen[topic.key]}"})
        )
    return unique


def _trend_comparisons(members: list[_Member]) -> list[TrendComparison]:
    with_insights = [read for read in members if read.insights is not None]
    signals = {
        trend.signal: trend.family
        for read in with_insights
        if read.insights
        for trend in read.insights.significant_trends()
    }
    comparisons = []
    for signal, family in signals.items():
        found = [
            _brand_trend(read.member.partition_key, trend)
            for read in with_insights
            if read.insights
            for trend in read.insights.trends.trends
            if trend.signal == signal
        ]
        comparisons.append(
            TrendComparison(
                signal=signal,
                family=family,
                significant_for=[entry.brand for entry in found if entry.significant],
                brands=found,
            )
        )
    comparisons.sort(
        key=lambda comparison: (
            -len(comparison.significant_for),
            min(entry.q_value for entry in comparison.brands),
            comparison.signal,
        )
    )
    return comparisons


def _brand_trend(brand: str, trend: Trend) -> BrandTrend:
    return BrandTrend(
        brand=brand,
        significant=trend.significant,
        direction=trend.direction,
        change_after=trend.change_after,
        changed_between=trend.changed_between,
        share_before=trend.share_before,
        share_after=trend.share_after,
        p_value=trend.p_value,
        q_value=trend.q_value,
        evidence_ad_ids=trend.evidence_ad_ids,
    )


def _cta_comparisons(conn: psycopg.Connection, compared: list[_Member], now: datetime) -> list[CtaComparison]:
    """Per CTA type any compared brand uses: each brand's share (its insights), and over its ads with
    that CTA type (Postgres) the median days running and the share whose creative is reused."""
    shares: dict[str, dict[str, tuple[float, int]]] = {}
    for read in compared:
        distribution = (
            next((found for found in read.insights.attributes.distributions if found.attribute == "cta_type"), None)
            if read.insights
            else None
        )
        if distribution is not None and distribution.known_ads:
            shares[read.member.partition_key] = {value.value: (value.share, value.ads) for value in distribution.values}
    if not shares:
        return []
    brands = [read.member for read in compared if read.member.partition_key in shares]
    proxies = _cta_proxies(conn, [member.brand_id for member in brands], now)
    ctas = sorted({cta for values in shares.values() for cta in values})
    comparisons = []
    for cta in ctas:
        uses = []
        for member in brands:
            share, units = shares[member.partition_key].get(cta, (0.0, 0))
            ads, median, reused, ad_ids = proxies.get((member.brand_id, cta), (0, None, None, []))
            uses.append(
                CtaUse(
                    brand=member.partition_key,
                    share=share,
                    units=units,
                    ads=ads,
                    median_days_running=median,
                    reused_share=reused,
                    ad_ids=ad_ids,
                )
            )
        steady = [use for use in uses if use.ads >= MIN_CTA_ADS and use.median_days_running is not None]
        longest = max(steady, key=lambda use: use.median_days_running or 0.0, default=None)
        comparisons.append(CtaComparison(cta=cta, brands=uses, longest_running=longest.brand if longest else None))
    comparisons.sort(key=lambda comparison: (-max(use.share for use in comparison.brands), comparison.cta))
    return comparisons


def _cta_proxies(
    conn: psycopg.Connection, brand_ids: list[int], now: datetime
) -> dict[tuple[int, str], tuple[int, float | None, float | None, list[int]]]:
    """Per (brand id, CTA type): its ads, their median days running, the share whose creative also
    runs as another of the brand's ads, and the longest-running ads. Days running are counted as
    the insights count them: from the start its source gave (else first seen) to its end, now while
    it runs, or when it was last seen."""
    rows = conn.execute(
        """WITH described AS (
               SELECT a.id, a.brand_id, a.media, d.attributes->>'cta_type' AS cta,
                      greatest(extract(epoch FROM coalesce(a.ended_at, CASE WHEN a.is_active THEN %(now)s
                                                                           ELSE a.last_seen_at END)
                                                  - coalesce(a.started_at, a.first_seen_at)) / 86400, 0) AS days
               FROM ads a
               JOIN ad_analysis_state s ON s.ad_id = a.id AND s.stage = 'describe' AND s.status = 'succeeded'
               JOIN ad_descriptions d ON d.ad_id = a.id AND d.analysis_version = s.version
               WHERE a.brand_id = ANY(%(brands)s) AND a.first_seen_at <= %(now)s
           ), shared AS (  -- creatives (by content address) that run as more than one of a brand's ads
               SELECT a.brand_id, m->>'sha256' AS sha256
               FROM ads a, jsonb_array_elements(a.media) m
               WHERE a.brand_id = ANY(%(brands)s) AND a.first_seen_at <= %(now)s AND m->>'sha256' IS NOT NULL
               GROUP BY 1, 2 HAVING count(DISTINCT a.id) > 1
           )
           SELECT d.brand_id, d.cta, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY d.days),
                  count(*) FILTER (WHERE EXISTS (
                      SELECT 1 FROM jsonb_array_elements(d.media) m JOIN shared c
                      ON c.brand_id = d.brand_id AND c.sha256 = m->>'sha256')),
                  (array_agg(d.id ORDER BY d.days DESC, d.id))[1:%(examples)s]
           FROM described d WHERE nullif(d.cta, '') IS NOT NULL GROUP BY d.brand_id, d.cta""",
        {"brands": brand_ids, "now": now, "examples": EXAMPLES},
    ).fetchall()
    return {
        (brand_id, cta): (ads, round(float(median), 1), round(reused / ads, 4), list(ad_ids))
        for brand_id, cta, ads, median, reused, ad_ids in rows
    }


def _notes(members: list[_Member], benchmark: Benchmark, themes: ThemeComparison) -> list[str]:
    notes = []
    if benchmark.primary is None:
        notes.append("The brandspace has no primary brand, so recommendations have no one to address.")
    elif not benchmark.competitors:
        notes.append("The brandspace has no competitors, so its primary brand is not benchmarked.")
    missing = [read.member.name for read in members if read.insights is None]
    if missing:
        notes.append(f"No insights yet for {', '.join(missing)}: listed with ad totals only.")
    undivided = [
        read.member.name
        for read in members
        if read.member.role != "followed" and read.insights is not None and not _distinct_themes(read)
    ]
    if undivided:
        notes.append(f"No distinct themes for {', '.join(undivided)}: not in the theme comparison.")
    if themes.reason:
        notes.append(f"No theme comparison: {themes.reason}.")
    elif themes.method == "term_overlap":
        notes.append("Some themes have no retrieval vectors, so themes were matched by their terms.")
    return notes


def report_facts(report: BrandspaceReport) -> list[Fact]:
    """The report's comparisons as facts a recommendation may rest on: the numbers it may quote, the
    names it may write, the ads that evidence them, and (``values["suggestion"]``) what the numbers
    suggest for the primary.

    Facts that suggest something come first, one section at a time in turn (trends, themes, CTAs,
    share of voice), so the first few recommendations cover the report rather than one section;
    competitors' trends come before followed brands' and the primary's own. Signals of one brand
    that moved identically (a video format, video media, the video label) are one change seen
    through several attributes: only the first suggests it."""
    names = {brand.partition_key: brand.name for brand in report.brands}
    roles = {brand.partition_key: brand.role for brand in report.brands}
    primary = report.benchmark.primary
    primary_up = {
        trend.signal
        for trend in report.trends
        for found in trend.brands
        if found.brand == primary and found.significant and found.direction == "up"
    }
    significant = [(trend, found) for trend in report.trends for found in trend.brands if found.significant]
    significant.sort(key=lambda pair: _TREND_SUGGESTION_ORDER[roles[pair[1].brand]])  # stable within a role
    trend_facts: list[Fact] = []
    suggested: set[tuple[object, ...]] = set()  # the moves already suggested
    for trend, found in significant[:FACT_TRENDS]:
        move = (found.brand, found.direction, found.share_before, found.share_after, found.change_after)
        inspiring = found.brand != primary and found.direction == "up" and trend.signal not in primary_up
        suggest_to = primary if primary is not None and inspiring and move not in suggested else None
        if suggest_to is not None:
            suggested.add(move)
        trend_facts.append(_trend_fact(trend.signal, found, names, suggest_to))
    voice = _voice_fact(report, names) if report.benchmark.competitors else None
    sections = [
        trend_facts,
        [_topic_fact(topic, primary, names) for topic in report.themes.topics[:FACT_TOPICS]],
        [_cta_fact(cta, primary, names) for cta in report.ctas[:FACT_CTAS]],
        [voice] if voice else [],
    ]
    suggesting = [[fact for fact in section if SUGGESTION in fact.values] for section in sections]
    in_turn = [fact for fact in chain.from_iterable(zip_longest(*suggesting)) if fact is not None]
    return in_turn + [fact for section in sections for fact in section if SUGGESTION not in fact.values]


def _named(names: dict[str, str], brands: Iterable[str]) -> dict[str, float | int | str]:
    """The brands' names as values: a claim may write them (a name with a figure in it is a word)."""
    return {f"name:{brand}": names[brand] for brand in brands}


def _voice_fact(report: BrandspaceReport, names: dict[str, str]) -> Fact | None:
    voices = report.benchmark.share_of_voice
    total = sum(voice.active_ads for voice in voices)
    if not total:
        return None
    values: dict[str, float | int | str] = {
        "active_ads": total,
        **_named(names, (voice.partition_key for voice in voices)),
    }
    for voice in voices:
        values[f"active_ads:{voice.partition_key}"] = voice.active_ads
        values[f"share:{voice.partition_key}"] = voice.share or 0.0
    primary = report.benchmark.primary
    own = next((voice for voice in voices if voice.partition_key == primary), None)
    leader = voices[0]
    if own is not None and leader.partition_key != primary and leader.active_ads > own.active_ads:
        values[SUGGESTION] = (
            f"{names[own.partition_key]} runs {own.active_ads} of {total} active ads ({own.share or 0:.0%} share "
            f"of voice) against {names[leader.partition_key]}'s {leader.active_ads} ({leader.share or 0:.0%}); "
            "more active ads would close that gap."
        )
    statement = "Share of voice by active ads: " + ", ".join(
        f"{names[voice.partition_key]} {voice.active_ads} ({voice.share or 0:.0%})" for voice in voices
    )
    return Fact(id="compare:voice", kind="comparison", statement=statement + ".", values=values, ad_ids=[])


def _topic_fact(topic: Topic, primary: str | None, names: dict[str, str]) -> Fact:
    values: dict[str, float | int | str] = {
        "topic": topic.name,
        "terms": ", ".join(topic.terms),
        **_named(names, (part.brand for part in topic.shares)),
    }
    for part in topic.shares:
        values[f"share:{part.brand}"] = part.share
    own = next((part for part in topic.shares if part.brand == primary), None)
    lead = next((part for part in topic.shares if part.brand == topic.leader), None)
    if own is not None and lead is not None and lead is not own and lead.share - own.share >= LEAD_MARGIN:
        values[SUGGESTION] = (
            f"{names[lead.brand]} leads with {topic.name} ({lead.share:.0%} of its ads vs {names[own.brand]} "
            f"{own.share:.0%}); {names[own.brand]} could test its own creatives on {topic.name}."
        )
    return Fact(
        id=f"compare:theme:{topic.key}",
        kind="comparison",
        statement=topic.sentence,
        values=values,
        ad_ids=_interleaved(part.ad_ids for part in topic.shares),
        brand=topic.leader,
    )


def _cta_fact(cta: CtaComparison, primary: str | None, names: dict[str, str]) -> Fact:
    readable = cta.cta.replace("_", " ")
    values: dict[str, float | int | str] = {"cta": cta.cta, **_named(names, (use.brand for use in cta.brands))}
    described = []
    for use in cta.brands:
        values[f"share:{use.brand}"] = use.share
        values[f"ads:{use.brand}"] = use.ads
        said = f"{names[use.brand]} {use.share:.0%} of its creatives"
        if use.median_days_running is not None and use.reused_share is not None:
            values[f"median_days:{use.brand}"] = use.median_days_running
            values[f"reused:{use.brand}"] = use.reused_share
            said += (
                f" ({use.ads} ads running a median {use.median_days_running:.0f} days, "
                f"{use.reused_share:.0%} reusing a creative)"
            )
        described.append(said)
    suggestion = _cta_suggestion(cta, primary, names)
    if suggestion:
        values[SUGGESTION] = suggestion
    return Fact(
        id=f"compare:cta:{cta.cta}",
        kind="comparison",
        statement=f"The call to action {readable}: " + "; ".join(described) + ".",
        values=values,
        ad_ids=_interleaved(use.ad_ids for use in cta.brands),
        brand=cta.longest_running,
    )


def _cta_suggestion(cta: CtaComparison, primary: str | None, names: dict[str, str]) -> str | None:
    """When a competitor keeps its ads with this CTA running longer than the primary does, or the
    primary barely uses a CTA a competitor runs for a month or more."""
    own = next((use for use in cta.brands if use.brand == primary), None)
    best = next((use for use in cta.brands if use.brand == cta.longest_running), None)
    if own is None or best is None or best is own or best.median_days_running is None:
        return None
    readable = cta.cta.replace("_", " ")
    if own.ads < MIN_CTA_ADS or own.median_days_running is None:
        if best.median_days_running < 30:
            return None
        return (
            f"{names[best.brand]}'s {readable} ads run a median {best.median_days_running:.0f} days and it uses "
            f"that call to action in {best.share:.0%} of its creatives, against {own.share:.0%} for "
            f"{names[own.brand]}; {names[own.brand]} could test it."
        )
    if best.median_days_running - own.median_days_running < LONGER_BY_DAYS:
        return None
    return (
        f"{names[best.brand]}'s {readable} ads run a median {best.median_days_running:.0f} days against "
        f"{own.median_days_running:.0f} for {names[own.brand]}'s; {names[own.brand]} could study how "
        f"{names[best.brand]} frames that call to action."
    )


def _trend_fact(signal: str, found: BrandTrend, names: dict[str, str], suggest_to: str | None) -> Fact:
    """The brand's change as a fact; with ``suggest_to`` (the primary), a suggestion that it tries it too."""
    readable = signal_phrase(signal)
    change = (
        f"{readable} went {found.direction} from {found.share_before:.0%} to {found.share_after:.0%} of its "
        f"creatives after {found.change_after.isoformat()} ({significance('q', found.q_value)})"
    )
    values: dict[str, float | int | str] = {
        **_named(names, [found.brand, *([suggest_to] if suggest_to else [])]),
        "share_before": found.share_before,
        "share_after": found.share_after,
        "p_value": found.p_value,
        "q_value": found.q_value,
        "change_after": found.change_after.isoformat(),
        "direction": found.direction,
    }
    if suggest_to is not None:
        values[SUGGESTION] = (
            f"At {names[found.brand]}, {change}; {names[suggest_to]} could test it before it becomes the norm."
        )
    return Fact(
        id=f"trend:{found.brand}:{signal}",
        kind="trend",
        statement=f"At {names[found.brand]}, {change}.",
        values=values,
        ad_ids=found.evidence_ad_ids[:FACT_EVIDENCE],
        brand=found.brand,
    )


def _interleaved(groups: Iterable[list[int]]) -> list[int]:
    """Ad ids taking one from each brand in turn, so every brand's evidence fits in the fact."""
    lists = [list(group) for group in groups]
    taken: list[int] = []
    for index in range(max((len(group) for group in lists), default=0)):
        taken += [group[index] for group in lists if index < len(group)]
    return list(dict.fromkeys(taken))[:FACT_EVIDENCE]


async def recommend(
    provider: Provider, report: BrandspaceReport, facts: list[Fact], member_ads: Collection[int]
) -> BrandspaceReport:
    """``report`` with the recommendations the provider drafted from ``facts`` that pass the checks:
    only facts given, only ads in ``member_ads`` and evidence of a cited fact, only numbers the
    cited facts state. An AI failure leaves them missing with the reason. Before any member has
    insights there is nothing but ad counts to go on: no call then, nor without facts."""
    version = summary_version(provider)
    if not facts or all(brand.insights is None for brand in report.brands):
        reason = "no member brand has insights yet" if facts else "nothing to compare yet"
        recommendations = Recommendations(status="not_needed", reason=reason, routine_version=version)
        return report.model_copy(update={"recommendations": recommendations})
    request = SummaryRequest(kind="brandspace", subject=report.name, facts=facts)
    try:
        draft, usage = await provider.summarize(request)
    except AIError as exc:
        log.warning("recommendations not written", extra={"brandspace": report.brandspace, "reason": exc.reason})
        recommendations = Recommendations(status="missing", reason=exc.reason, routine_version=version)
        return report.model_copy(update={"recommendations": recommendations})
    # A suggestion is prose for the writer to reuse, not a value: the checks read a string with digits
    # as a word a claim may quote, so left in, it would exempt its own figures from them.
    checkable = [
        fact.model_copy(update={"values": {key: value for key, value in fact.values.items() if key != SUGGESTION}})
        for fact in facts
    ]
    kept, dropped = verify_claims(draft.recommendations, checkable, member_ads)
    recommendations = Recommendations(
        status="ok",
        routine_version=version,
        items=kept,
        dropped=dict(dropped),
        calls=usage.calls,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost_usd=round(usage.cost_usd, 6),
    )
    log.info(
        "recommendations written",
        extra={"brandspace": report.brandspace, "kept": len(kept), "dropped": sum(dropped.values())},
    )
    return report.model_copy(update={"recommendations": recommendations})


def render_report(report: BrandspaceReport, *, version: int | None = None) -> str:
    """The report as text for a terminal (``adology reports show``)."""
    names = {brand.partition_key: brand.name for brand in report.brands}
    heading = f"{report.name} ({report.brandspace})" + (f" — report version {version}" if version else "")
    lines = [f"{heading}, as of {report.as_of:%Y-%m-%d %H:%M} UTC", *(f"note: {note}" for note in report.notes)]
    lines += ["", "Brands"]
    for brand in report.brands:
        insights = brand.insights
        about = (
            f"insights v{insights.version} ({insights.status}, {insights.themes} themes, "
            f"{insights.significant_trends} significant trends)"
            if insights
            else "no insights yet"
        )
        lines.append(
            f"  {brand.name} [{brand.role}]: {brand.ads_total} ads, {brand.ads_active} active, "
            f"{brand.ads_new_30d} first seen by Adology in the last 30 days; {about}"
        )
        if brand.note:
            lines.append(f"     {brand.note}")
    voices = report.benchmark.share_of_voice
    if voices:
        lines += ["", "Share of voice (active ads)"]
        lines += [
            f"  {names[voice.partition_key]}: {voice.active_ads}"
            + (f" ({voice.share:.0%})" if voice.share is not None else "")
            for voice in voices
        ]
    themes = report.themes
    lines += ["", "Themes" + (f" ({themes.reason})" if themes.reason else f" (matched by {themes.method})")]
    for topic in themes.topics:
        lines.append(f"  {topic.sentence}")
        lines += [
            f"     {names[part.brand]}: {part.share:.0%} in {', '.join(part.theme_ids) or 'no theme'}"
            + (f"; e.g. {_ids(part.ad_ids[:3])}" if part.ad_ids else "")
            for part in topic.shares
        ]
    lines += ["", "Trends (significant for at least one brand)" if report.trends else "Trends: none significant"]
    for trend in report.trends[:RENDERED_TRENDS]:
        lines.append(f"  {trend.signal}")
        lines += [
            f"     {names[found.brand]}: {'↑' if found.direction == 'up' else '↓'} "
            f"{found.share_before:.0%} → {found.share_after:.0%} between {found.changed_between[0]} and "
            f"{found.changed_between[1]} (q={found.q_value:.2g}{'' if found.significant else ', not significant'})"
            for found in trend.brands
        ]
    if len(report.trends) > RENDERED_TRENDS:
        lines.append(f"  and {len(report.trends) - RENDERED_TRENDS} more signals (--json lists them all)")
    if report.ctas:
        lines += ["", "Calls to action (share of creatives; median days running; reused)"]
    for cta in report.ctas:
        lines.append(
            f"  {cta.cta}" + (f" — runs longest at {names[cta.longest_running]}" if cta.longest_running else "")
        )
        lines += [
            f"     {names[use.brand]}: {use.share:.0%}; "
            + (
                f"{use.median_days_running:.0f} days over {use.ads} ads; {use.reused_share:.0%} reused"
                if use.median_days_running is not None and use.reused_share is not None
                else "no described ads"
            )
            for use in cta.brands
        ]
    recommendations = report.recommendations
    lines += [
        "",
        f"Recommendations ({recommendations.status}"
        + (f": {recommendations.reason}" if recommendations.reason else "")
        + ")",
    ]
    lines += [f"  - {item.text} [{', '.join(item.fact_ids)}; {_ids(item.ad_ids)}]" for item in recommendations.items]
    if recommendations.dropped:
        dropped = ", ".join(f"{reason} {count}" for reason, count in sorted(recommendations.dropped.items()))
        lines.append(f"  drafts dropped by the checks: {dropped}")
    lines += _change_lines(report, names)
    return "\n".join(lines)


def _change_lines(report: BrandspaceReport, names: dict[str, str]) -> list[str]:
    diff = report.changes_since_previous
    if diff is None:
        return []
    if diff.previous_as_of is None:
        return ["", "Changes: this is the first report"]
    lines = ["", f"Changes since the report of {diff.previous_as_of:%Y-%m-%d %H:%M} UTC"]
    for cause in diff.causes:
        brand = names.get(cause.brand, cause.brand)
        if cause.kind == "insights_changed":
            lines.append(f"  cause: {brand}'s insights v{cause.from_version or '-'} → v{cause.to_version or '-'}")
        elif cause.kind == "new_ads":
            lines.append(f"  cause: {cause.ads} new ads of {brand}")
        else:
            lines.append(f"  cause: {brand} {cause.kind.replace('_', ' ').removeprefix('member ')}")
    lines += [f"  topic added: {key}" for key in diff.topics_added]
    lines += [f"  topic removed: {key}" for key in diff.topics_removed]
    lines += [
        f"  {change.kind} {change.subject}: {names.get(change.brand, change.brand)} "
        f"{change.before:.0%} → {change.after:.0%}"
        for change in diff.share_changes
    ]
    lines += [f"  trend new: {trend}" for trend in diff.trends_new]
    lines += [f"  trend ended: {trend}" for trend in diff.trends_ended]
    lines += [f"  recommendation added: {text}" for text in diff.recommendations_added]
    lines += [f"  recommendation removed: {text}" for text in diff.recommendations_removed]
    if len(lines) == 2:
        lines.append("  nothing material")
    return lines


def _ids(ad_ids: list[int]) -> str:
    return ", ".join(f"ad {ad_id}" for ad_id in ad_ids) or "no ads"
