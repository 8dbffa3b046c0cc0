"""The checks an answer passes before anyone reads it.

First the draft's own consistency, as report claims are checked
(:func:`adology.knowledge.citations.verify_claims`): the facts it cites are the evidence's, every ad it
cites is evidence of one of them and one of the brandspace's, every ad it names is cited, and every
number it writes is one of the cited facts' values. Then the database: every cited ad exists, belongs
to a brand of the brandspace, and still matches what the fact it supports asked of it (the same SQL
predicate that found it, run again on the cited ids alone).
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from adology.ai.answers import AnswerDraft
from adology.ai.summaries import DraftClaim, Fact
from adology.knowledge.citations import verify_claims
from adology.knowledge.inquire.evidence import CURRENT_DESCRIPTIONS, Evidence, Scope, matching


def draft_problem(draft: AnswerDraft, evidence: Evidence, scope: Scope) -> str | None:
    """Why the draft cannot be shown (a reason such as ``unverified_number``), or None."""
    if not draft.answer.strip():
        return "empty"
    if not draft.fact_ids:
        return "no_fact_cited"
    claim = DraftClaim(text=draft.answer, fact_ids=draft.fact_ids, ad_ids=draft.ad_ids)
    allowed = {ad_id for fact in evidence.facts for ad_id in fact.ad_ids}
    _, dropped = verify_claims([claim], evidence.facts, allowed)
    return next(iter(dropped), None)


def database_problem(conn: psycopg.Connection, draft: AnswerDraft, evidence: Evidence, scope: Scope) -> str | None:
    """Why the database does not bear the draft's citations out, or None."""
    if not draft.ad_ids:
        return None
    all_brands = [brand.id for brand in scope.brands]
    rows = conn.execute("SELECT id FROM ads WHERE id = ANY(%s) AND brand_id = ANY(%s)", (draft.ad_ids, all_brands))
    if {int(row[0]) for row in rows.fetchall()} != set(draft.ad_ids):
        return "ad_outside_brandspace"
    cited_facts = [fact for fact in evidence.facts if fact.id in draft.fact_ids]
    for ad_ids, fact in _cited_per_fact(draft.ad_ids, cited_facts):
        plan = evidence.predicates.get(fact.id)
        if plan is None or not ad_ids:
            continue
        params: dict[str, object] = {"brands": all_brands, "cited": ad_ids}
        statement = sql.SQL(
            """WITH {current}
               SELECT count(*) FROM ads a LEFT JOIN current c ON c.ad_id = a.id
               WHERE a.id = ANY({cited}) AND {predicate}"""
        ).format(
            current=CURRENT_DESCRIPTIONS.format(brands=sql.Placeholder("brands")),
            cited=sql.Placeholder("cited"),
            predicate=matching(plan, params),
        )
        (count,) = conn.execute(statement, params).fetchone() or (0,)
        if count != len(ad_ids):
            return "ad_does_not_match"
    return None


def _cited_per_fact(ad_ids: Sequence[int], facts: Sequence[Fact]) -> list[tuple[list[int], Fact]]:
    """Each cited ad with the first cited fact it evidences (the one it is checked against)."""
    assigned: dict[str, list[int]] = {fact.id: [] for fact in facts}
    for ad_id in ad_ids:
        fact = next((fact for fact in facts if ad_id in fact.ad_ids), None)
        if fact is not None:
            assigned[fact.id].append(ad_id)
    return [(assigned[fact.id], fact) for fact in facts]
