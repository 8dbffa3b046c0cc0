"""``adology inquire eval``: Inquire measured on questions whose answers are known.

Questions come from templates filled with what a brandspace holds (its brands, the offers and months
its ads show, headlines drawn on them, brands of the library it does not hold, phrases no ad says).
Each answer is computed here independently of Inquire: the brandspace's ads and their current
analyses are read once, and every truth is counted in Python from those rows, not by Inquire's SQL.

Figures:
- accuracy: the answer's finding is the truth (the brand, count or value, one of those tied; for a
  search, the number of ads found and every ad returned) and its text states it; for a question whose
  honest answer is "not in this brandspace", the answer says it is unsupported and cites nothing;
- citation precision: cited ads that bear the answer out (they meet the question's conditions);
- unsupported claims: answers that assert a finding that is not the truth;
- outside citations: cited ads of brands outside the brandspace (must be zero).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from pydantic import BaseModel

from adology.ai.types import Provider
from adology.knowledge.inquire.service import Connect, InquireAnswer, ask
from adology.tenancy.accounts import User, get_user
from adology.tenancy.brandspaces import Brandspace, usable_brandspace

MONTHS_PER_BRAND = 2
HEADLINES = 6
ABSENT_PHRASES = ("zebra trampoline warranty", "quantum lawnmower rebate")
_OFFER_WORDS = {
    "percent_off": "percent off",
    "free_shipping": "free shipping",
    "free_gift": "free gift",
    "bogo": "buy one get one",
    "amount_off": "dollars off",
    "bundle": "bundle",
    "trial": "free trial",
}


@dataclass(frozen=True)
class AdRow:
    id: int
    brand: str  # partition key
    brand_name: str
    display_format: str
    started: date | None
    offer_type: str | None
    cta_type: str | None
    text: str  # what the ad says, lower case, whitespace collapsed
    spend: tuple[int, int | None] | None = None  # the disclosed range's bounds


@dataclass(frozen=True)
class Truth:
    """What a right answer holds: its kind and the values any of which is right (ties), or None for
    a question nothing in the brandspace answers; ``support`` the ads a citation may rest on."""

    kind: str  # brand | count | value | ads | none
    values: frozenset[Any]
    support: frozenset[int]
    words: tuple[str, ...] = ()  # what the text must say (any of them)


@dataclass(frozen=True)
class Question:
    template: str
    text: str
    truth: Truth


class Scored(BaseModel):
    template: str
    question: str
    answer: str
    accurate: bool
    unsupported_claim: bool
    cited: int
    cited_supporting: int
    cited_outside: int


class EvaluationReport(BaseModel):
    brandspaces: list[str]
    questions: int
    accuracy: float
    citation_precision: float
    unsupported_claim_rate: float
    outside_citations: int
    by_template: dict[str, dict[str, float]]
    answers: list[Scored]


def load_rows(conn: psycopg.Connection, brand_ids: list[int]) -> list[AdRow]:
    """The brandspace's ads with their current analysis (the newest description of each)."""
    rows = conn.execute(
        """SELECT a.id, b.partition_key, b.name, lower(coalesce(a.display_format, '')), a.started_at,
                  a.title, a.body, a.cta, d.attributes, a.spend_range
           FROM ads a JOIN brands b ON b.id = a.brand_id
           LEFT JOIN LATERAL (SELECT attributes FROM ad_descriptions WHERE ad_id = a.id
                              ORDER BY created_at DESC LIMIT 1) d ON TRUE
           WHERE a.brand_id = ANY(%s)""",
        (brand_ids,),
    ).fetchall()
    ads = []
    for ad_id, key, name, display, started, title, body, cta, attributes, spend in rows:
        attributes = attributes or {}
        read: list[Any] = attributes["text_read"] if isinstance(attributes.get("text_read"), list) else []
        said = " ".join(str(part) for part in [title, body, cta, attributes.get("headline"), *read] if part)
        ads.append(
            AdRow(
                id=int(ad_id),
                brand=key,
                brand_name=name,
                display_format=display,
                started=started.date() if started else None,
                offer_type=attributes.get("offer_type") if attributes else None,
                cta_type=attributes.get("cta_type") if attributes else None,
                text=" ".join(said.lower().split()),
                spend=(int(spend["lower"]), spend.get("upper"))
                if isinstance(spend, dict) and spend.get("lower") is not None
                else None,
            )
        )
    return ads


