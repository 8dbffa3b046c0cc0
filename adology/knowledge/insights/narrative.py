"""The insights' summary: the computed statistics as citable facts, one ``summarize`` call, and only
the claims and theme names that pass the checks (:mod:`adology.knowledge.citations`).

An AI failure leaves the statistics as computed and the summary ``missing`` with the failure's
reason; insights with too little data need no summary and make no call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from adology.ai.routines import summary_version
from adology.ai.summaries import DraftThemeName, Fact, SummaryRequest, SummarySample
from adology.ai.types import AIError, Provider
from adology.knowledge.citations import verify_claims
from adology.knowledge.insights.model import BrandInsights, Summary, Theme, Trend
from adology.logs import get_logger

log = get_logger(__name__)

THEME_FACTS = 6
TREND_FACTS = 6
SAMPLES = 20
SAMPLE_WORDS = 80
FACT_EVIDENCE = 8
MAX_THEME_NAME_WORDS = 6
# the distributions a summary may speak of, with what their value means
SUMMARY_ATTRIBUTES = {
    "cta_type": "call to action",
    "offer_type": "offer type",
    "format": "format",
    "color_palette_name": "colour palette",
}


def brand_facts(insights: BrandInsights) -> list[Fact]:
    """The statistics a brand summary may rest on, each with the numbers it may quote and its ads."""
    facts = [_theme_fact(theme) for theme in insights.themes.themes[:THEME_FACTS]]
    facts += [_trend_fact(trend) for trend in insights.significant_trends()[:TREND_FACTS]]
    for distribution in insights.attributes.distributions:
        if distribution.attribute in SUMMARY_ATTRIBUTES and distribution.values:
            top = distribution.values[0]
            facts.append(
                Fact(
                    id=f"share:{distribution.attribute}:{top.value}",
                    kind="distribution",
                    statement=(
                        f"The most common {SUMMARY_ATTRIBUTES[distribution.attribute]} is "
                        f"{top.value.replace('_', ' ')}, in {top.share:.0%} of the {distribution.known_ads} "
                        "creatives where it is known."
                    ),
                    values={"share": top.share, "ads": top.ads, "known": distribution.known_ads},
                    ad_ids=top.ad_ids,
                )
            )
    proven = insights.momentum.proven
    if proven.ad_ids:
        facts.append(
            Fact(
                id="momentum:proven",
                kind="momentum",
                statement=(
                    f"{proven.ads} ads are proven creative: they ran at least {proven.threshold_days} days, "
                    f"{proven.share:.0%} of its creatives."
                ),
                values={"ads": proven.ads, "share": proven.share, "threshold_days": proven.threshold_days},
                ad_ids=proven.ad_ids,
            )
        )
    return facts


def _theme_fact(theme: Theme) -> Fact:
    return Fact(
        id=f"theme:{theme.id}",
        kind="theme",
        statement=f"Theme {theme.id} ({', '.join(theme.terms[:3])}) holds {theme.share:.0%} of its creatives.",
        values={"share": theme.share, "ads": len(theme.ad_ids), "terms": ", ".join(theme.terms)},
        ad_ids=list(dict.fromkeys([*theme.exemplar_ad_ids, *theme.ad_ids]))[:FACT_EVIDENCE],
    )


def _trend_fact(trend: Trend) -> Fact:
    return Fact(
        id=f"trend:{trend.signal}",
        kind="trend",
        statement=(
            f"{_readable(trend.signal)} went {trend.direction} from {trend.share_before:.0%} "
            f"to {trend.share_after:.0%} of its creatives after {trend.change_after.isoformat()} "
            f"(q={trend.q_value:.2g})."
        ),
        values={
            "share_before": trend.share_before,
            "share_after": trend.share_after,
            "p_value": trend.p_value,
            "q_value": trend.q_value,
            "change_after": trend.change_after.isoformat(),
            "direction": trend.direction,
        },
        ad_ids=trend.evidence_ad_ids,
    )


def _readable(signal: str) -> str:
    """``cta:learn_more`` → "The call to action learn more"; ``label:TREND:x`` → "The TREND label x"."""
    family, _, value = signal.partition(":")
    if family == "label":
        taxonomy, _, label = value.partition(":")
        return f"The {taxonomy} label {label.replace('_', ' ')}"
    names = {"cta": "call to action", "offer": "offer type", "display": "display format", "hue": "leading hue"}
    if not value:
        return f"The share with {family.replace('_', ' ')}"
    return f"The {names.get(family, family.replace('_', ' '))} {value.replace('_', ' ')}"


def summary_samples(insights: BrandInsights, descriptions: Mapping[int, str]) -> list[SummarySample]:
    """Up to 20 descriptions, of theme exemplars and trend evidence first, cut to 80 words."""
    wanted = [ad_id for theme in insights.themes.themes for ad_id in theme.exemplar_ad_ids]
    wanted += [ad_id for trend in insights.significant_trends() for ad_id in trend.evidence_ad_ids[:2]]
    chosen = [ad_id for ad_id in dict.fromkeys(wanted) if ad_id in descriptions][:SAMPLES]
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
    themes, bad_names = _named_themes(insights, draft.theme_names)
    if bad_names:
        dropped["bad_theme_name"] += bad_names
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


def _named_themes(insights: BrandInsights, names: list[DraftThemeName]) -> tuple[list[Theme], int]:
    """The themes with the acceptable AI names applied; and how many names were refused (a digit, too
    many words, an unknown theme, empty): a name must not state a figure nobody checked."""
    by_id = {theme.id: theme for theme in insights.themes.themes}
    refused = 0
    renamed: dict[str, Theme] = {}
    for proposal in names:
        name, summary = proposal.name.strip(), proposal.summary.strip()
        if (
            proposal.theme_id not in by_id
            or not name
            or re.search(r"\d", name + summary)
            or len(name.split()) > MAX_THEME_NAME_WORDS
        ):
            refused += 1
            continue
        renamed[proposal.theme_id] = by_id[proposal.theme_id].model_copy(
            update={"name": name, "summary": summary or None, "name_source": "ai"}
        )
    return [renamed.get(theme.id, theme) for theme in insights.themes.themes], refused
