"""How two versions of a brandspace report differ (``diff_reports``): a first version has nothing to
differ from; topics are matched by their terms even when their key moves, and only shares that moved
five points or more count; significant trends that began or ended, recommendations added or
removed; and the causes in the inputs (members added or removed, a member's new insights version,
new ads). The text rendering says what changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from adology.knowledge.insights.model import Claim
from adology.knowledge.report import render_report
from adology.knowledge.report_model import (
    Benchmark,
    BrandActivity,
    BrandspaceReport,
    BrandTrend,
    Cause,
    CtaComparison,
    CtaUse,
    InsightsRef,
    Recommendations,
    ReportMember,
    Role,
    ShareChange,
    ThemeComparison,
    Topic,
    TopicShare,
    TrendComparison,
    VoiceShare,
    diff_reports,
)

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
LATER = datetime(2026, 6, 8, tzinfo=UTC)
ROLES: dict[str, Role] = {"glow": "primary", "lumen": "competitor", "petal": "competitor"}


def _brand(key: str, *, ads: int = 10, insights: int | None = 1) -> BrandActivity:
    ref = (
        InsightsRef(
            version=insights,
            status="ok",
            as_of=AS_OF,
            ads_counted=ads,
            units_counted=ads,
            themes=2,
            significant_trends=1,
        )
        if insights
        else None
    )
    return BrandActivity(
        partition_key=key,
        name=key.title(),
        role=ROLES[key],
        ads_total=ads,
        ads_active=ads,
        ads_new_30d=0,
        insights=ref,
    )


def _topic(key: str, terms: list[str], shares: dict[str, float]) -> Topic:
    return Topic(
        key=key,
        name=" / ".join(terms[:2]),
        terms=terms,
        shares=[
            TopicShare(brand=brand, share=share, ads=1, theme_ids=["t1"], ad_ids=[1]) for brand, share in shares.items()
        ],
        leader=max(shares, key=lambda brand: shares[brand]),
        sentence="",
    )


def _trend(signal: str, significant: dict[str, bool]) -> TrendComparison:
    return TrendComparison(
        signal=signal,
        family=signal.split(":")[0],
        significant_for=[brand for brand, flag in significant.items() if flag],
        brands=[
            BrandTrend(
                brand=brand,
                significant=flag,
                direction="up",
                change_after=date(2026, 3, 1),
                changed_between=(date(2026, 2, 1), date(2026, 3, 1)),
                share_before=0.1,
                share_after=0.5,
                p_value=0.001 if flag else 0.4,
                q_value=0.004 if flag else 0.6,
                evidence_ad_ids=[1],
            )
            for brand, flag in significant.items()
        ],
    )


def _report(**changes: Any) -> BrandspaceReport:
    brands = changes.pop("brands", [_brand("glow"), _brand("lumen")])
    voice = changes.pop("voice", {"glow": 0.5, "lumen": 0.5})
    fields: dict[str, Any] = {
        "brandspace": "skincare",
        "name": "Skincare",
        "as_of": AS_OF,
        "members": [
            ReportMember(brand_id=index, partition_key=brand.partition_key, name=brand.name, role=brand.role)
            for index, brand in enumerate(brands, start=1)
        ],
        "brands": brands,
        "benchmark": Benchmark(
            primary="glow",
            competitors=[brand.partition_key for brand in brands if brand.role == "competitor"],
            share_of_voice=[
                VoiceShare(partition_key=key, role=ROLES[key], active_ads=10, share=share)
                for key, share in voice.items()
            ],
        ),
        "themes": ThemeComparison(
            method="centroid_cosine",
            threshold=0.2,
            brands=["glow", "lumen"],
            topics=changes.pop(
                "topics",
                [
                    _topic("hydration-serum", ["hydration", "serum", "plump"], {"glow": 0.6, "lumen": 0.2}),
                    _topic("retinol-night", ["retinol", "night", "cream"], {"glow": 0.0, "lumen": 0.8}),
                ],
            ),
        ),
        "trends": changes.pop("trends", [_trend("cta:learn_more", {"lumen": True, "glow": False})]),
        "ctas": [
            CtaComparison(
                cta="shop_now",
                brands=[
                    CtaUse(
                        brand=brand,
                        share=share,
                        units=1,
                        ads=3,
                        median_days_running=20.0,
                        reused_share=0.0,
                        ad_ids=[1],
                    )
                    for brand, share in changes.pop("shop_now", {"glow": 0.7, "lumen": 0.1}).items()
                ],
                longest_running=None,
            )
        ],
        "notes": [],
        "recommendations": Recommendations(
            status="ok",
            items=[
                Claim(text=text, fact_ids=["compare:voice"], ad_ids=[])
                for text in changes.pop("advice", ["Run more ads."])
            ],
        ),
    }
    return BrandspaceReport(**fields | changes)


def test_a_first_version_has_nothing_to_differ_from() -> None:
    diff = diff_reports(None, _report())
    assert diff.previous_as_of is None
    assert diff.model_dump(exclude={"previous_as_of"}) == {
        name: [] for name in diff.model_dump(exclude={"previous_as_of"})
    }


def test_the_same_report_again_changes_nothing() -> None:
    diff = diff_reports(_report(), _report(as_of=LATER))
    assert diff.previous_as_of == AS_OF
    assert not any(value for name, value in diff.model_dump().items() if name != "previous_as_of")


def test_topics_are_matched_by_their_terms_and_only_shares_moved_five_points_count() -> None:
    current = _report(
        topics=[
            # the same topic, its leading terms swapped: a new key, but the same terms
            _topic("serum-hydration", ["serum", "hydration", "dewy"], {"glow": 0.64, "lumen": 0.3}),
            _topic("spf-mineral", ["spf", "mineral", "sunscreen"], {"glow": 0.1, "lumen": 0.0}),
        ]
    )
    diff = diff_reports(_report(), current)
    assert (diff.topics_added, diff.topics_removed) == (["spf-mineral"], ["retinol-night"])
    # glow moved four points (not a change), lumen ten
    assert diff.share_changes == [
        ShareChange(kind="topic", subject="serum-hydration", brand="lumen", before=0.2, after=0.3)
    ]


def test_cta_and_voice_shares_that_moved_are_listed() -> None:
    diff = diff_reports(_report(), _report(shop_now={"glow": 0.5, "lumen": 0.12}, voice={"glow": 0.4, "lumen": 0.6}))
    assert diff.share_changes == [
        ShareChange(kind="cta", subject="shop_now", brand="glow", before=0.7, after=0.5),
        ShareChange(kind="voice", subject="share_of_voice", brand="glow", before=0.5, after=0.4),
        ShareChange(kind="voice", subject="share_of_voice", brand="lumen", before=0.5, after=0.6),
    ]


def test_trends_that_became_or_stopped_being_significant() -> None:
    current = _report(
        trends=[
            _trend("cta:learn_more", {"lumen": False, "glow": True}),
            _trend("format:video", {"lumen": True}),
        ]
    )
    diff = diff_reports(_report(), current)
    assert diff.trends_new == ["glow cta:learn_more up", "lumen format:video up"]
    assert diff.trends_ended == ["lumen cta:learn_more up"]


def test_recommendations_added_and_removed() -> None:
    diff = diff_reports(_report(advice=["Run more ads.", "Test video."]), _report(advice=["Test video.", "Try SPF."]))
    assert (diff.recommendations_added, diff.recommendations_removed) == (["Try SPF."], ["Run more ads."])


def test_the_causes_name_members_added_and_removed_new_insights_and_new_ads() -> None:
    previous = _report(brands=[_brand("glow", insights=None), _brand("lumen", ads=10)])
    current = _report(brands=[_brand("glow", insights=1), _brand("petal")], voice={"glow": 0.5, "petal": 0.5})
    assert diff_reports(previous, current).causes == [
        Cause(kind="member_added", brand="petal"),
        Cause(kind="member_removed", brand="lumen"),
        Cause(kind="insights_changed", brand="glow", from_version=None, to_version=1),
    ]
    grown = _report(brands=[_brand("glow", ads=14, insights=2), _brand("lumen", ads=10)])
    assert diff_reports(_report(), grown).causes == [
        Cause(kind="insights_changed", brand="glow", from_version=1, to_version=2),
        Cause(kind="new_ads", brand="glow", ads=4),
    ]


def test_the_rendering_says_what_changed_and_why() -> None:
    previous = _report()
    current = _report(
        as_of=LATER,
        brands=[_brand("glow", ads=14, insights=2), _brand("lumen")],
        trends=[_trend("cta:learn_more", {"lumen": True, "glow": True})],
    )
    current = current.model_copy(update={"changes_since_previous": diff_reports(previous, current)})
    text = render_report(current, version=2)
    assert text.startswith("Skincare (skincare) — report version 2, as of 2026-06-08 00:00 UTC")
    assert "Changes since the report of 2026-06-01 00:00 UTC" in text
    assert "cause: Glow's insights v1 → v2" in text and "cause: 4 new ads of Glow" in text
    assert "trend new: glow cta:learn_more up" in text
    first = _report()
    first = first.model_copy(update={"changes_since_previous": diff_reports(None, first)})
    assert "Changes: this is the first report" in render_report(first)
