"""The checks on drafted claims: each reason a claim is dropped, and the forms a fact's numbers may be
written in (integers exactly, shares as rounded percentages, other numbers to two significant
digits, p- and q-values also as bounds they satisfy, dates as given, their month or their year)."""

from __future__ import annotations

import pytest

from adology.ai.summaries import DraftClaim, Fact
from adology.knowledge.citations import verify_claims

TREND = Fact(
    id="trend:cta:learn_more",
    kind="trend",
    statement="learn more fell",
    values={
        "share_before": 0.4137,
        "share_after": 0.05,
        "ads_before": 1234,
        "q_value": 0.00034,
        "p_value": 0.0001,
        "change_after": "2025-05-05",
        "direction": "down",
    },
    ad_ids=[11, 12, 13, 14],
)
THEME = Fact(
    id="theme:t1",
    kind="theme",
    statement="t1",
    values={"share": 0.25, "ads": 42, "median_days_running": 7.4, "terms": "serum, spf 50, dewy"},
    ad_ids=[21, 22],
)
QUIET = Fact(
    id="trend:hue:rose",
    kind="trend",
    statement="rose did not change",
    values={"share_before": 0.2, "share_after": 0.19, "p_value": 0.5, "q_value": 0.91},
    ad_ids=[31],
)
FACTS = [TREND, THEME, QUIET]
BRAND_ADS = {11, 12, 13, 21, 22, 31}  # 14 is evidence of the trend but no longer the brand's


def reason(text: str, fact_ids: list[str] | None = None, ad_ids: list[int] | None = None) -> str | None:
    """None when the claim is kept, else the reason it was dropped."""
    claim = DraftClaim(text=text, fact_ids=[TREND.id] if fact_ids is None else fact_ids, ad_ids=ad_ids or [11])
    kept, dropped = verify_claims([claim], FACTS, BRAND_ADS)
    assert len(kept) + sum(dropped.values()) == 1
    return None if kept else next(iter(dropped))


@pytest.mark.parametrize(
    "text",
    [
        "Learn more fell from 41% to 5% after 2025-05-05.",
        "Learn more fell from 41.4% to 5.0% after May 2025 (q=0.00034).",
        "Learn more fell from 0.41 to 0.050 (p<0.001) in 2025, see ad 11.",
        "Learn more fell from .41 to .05 after May 5, 2025.",
        "Learn more fell after 5 May 2025 (q < 0.01), in the month 2025-05.",
        "Learn more fell (p = 0.0001, q=3.4e-04).",
        "Learn more fell (p ≤ 0.0001, q<=0.00034).",
        "Learn more fell over 1,234 creatives, 41 percent of them before the change.",
        "In ads 41% of the time before the change, learn more fell.",
    ],
)
def test_numbers_written_as_the_cited_facts_give_them_pass(text: str) -> None:
    assert reason(text) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Learn more fell to 7%.", "a share nobody computed"),
        ("Learn more fell from 42% to 5%.", "0.4137 is 41%, not 42%"),
        ("Learn more fell from 41.37% to 5%.", "a percentage has at most one decimal"),
        ("Learn more fell from 0.4 to 0.05.", "0.4137 to one significant digit"),
        ("Learn more fell from .4 to .05.", "the same, without the leading zero"),
        ("Learn more fell over 1,235 creatives.", "an integer must be exact"),
        ("Learn more fell after 2025-06-01.", "another date"),
        ("Learn more fell in June 2025.", "another month"),
        ("Learn more fell after 2024.", "another year"),
        ("Learn more fell (p<0.0001).", "a bound the p-value does not satisfy"),
        ("Learn more fell (q>0.05).", "a bound the q-value does not satisfy"),
        ("Learn more fell (p=0.41).", "a share written as a p-value"),
        ("Learn more fell (p=0.02).", "a p-value nobody computed"),
        ("Theme t1 holds 42 ads.", "a number of a fact not cited"),
        ("Learn more fell in 3 of the top themes.", "a count nobody computed"),
    ],
)
def test_a_number_the_cited_facts_do_not_give_is_unverified(text: str, why: str) -> None:
    assert reason(text) == "unverified_number", why


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        ("Theme t1 ads ran a median 7 days.", True),  # a whole number rounded from 7.4
        ("Theme t1 ads ran a median 7.4 days.", True),
        ("Theme t1 ads ran a median 7.5 days.", False),
        ("Theme t1 holds 25% of creatives (42 ads), 0.25 of the brand.", True),
        ("Theme t1 holds 0 of the brand.", False),  # 0.25 to no significant digit
        ("Theme t1 speaks of SPF 50 and serums.", True),  # digits inside a term are a word
        ("Theme t1 speaks of SPF 60.", False),
    ],
)
def test_a_theme_s_numbers_and_terms(text: str, passes: bool) -> None:
    assert (reason(text, [THEME.id], [21]) is None) is passes


