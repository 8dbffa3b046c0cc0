"""A brandspace's competitive report, computed from what the stores hold.

**The report** (:func:`build_report`) is computed from what the stores hold at ``now``: per brand
its ads, active ads, ads first seen in the last 30 days, format, media and platform mix, top CTAs
and top UNIVERSAL/TREND labels as shares of its labelled ads; a benchmark of the primary against
its competitors (share of voice by active ads, labels where the primary trails the competitor
average); TREND labels rising between the previous and the last 30 days; and recommendations
that cite those numbers, or say which data is missing. Followed brands are reported but not
benchmarked: they are brands a customer watches, not necessarily rivals.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from adology.errors import AdologyError
from adology.knowledge.report_model import (
    Benchmark,
    BrandActivity,
    BrandspaceReport,
    Count,
    CreativeTrends,
    LabelGap,
    LabelShare,
    ReportMember,
    TrendShift,
    VoiceShare,
)
from adology.logs import get_logger

log = get_logger(__name__)

WINDOW = timedelta(days=30)  # "recent": first seen in the last 30 days; "previous": the 30 days before
TOP = 5  # entries per top list (CTAs, labels, platforms are not cut)
LABEL_GAP_MARGIN = 0.10  # a label is a gap when the competitor average leads the primary by this much
TREND_MIN_RISE = 0.05  # a TREND label's share must rise by five points to count as a trend
TREND_MIN_LABELLED_ADS = 5  # fewer labelled ads in a window make its shares noise
_ROLE_ORDER = {"primary": 0, "competitor": 1, "followed": 2}


class UnknownBrandspaceError(AdologyError):
    """The brandspace partition has no row in ``brandspaces``."""


@dataclass
class _LabelCounts:
    """One brand's labelled ads and label counts, per 30-day window (recent, previous, older)."""

    labelled: Counter[str]
    labels: dict[tuple[str, str], Counter[str]]

    def labelled_total(self) -> int:
        return sum(self.labelled.values())

    def shares(self, taxonomy: str) -> dict[str, tuple[int, float]]:
        """Per label of ``taxonomy``: the ads carrying it and their share of the brand's labelled ads."""
        total = self.labelled_total()
        shares = {}
        for (tax, label), periods in self.labels.items():
            if tax == taxonomy and total:
                ads = sum(periods.values())
                shares[label] = (ads, ads / total)
        return shares


def build_report(conn: psycopg.Connection, brandspace_key: str, *, now: datetime) -> BrandspaceReport:
    """The brandspace's competitive report from the ads and labels first seen at or before ``now``."""
    row = conn.execute("SELECT id, name FROM brandspaces WHERE partition_key = %s", (brandspace_key,)).fetchone()
    if row is None:
        raise UnknownBrandspaceError(f"no brandspace with partition key {brandspace_key!r} in table brandspaces")
    brandspace_id, name = row
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
    brand_ids = [member.brand_id for member in members]
    totals = _ad_totals(conn, brand_ids, now)
    mixes = _ad_mixes(conn, brand_ids, now)
    labels = _label_counts(conn, brand_ids, now)
    brands = [
        _activity(member, totals.get(member.brand_id, (0, 0, 0)), mixes[member.brand_id], labels[member.brand_id])
        for member in members
    ]
    benchmark = _benchmark(members, brands, labels)
    trends = _trends(labels)
    report = BrandspaceReport(
        brandspace=brandspace_key,
        name=name,
        as_of=now,
        members=members,
        brands=brands,
        benchmark=benchmark,
        trends=trends,
        recommendations=_recommendations(members, brands, benchmark, trends, labels),
    )
    log.info(
        "report built",
        extra={"brandspace": brandspace_key, "brands": len(members), "ads_counted": report.ads_counted()},
    )
    return report


def _ad_totals(conn: psycopg.Connection, brand_ids: list[int], now: datetime) -> dict[int, tuple[int, int, int]]:
    rows = conn.execute(
        """SELECT brand_id, count(*), count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE first_seen_at > %s)
           FROM ads WHERE brand_id = ANY(%s) AND first_seen_at <= %s GROUP BY brand_id""",
        (now - WINDOW, brand_ids, now),
    ).fetchall()
    return {brand_id: (total, active, new) for brand_id, total, active, new in rows}


