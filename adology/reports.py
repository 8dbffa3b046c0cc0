"""Brandspace reports: when one is refreshed, what it says, and how each version is stored.

**The refresh rule** (ARCHITECTURE §7, flow 4). Three signals are measured for every brandspace
against its latest report; the report is refreshed when at least two of them hold:

- ``membership_changed``: the set of competitor and followed brands differs from the set the
  latest report covered (a brand was added or removed; the primary does not count);
- ``new_member_ads``: an ad of a competitor or followed brand was first seen after the latest
  report (the primary's new ads do not count here);
- ``stale_with_new_ads``: the latest report is at least seven days old and an ad of any brand in
  the brandspace, the primary included, was first seen after it.

A brandspace with no report yet is measured against "nothing reported": the baseline membership
is the empty set, every ad it holds is new, and it counts as stale. So a brandspace with
competitors or followed brands that have ads gets its first report at once, without waiting for
acquisition to bring a fresh ad; one with only a primary brand (one signal at most) does not.

:func:`refresh_signals` measures all brandspaces in one query: per brandspace an index probe for
its latest report and index probes on ``ads (brand_id, first_seen_at)`` for its brands.

**The report** (:func:`build_report`) is computed from what the stores hold at ``now``: per brand
its ads, active ads, ads first seen in the last 30 days, format, media and platform mix, top CTAs
and top UNIVERSAL/TREND labels as shares of its labelled ads; a benchmark of the primary against
its competitors (share of voice by active ads, labels where the primary trails the competitor
average); TREND labels rising between the previous and the last 30 days; and recommendations
that cite those numbers, or say which data is missing. Followed brands are reported but not
benchmarked: they are brands a customer watches, not necessarily rivals.

**Storage** (:func:`store_report`): versions count up per brandspace under a per-brandspace
lock; the JSON snapshot goes to ``reports/{brandspace}/{version}.json`` in S3 before the row that
points to it commits.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Literal

import psycopg
from psycopg.types.json import Jsonb
from pydantic import AwareDatetime, BaseModel, ConfigDict

from adology.errors import AdologyError
from adology.logs import get_logger
from adology.storage.s3 import ObjectStore

log = get_logger(__name__)

Role = Literal["primary", "competitor", "followed"]
Taxonomy = Literal["UNIVERSAL", "TREND"]

STALE_AFTER = timedelta(days=7)
WINDOW = timedelta(days=30)  # "recent": first seen in the last 30 days; "previous": the 30 days before
TOP = 5  # entries per top list (CTAs, labels, platforms are not cut)
LABEL_GAP_MARGIN = 0.10  # a label is a gap when the competitor average leads the primary by this much
TREND_MIN_RISE = 0.05  # a TREND label's share must rise by five points to count as a trend
TREND_MIN_LABELLED_ADS = 5  # fewer labelled ads in a window make its shares noise
_ROLE_ORDER = {"primary": 0, "competitor": 1, "followed": 2}


class UnknownBrandspaceError(AdologyError):
    """The brandspace partition has no row in ``brandspaces``."""


# --- the refresh rule ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshSignals:
    membership_changed: bool
    new_member_ads: bool
    stale_with_new_ads: bool

    def held(self) -> tuple[str, ...]:
        """The names of the signals that hold, in declaration order."""
        return tuple(field.name for field in fields(self) if getattr(self, field.name))


def should_refresh(signals: RefreshSignals) -> bool:
    """The rule: refresh when at least two of the three signals hold."""
    return len(signals.held()) >= 2


@dataclass(frozen=True)
class BrandspaceSignals:
    brandspace: str  # partition key
    latest_version: int  # 0 when the brandspace has no report yet
    signals: RefreshSignals


def refresh_signals(conn: psycopg.Connection, *, now: datetime) -> list[BrandspaceSignals]:
    """The three signals for every brandspace, measured at ``now``, ordered by partition key.

    Only ads first seen at or before ``now`` count, so the answer is a function of the data and
    ``now`` alone.
    """
    rows = conn.execute(
        """WITH measured AS (
               SELECT s.partition_key, r.version, r.created_at, r.member_brand_ids,
                      (SELECT coalesce(jsonb_agg(m.brand_id), '[]'::jsonb) FROM brandspace_brands m
                       WHERE m.brandspace_id = s.id AND m.role <> 'primary') AS current_members,
                      EXISTS (SELECT 1 FROM brandspace_brands m JOIN ads a ON a.brand_id = m.brand_id
                              WHERE m.brandspace_id = s.id AND m.role <> 'primary'
                                AND a.first_seen_at > coalesce(r.created_at, '-infinity') AND a.first_seen_at <= %(now)s
                             ) AS member_ads_since,
                      EXISTS (SELECT 1 FROM brandspace_brands m JOIN ads a ON a.brand_id = m.brand_id
                              WHERE m.brandspace_id = s.id
                                AND a.first_seen_at > coalesce(r.created_at, '-infinity') AND a.first_seen_at <= %(now)s
                             ) AS any_ads_since
               FROM brandspaces s
               LEFT JOIN LATERAL (SELECT version, created_at, member_brand_ids FROM brandspace_reports
                                  WHERE brandspace_id = s.id ORDER BY version DESC LIMIT 1) r ON true
           )
           SELECT partition_key, coalesce(version, 0),
                  -- jsonb containment both ways: equal as sets, whatever the order
                  NOT (current_members @> coalesce(member_brand_ids, '[]'::jsonb)
                       AND coalesce(member_brand_ids, '[]'::jsonb) @> current_members),
                  member_ads_since,
                  coalesce(created_at <= %(stale_before)s, true) AND any_ads_since
           FROM measured ORDER BY partition_key""",
        {"now": now, "stale_before": now - STALE_AFTER},
    ).fetchall()
    return [BrandspaceSignals(key, version, RefreshSignals(changed, member_ads, stale))
            for key, version, changed, member_ads, stale in rows]


# --- the report ----------------------------------------------------------------------------------


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
        values = [item.share for brand in self.brands
                  for item in brand.top_universal_labels + brand.top_trend_labels]
        values += [item.share for item in self.benchmark.share_of_voice if item.share is not None]
        values += [share for gap in self.benchmark.label_gaps for share in (gap.primary_share, gap.competitor_average)]
        values += [share for shift in self.trends.rising for share in (shift.previous_share, shift.recent_share)]
        return values

    def ads_counted(self) -> int:
        return sum(brand.ads_total for brand in self.brands)


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
        (ReportMember(brand_id=brand_id, partition_key=key, name=brand_name, role=role)
         for brand_id, key, brand_name, role in conn.execute(
             "SELECT b.id, b.partition_key, b.name, m.role FROM brandspace_brands m JOIN brands b ON b.id = m.brand_id "
             "WHERE m.brandspace_id = %s", (brandspace_id,))),
        key=lambda member: (_ROLE_ORDER[member.role], member.partition_key),
    )
    brand_ids = [member.brand_id for member in members]
    totals = _ad_totals(conn, brand_ids, now)
    mixes = _ad_mixes(conn, brand_ids, now)
    labels = _label_counts(conn, brand_ids, now)
    brands = [_activity(member, totals.get(member.brand_id, (0, 0, 0)), mixes[member.brand_id],
                        labels[member.brand_id]) for member in members]
    benchmark = _benchmark(members, brands, labels)
    trends = _trends(labels)
    report = BrandspaceReport(
        brandspace=brandspace_key, name=name, as_of=now, members=members, brands=brands, benchmark=benchmark,
        trends=trends, recommendations=_recommendations(members, brands, benchmark, trends, labels),
    )
    log.info("report built", extra={"brandspace": brandspace_key, "brands": len(members),
                                    "ads_counted": report.ads_counted()})
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


def _activity(member: ReportMember, totals: tuple[int, int, int], mix: dict[str, list[Count]],
              labels: _LabelCounts) -> BrandActivity:
    total, active, new = totals
    return BrandActivity(
        partition_key=member.partition_key, name=member.name, role=member.role,
        ads_total=total, ads_active=active, ads_new_30d=new, labelled_ads=labels.labelled_total(),
        formats=mix["format"], media=mix["media"], platforms=mix["platform"], top_ctas=mix["cta"][:TOP],
        top_universal_labels=_top_labels(labels, "UNIVERSAL"), top_trend_labels=_top_labels(labels, "TREND"),
    )


def _benchmark(members: list[ReportMember], brands: list[BrandActivity],
               labels: dict[int, _LabelCounts]) -> Benchmark:
    primary = next((member for member in members if member.role == "primary"), None)
    competitors = [member for member in members if member.role == "competitor"]
    activity = {brand.partition_key: brand for brand in brands}
    compared = ([primary] if primary else []) + competitors
    active_total = sum(activity[member.partition_key].ads_active for member in compared)
    voices = sorted(
        (VoiceShare(partition_key=member.partition_key, role=member.role,
                    active_ads=activity[member.partition_key].ads_active,
                    share=round(activity[member.partition_key].ads_active / active_total, 4) if active_total else None)
         for member in compared),
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
                    gaps.append(LabelGap(taxonomy=taxonomy, label=label, primary_share=round(own, 4),
                                         competitor_average=round(average, 4),
                                         competitors_with_label=sum(label in shares for shares in competitor_shares)))
    gaps.sort(key=lambda gap: (-(gap.competitor_average - gap.primary_share), gap.taxonomy, gap.label))
    return Benchmark(primary=primary.partition_key if primary else None,
                     competitors=[member.partition_key for member in competitors], share_of_voice=voices,
                     label_gaps=gaps)


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
                rising.append(TrendShift(label=label, previous_ads=periods["previous"], recent_ads=periods["recent"],
                                         previous_share=round(before, 4), recent_share=round(after, 4)))
    rising.sort(key=lambda shift: (-(shift.recent_share - shift.previous_share), shift.label))
    return CreativeTrends(window_days=WINDOW.days, previous_labelled_ads=labelled["previous"],
                          recent_labelled_ads=labelled["recent"], rising=rising)


def _recommendations(members: list[ReportMember], brands: list[BrandActivity], benchmark: Benchmark,
                     trends: CreativeTrends, labels: dict[int, _LabelCounts]) -> list[str]:
    """Plain sentences drawn from the report's numbers; missing data is said, never filled in."""
    if benchmark.primary is None:
        return ["The brandspace has no primary brand, so nothing is benchmarked; set one to get recommendations."]
    activity = {brand.partition_key: brand for brand in brands}
    primary = activity[benchmark.primary]
    primary_labels = labels[next(m.brand_id for m in members if m.role == "primary")]
    competitors = [activity[key] for key in benchmark.competitors]
    said = []
    if not competitors:
        said.append(f"The brandspace has no competitors, so {primary.name} is not benchmarked; "
                    "add competitors to measure share of voice and label gaps.")
    if primary.ads_total == 0:
        said.append(f"No ads of {primary.name} are stored yet, so its own activity cannot be assessed.")
    said += _voice_sentences(primary, benchmark, activity)
    if primary.ads_total and not primary.labelled_ads:
        said.append(f"None of {primary.name}'s {primary.ads_total} ads is labelled yet (labels come with analysis, "
                    "for analyzed brands only), so its creative themes cannot be compared.")
    if competitors and not any(brand.labelled_ads for brand in competitors):
        said.append("No competitor ad is labelled yet, so there is no label benchmark.")
    for gap in benchmark.label_gaps[:3]:
        said.append(f"'{gap.label}' ({gap.taxonomy}) appears in {gap.primary_share:.0%} of {primary.name}'s labelled "
                    f"ads against a competitor average of {gap.competitor_average:.0%} "
                    f"({gap.competitors_with_label} of {len(competitors)} competitors use it); consider testing it.")
    if primary.labelled_ads and any(brand.labelled_ads for brand in competitors) and not benchmark.label_gaps:
        said.append(f"{primary.name} trails the competitor average by less than {LABEL_GAP_MARGIN:.0%} on every "
                    "label; no label gap stands out.")
    competitor_new = sum(brand.ads_new_30d for brand in competitors)
    if primary.ads_total and primary.ads_new_30d == 0 and competitor_new:
        said.append(f"No new ad of {primary.name} was first seen in the last 30 days, against {competitor_new} "
                    "from its competitors; its creative rotation has stalled.")
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
        return [(f"{primary.name} shares the lead in share of voice with {activity[leader.partition_key].name}: "
                 f"{own.active_ads} of {total} active ads each ({own.share:.0%}).")]
    return [(f"{primary.name} runs {own.active_ads} of {total} active ads ({own.share:.0%} share of voice) against "
             f"{activity[leader.partition_key].name}'s {leader.active_ads} ({leader.share:.0%}); more active ads "
             "would close that gap.")]


