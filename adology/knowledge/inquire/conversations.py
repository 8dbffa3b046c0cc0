"""Inquire's conversations: stored per organization and brandspace, each answer with the plan a
follow-up starts from and what it cost; the month's spend against the organization's budget."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from adology.ai.answers import MAX_HISTORY_TURNS, Turn
from adology.ai.types import Usage
from adology.knowledge.inquire.errors import BudgetExceededError
from adology.knowledge.inquire.question import Plan
from adology.serving.listing import Query
from adology.tenancy.errors import NotFoundError

TITLE_CHARS = 120
CONVERSATION_COLUMNS = ("id", "title", "user_id", "messages", "created_at", "updated_at")

_CONVERSATION_SELECT = sql.SQL(
    """SELECT c.id, c.title, c.user_id, c.created_at, c.updated_at,
              (SELECT count(*) FROM inquire_messages m WHERE m.conversation_id = c.id) AS messages
       FROM inquire_conversations c"""
)


@dataclass(frozen=True)
class History:
    """What a follow-up reads of its conversation: the last plan and the last turns."""

    plan: Plan | None
    turns: list[Turn]


def conversations_query(brandspace_id: uuid.UUID) -> Query:
    return Query(
        kind="conversations",
        select=_CONVERSATION_SELECT,
        conditions=[sql.SQL("c.brandspace_id = %(brandspace_id)s")],
        params={"brandspace_id": brandspace_id},
        order=("c.created_at", "c.id"),
        key=lambda row: (row["created_at"], str(row["id"])),
        columns=CONVERSATION_COLUMNS,
    )


def conversation(conn: psycopg.Connection, brandspace_id: uuid.UUID, conversation_id: uuid.UUID) -> dict[str, Any]:
    """The conversation with its answers in order; NotFoundError when it is not this brandspace's."""
    with conn.cursor(row_factory=dict_row) as cur:
        found = cur.execute(
            sql.SQL("{} WHERE c.id = %s AND c.brandspace_id = %s").format(_CONVERSATION_SELECT),
            (conversation_id, brandspace_id),
        ).fetchone()
        if found is None:
            raise NotFoundError("conversation", conversation_id)
        messages = cur.execute(
            """SELECT answer || jsonb_build_object('message_id', id, 'created_at', created_at) AS answer
               FROM inquire_messages WHERE conversation_id = %s ORDER BY id""",
            (conversation_id,),
        ).fetchall()
    return found | {"answers": [row["answer"] for row in messages]}


def history(conn: psycopg.Connection, brandspace_id: uuid.UUID, conversation_id: uuid.UUID) -> History:
    """The conversation's last plan and turns (NotFoundError when it is not this brandspace's)."""
    exists = conn.execute(
        "SELECT 1 FROM inquire_conversations WHERE id = %s AND brandspace_id = %s", (conversation_id, brandspace_id)
    ).fetchone()
    if exists is None:
        raise NotFoundError("conversation", conversation_id)
    rows = conn.execute(
        """SELECT question, answer ->> 'answer', plan FROM inquire_messages
           WHERE conversation_id = %s ORDER BY id DESC LIMIT %s""",
        (conversation_id, MAX_HISTORY_TURNS),
    ).fetchall()
    turns = [Turn(question=question, answer=answer or "") for question, answer, _ in reversed(rows)]
    return History(plan=Plan.model_validate(rows[0][2]) if rows else None, turns=turns)


def start_conversation(
    conn: psycopg.Connection, *, organization_id: uuid.UUID, brandspace_id: uuid.UUID, user_id: uuid.UUID, title: str
) -> uuid.UUID:
    row = conn.execute(
        """INSERT INTO inquire_conversations (organization_id, brandspace_id, user_id, title)
           VALUES (%s, %s, %s, %s) RETURNING id""",
        (organization_id, brandspace_id, user_id, " ".join(title.split())[:TITLE_CHARS] or "Question"),
    ).fetchone()
    assert row is not None
    return uuid.UUID(str(row[0]))


def record_answer(
    conn: psycopg.Connection,
    *,
    conversation_id: uuid.UUID,
    organization_id: uuid.UUID,
    question: str,
    answer: dict[str, Any],
    plan: Plan,
    routine_version: str,
    usage: Usage,
) -> tuple[int, Any]:
    """Store one answer; its id and time."""
    row = conn.execute(
        """INSERT INTO inquire_messages (conversation_id, organization_id, question, answer, plan, routine_version,
                                         calls, input_tokens, output_tokens, cost_usd)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, created_at""",
        (
            conversation_id,
            organization_id,
            question,
            Jsonb(answer),
            Jsonb(plan.model_dump(mode="json")),
            routine_version,
            usage.calls,
            usage.input_tokens,
            usage.output_tokens,
            usage.cost_usd,
        ),
    ).fetchone()
    assert row is not None
    conn.execute("UPDATE inquire_conversations SET updated_at = now() WHERE id = %s", (conversation_id,))
    return int(row[0]), row[1]


def inquire_usage(conn: psycopg.Connection, organization_id: uuid.UUID) -> dict[str, Any]:
    """The organization's Inquire budget and what this calendar month's answers (UTC) have used."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            """SELECT date_trunc('month', now() AT TIME ZONE 'UTC')::date AS month,
                      o.inquire_budget_usd::float AS budget_usd,
                      coalesce(sum(m.cost_usd), 0)::float AS spent_usd, count(m.id) AS answers,
                      coalesce(sum(m.calls), 0) AS calls, coalesce(sum(m.input_tokens), 0) AS input_tokens,
                      coalesce(sum(m.output_tokens), 0) AS output_tokens
               FROM organizations o
               LEFT JOIN inquire_messages m ON m.organization_id = o.id
                    AND m.created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
               WHERE o.id = %s GROUP BY o.id""",
            (organization_id,),
        ).fetchone()
    if row is None:
        raise NotFoundError("organization", organization_id)
    return row


def set_inquire_budget(conn: psycopg.Connection, organization_id: uuid.UUID, monthly_usd: float) -> None:
    conn.execute("UPDATE organizations SET inquire_budget_usd = %s WHERE id = %s", (monthly_usd, organization_id))


def require_budget(conn: psycopg.Connection, organization_id: uuid.UUID) -> None:
    """BudgetExceededError when the organization has spent its Inquire budget this calendar month (UTC)."""
    usage = inquire_usage(conn, organization_id)
    budget, spent = usage["budget_usd"], usage["spent_usd"]
    if spent >= budget:
        raise BudgetExceededError(
            f"the organization's Inquire budget of ${budget:.2f} for this month is spent (${spent:.2f} used); "
            "it renews on the first of next month (UTC), or an admin raises it (PUT /v1/inquire/budget)"
        )
