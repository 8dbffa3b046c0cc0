"""`adology ai eval` runs every provider the configuration can open, the same way.

Pinned here: the openai and bedrock providers, opened from their typed configurations against the
simulated AI service over real HTTP, and the local provider on a small set, each give a complete,
well-formed report (every ratio in 0..1 or not measured, timings present, no failed call); the
local provider really reads the drawn words, and the same provider with half of what it read
thrown away scores lower; the command prints exactly one JSON object with ``--json`` and the
table without it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adology.ai.config import BedrockConfig, LocalConfig, OpenAIConfig, ProviderConfig
from adology.ai.evaluation.run import EvaluationReport, evaluate, evaluate_provider
from adology.ai.registry import open_provider
from adology.ai.summaries import SummaryDraft, SummaryRequest
from adology.ai.types import AdInput, AIError, Description, Embeddings, Labels, Provider, Usage
from simulators.ai_service import FakeAIServer, FakeServerConfig

ADOLOGY = str(Path(sys.executable).parent / "adology")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeAIServer]:
    with FakeAIServer(FakeServerConfig(seed=11)) as running:
        yield running


def run(config: ProviderConfig, *, seed: int = 2, count: int = 6) -> EvaluationReport:
    return asyncio.run(evaluate(config, seed=seed, count=count, in_flight=4))


def assert_well_formed(report: EvaluationReport, *, ads: int) -> None:
    assert report.ads == ads and sum(report.formats.values()) == ads
    assert report.figures.failures == {}, report.figures.failures
    ratios: list[Any] = [report.figures.ocr.recall, report.figures.ocr.precision]
    ratios += [figure.accuracy for figure in report.figures.attributes.values()]
    ratios += [figure.answered for figure in report.figures.attributes.values()]
    ratios.append(report.figures.descriptions_within_limit)
    for ratio in ratios:
        assert ratio.value is None or 0.0 <= ratio.value <= 1.0
        assert 0 <= ratio.count <= ratio.of
    detections = [d for figures in report.figures.detection.values() for d in (figures.presence, figures.typed)]
    detections += [labels.overall for labels in report.figures.labels.values()]
    for detection in detections:
        for value in (detection.precision, detection.recall):
            assert value is None or 0.0 <= value <= 1.0
    assert report.figures.descriptions_within_limit.value == 1.0
    assert report.timing.seconds_per_ad is not None and report.timing.seconds_per_ad > 0
    assert report.timing.cpu_seconds_per_ad is not None and report.timing.cpu_seconds_per_ad >= 0
    assert {"format", "aspect_ratio", "offer_type", "cta_type"} <= set(report.figures.attributes)
    assert EvaluationReport.model_validate_json(report.model_dump_json()) == report


def test_the_openai_provider_is_evaluated_against_the_simulated_service(server: FakeAIServer) -> None:
    before = server.stats()["requests_total"]
    report = run(OpenAIConfig(api_key="test", base_url=f"{server.base_url}/v1"))
    assert report.provider == "openai"
    assert_well_formed(report, ads=6)
    assert report.figures.ocr.measured  # the fake returns extracted_text, made-up words
    assert server.stats()["requests_total"] - before >= 3 * 6  # describe, label and embed per ad


def test_the_bedrock_provider_is_evaluated_against_the_simulated_service(
    server: FakeAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    report = run(BedrockConfig(region="us-east-1", endpoint_url=server.base_url, concurrency=4))
    assert report.provider == "bedrock"
    assert_well_formed(report, ads=6)


class HalfReading:
    """A provider that forgets every other word it read."""

    def __init__(self, provider: Provider) -> None:
        self._provider = provider
        self.name = provider.name
        self.creative_routines = provider.creative_routines
        self.embed_batch_size = provider.embed_batch_size

    def model_id(self, routine: str) -> str:
        return self._provider.model_id(routine)

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]:
        description, usage = await self._provider.describe(ad)
        words = " ".join(description.extracted_text).split()
        return description.model_copy(update={"extracted_text": [" ".join(words[::2])]}), usage

    async def label(self, ad: AdInput, description: Description | None) -> tuple[Labels, Usage]:
        return await self._provider.label(ad, description)

    async def embed(self, ad: AdInput, description: Description | None) -> tuple[Embeddings, Usage]:
        return await self._provider.embed(ad, description)

    async def embed_many(
        self, items: list[tuple[AdInput, Description | None]]
    ) -> tuple[list[Embeddings | AIError], Usage]:
        return await self._provider.embed_many(items)

    async def summarize(self, request: SummaryRequest) -> tuple[SummaryDraft, Usage]:
        return await self._provider.summarize(request)


def test_the_local_provider_reads_the_set_and_a_worse_one_scores_lower() -> None:
    report = run(LocalConfig(), seed=1, count=10)
    assert report.provider == "local"
    assert_well_formed(report, ads=10)
    recall = report.figures.ocr.recall.value
    assert recall is not None and recall >= 0.6  # it reads; how well is the README's table
    assert report.figures.attributes["format"].accuracy.value == 1.0
    assert report.figures.attributes["aspect_ratio"].accuracy.value == 1.0

    async def half_reading() -> EvaluationReport:
        async with open_provider(LocalConfig()) as local:
            return await evaluate_provider(HalfReading(local), seed=1, count=10, in_flight=4)

    worse = asyncio.run(half_reading()).figures.ocr.recall.value
    assert worse is not None and worse < recall - 0.25


def test_the_command_prints_one_json_object_or_the_table(server: FakeAIServer, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ADOLOGY_STATE_DIR": str(tmp_path),
        "OPENAI_API_KEY": "test",
        "OPENAI_BASE_URL": f"{server.base_url}/v1",
    }
    command = [ADOLOGY, "ai", "eval", "--provider", "openai", "--seed", "2", "--count", "3"]
    as_json = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=300, env=env)
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert (report["provider"], report["seed"], report["set"], report["ads"]) == ("openai", 2, "held-out", 3)
    assert "analysing: 3/3 ads" in as_json.stderr

    table = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert table.returncode == 0, table.stderr
    assert "OCR word recall" in table.stdout and "seed 2 (held-out set)" in table.stdout
