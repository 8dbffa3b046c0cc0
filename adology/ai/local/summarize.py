"""The local ``summarize``: claims composed from the facts themselves, with no model.

Each claim is a fact's own statement (written from its values, so every number it quotes checks),
citing that fact and its first evidence ads; trends first, then themes, distributions and
momentum. A brandspace's recommendations are its facts' suggestions (``values["suggestion"]``),
for the facts that carry one. Themes keep their c-TF-IDF names: no theme names are proposed.
"""

from __future__ import annotations

from adology.ai.summaries import MAX_CLAIMS, MAX_RECOMMENDATIONS, DraftClaim, Fact, SummaryDraft, SummaryRequest

_ORDER = {"trend": 0, "comparison": 1, "theme": 2, "distribution": 3, "momentum": 4}
_EVIDENCE = 3


def compose_summary(request: SummaryRequest) -> SummaryDraft:
    ranked = sorted(request.facts, key=lambda fact: _ORDER.get(fact.kind, len(_ORDER)))
    claims = [_claim(fact, fact.statement) for fact in ranked[:MAX_CLAIMS]]
    recommendations = [
        _claim(fact, suggestion)
        for fact in ranked
        if request.kind == "brandspace" and isinstance(suggestion := fact.values.get("suggestion"), str)
    ][:MAX_RECOMMENDATIONS]
    return SummaryDraft(claims=claims, recommendations=recommendations)


def _claim(fact: Fact, text: str) -> DraftClaim:
    return DraftClaim(text=text, fact_ids=[fact.id], ad_ids=fact.ad_ids[:_EVIDENCE])
