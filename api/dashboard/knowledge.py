"""Insight (a brand's themes, trends and attributes, and its competitors side by side), Inspire (the
brandspace's report with its evidence and versions), AdSpend (disclosed ranges with their basis) and
Inquire (the chat panel; the answer streams from the API's Inquire route)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from adology.knowledge.insights.model import BrandInsights, Trend, TrendSet
from adology.knowledge.insights.store import latest_insights
from adology.knowledge.snapshots import load_report
from adology.requests.messages import BRAND_KEY_PATTERN
from adology.serving.ads import first_creatives, monthly_starts
from adology.serving.brands import MemberBrand, brandspace_members
from adology.serving.knowledge import report_versions
from adology.serving.spend import spend_query
from adology.tenancy.errors import NotFoundError
from api.dashboard.shell import PageShell
from api.dashboard.templating import PREFIX, render
from api.deps import CurrentUser, Db, UsableBrandspace

router = APIRouter(prefix=PREFIX, include_in_schema=False)

TREND_CHARTS = 6  # the significant trends charted; the rest are listed
SPEND_MONTHS = 24  # months charted (ads started, spend)
BrandParam = Annotated[str | None, Query(pattern=BRAND_KEY_PATTERN)]


def _trend_chart(trend: Trend, trends: TrendSet) -> dict[str, Any]:
    """A line of the signal's share per period, the periods after the change drawn apart."""
    starts = [period.start.isoformat() for period in trends.periods]
    change = next((i for i, start in enumerate(trends.periods) if start.start >= trend.change_after), len(starts))
    shares = trend.shares_by_period
    # the two lines share the last period before the change, so they join there
    before = [share if i < change else None for i, share in enumerate(shares)]
    after = [share if i >= change - 1 else None for i, share in enumerate(shares)]
    return {
        "type": "line",
        "labels": starts,
        "percent": True,
        "series": [{"name": "before the change", "values": before}, {"name": "after the change", "values": after}],
    }


def _activity_chart(rows: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Any]:
    """Ads started per month, a bar series per brand of the brandspace."""
    months = sorted({row["month"] for row in rows})
    counts = {(row["month"], row["brand"]): row["ads"] for row in rows}
    return {
        "type": "bar",
        "labels": [month.strftime("%b %Y") for month in months],
        "series": [
            {"name": name, "values": [counts.get((month, key), 0) for month in months]} for key, name in names.items()
        ],
    }


def _top(insights: BrandInsights, attribute: str) -> tuple[str, float] | None:
    for distribution in insights.attributes.distributions:
        if distribution.attribute == attribute and distribution.values:
            return distribution.values[0].value, distribution.values[0].share
    return None


def _side_by_side(members: dict[str, MemberBrand], stored: dict[str, BrandInsights | None]) -> list[dict[str, Any]]:
    """Each brand of the brandspace beside the others, from its newest insights."""
    rows = []
    for key, member in members.items():
        insights = stored[key]
        rows.append(
            {
                "key": key,
                "name": member.name,
                "insights": insights,
                "top_theme": insights.themes.themes[0] if insights and insights.themes.themes else None,
                "top_cta": _top(insights, "cta_type") if insights else None,
                "top_offer": _top(insights, "offer_type") if insights else None,
                "significant": sum(t.significant for t in insights.trends.trends) if insights else 0,
            }
        )
    return rows


@router.get("/b/{brandspace_id}/insight", response_class=HTMLResponse)
def insight(
    request: Request, space: UsableBrandspace, shell: PageShell, conn: Db, brand: BrandParam = None
) -> Response:
    members = brandspace_members(conn, space.id)
    chosen = brand or next(iter(members), None)
    if chosen is not None and chosen not in members:
        raise NotFoundError("brand in this brandspace", chosen)
    versions = {key: latest_insights(conn, member.id) for key, member in members.items()}  # each read once
    stored = versions[chosen] if chosen else None
    insights = stored.insights if stored else None
    charts = []
    covers: dict[int, dict[str, Any]] = {}
    if insights is not None:
        covers = first_creatives(conn, [ad for theme in insights.themes.themes for ad in theme.exemplar_ad_ids])
        significant = [trend for trend in insights.trends.trends if trend.significant][:TREND_CHARTS]
        charts = [(trend, _trend_chart(trend, insights.trends)) for trend in significant]
    names = {key: member.name for key, member in members.items()}
    return shell.page(
        request,
        "insight.html",
        space,
        "insight",
        names=names,
        chosen=chosen,
        insights=insights,
        version=stored.version if stored else None,
        charts=charts,
        covers=covers,
        compared=_side_by_side(members, {key: item.insights if item else None for key, item in versions.items()}),
        activity=_activity_chart(monthly_starts(conn, list(space.brand_ids), months=SPEND_MONTHS), names),
    )


