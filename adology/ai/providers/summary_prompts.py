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
from adology.ai.summaries import MAX_CLAIMS, MAX_RECOMMENDATIONS, SummaryDraft, SummaryRequest

SUMMARIZE_INSTRUCTIONS = """You write findings for a competitive ad-intelligence service.
You receive computed statistics as facts, each with an id, a statement, its values and the ids of
the ads that evidence it, and a sample of ad descriptions. Answer with a JSON object:
- "claims": up to {claims} short findings a marketer can act on. Each claim cites the ids of the
  facts it rests on and the ids of ads that show it (only ads listed under those facts). Quote
  numbers only as the facts give them (a share of 0.41 may be written 41%); never compute new ones.
- "theme_names": for each theme id listed, a name of at most six words (no digits) and a one-line
  summary of at most 25 words, drawn from the theme's words and sample descriptions.
- "recommendations": for a brandspace, up to {recommendations} recommendations for the primary
  brand, each citing facts and ads the same way; for a brand, an empty list.
Say nothing the facts do not support."""


def summarize_instructions() -> str:
    return SUMMARIZE_INSTRUCTIONS.format(claims=MAX_CLAIMS, recommendations=MAX_RECOMMENDATIONS)


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
    fact_ids = [fact.id for fact in request.facts]
    ad_ids = sorted({str(ad_id) for fact in request.facts for ad_id in fact.ad_ids})
    claim = {
        "type": "object",
        "additionalProperties": False,
        "required": ["text", "fact_ids", "ad_ids"],
        "properties": {
            "text": {"type": "string", "maxLength": 300},
            "fact_ids": {"type": "array", "items": _enum(fact_ids), "minItems": 1},
            "ad_ids": {"type": "array", "items": _enum(ad_ids)},
        },
    }
    theme = {
        "type": "object",
        "additionalProperties": False,
        "required": ["theme_id", "name", "summary"],
        "properties": {
            "theme_id": _enum(request.theme_ids),
            "name": {"type": "string", "maxLength": 60},
            "summary": {"type": "string", "maxLength": 200},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["claims", "theme_names", "recommendations"],
        "properties": {
            "claims": {"type": "array", "items": claim, "maxItems": MAX_CLAIMS},
            "theme_names": {"type": "array", "items": theme, "maxItems": max(len(request.theme_ids), 0)},
            "recommendations": {
                "type": "array",
                "items": claim,
                "maxItems": MAX_RECOMMENDATIONS if request.kind == "brandspace" else 0,
            },
        },
    }


def _enum(values: list[str]) -> dict[str, Any]:
    # an empty enum is not a valid schema: a value that can match nothing stands in for it
    return {"type": "string", "enum": values or ["(none)"]}


def parse_summary(answer: Any) -> SummaryDraft:
    """The draft in a model's (already JSON-decoded) answer, ad ids as integers; raises MalformedOutput."""
    if not isinstance(answer, dict):
        raise MalformedOutput(f"expected a JSON object, got {type(answer).__name__}")
    missing = {"claims", "theme_names", "recommendations"} - set(answer)
    if missing:
        raise MalformedOutput(f"required fields are missing: {sorted(missing)}")
    try:
        for part in ("claims", "recommendations"):
            for claim in answer.get(part) or []:
                if isinstance(claim, dict) and isinstance(claim.get("ad_ids"), list):
                    claim["ad_ids"] = [int(ad_id) for ad_id in claim["ad_ids"] if str(ad_id).isdigit()]
        return SummaryDraft.model_validate(answer)
    except ValidationError as exc:
        raise MalformedOutput("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
