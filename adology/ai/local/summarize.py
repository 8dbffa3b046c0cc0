"""The local ``summarize``: claims composed from the facts themselves, with no model.

Each claim is a fact's own statement, which its writer composes from the fact's values in the forms
the checks accept (:mod:`adology.knowledge.citations`), citing that fact and its first evidence ads.
Claims take one fact of each kind in turn (trends, comparisons, themes, distributions, labels,
momentum, visual drift), so a summary of eight covers the brand rather than eight themes. A
brandspace's recommendations are its facts' suggestions (``values["suggestion"]``, which the
report writes on comparison and trend facts), in the facts' order.

No theme names are proposed: the themes keep their c-TF-IDF names (the leading terms), which are
what a name composed without a model would be, and ``name_source="ai"`` would misstate who wrote it.
"""

from __future__ import annotations

from itertools import chain, zip_longest

from adology.ai.summaries import MAX_CLAIMS, MAX_RECOMMENDATIONS, DraftClaim, Fact, SummaryDraft, SummaryRequest

KIND_ORDER = ("trend", "comparison", "theme", "distribution", "label", "momentum", "visual")
CITED_EVIDENCE = 3  # ads a claim cites out of its fact's evidence


def compose_summary(request: SummaryRequest) -> SummaryDraft:
    claims = [_claim(fact, fact.statement) for fact in _kinds_in_turn(request.facts)[:MAX_CLAIMS]]
    recommendations = [
        _claim(fact, suggestion)
        for fact in request.facts
        if request.kind == "brandspace" and isinstance(suggestion := fact.values.get("suggestion"), str)
    ][:MAX_RECOMMENDATIONS]
    return SummaryDraft(claims=claims, recommendations=recommendations)


def _kinds_in_turn(facts: list[Fact]) -> list[Fact]:
    """The facts one of each kind at a time (in KIND_ORDER, then any other kind), each kind in its order."""
    kinds = sorted({fact.kind for fact in facts}, key=lambda kind: (_rank(kind), kind))
    groups = [[fact for fact in facts if fact.kind == kind] for kind in kinds]
    return [fact for fact in chain.from_iterable(zip_longest(*groups)) if fact is not None]


def _rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _claim(fact: Fact, text: str) -> DraftClaim:
    return DraftClaim(text=text, fact_ids=[fact.id], ad_ids=fact.ad_ids[:CITED_EVIDENCE])
