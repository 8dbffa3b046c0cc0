"""Providers opened from their typed configuration (:mod:`adology.ai.config`): ``local`` (offline),
``openai``, ``bedrock``."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from adology.ai.config import BedrockConfig, LocalConfig, OpenAIConfig, ProviderConfig
from adology.ai.types import Provider
from adology.errors import SettingsError


@contextlib.asynccontextmanager
async def open_provider(config: ProviderConfig) -> AsyncIterator[Provider]:
    """The provider ``config`` configures, with any client it holds opened for the block and closed after it."""
    if isinstance(config, LocalConfig):
        from adology.ai.local.provider import LocalProvider

        with LocalProvider() as provider:  # its measuring processes end with the block
            yield provider
    elif isinstance(config, OpenAIConfig):
        import openai

        from adology.ai.providers.openai_provider import OpenAIProvider

        if not config.api_key:
            raise SettingsError("OPENAI_API_KEY is required for ADOLOGY_AI_PROVIDER=openai")
        # retries are ours (they honour Retry-After and are counted), so the client's are off. The
        # aiohttp transport: httpx's pool probes every idle socket each time a request takes or
        # returns a connection, which at a hundred calls in flight was a fifth of the run's CPU.
        client = openai.AsyncOpenAI(
            api_key=config.api_key,
            base_url=config.base_url,
            max_retries=0,
            timeout=config.timeout_seconds,
            http_client=openai.DefaultAioHttpClient(timeout=config.timeout_seconds),
        )
        try:
            yield OpenAIProvider(
                client,
                chat_model=config.chat_model,
                embedding_model=config.embedding_model,
                embedding_dimensions=config.embedding_dimensions,
            )
        finally:
            await client.close()
    elif isinstance(config, BedrockConfig):
        from adology.ai.providers.bedrock_provider import BedrockProvider, bedrock_runtime_client

        client = bedrock_runtime_client(
            region_name=config.region, endpoint_url=config.endpoint_url, max_workers=config.concurrency
        )
        with BedrockProvider(
            client,
            text_model=config.chat_model,
            embedding_model=config.embedding_model,
            image_embedding_model=config.image_embedding_model,
            embedding_dimensions=config.embedding_dimensions,
            image_embedding_dimensions=config.image_embedding_dimensions,
            max_workers=config.concurrency,
        ) as provider:
            yield provider
    else:
        raise TypeError(f"not a provider configuration: {config!r}")
