"""Inquire: a question about a brandspace answered in steps the code can check.

1. read the question into a plan (:mod:`.question`), against the conversation's last plan;
2. gather the evidence over the brandspace's brands only (:mod:`.evidence`): structured queries,
   retrieval by meaning for a search with a topic, the stored insights;
3. have the provider's ``answer`` routine write the prose from that evidence;
4. check the draft against the evidence and the database (:mod:`.checks`); a draft that fails is
   replaced by the evidence's own statements, and the reason is kept with the answer;
5. store it in the conversation with what it cost.

The database work runs in worker threads (psycopg is synchronous here); the provider's calls run on
the caller's event loop, where its clients live.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import psycopg
from pydantic import BaseModel

from adology.ai.answers import AnswerDraft, AnswerRequest
from adology.ai.local.answer import compose_answer
from adology.ai.routines import answer_version
from adology.ai.summaries import Fact
from adology.ai.types import AIError, Provider, Usage
from adology.knowledge.inquire.checks import database_problem, draft_problem
from adology.knowledge.inquire.conversations import (
    History,
    history,
    record_answer,
    require_budget,
    start_conversation,
)
from adology.knowledge.inquire.errors import QuestionError
from adology.knowledge.inquire.evidence import Evidence, Scope, ScopeBrand, evidence_ads, gather
from adology.knowledge.inquire.question import Plan, read_question, today_utc
from adology.logs import get_logger
from adology.tenancy.accounts import User
from adology.tenancy.brandspaces import Brandspace

log = get_logger(__name__)

MAX_QUESTION_CHARS = 2_000
EXAMPLES = (
    '"Which competitor leans hardest on limited-time offers?", "How many video ads did <brand> run in '
    '<month> <year>?", "Which call to action is most common?", "What changed in <brand>\'s calls to action '
    'since spring?", "Show ads about <topic>", "Tell me about <brand>"'
)

Connect = Callable[[], AbstractContextManager[psycopg.Connection]]
Progress = Callable[[str], Awaitable[None]]


class Figure(BaseModel):
    id: str
    statement: str
    values: dict[str, float | int | str]


class Citation(BaseModel):
    ad_id: int
    brand: str
    brand_name: str
    title: str | None
    display_format: str | None
    started_at: datetime | None


class AnswerUsage(BaseModel):
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


class InquireAnswer(BaseModel):
    """A checked answer: the prose, what it rests on (figures and cited ads), and what it cost.

    ``supported`` is False when nothing in the brandspace answers the question (the answer says so);
    ``result`` is the finding in structured form; ``check`` is ``kept`` when the writer's draft passed
    every check, else the reason it was replaced by the evidence's own statements.
    """

    conversation_id: uuid.UUID | None  # None only for an answer not recorded (an evaluation's)
    message_id: int | None
    question: str
    answer: str
    intent: str | None
    supported: bool
    result: dict[str, Any] | None
    figures: list[Figure]
    citations: list[Citation]
    check: str
    routine_version: str
    usage: AnswerUsage
    created_at: datetime


def clean_question(question: str) -> str:
    text = "".join(ch for ch in question if ch.isprintable() or ch in "\n\t").strip()
    if not text:
        raise QuestionError("the question is empty; ask about the brandspace's ads, e.g. " + EXAMPLES)
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question has {len(text):,} characters; the limit is {MAX_QUESTION_CHARS:,}")
    return text


async def ask(
    connection: Connect,
    provider: Provider,
    *,
    user: User,
    brandspace: Brandspace,
    question: str,
    conversation_id: uuid.UUID | None = None,
    progress: Progress | None = None,
    record: bool = True,
) -> InquireAnswer:
    """Answer ``question`` about ``brandspace`` for ``user`` (who may use it), in a new conversation
    or as a follow-up in ``conversation_id`` (NotFoundError when that is not this brandspace's).
    ``record=False`` (the evaluation) stores nothing and spends nothing from the budget's record."""

    async def step(name: str) -> None:
        if progress is not None:
            await progress(name)

    text = clean_question(question)
    await step("reading")
    scope, plan, past = await asyncio.to_thread(_read, connection, user, brandspace, text, conversation_id)
    usage = Usage()
    evidence = _before_evidence(scope, plan)
    if evidence is None:
        vector = None
        if plan.intent == "find" and plan.topic:
            await step("retrieving")
            embedding, spent = await provider.embed_query(plan.topic)
            usage += spent
            vector = (embedding.vector, embedding.model)
        await step("querying")
        evidence = await asyncio.to_thread(_gather, connection, scope, plan, vector)
    request = AnswerRequest(
        question=text,
        intent=plan.intent or "find",
        subject=brandspace.name,
        facts=evidence.facts,
        history=past.turns,
    )
    draft, check = compose_answer(request), "kept"
    if evidence.supported:
        request = request.model_copy(update={"ads": await asyncio.to_thread(_evidence_ads, connection, evidence)})
        await step("writing")
        try:
            written, spent = await provider.answer(request)
            usage += spent
        except AIError as exc:
            log.warning("inquire answer routine failed", extra={"reason": exc.reason, "brandspace": str(brandspace.id)})
            check = f"ai_error:{exc.reason}"
        else:
            await step("checking")
            problem = await asyncio.to_thread(_problem, connection, written, evidence, scope)
            if problem is None:
                draft = written
            else:
                check = problem
                log.info("inquire draft replaced", extra={"reason": problem, "brandspace": str(brandspace.id)})
    note = _outside_note(plan, scope)
    return await asyncio.to_thread(
        _store,
        connection,
        user=user,
        brandspace=brandspace,
        question=text,
        conversation_id=conversation_id,
        plan=plan,
        evidence=evidence,
        draft=draft,
        prose=f"{note} {draft.answer}".strip() if note else draft.answer,
        check=check,
        routine_version=answer_version(provider),
        usage=usage,
        record=record,
    )


def _read(
    connection: Connect, user: User, brandspace: Brandspace, text: str, conversation_id: uuid.UUID | None
) -> tuple[Scope, Plan, History]:
    with connection() as conn:
        require_budget(conn, user.organization_id)
        past = history(conn, brandspace.id, conversation_id) if conversation_id else History(plan=None, turns=[])
        brands = _brands(conn, brandspace)
        named: dict[str, str] = dict(
            conn.execute(
                "SELECT partition_key, name FROM brands WHERE strpos(lower(%s), lower(name)) > 0 LIMIT 20", (text,)
            ).fetchall()
        )
    plan = read_question(
        text,
        brands={brand.key: brand.name for brand in brands},
        library_brands=named,
        today=today_utc(),
        previous=past.plan,
    )
    # the brands named, else those of the roles named ("competitors"), else all of them
    asked = (
        tuple(brand for brand in brands if brand.key in plan.brands)
        or tuple(brand for brand in brands if brand.role in plan.roles)
        or tuple(brands)
    )
    return Scope(brandspace.id, brandspace.name, tuple(brands), asked), plan, past


def _brands(conn: psycopg.Connection, brandspace: Brandspace) -> list[ScopeBrand]:
    rows = conn.execute(
        """SELECT b.id, b.partition_key, b.name, m.role FROM brandspace_brands m JOIN brands b ON b.id = m.brand_id
           WHERE m.brandspace_id = %s AND b.id = ANY(%s)
           ORDER BY array_position(ARRAY['primary', 'competitor', 'followed'], m.role), b.name""",
        (brandspace.id, list(brandspace.brand_ids)),
    ).fetchall()
    return [ScopeBrand(int(brand_id), key, name, role) for brand_id, key, name, role in rows]


def _before_evidence(scope: Scope, plan: Plan) -> Evidence | None:
    """The answer when there is nothing to look up: no brands, only brands outside the brandspace,
    or a question no rule could read."""
    names: dict[str, float | int | str] = {"brands": ", ".join(brand.name for brand in scope.brands)}
    if not scope.brands:
        statement = f"The {scope.name} brandspace has no brands yet: add its primary brand and competitors first"
    elif plan.outside_brands and not plan.brands:
        statement = _outside_statement(plan, scope)
    elif plan.intent is None:
        statement = (
            "I could not tell what this question asks of the brandspace's ads. Inquire answers questions in "
            f"English about the {scope.name} brandspace, for example {EXAMPLES}"
        )
    else:
        return None
    fact = Fact(id="scope", kind="absence", statement=statement, values=names, ad_ids=[])
    return Evidence(facts=[fact], result={"kind": "none", "value": None}, supported=False)


def _outside_statement(plan: Plan, scope: Scope) -> str:
    outside = ", ".join(plan.outside_brands)
    inside = ", ".join(brand.name for brand in scope.brands)
    verb = "is" if len(plan.outside_brands) == 1 else "are"
    return f"{outside} {verb} not in the {scope.name} brandspace (its brands: {inside}), so no ad here answers that"


def _outside_note(plan: Plan, scope: Scope) -> str | None:
    if plan.outside_brands and plan.brands:
        return _outside_statement(plan, scope) + "; for the brands that are:"
    return None


def _gather(connection: Connect, scope: Scope, plan: Plan, vector: tuple[list[float], str] | None) -> Evidence:
    with connection() as conn:
        if not _analysed(conn, scope):
            fact = Fact(
                id="scope",
                kind="absence",
                statement=f"No ad of {scope.phrase()} is analysed yet; answers come once their analysis finishes",
                values=scope.named(),
                ad_ids=[],
            )
            return Evidence(facts=[fact], result={"kind": "none", "value": None}, supported=False)
        return gather(conn, scope, plan, query_vector=vector)


def _analysed(conn: psycopg.Connection, scope: Scope) -> bool:
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM ad_descriptions d JOIN ads a ON a.id = d.ad_id WHERE a.brand_id = ANY(%s))",
        (scope.brand_ids,),
    ).fetchone()
    return bool(row and row[0])


