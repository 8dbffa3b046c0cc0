"""Brand insights as text for a terminal (``adology insights show``)."""

from __future__ import annotations

from adology.knowledge.insights.model import BrandInsights, Trend

TOP_TRENDS = 8


def render_insights(insights: BrandInsights, version: int) -> str:
    lines = [
        f"{insights.name} ({insights.brand}) — insights version {version}, as of {insights.as_of:%Y-%m-%d %H:%M} UTC",
        f"{insights.ads_counted} ads in {insights.units_counted} creative units; status: {insights.status}",
        *(f"note: {note}" for note in insights.notes),
        "",
        "Themes" + (f" ({insights.themes.reason})" if insights.themes.reason else ""),
    ]
    for theme in insights.themes.themes:
        lines.append(
            f"  {theme.id} {theme.name} — {theme.share:.0%} of ads, {theme.first_seen} to {theme.last_seen}; "
            f"terms: {', '.join(theme.terms)}; exemplars: {_ids(theme.exemplar_ad_ids)}"
        )
        if theme.summary:
            lines.append(f"     {theme.summary}")
    trends = insights.trends
    lines += ["", "Trends" + (f" ({trends.reason})" if trends.reason else "")]
    if trends.status == "ok":
        significant = insights.significant_trends()
        lines.append(
            f"  {trends.tested} signals tested per {trends.period} over {len(trends.periods)} periods; "
            f"{len(significant)} significant at q ≤ {trends.level}"
        )
        lines += [_trend_line(trend) for trend in significant[:TOP_TRENDS]]
        if not significant and trends.trends:
            lines.append("  none significant; the strongest was:")
            lines.append(_trend_line(trends.trends[0]))
    visual = insights.visual
    if visual.shift is not None:
        lines.append(f"  visual drift: {visual.shift:.2f} cosine distance around {visual.split} ({visual.signal})")
    lines += ["", "Attributes"]
    for distribution in insights.attributes.distributions:
        if distribution.values:
            top = ", ".join(f"{value.value} {value.share:.0%}" for value in distribution.values[:4])
            lines.append(f"  {distribution.attribute} (of {distribution.known_ads}): {top}")
    momentum = insights.momentum
    lines += [
        "",
        "Momentum",
        f"  {momentum.active_ads} active ads; {momentum.new_7d} new in 7 days, {momentum.new_30d} in 30 "
        f"(newest started {momentum.latest_start}); median {_days(momentum.median_days_running)} running",
        f"  proven creative (running ≥ {momentum.proven.threshold_days} days): {momentum.proven.ads} ads "
        f"({momentum.proven.share:.0%} of units), e.g. {_ids(momentum.proven.ad_ids[:5])}",
        "",
        f"Summary ({insights.summary.status}"
        + (f": {insights.summary.reason}" if insights.summary.reason else "")
        + ")",
    ]
    lines += [f"  - {claim.text} [{_ids(claim.ad_ids)}]" for claim in insights.summary.claims]
    if insights.summary.dropped:
        dropped = ", ".join(f"{reason} {count}" for reason, count in sorted(insights.summary.dropped.items()))
        lines.append(f"  claims dropped by the checks: {dropped}")
    return "\n".join(lines)


def _trend_line(trend: Trend) -> str:
    return (
        f"  {'↑' if trend.direction == 'up' else '↓'} {trend.signal}: "
        f"{trend.share_before:.0%} → {trend.share_after:.0%} "
        f"between {trend.changed_between[0]} and {trend.changed_between[1]} "
        f"(p={trend.p_value:.2g}, q={trend.q_value:.2g}); e.g. {_ids(trend.evidence_ad_ids[:3])}"
    )


def _ids(ad_ids: list[int]) -> str:
    return ", ".join(f"ad {ad_id}" for ad_id in ad_ids) or "none"


def _days(days: float | None) -> str:
    return "n/a" if days is None else f"{days:.0f} days"
