"""The OpenAI provider against the fake AI server, over real HTTP with the real ``openai`` client.

Nothing is mocked: the fake speaks OpenAI's wire format and injects the faults (429 storms,
500s, timeouts, malformed output, a concurrency ceiling), and its admin stats show what the
provider actually sent. Retry waits are shrunk to milliseconds so the file stays fast.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import openai
import pytest
from PIL import Image

from adology.ai.providers.openai_provider import OpenAIProvider
from adology.ai.schema import attribute_schema, taxonomies
from adology.ai.types import AdInput, AIError, CreativeInput, CreativeKind, Description, EmbeddingKind
from simulators.ai_service import FakeAIServer, FakeServerConfig
from simulators.ai_service.generator import schema_answer, schema_text
from tests.insight_records import summary_request

T = TypeVar("T")


def png_bytes(colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def make_ad(*creatives: CreativeInput) -> AdInput:
    return AdInput(
        ad_id="ad-1",
        brand="Acme",
        title="Trail running shoes, 50% off",
        body="Lightweight grip for every mountain. Free shipping this weekend only.",
        cta="Shop now",
        link_url="https://acme.example/shoes",
        creatives=list(creatives),
    )


def image_ad() -> AdInput:
    return make_ad(CreativeInput.from_bytes(png_bytes(), kind=CreativeKind.IMAGE, content_type="image/png"))


@pytest.fixture
def server() -> Iterator[FakeAIServer]:
    with FakeAIServer(FakeServerConfig(seed=7)) as running:
        yield running


def run(
    server: FakeAIServer, scenario: Callable[[OpenAIProvider], Awaitable[T]], *, timeout: float = 10.0, **options: Any
) -> T:
    """Run ``scenario`` with a provider on a fresh client; retry waits are milliseconds unless overridden."""

    async def main() -> T:
        async with openai.AsyncOpenAI(
            base_url=server.base_url + "/v1", api_key="test", max_retries=0, timeout=timeout
        ) as client:
            provider = OpenAIProvider(
                client, **{"backoff_initial_seconds": 0.005, "backoff_max_seconds": 0.02, **options}
            )
            return await scenario(provider)

    return asyncio.run(main())


def test_the_fake_answers_a_schema_by_its_content_not_its_key_order() -> None:
    """The fake seeds an answer with the schema's sorted JSON text; the cached orjson route must give
    the json module's text exactly, or every fake answer would change."""
    schema = {
        "type": "object",
        "required": ["tone", "score"],
        "properties": {
            "tone": {"type": "string", "enum": ["calm", "urgent", "café"]},
            "score": {"type": "number", "minimum": 0.5, "maximum": 1.5},
        },
    }
    reordered = json.loads(json.dumps(dict(reversed(list(schema.items())))))
    assert schema_text(schema) == json.dumps(schema, sort_keys=True) == schema_text(reordered)
    assert schema_answer(schema, "a calm ad") == schema_answer(reordered, "a calm ad")
    assert len({json.dumps(schema_answer(schema, f"ad {n}"), sort_keys=True) for n in range(20)}) > 1


def test_describe_returns_a_description_valid_under_the_schema_with_usage(server: FakeAIServer) -> None:
    description, usage = run(server, lambda provider: provider.describe(image_ad()))

    assert isinstance(description, Description)
    assert set(description.attributes) == set(attribute_schema().names)
    assert attribute_schema().validate_values(description.attributes) == description.attributes
    assert 0 < description.word_count <= 500
    stats = server.stats()
    assert stats["requests"] == {"chat.completions": 1}
    assert usage.calls == 1
    assert usage.input_tokens == stats["prompt_tokens"] >= server.config.image_tokens  # the image was sent
    assert usage.output_tokens == stats["completion_tokens"] > 0
    assert usage.cost_usd > 0


def test_label_returns_only_known_labels_each_in_its_own_taxonomy(server: FakeAIServer) -> None:
    description = Description(description="A runner on a mountain trail wearing red shoes.", attributes={})

    labels, usage = run(server, lambda provider: provider.label(image_ad(), description))

    assert labels.labels
    known = {name: set(taxonomy.names) for name, taxonomy in taxonomies().items()}
    for score in labels.labels:
        assert score.label in known[score.taxonomy]
        assert 0.0 <= score.confidence <= 1.0
    assert usage.calls == 1 and server.stats()["requests"] == {"chat.completions": 1}