def _evidence_ads(connection: Connect, evidence: Evidence) -> list[Any]:
    with connection() as conn:
        return evidence_ads(conn, [ad_id for fact in evidence.facts for ad_id in fact.ad_ids])


def _problem(connection: Connect, draft: AnswerDraft, evidence: Evidence, scope: Scope) -> str | None:
    problem = draft_problem(draft, evidence, scope)
    if problem is not None:
        return problem
    with connection() as conn:
        return database_problem(conn, draft, evidence, scope)


def _store(
    connection: Connect,
    *,
    user: User,
    brandspace: Brandspace,
    question: str,
    conversation_id: uuid.UUID | None,
    plan: Plan,
    evidence: Evidence,
    draft: AnswerDraft,
    prose: str,
    check: str,
    routine_version: str,
    usage: Usage,
    record: bool,
) -> InquireAnswer:
    with connection() as conn, conn.transaction():
        if conversation_id is None and record:
            conversation_id = start_conversation(
                conn,
                organization_id=user.organization_id,
                brandspace_id=brandspace.id,
                user_id=user.id,
                title=question,
            )
        cited_facts = [fact for fact in evidence.facts if fact.id in draft.fact_ids] or evidence.facts
        body: dict[str, Any] = {
            "conversation_id": str(conversation_id) if conversation_id else None,
            "question": question,
            "answer": prose,
            "intent": plan.intent,
            "supported": evidence.supported,
            "result": evidence.result,
            "figures": [Figure(id=f.id, statement=f.statement, values=f.values).model_dump() for f in cited_facts],
            "citations": [citation.model_dump(mode="json") for citation in _citations(conn, draft.ad_ids)],
            "check": check,
            "routine_version": routine_version,
            "usage": AnswerUsage(**usage.model_dump()).model_dump(),
        }
        if conversation_id is None:
            return InquireAnswer.model_validate(body | {"message_id": None, "created_at": datetime.now(UTC)})
        message_id, created_at = record_answer(
            conn,
            conversation_id=conversation_id,
            organization_id=user.organization_id,
            question=question,
            answer=body,
            plan=plan,
            routine_version=routine_version,
            usage=usage,
        )
        body |= {"message_id": message_id, "created_at": created_at.isoformat()}
    log.info(
        "inquire answered",
        extra={
            "brandspace": str(brandspace.id),
            "organization": str(user.organization_id),
            "intent": plan.intent,
            "supported": evidence.supported,
            "check": check,
            "cited": len(draft.ad_ids),
        },
    )
    return InquireAnswer.model_validate(body)


def _citations(conn: psycopg.Connection, ad_ids: list[int]) -> list[Citation]:
    if not ad_ids:
        return []
    rows = conn.execute(
        """SELECT a.id, b.partition_key, b.name, a.title, a.display_format, a.started_at
           FROM ads a JOIN brands b ON b.id = a.brand_id WHERE a.id = ANY(%s)""",
        (ad_ids,),
    ).fetchall()
    by_id = {
        int(row[0]): Citation(
            ad_id=int(row[0]), brand=row[1], brand_name=row[2], title=row[3], display_format=row[4], started_at=row[5]
        )
        for row in rows
    }
    return [by_id[ad_id] for ad_id in ad_ids if ad_id in by_id]
