"""The insights' summary: the computed statistics as citable facts, one ``summarize`` call, and only
the claims and theme names that pass the checks (:mod:`adology.knowledge.citations`).

Each fact's statement writes its numbers the way the checks read them (shares as whole percentages,
p- and q-values to two significant digits or as a bound below a thousandth, dates as ISO dates), so a
claim that repeats a statement always passes. An AI failure leaves the statistics as computed and the
summary ``missing`` with the failure's reason; insights with too little data need no summary and
make no call.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from adology.ai.routines import summary_version
from adology.ai.summaries import (
    MAX_THEME_NAME_WORDS,
    MAX_THEME_SUMMARY_WORDS,
    DraftThemeName,
    Fact,
    SummaryRequest,
    SummarySample,
)
from adology.ai.types import AIError, Provider
from adology.knowledge.citations import verify_claims
from adology.knowledge.insights.model import (
    AttributeSummary,
    BrandInsights,
    Momentum,
    Summary,
    Theme,
    Trend,
    VisualDrift,
)
from adology.logs import get_logger

log = get_logger(__name__)

THEME_FACTS = 6
SIGNIFICANT_TREND_FACTS = 6
# the strongest changes that did not pass the multiple-comparison level, so a summary can say so
QUIET_TREND_FACTS = 2
LABEL_FACTS = 3
SAMPLES = 20
SAMPLE_WORDS = 80
SAMPLE_EVIDENCE_PER_TREND = 2
FACT_EVIDENCE = 8  # ads per fact: keeps the schema's evidence enums far below OpenAI's 1,000 enum values
NEW_ADS_WINDOWS = (7, 30)  # the days Momentum.new_7d and new_30d count over
# the distributions a summary may speak of (their leading value), with what their value means
SUMMARY_ATTRIBUTES = {
    "offer_type": "offer type",
    "cta_type": "call to action",
    "tone": "tone",
    "format": "format",
    "color_palette_name": "colour palette",
    "claims": "claim",
    "benefits": "benefit",
}
_SIGNAL_FAMILIES = {
    "cta": "call to action",
    "offer": "offer type",
    "display": "display format",
    "hue": "leading hue",
    "media": "media type",
    "palette": "colour palette",
}


def brand_facts(insights: BrandInsights) -> list[Fact]:
    """The statistics a brand summary may rest on, each with the numbers it may quote and its ads."""
    facts = [_theme_fact(theme) for theme in insights.themes.themes[:THEME_FACTS]]
    significant = insights.significant_trends()
    quiet = [trend for trend in insights.trends.trends if not trend.significant]
    facts += [_trend_fact(trend) for trend in significant[:SIGNIFICANT_TREND_FACTS] + quiet[:QUIET_TREND_FACTS]]
    facts += _attribute_facts(insights.attributes)
    facts += _momentum_facts(insights.momentum)
    visual = _visual_fact(insights.visual)
    return [*facts, visual] if visual else facts


def _theme_fact(theme: Theme) -> Fact:
    values: dict[str, float | int | str] = {
        "share": theme.share,
        "ads": len(theme.ad_ids),
        "terms": ", ".join(theme.terms),
        "first_seen": theme.first_seen.isoformat(),
        "last_seen": theme.last_seen.isoformat(),
    }
    if theme.median_days_running is not None:
        values["median_days_running"] = theme.median_days_running
    return Fact(
        id=f"theme:{theme.id}",
        kind="theme",
        statement=(
            f"Theme {theme.id} ({', '.join(theme.terms[:3])}) holds {theme.share:.0%} of the brand's creatives "
            f"({len(theme.ad_ids)} ads), seen from {theme.first_seen.isoformat()} to {theme.last_seen.isoformat()}."
        ),
        values=values,
        ad_ids=list(dict.fromkeys([*theme.exemplar_ad_ids, *theme.ad_ids]))[:FACT_EVIDENCE],
    )


def _trend_fact(trend: Trend) -> Fact:
    change_after = trend.change_after.isoformat()
    if trend.significant:
        statement = (
            f"{_readable(trend.signal)} went {trend.direction} from {trend.share_before:.0%} to "
            f"{trend.share_after:.0%} of the brand's creatives after {change_after} ({trend.ads_before} "
            f"creatives before, {trend.ads_after} after; {significance('q', trend.q_value)})."
        )
    else:
        statement = (
            f"{_readable(trend.signal)} did not change significantly: {trend.share_before:.0%} of the brand's "
            f"creatives before {change_after} and {trend.share_after:.0%} after "
            f"({significance('p', trend.p_value)}, {significance('q', trend.q_value)})."
        )
    return Fact(
        id=f"trend:{trend.signal}",
        kind="trend",
        statement=statement,
        values={
            "share_before": trend.share_before,
            "share_after": trend.share_after,
            "ads_before": trend.ads_before,
            "ads_after": trend.ads_after,
            "p_value": trend.p_value,
            "q_value": trend.q_value,
            "change_after": change_after,
            "direction": trend.direction,
            "significant": "yes" if trend.significant else "no",
        },
        ad_ids=trend.evidence_ad_ids[:FACT_EVIDENCE],
    )


def _attribute_facts(attributes: AttributeSummary) -> list[Fact]:
    """The leading value of each distribution a summary speaks of, and the most frequent labels."""
    leading = [
        (distribution, distribution.values[0])
        for distribution in attributes.distributions
        if distribution.attribute in SUMMARY_ATTRIBUTES and distribution.values
    ]
    facts = [
        Fact(
            id=f"share:{distribution.attribute}:{top.value}",
            kind="distribution",
            statement=(
                f"The most common {SUMMARY_ATTRIBUTES[distribution.attribute]} is {_words(top.value)}, in "
                f"{top.share:.0%} of the {distribution.known_ads} creatives where it is known ({top.ads} ads)."
            ),
            values={"value": top.value, "share": top.share, "ads": top.ads, "known": distribution.known_ads},
            ad_ids=top.ad_ids[:FACT_EVIDENCE],
        )
        for distribution, top in leading
    ]
    facts += [
        Fact(
            id=f"label:{label.taxonomy}:{label.label}",
            kind="label",
            statement=(
                f"The {label.taxonomy} label {_words(label.label)} applies to {label.share:.0%} of the "
                f"{attributes.ads_labelled} labelled creatives ({label.ads} ads)."
            ),
            values={"label": label.label, "share": label.share, "ads": label.ads, "labelled": attributes.ads_labelled},
            ad_ids=label.ad_ids[:FACT_EVIDENCE],
        )
        for label in attributes.labels[:LABEL_FACTS]
    ]
    return facts


def _momentum_facts(momentum: Momentum) -> list[Fact]:
    short, long = NEW_ADS_WINDOWS
    as_of = momentum.as_of.date().isoformat()
    values: dict[str, float | int | str] = {
        "as_of": as_of,
        "active_ads": momentum.active_ads,
        "new_7d": momentum.new_7d,
        "new_30d": momentum.new_30d,
        "short_window_days": short,
        "long_window_days": long,
    }
    statement = (
        f"As of {as_of}, {momentum.active_ads} ads are active; {momentum.new_7d} started in the last {short} days "
        f"and {momentum.new_30d} in the last {long} days"
    )
    if momentum.latest_start is not None:
        values["latest_start"] = momentum.latest_start.isoformat()
        statement += f"; the newest started on {momentum.latest_start.isoformat()}"
    if momentum.median_days_running is not None:
        values["median_days_running"] = momentum.median_days_running
        statement += f"; the median ad ran {_figure(momentum.median_days_running)} days"
    facts = [Fact(id="momentum:activity", kind="momentum", statement=statement + ".", values=values, ad_ids=[])]
    proven = momentum.proven
    if proven.ad_ids:
        facts.append(
            Fact(
                id="momentum:proven",
                kind="momentum",
                statement=(
                    f"{proven.ads} ads are proven creative, running at least {proven.threshold_days} days: "
                    f"{proven.share:.0%} of the brand's creatives."
                ),
                values={"ads": proven.ads, "share": proven.share, "threshold_days": proven.threshold_days},
                ad_ids=proven.ad_ids[:FACT_EVIDENCE],
            )
        )
    return facts


def _visual_fact(visual: VisualDrift) -> Fact | None:
    if visual.status != "ok" or visual.shift is None or visual.split is None:
        return None
    split = visual.split.isoformat()
    return Fact(
        id="visual:drift",
        kind="visual",
        statement=(
            f"The visual style shifted around {split}: the mean visuals either side are "
            f"{_figure(visual.shift)} apart in cosine distance."
        ),
        values={"shift": visual.shift, "split": split},
        ad_ids=visual.evidence_ad_ids[:FACT_EVIDENCE],
    )


def signal_phrase(signal: str) -> str:
    """``cta:learn_more`` → "the call to action learn more"; ``label:TREND:x`` → "the TREND label x"."""
    family, _, value = signal.partition(":")
    if family == "label":
        taxonomy, _, label = value.partition(":")
        return f"the {taxonomy} label {_words(label)}"
    if not value:
        return f"the share with {_words(family)}"
    return f"the {_SIGNAL_FAMILIES.get(family, _words(family))} {_words(value)}"


def _readable(signal: str) -> str:
    """The signal's phrase opening a sentence."""
    return "T" + signal_phrase(signal)[1:]