def test_embed_sends_text_and_retrieval_in_one_request_as_unit_vectors(server: FakeAIServer) -> None:
    description = Description(
        description="A runner on a mountain trail.", attributes={}, extracted_text=["50% OFF", "SHOP NOW"]
    )

    embeddings, usage = run(server, lambda provider: provider.embed(image_ad(), description), embedding_dimensions=256)

    assert [embedding.kind for embedding in embeddings.embeddings] == [EmbeddingKind.TEXT, EmbeddingKind.RETRIEVAL]
    for embedding in embeddings.embeddings:
        assert embedding.model == "text-embedding-3-small"
        assert embedding.dimensions == 256
        assert math.isclose(math.fsum(value * value for value in embedding.vector), 1.0, rel_tol=1e-4)
    assert embeddings.embeddings[0].vector != embeddings.embeddings[1].vector
    assert server.stats()["requests"] == {"embeddings": 1}
    assert usage.calls == 1 and usage.input_tokens > 0


def test_embed_texts_batches_256_inputs_per_request(server: FakeAIServer) -> None:
    texts = [f"ad copy number {index}" for index in range(300)]

    vectors, usage = run(server, lambda provider: provider.embed_texts(texts))

    assert len(vectors) == 300 and all(len(vector) == 512 for vector in vectors)  # the default size
    assert server.stats()["requests"] == {"embeddings": 2}
    assert usage.calls == 2


def test_a_429_storm_is_retried_after_the_servers_retry_after(server: FakeAIServer) -> None:
    server.configure(fail_first_n=3, retry_after_seconds=0.01)
    started = time.monotonic()

    # backoff alone would wait seconds: finishing fast shows the Retry-After was what was honoured
    description, _ = run(
        server, lambda provider: provider.describe(image_ad()), backoff_initial_seconds=5.0, backoff_max_seconds=30.0
    )

    assert time.monotonic() - started < 3.0
    assert description.description
    stats = server.stats()
    assert stats["requests"] == {"chat.completions": 4}
    assert stats["status_429"] == 3


def test_a_429_that_never_stops_fails_retryably_after_max_attempts(server: FakeAIServer) -> None:
    server.configure(fail_first_n=1_000, retry_after_seconds=0.005)

    with pytest.raises(AIError) as failure:
        run(server, lambda provider: provider.describe(image_ad()), max_attempts=4)

    assert failure.value.reason == "ai_rate_limited"
    assert failure.value.retryable
    assert server.stats()["requests"] == {"chat.completions": 4}


def test_server_errors_fail_retryably_as_ai_server_error(server: FakeAIServer) -> None:
    server.configure(error_rate_500=1.0)

    with pytest.raises(AIError) as failure:
        run(server, lambda provider: provider.embed_texts(["hello"]), max_attempts=3)

    assert (failure.value.reason, failure.value.retryable) == ("ai_server_error", True)
    assert server.stats()["status_500"] == 3


def test_a_slow_server_fails_as_ai_timeout(server: FakeAIServer) -> None:
    server.configure(latency_seconds=2.0)
    started = time.monotonic()

    with pytest.raises(AIError) as failure:
        run(server, lambda provider: provider.describe(image_ad()), timeout=0.3, max_attempts=2)

    assert (failure.value.reason, failure.value.retryable) == ("ai_timeout", True)
    assert time.monotonic() - started < 1.9  # two 0.3 s attempts, not one 2 s answer
    assert server.stats()["requests"] == {"chat.completions": 2}


def test_other_client_errors_are_rejected_at_once(server: FakeAIServer) -> None:
    with pytest.raises(AIError) as failure:  # the fake, like OpenAI, refuses more than 1536 dimensions
        run(server, lambda provider: provider.embed_texts(["hello"]), embedding_dimensions=5_000)

    assert (failure.value.reason, failure.value.retryable) == ("ai_request_rejected", False)
    assert server.stats()["requests"] == {"embeddings": 1}


