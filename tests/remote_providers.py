"""The remote providers on the simulated AI service, for tests of one routine: each runs a scenario
against a provider whose retries back off in milliseconds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import openai

from adology.ai.providers.bedrock_provider import BedrockProvider, bedrock_runtime_client
from adology.ai.providers.openai_provider import OpenAIProvider
from simulators.ai_service import FakeAIServer

Runner = Callable[[FakeAIServer, Callable[[Any], Coroutine[Any, Any, Any]]], Any]


def with_openai(server: FakeAIServer, scenario: Callable[[OpenAIProvider], Coroutine[Any, Any, Any]]) -> Any:
    async def main() -> Any:
        async with openai.AsyncOpenAI(base_url=server.base_url + "/v1", api_key="test", max_retries=0) as client:
            return await scenario(OpenAIProvider(client, backoff_initial_seconds=0.005, backoff_max_seconds=0.02))

    return asyncio.run(main())


def with_bedrock(server: FakeAIServer, scenario: Callable[[BedrockProvider], Coroutine[Any, Any, Any]]) -> Any:
    client = bedrock_runtime_client(
        region_name="us-east-1", endpoint_url=server.base_url, aws_access_key_id="x", aws_secret_access_key="y"
    )
    with BedrockProvider(client, backoff_initial_seconds=0.005, backoff_max_seconds=0.02) as provider:
        return asyncio.run(scenario(provider))
