"""The summarize routine end to end: the facts a brand's insights offer, the local composer whose
claims pass every check, the OpenAI and Bedrock providers against the fake AI service (real HTTP,
real clients), and what ``narrate`` keeps: checked claims, acceptable theme names, and on an AI
failure the statistics untouched with the summary missing and its reason."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from adology.ai.local.provider import LocalProvider
from adology.ai.local.summarize import compose_summary
from adology.ai.providers.summary_prompts import summarize_output_schema
from adology.ai.routines import summary_version
from adology.ai.summaries import (
    MAX_CLAIMS,
    DraftClaim,
    DraftThemeName,
    Fact,
    SummaryDraft,
    SummaryRequest,
)
from adology.ai.types import AdInput, AIError, Description, Embeddings, Labels, Usage
from adology.knowledge.citations import verify_claims
from adology.knowledge.insights.compute import compute_insights
from adology.knowledge.insights.model import (
    AttributeSummary,
    BrandInsights,
    Distribution,
    LabelShare,
    Momentum,
    PeriodCount,
    Proven,
    Summary,
    Theme,
    ThemeMethod,
    ThemeSet,
    Trend,
    TrendSet,
    ValueShare,
    VisualDrift,
)
from adology.knowledge.insights.narrative import brand_facts, narrate, summary_samples
from simulators.ai_service import FakeAIServer, FakeServerConfig
from tests.insight_records import built_theme, built_trend, themed_brand
from tests.remote_providers import with_bedrock, with_openai

AS_OF = datetime(2025, 9, 20, 12, tzinfo=UTC)


def _theme(theme_id: str, terms: list[str], ad_ids: list[int], share: float) -> Theme:
    return built_theme(theme_id, terms, ad_ids, share, median_days_running=41.5)


def _trend(signal: str, *, significant: bool, p: float, q: float, before: float, after: float) -> Trend:
    return built_trend(
        signal,
        [121, 122, 123, 124, 125],
        before=before,
        after=after,
        q_value=q,
        significant=significant,
        p_value=p,
        ads_before=58,
        ads_after=26,
        effect_h=0.9,
        shares_by_period=[before, before, after, after],
    )


def brand_insights() -> BrandInsights:
    """A brand as the insights describe one after a CTA switch: 84 ads in three themes, two significant
    trends and two quiet ones, attribute and label shares, momentum and a visual shift."""
    themes = [
        _theme("t1", ["serum", "dewy", "hydration", "glow", "skin"], list(range(101, 141)), 0.4762),
        _theme("t2", ["sunscreen", "spf", "daily", "shield", "light"], list(range(141, 171)), 0.3571),
        _theme("t3", ["acne", "pores", "clear", "gel", "night"], list(range(171, 185)), 0.1667),
    ]
    trends = [
        _trend("cta:learn_more", significant=True, p=0.0001, q=0.00034, before=0.5517, after=0.0),
        _trend("format:video", significant=True, p=0.0021, q=0.0123, before=0.0517, after=0.3462),
        _trend("label:TREND:urgency_limited_time", significant=False, p=0.0412, q=0.3308, before=0.3, after=0.42),
        _trend("hue:rose", significant=False, p=0.5, q=0.91, before=0.2, after=0.19),
    ]
    distributions = [
        Distribution(
            attribute="cta_type",
            known_ads=80,
            values=[
                ValueShare(value="shop_now", ads=38, share=0.475, ad_ids=[101, 102, 103, 104, 105]),
                ValueShare(value="learn_more", ads=32, share=0.4, ad_ids=[106, 107]),
            ],
        ),
        Distribution(
            attribute="claims",
            known_ads=61,
            values=[ValueShare(value="SPF 50 protection", ads=22, share=0.3607, ad_ids=[141, 142, 143])],
        ),
        Distribution(
            attribute="format",
            known_ads=84,
            values=[ValueShare(value="image", ads=63, share=0.75, ad_ids=[108, 109, 110])],
        ),
        Distribution(
            attribute="urgency", known_ads=84, values=[ValueShare(value="no", ads=50, share=0.5952, ad_ids=[111])]
        ),
    ]
    labels = [
        LabelShare(taxonomy="UNIVERSAL", label="product_focus", ads=70, share=0.8434, ad_ids=[101, 102]),
        LabelShare(taxonomy="TREND", label="clean_beauty", ads=31, share=0.3735, ad_ids=[141, 150]),
    ]
    return BrandInsights(
        brand="glow-botanicals",
        brand_id=1,
        name="Glow Botanicals",
        as_of=AS_OF,
        algorithm_version="insights-test",
        input_fingerprint="fingerprint",
        ads_counted=84,
        units_counted=84,
        status="ok",
        themes=ThemeSet(
            status="ok",
            method=ThemeMethod(algorithm="kmeans", k=3, silhouette=0.41, features=["retrieval"]),
            themes=themes,
        ),
        attributes=AttributeSummary(ads_described=84, ads_labelled=83, distributions=distributions, labels=labels),
        trends=TrendSet(
            status="ok",
            period="month",
            periods=[PeriodCount(start=date(2025, month, 1), ads=21) for month in (3, 4, 5, 6)],
            tested=41,
            trends=trends,
        ),
        visual=VisualDrift(
            status="ok", shift=0.137, split=date(2025, 5, 5), signal="visual_style:v2", evidence_ad_ids=[126, 127]
        ),
        momentum=Momentum(
            as_of=AS_OF,
            active_ads=12,
            new_7d=0,
            new_30d=3,
            latest_start=date(2025, 9, 10),
            median_days_running=27.5,
            proven=Proven(threshold_days=44, ads=21, share=0.25, ad_ids=[101, 141, 171]),
        ),
        summary=Summary(status="not_needed", reason="not written yet"),
    )


DESCRIPTIONS = {
    ad_id: f"Image ad. A dewy serum bottle on a marble shelf, shot {ad_id % 7} ways." for ad_id in range(101, 185)
}


def statistics(insights: BrandInsights) -> tuple[Any, ...]:
    """Everything but the summary and the themes' names (what narrate may write)."""
    themes = [
        theme.model_copy(update={"name": "", "summary": None, "name_source": "ctfidf"})
        for theme in insights.themes.themes
    ]
    return themes, insights.trends, insights.attributes, insights.momentum, insights.visual, insights.status