def _leaders(counts: Mapping[str, float]) -> frozenset[str]:
    best = max(counts.values())
    return frozenset(key for key, value in counts.items() if value == best)


def question_set(
    ads: list[AdRow], brands: dict[str, str], outside: dict[str, str], roles: dict[str, str] | None = None
) -> list[Question]:
    """The questions for one brandspace: ``brands`` its brands (key → name), ``outside`` library
    brands it does not hold, ``roles`` each brand's role (a question about "competitors" means those)."""
    questions: list[Question] = []
    phrase = _Phrasebook()
    roles = roles or {}
    competitors = [key for key in brands if roles.get(key) == "competitor"]
    by_brand: dict[str, list[AdRow]] = defaultdict(list)
    for ad in ads:
        by_brand[ad.brand].append(ad)

    def ranked(template: str, offer: str, words: str, measure: Callable[[str], float]) -> Question:
        text = phrase(template, offer=words)
        among = competitors if "competitor" in text.lower() and competitors else list(brands)
        measured = {key: measure(key) for key in among}
        if not any(measured.values()):  # none of them runs it: the honest answer is that none does
            return Question(template, text, Truth("none", frozenset(), frozenset()))
        leaders = _leaders(measured)
        support = frozenset(ad.id for ad in ads if ad.offer_type == offer and ad.brand in among)
        return Question(template, text, Truth("brand", leaders, support, tuple(brands[key] for key in leaders)))

    offers = sorted({ad.offer_type for ad in ads if ad.offer_type and ad.offer_type != "none"})
    for offer in offers:
        words = _OFFER_WORDS.get(offer, offer.replace("_", " "))
        having = [ad for ad in ads if ad.offer_type == offer]
        counts = {key: sum(ad.offer_type == offer for ad in by_brand[key]) for key in brands}
        shares = {key: counts[key] / len(by_brand[key]) if by_brand[key] else 0.0 for key in brands}
        questions.append(ranked("rank_count", offer, words, counts.__getitem__))
        questions.append(ranked("rank_share", offer, words, shares.__getitem__))
        for key in sorted(brands)[:2]:
            count = counts[key]
            questions.append(
                Question(
                    "count_offer",
                    phrase("count_offer", offer=words, brand=brands[key]),
                    Truth(
                        "count", frozenset({count}), frozenset(a.id for a in having if a.brand == key), (str(count),)
                    ),
                )
            )
    for key, name in sorted(brands.items()):
        own = by_brand[key]
        months = Counter(ad.started.replace(day=1) for ad in own if ad.started)
        video_months = Counter(ad.started.replace(day=1) for ad in own if ad.started and ad.display_format == "video")
        # the month with the most video ads (if any), then the busiest months
        chosen = [month for month, _ in video_months.most_common(1)]
        chosen += [month for month in sorted(months, key=lambda m: (-months[m], m)) if month not in chosen]
        for month in chosen[:MONTHS_PER_BRAND]:
            videos = [
                ad for ad in own if ad.display_format == "video" and ad.started and ad.started.replace(day=1) == month
            ]
            questions.append(
                Question(
                    "count_video_month",
                    phrase("count_video_month", brand=name, month=f"{month:%B %Y}"),
                    Truth("count", frozenset({len(videos)}), frozenset(ad.id for ad in videos), (str(len(videos)),)),
                )
            )
        questions += _most_common_cta("top_cta_brand", phrase("top_cta_brand", brand=name), own)
        formats = Counter(ad.display_format for ad in own if ad.display_format)
        if formats:
            top = _leaders(dict(formats))
            questions.append(
                Question(
                    "top_format_brand",
                    phrase("top_format_brand", brand=name),
                    Truth("value", top, frozenset(ad.id for ad in own if ad.display_format in top), tuple(top)),
                )
            )
    questions += _most_common_cta("top_cta", phrase("top_cta"), ads)
    questions += _spend_questions(ads, brands, by_brand, phrase)
    for headline in _headlines(ads):
        saying = frozenset(ad.id for ad in ads if headline.lower() in ad.text)
        questions.append(
            Question(
                "find_headline",
                phrase("find_headline", text=headline),
                Truth("ads", saying, saying, (str(len(saying)),)),
            )
        )
    nothing: frozenset[int] = frozenset()
    absent = [phrase("find_headline", text=text) for text in ABSENT_PHRASES]
    questions += [Question("absent_headline", text, Truth("none", frozenset(), nothing)) for text in absent]
    questions += [
        Question("outside_brand", phrase("outside_brand", brand=name), Truth("none", frozenset(), nothing, (name,)))
        for name in sorted(outside.values())
    ]
    return questions


