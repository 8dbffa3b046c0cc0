"""The Bedrock provider against the fake AI server, over real HTTP with a real boto3 client.

The fake speaks Bedrock Runtime's ``converse`` and ``invoke`` (Titan embeddings) wire format,
including its ThrottlingException, so botocore parses its answers exactly as it would AWS's. The
client comes from ``bedrock_runtime_client`` (botocore's own retries off) so the provider's
retries are the ones counted.
"""

from __future__ import annotations

import asyncio
import io
import math
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from PIL import Image

from adology.ai.providers.bedrock_provider import BedrockProvider, bedrock_runtime_client
from adology.ai.schema import attribute_schema, taxonomies
from adology.ai.types import AdInput, AIError, CreativeInput, CreativeKind, Description, EmbeddingKind
from simulators.ai_service import FakeAIServer, FakeServerConfig
from tests.insight_records import summary_request

T = TypeVar("T")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_ad(*creatives: CreativeInput) -> AdInput:
    return AdInput(
        ad_id="ad-b",
        brand="Acme",
        title="Cold brew, two for one",
        body="Smooth coffee for slow mornings.",
        cta="Order now",
        creatives=list(creatives),
    )


def image_ad() -> AdInput:
    return make_ad(CreativeInput.from_bytes(png_bytes(), kind=CreativeKind.IMAGE, content_type="image/png"))


DESCRIPTION = Description(
    description="Two bottles of cold brew on a kitchen table at dawn.", attributes={}, extracted_text=["2 FOR 1"]
)


@pytest.fixture
def server() -> Iterator[FakeAIServer]:
    with FakeAIServer(FakeServerConfig(seed=3)) as running:
        yield running


def run(server: FakeAIServer, scenario: Callable[[BedrockProvider], Coroutine[Any, Any, T]], **options: Any) -> T:
    """Run ``scenario`` with a provider on a real client; retry waits are milliseconds unless overridden."""
    workers = options.get("max_workers", 8)
    client = bedrock_runtime_client(
        region_name="us-east-1",
        endpoint_url=server.base_url,
        max_workers=workers,
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )
    with BedrockProvider(
        client, **{"backoff_initial_seconds": 0.005, "backoff_max_seconds": 0.02, **options}
    ) as provider:
        return asyncio.run(scenario(provider))


def test_describe_label_and_embed_work_through_converse_and_titan(server: FakeAIServer) -> None:
    async def scenario(provider: BedrockProvider) -> Any:
        description, described = await provider.describe(image_ad())
        labels, labelled = await provider.label(image_ad(), description)
        embeddings, embedded = await provider.embed(image_ad(), description)
        return description, described, labels, labelled, embeddings, embedded

    description, described, labels, labelled, embeddings, embedded = run(server, scenario, embedding_dimensions=512)

    assert attribute_schema().validate_values(description.attributes) == description.attributes
    assert 0 < description.word_count <= 500
    assert described.calls == 1 and described.input_tokens >= server.config.image_tokens
    assert described.output_tokens > 0 and described.cost_usd > 0
    known = {name: set(taxonomy.names) for name, taxonomy in taxonomies().items()}
    assert labels.labels and all(score.label in known[score.taxonomy] for score in labels.labels)
    assert labelled.calls == 1
    by_kind = {embedding.kind: embedding for embedding in embeddings.embeddings}
    assert set(by_kind) == {EmbeddingKind.TEXT, EmbeddingKind.RETRIEVAL, EmbeddingKind.VISUAL}
    assert by_kind[EmbeddingKind.TEXT].dimensions == by_kind[EmbeddingKind.RETRIEVAL].dimensions == 512
    assert by_kind[EmbeddingKind.VISUAL].dimensions == 1024
    assert by_kind[EmbeddingKind.VISUAL].model == "amazon.titan-embed-image-v1"
    for embedding in embeddings.embeddings:
        assert math.isclose(math.fsum(value * value for value in embedding.vector), 1.0, rel_tol=1e-4)
    assert embedded.calls == 3
    assert server.stats()["requests"] == {"bedrock.converse": 2, "bedrock.invoke": 3}