def _ad_mixes(conn: psycopg.Connection, brand_ids: list[int], now: datetime) -> dict[int, dict[str, list[Count]]]:
    """Per brand and dimension (format, media, platform, cta): ad counts, most frequent first."""
    rows = conn.execute(
        """WITH scoped AS (SELECT brand_id, display_format, media, platforms, cta FROM ads
                           WHERE brand_id = ANY(%s) AND first_seen_at <= %s)
           SELECT brand_id, 'format', coalesce(nullif(upper(btrim(display_format)), ''), 'UNKNOWN'), count(*)
           FROM scoped GROUP BY 1, 3
           UNION ALL
           SELECT brand_id, 'media', CASE WHEN media @> '[{"kind": "video"}]' THEN 'video'
                                          WHEN jsonb_array_length(media) > 0 THEN 'image' ELSE 'none' END, count(*)
           FROM scoped GROUP BY 1, 3
           UNION ALL
           SELECT brand_id, 'platform', lower(platform), count(*) FROM scoped, unnest(platforms) platform
           GROUP BY 1, 3
           UNION ALL
           SELECT brand_id, 'cta', btrim(cta), count(*) FROM scoped WHERE nullif(btrim(cta), '') IS NOT NULL
           GROUP BY 1, 3""",
        (brand_ids, now),
    ).fetchall()
    mixes: dict[int, dict[str, list[Count]]] = defaultdict(lambda: defaultdict(list))
    for brand_id, dimension, value, ads in rows:
        mixes[brand_id][dimension].append(Count(value=value, ads=ads))
    for dimensions in mixes.values():
        for counts in dimensions.values():
            counts.sort(key=lambda count: (-count.ads, count.value))
    return mixes


def _label_counts(conn: psycopg.Connection, brand_ids: list[int], now: datetime) -> dict[int, _LabelCounts]:
    rows = conn.execute(
        """WITH scoped AS (
               SELECT id, brand_id, CASE WHEN first_seen_at > %(recent)s THEN 'recent'
                                         WHEN first_seen_at > %(previous)s THEN 'previous' ELSE 'older' END AS period
               FROM ads WHERE brand_id = ANY(%(brands)s) AND first_seen_at <= %(now)s
           ), newest AS (
               -- an ad labelled again under a new taxonomy version keeps the old rows; only the newest counts
               SELECT DISTINCT ON (l.ad_id, l.taxonomy) l.ad_id, l.taxonomy, l.taxonomy_version
               FROM ad_labels l JOIN scoped s ON s.id = l.ad_id
               ORDER BY l.ad_id, l.taxonomy, l.created_at DESC, l.taxonomy_version DESC
           )
           SELECT s.brand_id, s.period, l.taxonomy, l.label, count(DISTINCT l.ad_id)
           FROM ad_labels l JOIN newest USING (ad_id, taxonomy, taxonomy_version) JOIN scoped s ON s.id = l.ad_id
           GROUP BY GROUPING SETS ((s.brand_id, s.period), (s.brand_id, s.period, l.taxonomy, l.label))""",
        {"recent": now - WINDOW, "previous": now - 2 * WINDOW, "brands": brand_ids, "now": now},
    ).fetchall()
    counts: dict[int, _LabelCounts] = defaultdict(lambda: _LabelCounts(Counter(), defaultdict(Counter)))
    for brand_id, period, taxonomy, label, ads in rows:
        if taxonomy is None:  # the (brand, period) subtotal: ads with at least one label
            counts[brand_id].labelled[period] = ads
        else:
            counts[brand_id].labels[(taxonomy, label)][period] = ads
    return counts


def _top_labels(counts: _LabelCounts, taxonomy: str) -> list[LabelShare]:
    ranked = sorted(counts.shares(taxonomy).items(), key=lambda item: (-item[1][0], item[0]))
    return [LabelShare(label=label, ads=ads, share=round(share, 4)) for label, (ads, share) in ranked[:TOP]]