# each template's wordings, taken in turn, so a question set tests the reading, not one sentence
PHRASINGS: dict[str, tuple[str, ...]] = {
    "rank_count": (
        "Which brand runs the most {offer} ads?",
        "Who has more {offer} offers than any other brand?",
        "Which of our competitors pushes {offer} the most?",
    ),
    "rank_share": (
        "Which competitor leans hardest on {offer} offers?",
        "Which brand relies most heavily on {offer}, as a share of its ads?",
    ),
    "count_offer": (
        "How many {offer} ads did {brand} run?",
        "Number of ads from {brand} with a {offer} offer?",
        "how many {brand} ads offer {offer}",
    ),
    "count_video_month": (
        "How many video ads did {brand} run in {month}?",
        "How many videos did {brand} start in {month}?",
        "Count {brand}'s video ads in {month}.",
    ),
    "top_cta_brand": (
        "Which call to action does {brand} use most?",
        "What is {brand}'s most common CTA?",
        "Most frequent call-to-action at {brand}?",
    ),
    "top_format_brand": ("Which format is most common in {brand}'s ads?", "What format does {brand} use most often?"),
    "top_cta": ("Which call to action is most common?", "What's the most used CTA across these brands?"),
    "find_headline": (
        'Find ads with the headline "{text}"',
        'Show me the ads that say "{text}"',
        "Which ads say '{text}'?",
    ),
    "outside_brand": ("How many video ads did {brand} run?", "Tell me about {brand}"),
    "spend_brand": ("How much did {brand} spend on ads?", "What is {brand}'s disclosed ad spend?"),
    "spend_rank": ("Which brand spends the most on ads?", "Who invests the most in advertising?"),
}


class _Phrasebook:
    def __init__(self) -> None:
        self._used: Counter[str] = Counter()

    def __call__(self, template: str, **values: str) -> str:
        wordings = PHRASINGS[template]
        wording = wordings[self._used[template] % len(wordings)]
        self._used[template] += 1
        return wording.format(**values)


def _spend_questions(
    ads: list[AdRow], brands: dict[str, str], by_brand: dict[str, list[AdRow]], phrase: _Phrasebook
) -> list[Question]:
    """How much each brand's disclosing ads spent (the sums of the ranges' bounds; an open range
    leaves the upper sum open) and which brand spent the most (by the sums' midpoints)."""
    sums: dict[str, tuple[int, int | None]] = {}
    for key in sorted(brands):
        ranges = [ad.spend for ad in by_brand[key] if ad.spend is not None]
        if ranges:
            uppers = [upper for _, upper in ranges]
            upper = None if any(bound is None for bound in uppers) else sum(int(bound or 0) for bound in uppers)
            sums[key] = (sum(lower for lower, _ in ranges), upper)
    questions = []
    for key in sorted(brands)[:3]:
        text = phrase("spend_brand", brand=brands[key])
        if key in sums:
            lower, upper = sums[key]
            support = frozenset(ad.id for ad in by_brand[key] if ad.spend is not None)
            truth = Truth("spend", frozenset({(key, lower, upper)}), support, (f"{lower:,}",))
        else:
            truth = Truth("none", frozenset(), frozenset())
        questions.append(Question("spend_brand", text, truth))
    if sums:
        midpoints = {key: lower if upper is None else (lower + upper) / 2 for key, (lower, upper) in sums.items()}
        leaders = _leaders(midpoints)
        support = frozenset(ad.id for ad in ads if ad.spend is not None)
        truth = Truth("brand", leaders, support, tuple(brands[key] for key in leaders))
        questions.append(Question("spend_rank", phrase("spend_rank"), truth))
    return questions