@router.get("/b/{brandspace_id}/inspire", response_class=HTMLResponse)
def inspire(
    request: Request,
    space: UsableBrandspace,
    shell: PageShell,
    conn: Db,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    loaded = load_report(conn, space.partition_key, version=version)
    if loaded is None and version is not None:
        raise NotFoundError("report version", version)
    report = loaded.report if loaded else None
    cited = [ad for item in report.recommendations.items for ad in item.ad_ids] if report else []
    voice = None
    if report is not None:
        names = {member.partition_key: member.name for member in report.members}
        shares = [item for item in report.benchmark.share_of_voice if item.share is not None]
        voice = {
            "type": "bar",
            "labels": [names.get(item.partition_key, item.partition_key) for item in shares],
            "percent": True,
            "series": [{"name": "share of active ads", "values": [item.share for item in shares]}],
        }
    return shell.page(
        request,
        "inspire.html",
        space,
        "inspire",
        report=report,
        version=loaded.stored.version if loaded else None,
        versions=report_versions(conn, space.id),
        voice=voice,
        covers=first_creatives(conn, cited),
    )


def _spend_chart(rows: list[dict[str, Any]], lower: str, upper: str) -> dict[str, Any]:
    """Floating bars, one series per brand: each month's summed range, lower to upper (an open-ended
    range is drawn to its lower bound)."""
    months = sorted({row["month"] for row in rows})[-SPEND_MONTHS:]
    brands = sorted({(row["brand"], row["brand_name"]) for row in rows})
    cells = {(row["month"], row["brand"]): row for row in rows}
    series = []
    for key, name in brands:
        values = []
        for month in months:
            row = cells.get((month, key))
            low = row[lower] if row else None
            values.append(None if low is None else [low, row[upper] if row[upper] is not None else low])  # type: ignore[index]
        series.append({"name": name, "values": values})
    return {"type": "bar", "labels": [month.strftime("%b %Y") for month in months], "series": series}


@router.get("/b/{brandspace_id}/adspend", response_class=HTMLResponse)
def adspend(request: Request, space: UsableBrandspace, shell: PageShell, conn: Db) -> Response:
    rows = list(spend_query(list(space.brand_ids)).stream(conn)) if space.brand_ids else []
    disclosed = [row for row in rows if row["ads_disclosing_spend"] or row["ads_disclosing_impressions"]]
    return shell.page(
        request,
        "adspend.html",
        space,
        "adspend",
        rows=disclosed,
        ads=sum(row["ads"] for row in rows),
        ads_with_spend=sum(row["ads_disclosing_spend"] for row in rows),
        spend=_spend_chart([r for r in disclosed if r["ads_disclosing_spend"]], "spend_lower", "spend_upper"),
        impressions=_spend_chart(
            [r for r in disclosed if r["ads_disclosing_impressions"]], "impressions_lower", "impressions_upper"
        ),
    )


@router.get("/b/{brandspace_id}/inquire", response_class=HTMLResponse)
def inquire(request: Request, space: UsableBrandspace, shell: PageShell) -> Response:
    return shell.page(request, "inquire.html", space, "inquire")


@router.get("/b/{brandspace_id}/citations", response_class=HTMLResponse)
def citations(
    request: Request,
    space: UsableBrandspace,
    user: CurrentUser,
    conn: Db,
    ad: Annotated[list[int], Query(max_length=50)],
) -> Response:
    """Thumbnails of the ads an answer cites (those of the brandspace's brands only)."""
    rows = conn.execute(
        """SELECT a.id, a.title, b.name FROM ads a JOIN brands b ON b.id = a.brand_id
           WHERE a.id = ANY(%s) AND a.brand_id = ANY(%s)""",
        (ad, list(space.brand_ids)),
    ).fetchall()
    found = {row[0]: {"id": row[0], "title": row[1], "brand_name": row[2]} for row in rows}
    context = {
        "ads": [found[ad_id] for ad_id in ad if ad_id in found],
        "covers": first_creatives(conn, list(found)),
        "space": space,
        "prefix": PREFIX,
    }
    return render(request, "fragments/citations.html", context)