def _activity(
    member: ReportMember, totals: tuple[int, int, int], mix: dict[str, list[Count]], labels: _LabelCounts
) -> BrandActivity:
    total, active, new = totals
    return BrandActivity(
        partition_key=member.partition_key,
        name=member.name,
        role=member.role,
        ads_total=total,
        ads_active=active,
        ads_new_30d=new,
        labelled_ads=labels.labelled_total(),
        formats=mix["format"],
        media=mix["media"],
        platforms=mix["platform"],
        top_ctas=mix["cta"][:TOP],
        top_universal_labels=_top_labels(labels, "UNIVERSAL"),
        top_trend_labels=_top_labels(labels, "TREND"),
    )


def _benchmark(members: list[ReportMember], brands: list[BrandActivity], labels: dict[int, _LabelCounts]) -> Benchmark:
    primary = next((member for member in members if member.role == "primary"), None)
    competitors = [member for member in members if member.role == "competitor"]
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
    gaps = []
    labelled_competitors = [labels[m.brand_id] for m in competitors if labels[m.brand_id].labelled_total()]
    if primary and labels[primary.brand_id].labelled_total() and labelled_competitors:
        for taxonomy in ("UNIVERSAL", "TREND"):
            primary_shares = labels[primary.brand_id].shares(taxonomy)
            competitor_shares = [counts.shares(taxonomy) for counts in labelled_competitors]
            for label in sorted({label for shares in competitor_shares for label in shares}):
                average = sum(shares.get(label, (0, 0.0))[1] for shares in competitor_shares) / len(competitor_shares)
                own = primary_shares.get(label, (0, 0.0))[1]
                if average - own >= LABEL_GAP_MARGIN:
                    gaps.append(
                        LabelGap(
                            taxonomy=taxonomy,
                            label=label,
                            primary_share=round(own, 4),
                            competitor_average=round(average, 4),
                            competitors_with_label=sum(label in shares for shares in competitor_shares),
                        )
                    )
    gaps.sort(key=lambda gap: (-(gap.competitor_average - gap.primary_share), gap.taxonomy, gap.label))
    return Benchmark(
        primary=primary.partition_key if primary else None,
        competitors=[member.partition_key for member in competitors],
        share_of_voice=voices,
        label_gaps=gaps,
    )


def _trends(labels: dict[int, _LabelCounts]) -> CreativeTrends:
    """TREND labels whose share of the brandspace's labelled ads rose from the previous 30 days to the last 30."""
    labelled: Counter[str] = Counter()
    trend_ads: dict[str, Counter[str]] = defaultdict(Counter)
    for counts in labels.values():  # an ad belongs to one brand, so per-brand counts add up
        labelled.update(counts.labelled)
        for (taxonomy, label), periods in counts.labels.items():
            if taxonomy == "TREND":
                trend_ads[label].update(periods)
    rising = []
    if min(labelled["previous"], labelled["recent"]) >= TREND_MIN_LABELLED_ADS:
        for label, periods in trend_ads.items():
            before, after = periods["previous"] / labelled["previous"], periods["recent"] / labelled["recent"]
            if after - before >= TREND_MIN_RISE:
                rising.append(
                    TrendShift(
                        label=label,
                        previous_ads=periods["previous"],
                        recent_ads=periods["recent"],
                        previous_share=round(before, 4),
                        recent_share=round(after, 4),
                    )
                )
    rising.sort(key=lambda shift: (-(shift.recent_share - shift.previous_share), shift.label))
    return CreativeTrends(
        window_days=WINDOW.days,
        previous_labelled_ads=labelled["previous"],
        recent_labelled_ads=labelled["recent"],
        rising=rising,
    )