def _most_common_cta(template: str, text: str, ads: list[AdRow]) -> list[Question]:
    """The question of the most common CTA among ``ads`` (none when no ad has a known one)."""
    ctas = Counter(ad.cta_type for ad in ads if ad.cta_type and ad.cta_type not in ("none", "other"))
    if not ctas:
        return []
    top = _leaders(ctas)
    support = frozenset(ad.id for ad in ads if ad.cta_type in top)
    return [Question(template, text, Truth("value", top, support, tuple(value.replace("_", " ") for value in top)))]


def _headlines(ads: Iterable[AdRow]) -> list[str]:
    """Distinct short headlines the ads' copy leads with, the most used first."""
    counts: Counter[str] = Counter()
    for ad in ads:
        first = ad.text.split(".")[0].strip()
        if 2 <= len(first.split()) <= 6 and '"' not in first:
            counts[first] += 1
    return [text for text, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:HEADLINES]]


def score(question: Question, answer: InquireAnswer, brandspace_ads: frozenset[int]) -> Scored:
    """One answer against its truth (see the module for what each figure means)."""
    truth = question.truth
    result = answer.result or {}
    cited = [citation.ad_id for citation in answer.citations]
    text = answer.answer.lower()
    says = not truth.words or any(word.lower() in text for word in truth.words)
    if truth.kind == "none":
        accurate = not answer.supported and not cited and says
    elif truth.kind == "spend":
        sums: dict[str, list[int | None]] = result["value"] if isinstance(result.get("value"), dict) else {}
        stated = {(key, bounds[0], bounds[1]) for key, bounds in sums.items()}
        accurate = answer.supported and bool(stated & truth.values) and says
    elif truth.kind == "ads":
        found = next((figure.values.get("ads") for figure in answer.figures if figure.id == "matches"), None)
        returned = set(result.get("value") or [])
        accurate = bool(truth.values) and found == len(truth.values) and returned <= truth.values and says
    else:
        value = result.get("value")
        accurate = answer.supported and result.get("kind") == truth.kind and value in truth.values and says
    supporting = sum(ad_id in truth.support for ad_id in cited)
    return Scored(
        template=question.template,
        question=question.text,
        answer=answer.answer,
        accurate=accurate,
        unsupported_claim=answer.supported and not accurate,
        cited=len(cited),
        cited_supporting=supporting,
        cited_outside=sum(ad_id not in brandspace_ads for ad_id in cited),
    )


@dataclass
class _Totals:
    questions: int = 0
    accurate: int = 0
    unsupported: int = 0
    cited: int = 0
    supporting: int = 0
    outside: int = 0
    answers: list[Scored] = field(default_factory=list)

    def add(self, scored: Scored) -> None:
        self.questions += 1
        self.accurate += scored.accurate
        self.unsupported += scored.unsupported_claim
        self.cited += scored.cited
        self.supporting += scored.cited_supporting
        self.outside += scored.cited_outside
        self.answers.append(scored)

    def figures(self) -> dict[str, float]:
        return {
            "questions": self.questions,
            "accuracy": self.accurate / self.questions if self.questions else 0.0,
            "citation_precision": self.supporting / self.cited if self.cited else 1.0,
            "unsupported_claim_rate": self.unsupported / self.questions if self.questions else 0.0,
        }


def summarize(brandspaces: list[str], scored: list[Scored]) -> EvaluationReport:
    total = _Totals()
    per_template: dict[str, _Totals] = defaultdict(_Totals)
    for item in scored:
        total.add(item)
        per_template[item.template].add(item)
    figures = total.figures()
    return EvaluationReport(
        brandspaces=brandspaces,
        questions=total.questions,
        accuracy=figures["accuracy"],
        citation_precision=figures["citation_precision"],
        unsupported_claim_rate=figures["unsupported_claim_rate"],
        outside_citations=total.outside,
        by_template={name: totals.figures() for name, totals in sorted(per_template.items())},
        answers=scored,
    )