def test_a_quiet_trend_s_p_value_may_be_written_to_one_significant_digit_or_as_a_bound() -> None:
    assert reason("Rose held at 20% then 19% (p=0.5, q=0.91).", [QUIET.id], [31]) is None
    assert reason("Rose did not move (p>0.05).", [QUIET.id], [31]) is None
    assert reason("Rose did not move (p<0.05).", [QUIET.id], [31]) == "unverified_number"


def test_a_claim_citing_two_facts_may_quote_either() -> None:
    assert reason("Theme t1 holds 42 ads while learn more fell to 5%.", [TREND.id, THEME.id], [11, 21]) is None


@pytest.mark.parametrize(
    ("text", "fact_ids", "ad_ids", "expected"),
    [
        ("Learn more fell.", ["trend:unknown"], None, "unknown_fact"),
        ("Learn more fell.", [TREND.id, "theme:t9"], None, "unknown_fact"),
        ("Learn more fell.", None, [21], "foreign_ad"),  # an ad of another fact
        ("Learn more fell.", None, [99], "foreign_ad"),  # an ad of another brand
        ("Learn more fell.", None, [14], "foreign_ad"),  # the fact's evidence, but not among the allowed ads
        ("Learn more fell, as ad 12 shows.", None, [11], "uncited_ad"),
        ("Learn more fell (#12).", None, [11], "uncited_ad"),
        ("Learn more fell in ads 11 and 12.", None, [11], "uncited_ad"),
        ("Learn more fell (ad IDs: 11, 13).", None, [11], "uncited_ad"),
        ("   ", None, None, "empty"),
        ("Learn more fell.", [], None, "empty"),
    ],
)
def test_a_claim_that_fails_a_check_is_dropped_with_its_reason(
    text: str, fact_ids: list[str] | None, ad_ids: list[int] | None, expected: str
) -> None:
    assert reason(text, fact_ids, ad_ids) == expected


def test_ads_named_in_the_text_pass_when_the_claim_cites_them() -> None:
    assert reason("Learn more fell in ads 11, 12 and 13 (see #12).", None, [11, 12, 13]) is None


def test_claims_are_counted_by_reason_and_the_kept_keep_their_order() -> None:
    claims = [
        DraftClaim(text="Learn more fell to 5%. ", fact_ids=[TREND.id], ad_ids=[11]),
        DraftClaim(text="Learn more fell to 6%.", fact_ids=[TREND.id], ad_ids=[11]),
        DraftClaim(text="Theme t1 holds 25%.", fact_ids=[THEME.id], ad_ids=[22]),
        DraftClaim(text="Learn more fell to 7%.", fact_ids=[TREND.id], ad_ids=[]),
        DraftClaim(text="Learn more fell.", fact_ids=[TREND.id], ad_ids=[99]),
    ]
    kept, dropped = verify_claims(claims, FACTS, BRAND_ADS)
    assert [claim.text for claim in kept] == ["Learn more fell to 5%.", "Theme t1 holds 25%."]
    assert dropped == {"unverified_number": 2, "foreign_ad": 1}


def test_a_brandspace_recommendation_is_checked_against_the_members_ads_and_its_fact() -> None:
    comparison = Fact(
        id="compare:cta:sign_up",
        kind="comparison",
        statement="sign up",
        values={"share:lumen-lab": 0.4, "share:glow": 0.05, "median_days:lumen-lab": 41.5, "suggestion": "test it"},
        ad_ids=[201, 301],
        brand="lumen-lab",
    )
    members = {201, 301}
    text = "Lumen Lab's sign up ads run a median 42 days, in 40% of its creatives against 5%; Glow could test it."
    recommendation = DraftClaim(text=text, fact_ids=[comparison.id], ad_ids=[201, 301])
    assert verify_claims([recommendation], [comparison], members)[0]
    outsider = recommendation.model_copy(update={"ad_ids": [201, 401]})  # an ad of a brand outside the space
    assert verify_claims([outsider], [comparison], members)[1] == {"foreign_ad": 1}
