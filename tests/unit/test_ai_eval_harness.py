"""The harness can tell a good provider from a worse one.

Pinned here, with a provider that answers from the truth itself (an oracle): it scores 1.0 on
every figure and leaks no offer label, so the truth and the scoring agree with each other; made
worse (half the words it read dropped, its calls to action removed, an offer label put on every
ad) the figures fall by what was taken away; a provider's AIError costs that ad alone and is
counted; CPU time includes child processes; the report prints every figure and says what is not
measured.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from adology.ai.evaluation.creatives import EvaluationAd, render_set
from adology.ai.evaluation.report import format_report
from adology.ai.evaluation.run import EvaluationReport, evaluate_provider, process_cpu_seconds
from adology.ai.evaluation.truth import AdTruth, attribute_truth, label_truth
from adology.ai.evaluation.vocabulary import DEV_SEED
from adology.ai.types import AdInput, AIError, Description, Embeddings, Labels, LabelScore, Usage, run_each

COUNT = 10


@pytest.fixture(scope="module")
def truths() -> dict[str, AdTruth]:
    return {ad.truth.ad_id: ad.truth for ad in _ads()}


def _ads() -> list[EvaluationAd]:
    return render_set(DEV_SEED, COUNT)


class Oracle:
    """Answers every question from the truth of the evaluation ad it is shown."""

    name = "oracle"
    creative_routines = frozenset({"describe"})
    embed_batch_size = 1

    def __init__(self, truths: dict[str, AdTruth]) -> None:
        self._truths = truths

    def model_id(self, routine: str) -> str:
        return "truth"

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]:
        truth = self._truths[ad.ad_id]
        attributes = dict(attribute_truth(truth))
        attributes["urgency_phrases"] = [truth.urgency.text] if truth.urgency else []
        lines = [line.text for line in truth.lines]
        return Description(description="What was drawn.", attributes=attributes, extracted_text=lines), Usage(calls=1)

    async def label(self, ad: AdInput, description: Description | None) -> tuple[Labels, Usage]:
        expected = label_truth(self._truths[ad.ad_id])
        scores = [
            LabelScore(taxonomy=taxonomy, label=label, confidence=1.0)
            for taxonomy, decided in expected.items()
            for label in sorted(decided.expected)
        ]
        return Labels(labels=scores), Usage(calls=1)

    async def embed(self, ad: AdInput, description: Description | None) -> tuple[Embeddings, Usage]:
        return Embeddings(embeddings=[]), Usage(calls=1)

    async def embed_many(self, items: list[tuple[AdInput, Description | None]]) -> tuple[list[Any], Usage]:
        return await run_each(self.embed, items)


class Worse(Oracle):
    """The oracle with its answers spoiled by ``spoil_description`` and ``spoil_labels``."""

    def __init__(
        self,
        truths: dict[str, AdTruth],
        spoil_description: Callable[[Description], Description] = lambda d: d,
        spoil_labels: Callable[[Labels], Labels] = lambda labels: labels,
    ) -> None:
        super().__init__(truths)
        self._spoil_description = spoil_description
        self._spoil_labels = spoil_labels

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]:
        description, usage = await super().describe(ad)
        return self._spoil_description(description), usage

    async def label(self, ad: AdInput, description: Description | None) -> tuple[Labels, Usage]:
        labels, usage = await super().label(ad, description)
        return self._spoil_labels(labels), usage


def evaluate(provider: Any) -> EvaluationReport:
    return asyncio.run(evaluate_provider(provider, seed=DEV_SEED, count=COUNT, in_flight=4))


def test_answers_from_the_truth_score_perfectly(truths: dict[str, AdTruth]) -> None:
    figures = evaluate(Oracle(truths)).figures
    assert figures.ocr.recall.value == figures.ocr.precision.value == 1.0
    for detection in figures.detection.values():
        assert (detection.presence.precision, detection.presence.recall) == (1.0, 1.0)
        assert (detection.typed.precision, detection.typed.recall) == (1.0, 1.0)
    for labels in figures.labels.values():
        assert (labels.overall.precision, labels.overall.recall) == (1.0, 1.0)
    assert all(figure.accuracy.value == 1.0 for figure in figures.attributes.values()), figures.attributes
    assert figures.offer_labels_without_offer.ads == 0
    assert figures.descriptions_within_limit.value == 1.0
    assert figures.failures == {}


def _half_the_words(description: Description) -> Description:
    words = " ".join(description.extracted_text).split()
    return description.model_copy(update={"extracted_text": [" ".join(words[::2])]})


def _without_cta(description: Description) -> Description:
    return description.model_copy(update={"attributes": {**description.attributes, "cta": None, "cta_type": "none"}})


def _without_cta_labels(labels: Labels) -> Labels:
    return Labels(labels=[s for s in labels.labels if not s.label.endswith("_cta")])


def _offer_everywhere(labels: Labels) -> Labels:
    return Labels(labels=[*labels.labels, LabelScore(taxonomy="UNIVERSAL", label="free_shipping", confidence=0.9)])


def test_a_provider_made_worse_scores_worse(truths: dict[str, AdTruth]) -> None:
    perfect = evaluate(Oracle(truths)).figures

    half_read = evaluate(Worse(truths, spoil_description=_half_the_words)).figures
    assert half_read.ocr.recall.value is not None and 0.4 <= half_read.ocr.recall.value <= 0.6
    assert half_read.ocr.precision.value == 1.0  # what it still read was drawn

    no_cta = evaluate(Worse(truths, spoil_description=_without_cta, spoil_labels=_without_cta_labels)).figures
    assert no_cta.detection["cta"].presence.recall == 0.0
    assert no_cta.attributes["cta_type"].accuracy.value is not None
    assert no_cta.attributes["cta_type"].accuracy.value < perfect.attributes["cta_type"].accuracy.value  # type: ignore[operator]
    universal = no_cta.labels["UNIVERSAL"]
    assert universal.by_label["shop_now_cta"].recall in (0.0, None)
    assert universal.overall.recall is not None and universal.overall.recall < 1.0

    leaky = evaluate(Worse(truths, spoil_labels=_offer_everywhere)).figures
    without_offer = sum(truth.offer is None for truth in truths.values())
    assert leaky.offer_labels_without_offer.ads == without_offer > 0
    assert leaky.labels["UNIVERSAL"].overall.precision is not None
    assert leaky.labels["UNIVERSAL"].overall.precision < 1.0


class Flaky(Oracle):
    """Fails describe on every third ad, as a server error would."""

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]:
        if int(ad.ad_id[-4:]) % 3 == 0:
            raise AIError("ai_server_error", "HTTP 500", retryable=True)
        return await super().describe(ad)


def test_a_failed_call_costs_its_ad_alone_and_is_counted(truths: dict[str, AdTruth]) -> None:
    report = evaluate(Flaky(truths))
    failed = len(range(0, COUNT, 3))
    assert report.figures.failures == {"describe": {"ai_server_error": failed}}
    assert report.figures.descriptions_within_limit.of == COUNT - failed
    assert report.figures.attributes["format"].answered.count == COUNT - failed
    assert report.figures.ocr.recall.value is not None and report.figures.ocr.recall.value < 1.0


def test_cpu_seconds_include_child_processes() -> None:
    burn = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"
    before = process_cpu_seconds()
    subprocess.run([sys.executable, "-c", burn], check=True)
    assert process_cpu_seconds() - before >= 0.35


def test_the_report_prints_every_figure_and_what_is_not_measured(truths: dict[str, AdTruth]) -> None:
    report = evaluate(Oracle(truths))
    text = format_report(report)
    for row in (
        "OCR word recall",
        "OCR word precision",
        "offer detection precision / recall",
        "CTA detection precision / recall",
        "urgency detection precision / recall",
        "offer labels on ads with no offer",
        "UNIVERSAL labels precision / recall",
        "TREND labels precision / recall",
        "attribute accuracy",
        "descriptions within 500 words",
        "seconds per ad",
        "CPU-seconds per ad",
        "not measured: face detection",
        f"seed {DEV_SEED} (development set)",
    ):
        assert row in text
    assert EvaluationReport.model_validate_json(report.model_dump_json()) == report