def _recommendations(
    members: list[ReportMember],
    brands: list[BrandActivity],
    benchmark: Benchmark,
    trends: CreativeTrends,
    labels: dict[int, _LabelCounts],
) -> list[str]:
    """Plain sentences drawn from the report's numbers; missing data is said, never filled in."""
    if benchmark.primary is None:
        return ["The brandspace has no primary brand, so nothing is benchmarked; set one to get recommendations."]
    activity = {brand.partition_key: brand for brand in brands}
    primary = activity[benchmark.primary]
    primary_labels = labels[next(m.brand_id for m in members if m.role == "primary")]
    competitors = [activity[key] for key in benchmark.competitors]
    said = []
    if not competitors:
        said.append(
            f"The brandspace has no competitors, so {primary.name} is not benchmarked; "
            "add competitors to measure share of voice and label gaps."
        )
    if primary.ads_total == 0:
        said.append(f"No ads of {primary.name} are stored yet, so its own activity cannot be assessed.")
    said += _voice_sentences(primary, benchmark, activity)
    if primary.ads_total and not primary.labelled_ads:
        said.append(
            f"None of {primary.name}'s {primary.ads_total} ads is labelled yet (labels come with analysis, "
            "for analyzed brands only), so its creative themes cannot be compared."
        )
    if competitors and not any(brand.labelled_ads for brand in competitors):
        said.append("No competitor ad is labelled yet, so there is no label benchmark.")
    for gap in benchmark.label_gaps[:3]:
        said.append(
            f"'{gap.label}' ({gap.taxonomy}) appears in {gap.primary_share:.0%} of {primary.name}'s labelled "
            f"ads against a competitor average of {gap.competitor_average:.0%} "
            f"({gap.competitors_with_label} of {len(competitors)} competitors use it); consider testing it."
        )
    if primary.labelled_ads and any(brand.labelled_ads for brand in competitors) and not benchmark.label_gaps:
        said.append(
            f"{primary.name} trails the competitor average by less than {LABEL_GAP_MARGIN:.0%} on every "
            "label; no label gap stands out."
        )
    competitor_new = sum(brand.ads_new_30d for brand in competitors)
    if primary.ads_total and primary.ads_new_30d == 0 and competitor_new:
        said.append(
            f"No new ad of {primary.name} was first seen in the last 30 days, against {competitor_new} "
            "from its competitors; its creative rotation has stalled."
        )
    said += _trend_sentences(primary, primary_labels, trends)
    return said


def _voice_sentences(primary: BrandActivity, benchmark: Benchmark, activity: dict[str, BrandActivity]) -> list[str]:
    if not benchmark.competitors:
        return []
    voices = benchmark.share_of_voice
    total = sum(voice.active_ads for voice in voices)
    if total == 0:
        return [f"None of the {len(voices)} benchmarked brands has an active ad, so share of voice cannot be measured."]
    own = next(voice for voice in voices if voice.partition_key == benchmark.primary)
    leader = next(voice for voice in voices if voice.partition_key != benchmark.primary)  # the strongest rival
    if own.active_ads > leader.active_ads:
        return [f"{primary.name} leads share of voice with {own.active_ads} of {total} active ads ({own.share:.0%})."]
    if own.active_ads == leader.active_ads:
        return [
            (
                f"{primary.name} shares the lead in share of voice with {activity[leader.partition_key].name}: "
                f"{own.active_ads} of {total} active ads each ({own.share:.0%})."
            )
        ]
    return [
        (
            f"{primary.name} runs {own.active_ads} of {total} active ads ({own.share:.0%} share of voice) against "
            f"{activity[leader.partition_key].name}'s {leader.active_ads} ({leader.share:.0%}); more active ads "
            "would close that gap."
        )
    ]


def _trend_sentences(primary: BrandActivity, primary_labels: _LabelCounts, trends: CreativeTrends) -> list[str]:
    if min(trends.previous_labelled_ads, trends.recent_labelled_ads) < TREND_MIN_LABELLED_ADS:
        return [
            (
                f"Too few labelled ads to compare the last two {trends.window_days}-day windows "
                f"({trends.previous_labelled_ads} before, {trends.recent_labelled_ads} recent; at least "
                f"{TREND_MIN_LABELLED_ADS} each are needed), so no creative trend is reported."
            )
        ]
    said = []
    recent_own = primary_labels.labelled["recent"]
    for shift in trends.rising[:3]:
        own = primary_labels.labels.get(("TREND", shift.label), Counter())["recent"]
        usage = (
            f"{primary.name} used it in {own} of its {recent_own} labelled ads of that window"
            if recent_own
            else f"{primary.name} has no labelled ad in that window"
        )
        said.append(
            f"'{shift.label}' is rising across the brandspace: {shift.previous_share:.0%} of labelled ads in "
            f"the previous {trends.window_days} days, {shift.recent_share:.0%} in the last "
            f"{trends.window_days}; {usage}."
        )
    return said