def test_an_ad_without_pictures_gets_no_visual_embedding(server: FakeAIServer) -> None:
    embeddings, usage = run(server, lambda provider: provider.embed(make_ad(), DESCRIPTION))

    assert {embedding.kind for embedding in embeddings.embeddings} == {EmbeddingKind.TEXT, EmbeddingKind.RETRIEVAL}
    assert usage.calls == 2 and server.stats()["requests"] == {"bedrock.invoke": 2}


def test_throttling_is_retried_until_it_succeeds(server: FakeAIServer) -> None:
    server.configure(fail_first_n=3, retry_after_seconds=0.01)

    description, usage = run(server, lambda provider: provider.describe(image_ad()))

    assert description.description and usage.calls == 1
    assert server.stats()["requests"] == {"bedrock.converse": 4}
    assert server.stats()["status_429"] == 3


def test_throttling_that_never_stops_fails_retryably(server: FakeAIServer) -> None:
    server.configure(fail_first_n=1_000, retry_after_seconds=0.005)

    with pytest.raises(AIError) as failure:
        run(server, lambda provider: provider.embed(make_ad(), None), max_attempts=3)

    assert (failure.value.reason, failure.value.retryable) == ("ai_rate_limited", True)
    assert server.stats()["requests"] == {"bedrock.invoke": 3}


def test_server_errors_fail_retryably(server: FakeAIServer) -> None:
    server.configure(error_rate_500=1.0)

    with pytest.raises(AIError) as failure:
        run(server, lambda provider: provider.label(image_ad(), DESCRIPTION), max_attempts=2)

    assert (failure.value.reason, failure.value.retryable) == ("ai_server_error", True)
    assert server.stats()["status_500"] == 2


def test_a_refused_request_is_not_retried(server: FakeAIServer) -> None:
    with pytest.raises(AIError) as failure:  # the fake, like Bedrock, knows no such model
        run(server, lambda provider: provider.embed(make_ad(), None), embedding_model="amazon.no-such-model")

    assert (failure.value.reason, failure.value.retryable) == ("ai_request_rejected", False)
    assert server.stats()["requests"] == {"bedrock.invoke": 1}


def test_malformed_tool_input_is_asked_again_once(server: FakeAIServer) -> None:
    server.configure(malformed_first_n=1)

    labels, usage = run(server, lambda provider: provider.label(image_ad(), DESCRIPTION))

    assert labels.labels and usage.calls == 2
    assert server.stats()["requests"] == {"bedrock.converse": 2}


def test_malformed_tool_input_twice_fails(server: FakeAIServer) -> None:
    server.configure(malformed_rate=1.0)

    with pytest.raises(AIError) as failure:
        run(server, lambda provider: provider.describe(image_ad()))

    assert failure.value.reason == "ai_malformed_output"
    assert server.stats()["requests"] == {"bedrock.converse": 2}


def test_the_thread_pool_bounds_calls_in_flight(server: FakeAIServer) -> None:
    server.configure(latency_seconds=0.05)

    async def scenario(provider: BedrockProvider) -> None:
        await asyncio.gather(*(provider.embed(make_ad(), DESCRIPTION) for _ in range(6)))

    started = time.monotonic()
    run(server, scenario, max_workers=3)

    assert time.monotonic() - started >= 0.2  # twelve calls, three at a time, 0.05 s each
    stats = server.stats()
    assert stats["requests"] == {"bedrock.invoke": 12}
    assert stats["max_in_flight"] == 3


def test_summarize_answers_with_claims_citing_only_the_facts_and_ads_given(server: FakeAIServer) -> None:
    request = summary_request()
    draft, usage = run(server, lambda provider: provider.summarize(request))
    given_facts = {fact.id for fact in request.facts}
    given_ads = {ad_id for fact in request.facts for ad_id in fact.ad_ids}
    assert all(set(claim.fact_ids) <= given_facts and set(claim.ad_ids) <= given_ads for claim in draft.claims)
    assert {name.theme_id for name in draft.theme_names} <= set(request.theme_ids)
    assert usage.calls == 1 and usage.output_tokens > 0