def _trend_sentences(primary: BrandActivity, primary_labels: _LabelCounts, trends: CreativeTrends) -> list[str]:
    if min(trends.previous_labelled_ads, trends.recent_labelled_ads) < TREND_MIN_LABELLED_ADS:
        return [(f"Too few labelled ads to compare the last two {trends.window_days}-day windows "
                 f"({trends.previous_labelled_ads} before, {trends.recent_labelled_ads} recent; at least "
                 f"{TREND_MIN_LABELLED_ADS} each are needed), so no creative trend is reported.")]
    said = []
    recent_own = primary_labels.labelled["recent"]
    for shift in trends.rising[:3]:
        own = primary_labels.labels.get(("TREND", shift.label), Counter())["recent"]
        usage = (f"{primary.name} used it in {own} of its {recent_own} labelled ads of that window"
                 if recent_own else f"{primary.name} has no labelled ad in that window")
        said.append(f"'{shift.label}' is rising across the brandspace: {shift.previous_share:.0%} of labelled ads in "
                    f"the previous {trends.window_days} days, {shift.recent_share:.0%} in the last "
                    f"{trends.window_days}; {usage}.")
    return said


# --- storage -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredReport:
    brandspace: str
    version: int
    s3_key: str
    trigger: str


def report_key(brandspace_key: str, version: int) -> str:
    return f"reports/{brandspace_key}/{version}.json"


