"""The ``answer`` routine's types: Inquire's evidence in, a drafted answer out.

The knowledge layer decides what a question asks and gathers the evidence itself (structured queries
and retrieval over one brandspace's ads); a provider only writes the prose from that evidence and says
which facts and ads it rests on. :mod:`adology.knowledge.inquire.checks` then checks the draft the way
report claims are checked (every cited fact known, every cited ad evidence of one, every number one of
theirs) and against the database; a draft that fails is replaced by the evidence's own statements.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from adology.ai.summaries import Fact

ANSWER_PROMPT_VERSION = "answer-v1"
MAX_ANSWER_CHARS = 1_500
MAX_EVIDENCE_ADS = 12
MAX_HISTORY_TURNS = 4

Intent = Literal["find", "count", "rank", "top_value", "trend", "describe", "spend"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EvidenceAd(_Frozen):
    """An ad the answer may cite, as the writer sees it."""

    ad_id: int
    brand: str  # the brand's name
    summary: str  # its headline and the start of its description, at most 80 words


class Turn(_Frozen):
    """An earlier question of the conversation and the answer it got."""

    question: str
    answer: str


class AnswerRequest(_Frozen):
    """What the writer gets: the question, what the knowledge layer took it to ask, and the evidence.

    ``facts`` come in order of importance: the first is the finding that answers the question.
    """

    question: str
    intent: Intent
    subject: str  # the brandspace's name
    facts: list[Fact]
    ads: list[EvidenceAd] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)


class AnswerDraft(_Frozen):
    """The writer's answer before the checks: the prose, the facts it rests on, the ads it cites."""

    answer: str
    fact_ids: list[str]
    ad_ids: list[int]
