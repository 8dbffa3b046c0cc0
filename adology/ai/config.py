"""One configuration type per AI provider: what each needs to open its client, every field settable
from the environment (:meth:`adology.settings.Settings.ai_provider_config`) and, in Dagster, from
the ``ai`` resource's typed config (``resources.AIResource``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _one_of(*sizes: int) -> Callable[[int], int]:
    # a plain int with a check, not a Literal: Dagster's config schema takes string literals only
    def check(size: int) -> int:
        if size not in sizes:
            raise ValueError(f"must be one of {', '.join(map(str, sizes))}")
        return size

    return check


# the sizes migration 0011 gives an HNSW index (text); Titan's image sizes
OpenAIEmbeddingSize = Annotated[int, AfterValidator(_one_of(512, 1536))]
TitanTextSize = Annotated[int, AfterValidator(_one_of(256, 512, 1024))]
TitanImageSize = Annotated[int, AfterValidator(_one_of(256, 384, 1024))]


class LocalConfig(BaseModel):
    """The offline provider: its models ship inside packages, so there is nothing to configure."""

    model_config = ConfigDict(frozen=True)


class OpenAIConfig(BaseModel):
    """OpenAI, or any OpenAI-compatible endpoint."""

    model_config = ConfigDict(frozen=True)

    api_key: str | None = Field(None, description="OpenAI API key (required to open the provider)")
    base_url: str | None = Field(None, description="base URL of an OpenAI-compatible API; unset for api.openai.com")
    chat_model: str = Field("gpt-4.1-mini", description="chat model for describe and label")
    embedding_model: str = Field("text-embedding-3-small", description="embedding model")
    embedding_dimensions: OpenAIEmbeddingSize = Field(
        512, description="512 or 1536, the embedding sizes with an HNSW index (migration 0011)"
    )
    timeout_seconds: float = Field(60.0, gt=0, description="seconds before a call is abandoned and retried")


class BedrockConfig(BaseModel):
    """Amazon Bedrock Runtime: Converse for describe and label, Titan for embeddings."""

    model_config = ConfigDict(frozen=True)

    region: str = Field("us-east-1", description="AWS region of the Bedrock endpoint")
    endpoint_url: str | None = Field(None, description="Bedrock Runtime endpoint; unset for AWS's own")
    concurrency: int = Field(8, ge=1, le=256, description="Bedrock calls in flight (threads of the blocking client)")
    chat_model: str = Field("anthropic.claude-3-5-haiku-20241022-v1:0", description="Converse model")
    embedding_model: str = Field("amazon.titan-embed-text-v2:0", description="text embedding model")
    embedding_dimensions: TitanTextSize = Field(1024, description="256, 512 or 1024")
    image_embedding_model: str = Field("amazon.titan-embed-image-v1", description="image embedding model")
    image_embedding_dimensions: TitanImageSize = Field(1024, description="256, 384 or 1024")


ProviderConfig = LocalConfig | OpenAIConfig | BedrockConfig
ProviderName = Literal["local", "openai", "bedrock"]
PROVIDER_NAMES: tuple[ProviderName, ...] = ("local", "openai", "bedrock")


def chosen_provider(name: ProviderName, *, openai: OpenAIConfig, bedrock: BedrockConfig) -> ProviderConfig:
    """The configuration of provider ``name``, among those configured."""
    if name == "openai":
        return openai
    if name == "bedrock":
        return bedrock
    return LocalConfig()
