"""The checks on drafted claims: each reason a claim is dropped, the number formats a fact's values
may be written in, and the local summarize routine's claims passing them all."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from adology.ai.local.provider import LocalProvider
from adology.ai.summaries import DraftClaim, Fact
from adology.knowledge.citations import verify_claims
from adology.knowledge.insights.compute import compute_insights
from adology.knowledge.insights.narrative import brand_facts, narrate
from tests.unit.insight_records import themed_brand

TREND = Fact(
    id="trend:cta:learn_more",
    kind="trend",
    statement="learn more fell",
    values={
        "share_before": 0.4137,
        "share_after": 0.05,
        "q_value": 0.00034,
        "p_value": 0.0001,
        "change_after": "2025-05-01",
    },
    ad_ids=[11, 12, 13],
)
TREND_IDS = [TREND.id]
THEME = Fact(id="theme:t1", kind="theme", statement="t1", values={"share": 0.25, "ads": 42}, ad_ids=[21, 22])


def _check(text: str, fact_ids: list[str] | None = None, ad_ids: list[int] | None = None) -> str | None:
    claim = DraftClaim(text=text, fact_ids=fact_ids or [TREND.id], ad_ids=ad_ids if ad_ids is not None else [11])
    kept, dropped = verify_claims([claim], [TREND, THEME], allowed_ad_ids={11, 12, 13, 21, 22})
    return None if kept else next(iter(dropped))


@pytest.mark.parametrize(
    "text",
    [
        "Learn more fell from 41% to 5% after 2025-05-01.",
        "Learn more fell from 41.4% to 5.0% after May 2025 (q=0.00034).",
        "Learn more fell from 0.41 to 0.05 (p<0.001) in 2025, see ad 11.",
        "Learn more stopped after 2025-05-01 (q < 0.01).",
    ],
)
def test_numbers_written_as_the_cited_facts_give_them_pass(text: str) -> None:
    assert _check(text) is None


@pytest.mark.parametrize(
    ("text", "fact_ids", "ad_ids", "reason"),
    [
        ("Learn more fell to 7%.", None, None, "unverified_number"),  # a share nobody computed
        ("Learn more fell from 42% to 5%.", None, None, "unverified_number"),  # 0.4137 is 41%, not 42%
        ("Learn more fell after 2025-06-01.", None, None, "unverified_number"),  # another date
        ("Learn more fell (p<0.00001).", None, None, "unverified_number"),  # a bound the p-value breaks
        ("Theme t1 holds 42 ads.", None, None, "unverified_number"),  # a number of a fact not cited
        ("Learn more fell.", ["trend:unknown"], None, "unknown_fact"),
        ("Learn more fell.", None, [21], "foreign_ad"),  # an ad of another fact
        ("Learn more fell.", None, [99], "foreign_ad"),  # an ad of another brand
        ("Learn more fell, as ad 12 shows.", None, [11], "uncited_ad"),
        ("   ", None, None, "empty"),
        ("Learn more fell.", [], None, "empty"),
    ],
)
def test_a_claim_that_fails_a_check_is_dropped_with_its_reason(
    text: str, fact_ids: list[str] | None, ad_ids: list[int] | None, reason: str
) -> None:
    claim = DraftClaim(text=text, fact_ids=TREND_IDS if fact_ids is None else fact_ids, ad_ids=ad_ids or [11])
    kept, dropped = verify_claims([claim], [TREND, THEME], allowed_ad_ids={11, 12, 13, 21, 22})
    assert kept == [] and dropped == {reason: 1}


def test_a_claim_citing_two_facts_may_quote_either() -> None:
    assert _check("Theme t1 holds 42 ads while learn more fell to 5%.", [TREND.id, THEME.id], [11, 21]) is None


def test_the_local_summary_passes_every_check() -> None:
    data = themed_brand(200, seed=9, themes=[["hydration", "serum"], ["sunscreen", "spf"], ["acne", "pores"]])
    insights = compute_insights(data, as_of=datetime(2025, 6, 1, tzinfo=UTC), fingerprint="test")
    with LocalProvider() as provider:
        narrated = asyncio.run(narrate(provider, insights, {ad.ad_id: ad.description or "" for ad in data.ads}))
    assert narrated.summary.status == "ok" and narrated.summary.dropped == {}
    assert len(narrated.summary.claims) == min(8, len(brand_facts(insights)))
    assert narrated.summary.routine_version and narrated.summary.routine_version.startswith("local/")
    assert {ad_id for claim in narrated.summary.claims for ad_id in claim.ad_ids} <= insights.cited_ad_ids()
    assert narrated.themes == insights.themes and narrated.trends == insights.trends  # the statistics untouched
