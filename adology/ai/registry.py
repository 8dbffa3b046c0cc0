"""Providers by name, built from one configuration: ``local`` (offline), ``openai``, ``bedrock``."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from adology.ai.types import Provider
from adology.errors import SettingsError

PROVIDER_NAMES = ("local", "openai", "bedrock")


@dataclass(frozen=True)
class ProviderConfig:
    name: str = "local"
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    openai_chat_model: str = "gpt-4.1-mini"
    openai_embedding_model: str = "text-embedding-3-small"
    openai_embedding_dimensions: int = 512
    openai_timeout_seconds: float = 60.0
    bedrock_region: str = "us-east-1"
    bedrock_endpoint_url: str | None = None
    bedrock_concurrency: int = 8


@contextlib.asynccontextmanager
async def open_provider(config: ProviderConfig) -> AsyncIterator[Provider]:
    """The named provider, with any client it holds opened for the block and closed after it."""
    if config.name == "local":
        from adology.ai.local.provider import LocalProvider

        yield LocalProvider()
    elif config.name == "openai":
        import openai

        from adology.ai.providers.openai_provider import OpenAIProvider

        if not config.openai_api_key:
            raise SettingsError("OPENAI_API_KEY is required for ADOLOGY_AI_PROVIDER=openai")
        # retries are ours (they honour Retry-After and are counted), so the client's are off. The
        # aiohttp transport: httpx's pool probes every idle socket each time a request takes or
        # returns a connection, which at a hundred calls in flight was a fifth of the run's CPU.
        client = openai.AsyncOpenAI(api_key=config.openai_api_key, base_url=config.openai_base_url,
                                    max_retries=0, timeout=config.openai_timeout_seconds,
                                    http_client=openai.DefaultAioHttpClient(timeout=config.openai_timeout_seconds))
        try:
            yield OpenAIProvider(client, chat_model=config.openai_chat_model,
                                 embedding_model=config.openai_embedding_model,
                                 embedding_dimensions=config.openai_embedding_dimensions)
        finally:
            await client.close()
    elif config.name == "bedrock":
        from adology.ai.providers.bedrock_provider import BedrockProvider, bedrock_runtime_client

        client = bedrock_runtime_client(region_name=config.bedrock_region, endpoint_url=config.bedrock_endpoint_url,
                                        max_workers=config.bedrock_concurrency)
        with BedrockProvider(client, max_workers=config.bedrock_concurrency) as provider:
            yield provider
    else:
        raise SettingsError(f"ADOLOGY_AI_PROVIDER={config.name!r}: expected one of {', '.join(PROVIDER_NAMES)}")