def _words(name: str) -> str:
    return name.replace("_", " ")


def significance(letter: str, value: float) -> str:
    # below a thousandth as a bound: two significant digits there would need scientific notation
    return f"{letter}<0.001" if value < 0.001 else f"{letter}={value:#.2g}"


def _figure(value: float) -> str:
    """A measured number with at least two significant digits, as the checks accept it."""
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:#.2g}"


def summary_samples(insights: BrandInsights, descriptions: Mapping[int, str]) -> list[SummarySample]:
    """Up to 20 descriptions, of theme exemplars and trend evidence first, cut to 80 words."""
    wanted = [ad_id for theme in insights.themes.themes for ad_id in theme.exemplar_ad_ids]
    wanted += [
        ad_id for trend in insights.significant_trends() for ad_id in trend.evidence_ad_ids[:SAMPLE_EVIDENCE_PER_TREND]
    ]
    chosen = [ad_id for ad_id in dict.fromkeys(wanted) if descriptions.get(ad_id)][:SAMPLES]
    return [
        SummarySample(ad_id=ad_id, description=" ".join(descriptions[ad_id].split()[:SAMPLE_WORDS])) for ad_id in chosen
    ]


async def narrate(provider: Provider, insights: BrandInsights, descriptions: Mapping[int, str]) -> BrandInsights:
    """``insights`` with its checked summary and, where the provider wrote acceptable ones, theme names."""
    version = summary_version(provider)
    if insights.status != "ok":
        reason = "too little data to summarise" if insights.status == "too_little_data" else "no ads"
        return insights.model_copy(
            update={"summary": Summary(status="not_needed", reason=reason, routine_version=version)}
        )
    facts = brand_facts(insights)
    request = SummaryRequest(
        kind="brand",
        subject=insights.name,
        facts=facts,
        samples=summary_samples(insights, descriptions),
        theme_ids=[theme.id for theme in insights.themes.themes],
    )
    try:
        draft, usage = await provider.summarize(request)
    except AIError as exc:
        log.warning("summary not written", extra={"brand": insights.brand, "reason": exc.reason})
        return insights.model_copy(
            update={"summary": Summary(status="missing", reason=exc.reason, routine_version=version)}
        )
    claims, dropped = verify_claims(draft.claims, facts, insights.cited_ad_ids())
    themes = _named_themes(insights.themes.themes, draft.theme_names, dropped)
    summary = Summary(
        status="ok",
        routine_version=version,
        claims=claims,
        dropped=dict(dropped),
        calls=usage.calls,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost_usd=round(usage.cost_usd, 6),
    )
    log.info(
        "summary written",
        extra={"brand": insights.brand, "claims": len(claims), "dropped": sum(dropped.values()), "calls": usage.calls},
    )
    return insights.model_copy(
        update={"summary": summary, "themes": insights.themes.model_copy(update={"themes": themes})}
    )


def _named_themes(themes: list[Theme], names: list[DraftThemeName], dropped: Counter[str]) -> list[Theme]:
    """The themes with the acceptable AI names applied; a refused name counts as ``bad_theme_name`` in
    ``dropped``. A name or summary must not state a figure (nobody checks it), must keep to its length,
    and must be the first for a theme the insights have."""
    by_id = {theme.id: theme for theme in themes}
    renamed: dict[str, Theme] = {}
    for proposal in names:
        name, summary = proposal.name.strip(), proposal.summary.strip()
        if (
            proposal.theme_id not in by_id
            or proposal.theme_id in renamed
            or not name
            or re.search(r"\d", name + summary)
            or len(name.split()) > MAX_THEME_NAME_WORDS
            or len(summary.split()) > MAX_THEME_SUMMARY_WORDS
        ):
            dropped["bad_theme_name"] += 1
            continue
        renamed[proposal.theme_id] = by_id[proposal.theme_id].model_copy(
            update={"name": name, "summary": summary or None, "name_source": "ai"}
        )
    return [renamed.get(theme.id, theme) for theme in themes]