def test_malformed_output_is_asked_again_once_then_fails(server: FakeAIServer) -> None:
    server.configure(malformed_rate=1.0)

    with pytest.raises(AIError) as failure:
        run(server, lambda provider: provider.describe(image_ad()))

    assert failure.value.reason == "ai_malformed_output"
    assert not failure.value.retryable
    assert server.stats()["requests"] == {"chat.completions": 2}
    assert server.stats()["malformed"] == 2


@pytest.mark.parametrize("routine", ["describe", "label"])
def test_one_malformed_answer_is_corrected_by_asking_again(server: FakeAIServer, routine: str) -> None:
    server.configure(malformed_first_n=1)

    async def scenario(provider: OpenAIProvider) -> Any:
        return await (provider.describe(image_ad()) if routine == "describe" else provider.label(image_ad(), None))

    _, usage = run(server, scenario)

    assert usage.calls == 2
    assert server.stats()["requests"] == {"chat.completions": 2}
    assert server.stats()["malformed"] == 1


def test_the_servers_concurrency_limit_queues_requests(server: FakeAIServer) -> None:
    server.configure(max_concurrency=2, latency_seconds=0.1)

    async def scenario(provider: OpenAIProvider) -> None:
        await asyncio.gather(*(provider.embed_texts([f"text {index}"]) for index in range(6)))

    started = time.monotonic()
    run(server, scenario)

    assert time.monotonic() - started >= 0.3  # six requests, two at a time, 0.1 s each
    stats = server.stats()
    assert stats["max_in_flight"] == 2
    assert stats["max_waiting"] > 2


def test_a_video_is_shown_by_its_first_frame(server: FakeAIServer) -> None:
    import cv2
    import numpy as np

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 5, (32, 32))
        for _ in range(3):
            writer.write(np.full((32, 32, 3), 120, dtype=np.uint8))
        writer.release()
        video = CreativeInput.from_bytes(path.read_bytes(), kind=CreativeKind.VIDEO, content_type="video/mp4")

    _, without_video = run(server, lambda provider: provider.describe(make_ad()))
    _, with_video = run(server, lambda provider: provider.describe(make_ad(video)))

    assert with_video.input_tokens - without_video.input_tokens >= server.config.image_tokens


def test_the_admin_api_changes_config_and_reports_stats(server: FakeAIServer) -> None:
    admin = httpx.Client(base_url=server.base_url)
    assert admin.post("/_admin/config", json={"fail_first_n": 1, "retry_after_seconds": 2}).status_code == 200
    assert admin.post("/_admin/config", json={"no_such_field": 1}).status_code == 400
    assert admin.post("/_admin/config", json={"error_rate_500": 2}).status_code == 400

    throttled = admin.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": "hi"})

    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "2"
    assert throttled.json()["error"]["code"] == "rate_limit_exceeded"
    assert admin.get("/_admin/config").json()["fail_first_n"] == 0  # the budget was spent
    assert admin.get("/_admin/stats").json()["status_429"] == 1
    assert admin.post("/_admin/reset").json()["requests_total"] == 0
    admin.close()


def test_the_rate_window_throttles_beyond_requests_per_minute(server: FakeAIServer) -> None:
    server.configure(requests_per_minute=2)
    admin = httpx.Client(base_url=server.base_url)
    statuses = [admin.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": "hi"}) for _ in range(3)]
    admin.close()

    assert [response.status_code for response in statuses] == [200, 200, 429]
    assert 0 < float(statuses[2].headers["Retry-After"]) <= 60


def test_summarize_answers_with_claims_citing_only_the_facts_and_ads_given(server: FakeAIServer) -> None:
    request = summary_request()
    draft, usage = run(server, lambda provider: provider.summarize(request))
    given_facts = {fact.id for fact in request.facts}
    given_ads = {ad_id for fact in request.facts for ad_id in fact.ad_ids}
    assert all(set(claim.fact_ids) <= given_facts and set(claim.ad_ids) <= given_ads for claim in draft.claims)
    assert {name.theme_id for name in draft.theme_names} <= set(request.theme_ids)
    assert usage.calls == 1 and usage.cost_usd > 0


def test_a_summary_answer_malformed_twice_is_an_ai_error(server: FakeAIServer) -> None:
    server.configure(malformed_first_n=2)
    with pytest.raises(AIError) as failure:
        run(server, lambda provider: provider.summarize(summary_request()))
    assert failure.value.reason == "ai_malformed_output"
