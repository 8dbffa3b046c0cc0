"""The Inquire evaluation's truths and figures on tiny sets with known answers, and that they fall
when the answers get worse."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from adology.knowledge.inquire.evaluation import AdRow, Question, Truth, question_set, score, summarize
from adology.knowledge.inquire.service import AnswerUsage, Citation, Figure, InquireAnswer

BRANDS = {"a": "Alpha", "b": "Beta"}


def _ad(
    ad_id: int,
    brand: str,
    *,
    offer: str = "none",
    fmt: str = "image",
    started: date | None = None,
    cta: str = "shop_now",
    text: str = "",
    spend: tuple[int, int | None] | None = None,
) -> AdRow:
    started = started or date(2025, 5, 3)
    return AdRow(ad_id, brand, BRANDS[brand], fmt, started, offer, cta, text or f"ad {ad_id}", spend)


ADS = [
    _ad(1, "a", offer="free_shipping", fmt="video", text="glow up now. shop now", spend=(100, 199)),
    _ad(2, "a", offer="free_shipping", started=date(2025, 6, 1), spend=(1000, None)),
    _ad(3, "a", cta="learn_more"),
    _ad(4, "b", offer="free_shipping", fmt="video", text="glow up now. learn more", spend=(500, 999)),
    _ad(5, "b", cta="learn_more", started=date(2025, 6, 9)),
]


def _answer(
    *,
    supported: bool = True,
    result: dict[str, Any] | None = None,
    text: str = "",
    cited: tuple[int, ...] = (),
    figures: list[Figure] | None = None,
) -> InquireAnswer:
    return InquireAnswer(
        conversation_id=None,
        message_id=None,
        question="q",
        answer=text,
        intent="rank",
        supported=supported,
        result=result,
        figures=figures or [],
        citations=[
            Citation(ad_id=i, brand="a", brand_name="Alpha", title=None, display_format=None, started_at=None)
            for i in cited
        ],
        check="kept",
        routine_version="local/x",
        usage=AnswerUsage(calls=1, input_tokens=0, output_tokens=0, cost_usd=0),
        created_at=datetime.now(UTC),
    )


def _by_text(questions: list[Question], text: str) -> Question:
    return next(question for question in questions if question.text == text)


def test_truths_are_counted_from_the_rows_with_ties_kept() -> None:
    questions = question_set(ADS, BRANDS, {"c": "Gamma"})
    rank = _by_text(questions, "Which brand runs the most free shipping ads?")
    assert rank.truth.values == {"a"} and rank.truth.support == {1, 2, 4}
    share = _by_text(questions, "Which competitor leans hardest on free shipping offers?")
    assert share.truth.values == {"a"}  # 2 of 3 against 1 of 2
    video = _by_text(questions, "How many video ads did Alpha run in May 2025?")
    assert video.truth.values == {1} and video.truth.support == {1}
    top = _by_text(questions, "Which call to action is most common?")
    assert top.truth.values == {"shop_now"}  # 3 ads against 2
    beta_cta = next(q for q in questions if q.template == "top_cta_brand" and "Beta" in q.text)
    assert beta_cta.truth.values == {"shop_now", "learn_more"}  # one each: either is right
    headline = _by_text(questions, 'Find ads with the headline "glow up now"')
    assert headline.truth.values == {1, 4}
    alpha_spend = _by_text(questions, "How much did Alpha spend on ads?")
    assert alpha_spend.truth.values == {("a", 1100, None)}  # an open range leaves the sum open
    beta_spend = _by_text(questions, "What is Beta's disclosed ad spend?")
    assert beta_spend.truth.values == {("b", 500, 999)}
    most = _by_text(questions, "Which brand spends the most on ads?")
    assert most.truth.values == {"a"}  # 1,100 (open) against a midpoint of 749.5
    outside = next(question for question in questions if question.template == "outside_brand")
    assert outside.truth.kind == "none" and "Gamma" in outside.text


def test_a_right_answer_scores_and_a_worse_one_does_not() -> None:
    question = Question(
        "rank_count",
        "Which brand runs the most free shipping ads?",
        Truth("brand", frozenset({"a"}), frozenset({1, 2, 4}), ("Alpha",)),
    )
    held = frozenset({1, 2, 3, 4, 5})
    right = score(
        question, _answer(result={"kind": "brand", "value": "a"}, text="Alpha runs the most", cited=(1, 2)), held
    )
    assert right.accurate and not right.unsupported_claim and (right.cited, right.cited_supporting) == (2, 2)
    wrong_brand = score(question, _answer(result={"kind": "brand", "value": "b"}, text="Beta runs the most"), held)
    assert not wrong_brand.accurate and wrong_brand.unsupported_claim
    unstated = score(question, _answer(result={"kind": "brand", "value": "a"}, text="Beta runs the most"), held)
    assert not unstated.accurate
    loose = score(question, _answer(result={"kind": "brand", "value": "a"}, text="Alpha", cited=(1, 3, 99)), held)
    assert (loose.cited_supporting, loose.cited_outside) == (1, 1)


def test_an_honest_none_scores_only_when_it_claims_and_cites_nothing() -> None:
    question = Question(
        "outside_brand", "How many video ads did Gamma run?", Truth("none", frozenset(), frozenset(), ("Gamma",))
    )
    honest = score(question, _answer(supported=False, text="Gamma is not in this brandspace"), frozenset())
    assert honest.accurate and not honest.unsupported_claim
    claimed = score(question, _answer(result={"kind": "count", "value": 3}, text="Gamma ran 3"), frozenset())
    assert not claimed.accurate and claimed.unsupported_claim


def test_a_search_must_find_every_ad_and_return_only_right_ones() -> None:
    question = Question("find_headline", "x", Truth("ads", frozenset({1, 4}), frozenset({1, 4}), ("2",)))
    found = [Figure(id="matches", statement="2 ads", values={"ads": 2})]
    right = score(
        question, _answer(result={"kind": "ads", "value": [4, 1]}, text="has 2 ads", figures=found), frozenset()
    )
    assert right.accurate
    extra = score(
        question, _answer(result={"kind": "ads", "value": [4, 1, 3]}, text="has 2 ads", figures=found), frozenset()
    )
    assert not extra.accurate


def test_the_figures_are_the_shares_of_the_scored_answers() -> None:
    question = Question("t", "q", Truth("count", frozenset({2}), frozenset({1, 2}), ("2",)))
    held = frozenset({1, 2, 3})
    scored = [
        score(question, _answer(result={"kind": "count", "value": 2}, text="2 ads", cited=(1, 2)), held),
        score(question, _answer(result={"kind": "count", "value": 2}, text="2 ads", cited=(1, 3)), held),
        score(question, _answer(result={"kind": "count", "value": 5}, text="5 ads", cited=()), held),
        score(question, _answer(supported=False, text="none"), held),
    ]
    report = summarize(["space"], scored)
    assert report.questions == 4 and report.accuracy == 0.5
    assert report.citation_precision == 3 / 4 and report.unsupported_claim_rate == 1 / 4
    assert report.outside_citations == 0 and report.by_template["t"]["accuracy"] == 0.5


def test_a_question_about_competitors_is_judged_among_the_competitors() -> None:
    questions = question_set(ADS, BRANDS, {}, {"a": "primary", "b": "competitor"})
    about_competitors = _by_text(questions, "Which competitor leans hardest on free shipping offers?")
    assert about_competitors.truth.values == {"b"} and about_competitors.truth.support == {4}
    about_all = _by_text(questions, "Which brand runs the most free shipping ads?")
    assert about_all.truth.values == {"a"}


def test_when_no_competitor_runs_an_offer_the_honest_answer_is_none() -> None:
    ads = [_ad(1, "a", offer="bogo"), _ad(2, "b")]
    questions = question_set(ads, BRANDS, {}, {"a": "primary", "b": "competitor"})
    about_competitors = _by_text(questions, "Which competitor leans hardest on buy one get one offers?")
    assert about_competitors.truth.kind == "none"
    assert _by_text(questions, "Which brand runs the most buy one get one ads?").truth.values == {"a"}
