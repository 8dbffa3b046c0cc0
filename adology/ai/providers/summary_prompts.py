"""What the remote providers ask for ``summarize``: the instructions, the request as text, the strict
output schema built from the request (fact ids, theme ids and evidence ad ids as enums, so a
constrained model cannot cite what it was not given), and the answer's parsing.

Enums narrow what a model can cite; :func:`adology.knowledge.citations.verify_claims` still checks
every claim before it is stored, for the numbers a schema cannot constrain.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from adology.ai.providers.prompts import MalformedOutput
from adology.ai.summaries import (
    MAX_CLAIM_CHARS,
    MAX_CLAIMS,
    MAX_RECOMMENDATIONS,
    MAX_THEME_NAME_WORDS,
    MAX_THEME_SUMMARY_WORDS,
    SummaryDraft,
    SummaryRequest,
)

SUMMARIZE_INSTRUCTIONS = """You write findings for a competitive ad-intelligence service.
You receive computed statistics as facts, each with an id, a statement, its values and the ids of
the ads that evidence it, and a sample of ad descriptions. Answer with a JSON object:
- "claims": up to {claims} short findings a marketer can act on, each at most {chars} characters.
  Each claim cites the ids of the facts it rests on and the ids of ads that show it (only ads listed
  under those facts); an ad named in the text ("ad 123") must be one it cites.
- "theme_names": for each theme id listed, a name of at most {name_words} words and a one-line
  summary of at most {summary_words} words, both without digits, drawn from the theme's words and
  sample descriptions.
- "recommendations": for a brandspace, up to {recommendations} recommendations for the primary
  brand, each citing facts and ads the same way; for a brand, an empty list.
Every number you write must be a value of a fact the claim cites: a share as a percentage rounded
to a whole number or one decimal (0.4137 as 41% or 41.4%), other numbers as given or rounded to at
least two significant digits, a p- or q-value as given or as a bound it meets (p<0.001), a date as
given (2025-05-05, May 2025). Never compute new numbers (no differences, ratios or totals) and say
nothing the facts do not support."""


def summarize_instructions() -> str:
    return SUMMARIZE_INSTRUCTIONS.format(
        claims=MAX_CLAIMS,
        chars=MAX_CLAIM_CHARS,
        name_words=MAX_THEME_NAME_WORDS,
        summary_words=MAX_THEME_SUMMARY_WORDS,
        recommendations=MAX_RECOMMENDATIONS,
    )


def summarize_text(request: SummaryRequest) -> str:
    """The request as the model reads it: the subject, the facts, the themes to name, the samples."""
    facts = [
        {"id": fact.id, "statement": fact.statement, "values": fact.values, "ad_ids": fact.ad_ids}
        for fact in request.facts
    ]
    samples = [{"ad_id": sample.ad_id, "description": sample.description} for sample in request.samples]
    return (
        f"Subject ({request.kind}): {request.subject}\n"
        f"Facts:\n{json.dumps(facts, ensure_ascii=False)}\n"
        f"Themes to name: {', '.join(request.theme_ids) or 'none'}\n"
        f"Sample descriptions:\n{json.dumps(samples, ensure_ascii=False)}"
    )


def summarize_output_schema(request: SummaryRequest) -> dict[str, Any]:
    """The strict output schema. Lengths are asked for in descriptions, not ``maxLength``, which
    OpenAI's strict mode refuses outright; ``narrate`` refuses a theme name or summary that is too long."""
    fact_ids = [fact.id for fact in request.facts]
    # strict schemas take string enums only; parse_summary turns the ids back into integers
    ad_ids = sorted({ad_id for fact in request.facts for ad_id in fact.ad_ids})
    claim = {
        "type": "object",
        "additionalProperties": False,
        "required": ["text", "fact_ids", "ad_ids"],
        "properties": {
            "text": {
                "type": "string",
                "description": f"At most {MAX_CLAIM_CHARS} characters; numbers only as the cited facts give them.",
            },
            "fact_ids": {"type": "array", "items": _enum(fact_ids), "minItems": 1},
            "ad_ids": _list_of(_enum([str(ad_id) for ad_id in ad_ids]), len(ad_ids)),
        },
    }
    theme = {
        "type": "object",
        "additionalProperties": False,
        "required": ["theme_id", "name", "summary"],
        "properties": {
            "theme_id": _enum(request.theme_ids),
            "name": {"type": "string", "description": f"At most {MAX_THEME_NAME_WORDS} words, no digits."},
            "summary": {
                "type": "string",
                "description": f"One line of at most {MAX_THEME_SUMMARY_WORDS} words, no digits.",
            },
        },
    }
    claims = MAX_CLAIMS if fact_ids else 0
    recommendations = MAX_RECOMMENDATIONS if fact_ids and request.kind == "brandspace" else 0
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["claims", "theme_names", "recommendations"],
        "properties": {
            "claims": _list_of(claim, claims),
            "theme_names": _list_of(theme, len(request.theme_ids)),
            "recommendations": _list_of(claim, recommendations),
        },
    }


def _enum(values: list[str]) -> dict[str, Any]:
    # an empty enum is not a valid schema: a value stands in for it, in a list that must stay empty
    return {"type": "string", "enum": values or ["(none)"]}


def _list_of(items: dict[str, Any], most: int) -> dict[str, Any]:
    return {"type": "array", "items": items, "maxItems": most}


def parse_summary(answer: Any) -> SummaryDraft:
    """The draft in a model's (already JSON-decoded) answer, ad ids as integers; raises MalformedOutput."""
    if not isinstance(answer, dict):
        raise MalformedOutput(f"expected a JSON object, got {type(answer).__name__}")
    missing = {"claims", "theme_names", "recommendations"} - set(answer)
    if missing:
        raise MalformedOutput(f"required fields are missing: {sorted(missing)}")
    try:
        return SummaryDraft.model_validate(answer)  # lax validation reads "123" as the ad id 123
    except ValidationError as exc:
        raise MalformedOutput("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