class Scripted:
    """A provider whose summarize answers with a draft the test wrote (or fails), counting its calls."""

    name = "scripted"
    creative_routines = frozenset[str]()
    embed_batch_size = 1

    def __init__(self, draft: SummaryDraft | None = None, failure: AIError | None = None) -> None:
        self.draft = draft or SummaryDraft()
        self.failure = failure
        self.requests: list[SummaryRequest] = []

    def model_id(self, routine: str) -> str:
        return "script-v1"

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]:
        raise NotImplementedError

    async def label(self, ad: AdInput, description: Description | None) -> tuple[Labels, Usage]:
        raise NotImplementedError

    async def embed(self, ad: AdInput, description: Description | None) -> tuple[Embeddings, Usage]:
        raise NotImplementedError

    async def embed_many(self, items: list[tuple[AdInput, Description | None]]) -> tuple[list[Any], Usage]:
        raise NotImplementedError

    async def summarize(self, request: SummaryRequest) -> tuple[SummaryDraft, Usage]:
        self.requests.append(request)
        if self.failure:
            raise self.failure
        return self.draft, Usage(calls=1, input_tokens=900, output_tokens=300, cost_usd=0.00123)


def test_the_facts_cover_themes_trends_attributes_labels_momentum_and_visual_drift() -> None:
    facts = {fact.id: fact for fact in brand_facts(brand_insights())}
    assert {"theme:t1", "theme:t2", "theme:t3"} <= set(facts)
    assert {"trend:cta:learn_more", "trend:format:video"} <= set(facts)  # significant
    assert {"trend:label:TREND:urgency_limited_time", "trend:hue:rose"} <= set(facts)  # the quiet ones too
    assert {"share:cta_type:shop_now", "share:claims:SPF 50 protection", "share:format:image"} <= set(facts)
    assert "share:urgency:no" not in facts  # only the distributions a summary speaks of
    assert {"label:UNIVERSAL:product_focus", "label:TREND:clean_beauty"} <= set(facts)
    assert {"momentum:activity", "momentum:proven", "visual:drift"} <= set(facts)
    trend = facts["trend:cta:learn_more"]
    assert trend.values["change_after"] == "2025-05-05" and trend.values["q_value"] == 0.00034
    assert trend.ad_ids == [121, 122, 123, 124, 125]
    assert facts["theme:t1"].ad_ids[:3] == [101, 102, 103]  # exemplars first
    assert "did not change significantly" in facts["trend:hue:rose"].statement