async def evaluate(
    connection: Connect,
    provider: Provider,
    spaces: list[tuple[User, Brandspace]],
    *,
    progress: Callable[[str, int, int, float], None] | None = None,
) -> EvaluationReport:
    """Every question of every brandspace asked as its ``user`` (nothing recorded), scored;
    ``progress(stage, done, total, seconds)`` after each answer."""
    sets = [(user, space, *await asyncio.to_thread(_questions_of, connection, space)) for user, space in spaces]
    total = sum(len(questions) for _, _, questions, _ in sets)
    started = time.monotonic()
    scored: list[Scored] = []
    for user, space, questions, held in sets:
        for question in questions:
            answer = await ask(connection, provider, user=user, brandspace=space, question=question.text, record=False)
            scored.append(score(question, answer, held))
            if progress is not None:
                progress("inquire eval", len(scored), total, time.monotonic() - started)
    return summarize([space.name for _, space in spaces], scored)


def _questions_of(connection: Connect, space: Brandspace) -> tuple[list[Question], frozenset[int]]:
    with connection() as conn:
        held = conn.execute(
            """SELECT b.partition_key, b.name, m.role FROM brandspace_brands m JOIN brands b ON b.id = m.brand_id
               WHERE m.brandspace_id = %s""",
            (space.id,),
        ).fetchall()
        brands = {key: name for key, name, _ in held}
        roles = {key: role for key, _, role in held}
        outside: dict[str, str] = dict(
            conn.execute(
                "SELECT partition_key, name FROM brands WHERE NOT (id = ANY(%s)) ORDER BY name LIMIT 3",
                (list(space.brand_ids),),
            ).fetchall()
        )
        ads = load_rows(conn, list(space.brand_ids))
    return question_set(ads, brands, outside, roles), frozenset(ad.id for ad in ads)


def evaluation_spaces(conn: psycopg.Connection, keys: list[str]) -> list[tuple[User, Brandspace]]:
    """The brandspaces to evaluate (``keys``, or every one that holds brands), each with an admin of
    its organization to ask as."""
    rows = conn.execute(
        """SELECT s.id, s.organization_id,
                  (SELECT u.id FROM users u WHERE u.organization_id = s.organization_id AND u.role = 'admin'
                   ORDER BY u.created_at LIMIT 1)
           FROM brandspaces s
           WHERE (cardinality(%s::text[]) = 0 OR s.partition_key = ANY(%s))
             AND EXISTS (SELECT 1 FROM brandspace_brands m WHERE m.brandspace_id = s.id)
           ORDER BY s.created_at""",
        (keys, keys),
    ).fetchall()
    spaces = []
    for space_id, organization_id, user_id in rows:
        if user_id is None:
            continue
        user = get_user(conn, organization_id, user_id)
        spaces.append((user, usable_brandspace(conn, user, uuid.UUID(str(space_id)))))
    return spaces


def format_evaluation(report: EvaluationReport) -> str:
    """The figures as a table, per template and in total, then the questions answered wrongly."""
    header = f"{'template':<20} {'questions':>9} {'accuracy':>9} {'citation precision':>19} {'unsupported':>12}"
    lines = [f"Inquire evaluation over {', '.join(report.brandspaces)}", header, "-" * len(header)]
    for name, figures in report.by_template.items():
        lines.append(
            f"{name:<20} {figures['questions']:>9.0f} {figures['accuracy']:>9.2f} "
            f"{figures['citation_precision']:>19.2f} {figures['unsupported_claim_rate']:>12.2f}"
        )
    lines.append("-" * len(header))
    lines.append(
        f"{'all':<20} {report.questions:>9} {report.accuracy:>9.2f} {report.citation_precision:>19.2f} "
        f"{report.unsupported_claim_rate:>12.2f}"
    )
    lines.append(f"cited ads outside their brandspace: {report.outside_citations}")
    wrong = [answer for answer in report.answers if not answer.accurate]
    if wrong:
        lines.append("")
        lines.append("answered wrongly:")
        lines += [f"  {answer.question}\n    → {answer.answer[:200]}" for answer in wrong]
    return "\n".join(lines)
