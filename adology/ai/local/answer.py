"""The local ``answer``: Inquire's answer composed from the evidence's own statements, with no model.

The knowledge layer writes every fact's statement in the forms the checks accept, leading with the
finding that answers the question; the answer is that finding, then up to two supporting facts, then
the ads it rests on. It cites the facts it states; the ads it cites are the finding's evidence (for a
trend or a brand overview, whose facts are findings alike, the first few of each).
"""

from __future__ import annotations

from adology.ai.answers import MAX_ANSWER_CHARS, AnswerDraft, AnswerRequest

STATED_FACTS = 3
CITED_PER_FINDING = 4
MAX_CITED = 12
_FINDINGS_ALIKE = ("trend", "describe")


def compose_answer(request: AnswerRequest) -> AnswerDraft:
    stated = request.facts[:STATED_FACTS]
    findings = stated if request.intent in _FINDINGS_ALIKE else stated[:1]
    per_finding = CITED_PER_FINDING if len(findings) > 1 else MAX_CITED
    cited: list[int] = []
    for fact in findings:
        for ad_id in fact.ad_ids[:per_finding]:
            if ad_id not in cited and len(cited) < MAX_CITED:
                cited.append(ad_id)
    sentences = [_sentence(fact.statement) for fact in stated]
    text = " ".join(sentences)
    if cited:
        text += " Evidence: ads " + ", ".join(str(ad_id) for ad_id in cited) + "."
    return AnswerDraft(answer=text[:MAX_ANSWER_CHARS], fact_ids=[fact.id for fact in stated], ad_ids=cited)


def _sentence(statement: str) -> str:
    statement = statement.strip().rstrip(".")
    return statement[:1].upper() + statement[1:] + "."