def test_every_fact_statement_passes_the_checks_as_a_claim() -> None:
    insights = brand_insights()
    facts = brand_facts(insights)
    claims = [DraftClaim(text=fact.statement, fact_ids=[fact.id], ad_ids=fact.ad_ids[:3]) for fact in facts]
    kept, dropped = verify_claims(claims, facts, insights.cited_ad_ids())
    assert dropped == {} and len(kept) == len(facts)


def test_the_local_composer_takes_each_kind_in_turn_and_passes_every_check() -> None:
    insights = brand_insights()
    facts = brand_facts(insights)
    request = SummaryRequest(kind="brand", subject=insights.name, facts=facts, theme_ids=["t1", "t2", "t3"])
    draft = compose_summary(request)
    assert len(draft.claims) == MAX_CLAIMS and draft.theme_names == [] and draft.recommendations == []
    kinds = [next(fact.kind for fact in facts if fact.id == claim.fact_ids[0]) for claim in draft.claims]
    assert kinds[:6] == ["trend", "theme", "distribution", "label", "momentum", "visual"]
    kept, dropped = verify_claims(draft.claims, facts, insights.cited_ad_ids())
    assert dropped == {} and [claim.text for claim in kept] == [claim.text for claim in draft.claims]


def test_the_local_composer_recommends_from_a_brandspace_s_suggestions_and_they_pass() -> None:
    facts = [
        Fact(
            id="compare:cta:sign_up",
            kind="comparison",
            statement="The call to action sign up: Lumen Lab 40% of its creatives; Glow Botanicals 5%.",
            values={
                "cta": "sign_up",
                "share:lumen-lab": 0.4,
                "share:glow-botanicals": 0.05,
                "median_days:lumen-lab": 41.5,
                "suggestion": (
                    "Lumen Lab's sign up ads run a median 42 days and it uses that call to action in 40% of "
                    "its creatives, against 5% for Glow Botanicals; Glow Botanicals could test it."
                ),
            },
            ad_ids=[201, 202, 203],
            brand="lumen-lab",
        ),
        Fact(
            id="trend:lumen-lab:format:video",
            kind="trend",
            statement="At Lumen Lab, the format video went up from 5% to 35%.",
            values={"share_before": 0.05, "share_after": 0.35, "q_value": 0.0004, "change_after": "2025-05-05"},
            ad_ids=[204],
            brand="lumen-lab",
        ),
    ]
    draft = compose_summary(SummaryRequest(kind="brandspace", subject="Skincare", facts=facts))
    assert [claim.fact_ids for claim in draft.recommendations] == [["compare:cta:sign_up"]]
    kept, dropped = verify_claims(draft.recommendations, facts, {201, 202, 203, 204})
    assert dropped == {} and len(kept) == 1


def test_narrate_with_the_local_provider_keeps_every_claim_and_the_statistics() -> None:
    insights = brand_insights()
    with LocalProvider() as provider:
        narrated = asyncio.run(narrate(provider, insights, DESCRIPTIONS))
    summary = narrated.summary
    assert summary.status == "ok" and summary.dropped == {} and len(summary.claims) == MAX_CLAIMS
    assert summary.routine_version == "local/local-summarize-v1/summarize-v1"
    assert summary.calls == 1
    assert narrated.themes == insights.themes  # the local routine proposes no names
    assert statistics(narrated) == statistics(insights)