def store_report(conn: psycopg.Connection, store: ObjectStore, brandspace_key: str, report: BrandspaceReport,
                 *, trigger: str) -> StoredReport:
    """Store ``report`` as the brandspace's next version: S3 snapshot first, then the row, in one transaction.

    A transaction-scoped advisory lock per brandspace makes concurrent writers take turns, so
    ``max(version) + 1`` is never computed twice for one version (the primary key would refuse it
    anyway). The snapshot is written before the row commits, so a row never points to a missing
    object; a failure after the upload leaves an object no row names, which the next version's
    upload of the same key replaces.
    """
    body = report.model_dump(mode="json")
    with conn.transaction():
        row = conn.execute("SELECT id FROM brandspaces WHERE partition_key = %s", (brandspace_key,)).fetchone()
        if row is None:
            raise UnknownBrandspaceError(f"no brandspace with partition key {brandspace_key!r} in table brandspaces")
        (brandspace_id,) = row
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('brandspace_reports:' || %s::text, 0))",
                     (brandspace_id,))
        (version,) = conn.execute("SELECT coalesce(max(version), 0) + 1 FROM brandspace_reports "
                                  "WHERE brandspace_id = %s", (brandspace_id,)).fetchone()
        key = report_key(brandspace_key, version)
        store.put_bytes(key=key, data=json.dumps(body).encode(), content_type="application/json")
        # created_at is the report's as_of: ads first seen after it are the next report's "new ads"
        conn.execute(
            "INSERT INTO brandspace_reports (brandspace_id, version, report, s3_key, trigger, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (brandspace_id, version, Jsonb(body), key, trigger, report.as_of),
        )
    log.info("report stored", extra={"brandspace": brandspace_key, "version": version, "s3_key": key,
                                     "trigger": trigger})
    return StoredReport(brandspace_key, version, key, trigger)


def stored_report_problems(conn: psycopg.Connection, store: ObjectStore, stored: StoredReport) -> list[str]:
    """What is wrong with a stored version: a missing row or object, or a snapshot that differs from the row."""
    row = conn.execute(
        "SELECT r.report, r.s3_key FROM brandspace_reports r JOIN brandspaces s ON s.id = r.brandspace_id "
        "WHERE s.partition_key = %s AND r.version = %s", (stored.brandspace, stored.version),
    ).fetchone()
    if row is None:
        return [f"no row for version {stored.version} in brandspace_reports"]
    report, key = row
    if key != stored.s3_key:
        return [f"the row names {key!r}, not {stored.s3_key!r}"]
    if not store.exists(key=key):
        return [f"the snapshot {key} is missing from the bucket"]
    if json.loads(store.get_bytes(key=key)) != report:
        return [f"the snapshot {key} differs from the row"]
    return []