def test_narrate_on_computed_insights_keeps_every_local_claim() -> None:
    data = themed_brand(200, seed=9, themes=[["hydration", "serum"], ["sunscreen", "spf"], ["acne", "pores"]])
    insights = compute_insights(data, as_of=datetime(2025, 6, 1, tzinfo=UTC), fingerprint="test")
    with LocalProvider() as provider:
        narrated = asyncio.run(narrate(provider, insights, {ad.ad_id: ad.description or "" for ad in data.ads}))
    assert narrated.summary.status == "ok" and narrated.summary.dropped == {}
    assert len(narrated.summary.claims) == min(MAX_CLAIMS, len(brand_facts(insights)))
    assert {ad_id for claim in narrated.summary.claims for ad_id in claim.ad_ids} <= insights.cited_ad_ids()
    assert narrated.themes == insights.themes and narrated.trends == insights.trends


def test_samples_are_exemplars_then_trend_evidence_cut_to_eighty_words() -> None:
    insights = brand_insights()
    long = {**DESCRIPTIONS, 101: " ".join(["word"] * 120)}
    samples = summary_samples(insights, long)
    assert len(samples) <= 20
    assert [sample.ad_id for sample in samples[:9]] == [101, 102, 103, 141, 142, 143, 171, 172, 173]
    assert {121, 122} <= {sample.ad_id for sample in samples}
    assert len(samples[0].description.split()) == 80


def test_narrate_applies_acceptable_theme_names_and_counts_the_refused() -> None:
    draft = SummaryDraft(
        claims=[
            DraftClaim(
                text="Learn more vanished after 2025-05-05 (q<0.001).", fact_ids=["trend:cta:learn_more"], ad_ids=[121]
            ),
            DraftClaim(text="Video rose to 40% of creatives.", fact_ids=["trend:format:video"], ad_ids=[121]),
            DraftClaim(text="Serums lead, see ad 140.", fact_ids=["theme:t1"], ad_ids=[101]),
        ],
        theme_names=[
            DraftThemeName(theme_id="t1", name="Dewy hydration serums", summary="Serum close-ups promising glow."),
            DraftThemeName(theme_id="t1", name="A second name", summary="Only the first name counts."),
            DraftThemeName(theme_id="t2", name="SPF 50 daily shields", summary="Sunscreen for every day."),
            DraftThemeName(theme_id="t3", name="Clear skin gels for oily pores at night", summary="Acne gels."),
            DraftThemeName(theme_id="t9", name="Unknown", summary="No such theme."),
        ],
    )
    insights = brand_insights()
    provider = Scripted(draft)
    narrated = asyncio.run(narrate(provider, insights, DESCRIPTIONS))
    summary = narrated.summary
    assert [claim.fact_ids for claim in summary.claims] == [["trend:cta:learn_more"]]
    assert summary.dropped == {"unverified_number": 1, "uncited_ad": 1, "bad_theme_name": 4}
    named = {theme.id: theme for theme in narrated.themes.themes}
    assert (named["t1"].name, named["t1"].summary, named["t1"].name_source) == (
        "Dewy hydration serums",
        "Serum close-ups promising glow.",
        "ai",
    )
    assert named["t2"] == insights.themes.themes[1] and named["t3"] == insights.themes.themes[2]
    assert (summary.calls, summary.input_tokens, summary.output_tokens, summary.cost_usd) == (1, 900, 300, 0.00123)
    assert summary.routine_version == "scripted/script-v1/summarize-v1" == summary_version(provider)
    assert statistics(narrated) == statistics(insights)
    request = provider.requests[0]
    assert request.kind == "brand" and request.theme_ids == ["t1", "t2", "t3"] and request.samples


def test_insights_with_too_little_data_need_no_summary_and_make_no_call() -> None:
    insights = brand_insights().model_copy(update={"status": "too_little_data"})
    provider = Scripted()
    narrated = asyncio.run(narrate(provider, insights, DESCRIPTIONS))
    assert narrated.summary.status == "not_needed" and narrated.summary.reason
    assert provider.requests == []


def test_an_ai_failure_leaves_the_statistics_and_marks_the_summary_missing() -> None:
    insights = brand_insights()
    failure = AIError("ai_rate_limited", "summarize: 429 after 6 attempts", retryable=True)
    narrated = asyncio.run(narrate(Scripted(failure=failure), insights, DESCRIPTIONS))
    assert narrated.summary.status == "missing" and narrated.summary.reason == "ai_rate_limited"
    assert narrated.summary.claims == []
    assert narrated.model_copy(update={"summary": insights.summary}) == insights


def test_the_output_schema_names_only_the_request_s_ids_and_holds_no_length_keywords() -> None:
    facts = brand_facts(brand_insights())
    schema = summarize_output_schema(SummaryRequest(kind="brand", subject="Glow", facts=facts, theme_ids=["t1"]))
    claim = schema["properties"]["claims"]["items"]["properties"]
    assert claim["fact_ids"]["items"]["enum"] == [fact.id for fact in facts]
    assert claim["fact_ids"]["minItems"] == 1
    assert "121" in claim["ad_ids"]["items"]["enum"]  # strict enums are strings; parsed back to ints
    assert schema["properties"]["theme_names"]["items"]["properties"]["theme_id"]["enum"] == ["t1"]
    assert schema["properties"]["recommendations"]["maxItems"] == 0  # a brand gets no recommendations
    assert "maxLength" not in str(schema) and "minLength" not in str(schema)  # OpenAI's strict mode refuses them


@pytest.fixture
def server() -> Iterator[FakeAIServer]:
    with FakeAIServer(FakeServerConfig(seed=11)) as running:
        yield running


RUNNERS = {"openai": with_openai, "bedrock": with_bedrock}


@pytest.mark.parametrize("provider_name", sorted(RUNNERS))
def test_a_remote_summary_keeps_only_checked_claims_and_names_themes_without_digits(
    server: FakeAIServer, provider_name: str
) -> None:
    insights = brand_insights()
    narrated = RUNNERS[provider_name](server, lambda provider: narrate(provider, insights, DESCRIPTIONS))
    summary = narrated.summary
    assert summary.status == "ok" and summary.calls == 1 and summary.input_tokens > 0 and summary.cost_usd > 0
    assert summary.routine_version and summary.routine_version.startswith(f"{provider_name}/")
    assert summary.routine_version.endswith("/summarize-v1")
    facts = {fact.id: fact for fact in brand_facts(insights)}
    for claim in summary.claims:  # the fake cites at random; what it kept is evidence of what it cites
        assert set(claim.ad_ids) <= {ad_id for fact_id in claim.fact_ids for ad_id in facts[fact_id].ad_ids}
    assert (
        len(summary.claims) + sum(count for reason, count in summary.dropped.items() if reason != "bad_theme_name") > 0
    )
    named = [theme for theme in narrated.themes.themes if theme.name_source == "ai"]
    assert named and all(not any(character.isdigit() for character in theme.name) for theme in named)
    assert statistics(narrated) == statistics(insights)


@pytest.mark.parametrize("provider_name", sorted(RUNNERS))
def test_a_summary_malformed_twice_is_missing_with_the_reason_and_the_statistics_stay(
    server: FakeAIServer, provider_name: str
) -> None:
    server.configure(malformed_first_n=2)
    insights = brand_insights()
    narrated = RUNNERS[provider_name](server, lambda provider: narrate(provider, insights, DESCRIPTIONS))
    assert narrated.summary.status == "missing" and narrated.summary.reason == "ai_malformed_output"
    assert narrated.model_copy(update={"summary": insights.summary}) == insights


@pytest.mark.parametrize("provider_name", sorted(RUNNERS))
def test_a_summary_malformed_once_is_asked_again_and_answered(server: FakeAIServer, provider_name: str) -> None:
    server.configure(malformed_first_n=1)
    narrated = RUNNERS[provider_name](server, lambda provider: narrate(provider, brand_insights(), DESCRIPTIONS))
    assert narrated.summary.status == "ok" and narrated.summary.calls == 2


def test_the_fake_refuses_a_strict_schema_with_a_length_keyword_as_openai_does(server: FakeAIServer) -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {"name": {"type": "string", "maxLength": 20}},
    }
    response = httpx.post(
        server.base_url + "/v1/chat/completions",
        json={
            "model": "gpt-4.1-mini",
            "messages": [{"role": "user", "content": "Name it."}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "named", "schema": schema, "strict": True},
            },
        },
    )
    assert response.status_code == 400
    assert "'maxLength' is not permitted" in response.json()["error"]["message"]
