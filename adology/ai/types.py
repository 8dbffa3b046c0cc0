"""Typed inputs and results of every AI routine, and the provider interface behind them.

A provider turns an :class:`AdInput` into a :class:`Description`, :class:`Labels` or
:class:`Embeddings` and reports what it cost in :class:`Usage`. Providers raise
:class:`AIError` (with ``retryable`` set for rate limits and server faults) and never return a
result that breaks the schema: a malformed answer is asked again once, then the ad fails.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from adology.ai.answers import AnswerDraft, AnswerRequest
from adology.ai.summaries import SummaryDraft, SummaryRequest
from adology.errors import AdologyError
from adology.sources.models import MediaKind

MAX_DESCRIPTION_WORDS = 500

T = TypeVar("T")


class AIError(AdologyError):
    """An AI call failed; ``reason`` is a short machine-readable cause kept with the ad."""

    def __init__(self, reason: str, detail: str, *, retryable: bool = False) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.retryable = retryable


# one image/video vocabulary from acquisition to analysis
CreativeKind = MediaKind


class CreativeInput(BaseModel):
    """One creative's bytes, as stored in S3 (``sha256`` is its content address)."""

    model_config = ConfigDict(frozen=True)

    kind: CreativeKind
    content_type: str
    sha256: str
    data: bytes = Field(exclude=True, repr=False)

    @classmethod
    def from_bytes(cls, data: bytes, *, kind: CreativeKind, content_type: str) -> CreativeInput:
        return cls(kind=kind, content_type=content_type, sha256=hashlib.sha256(data).hexdigest(), data=data)


class AdInput(BaseModel):
    """What a routine sees of an ad: its copy and its stored creatives."""

    ad_id: str
    brand: str | None = None
    title: str | None = None
    body: str | None = None
    link_url: str | None = None
    cta: str | None = None
    creatives: list[CreativeInput] = Field(default_factory=list)

    def copy_text(self) -> str:
        return "\n".join(part for part in (self.title, self.body, self.cta) if part)

    def input_hash(self) -> str:
        """Changes exactly when what a routine reads changes."""
        return input_hash(self.title, self.body, self.link_url, self.cta, [c.sha256 for c in self.creatives])


def input_hash(
    title: str | None, body: str | None, link_url: str | None, cta: str | None, creative_sha256s: list[str]
) -> str:
    """The hash of an ad's analysable inputs, computable from stored rows without loading creatives."""
    material = "\x1f".join([title or "", body or "", link_url or "", cta or "", *sorted(creative_sha256s)])
    return hashlib.sha256(material.encode()).hexdigest()


class Usage(BaseModel):
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            calls=self.calls + other.calls,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
        )


class Description(BaseModel):
    """At most 500 words of description plus the attribute values (see ``attributes.v*.json``)."""

    description: str
    attributes: dict[str, Any]
    extracted_text: list[str] = Field(default_factory=list)  # text read from the creatives (OCR or model)

    @field_validator("description")
    @classmethod
    def _at_most_500_words(cls, value: str) -> str:
        words = len(value.split())
        if words > MAX_DESCRIPTION_WORDS:
            raise ValueError(f"description has {words} words; the limit is {MAX_DESCRIPTION_WORDS}")
        if not value.strip():
            raise ValueError("description is empty")
        return value

    @property
    def word_count(self) -> int:
        return len(self.description.split())


class LabelScore(BaseModel):
    taxonomy: Literal["UNIVERSAL", "TREND"]
    label: str
    confidence: float = Field(ge=0.0, le=1.0)


class Labels(BaseModel):
    labels: list[LabelScore]


class EmbeddingKind(str, enum.Enum):
    TEXT = "text"  # the ad's copy and the text read from its creatives
    VISUAL = "visual"  # the creatives' pixels
    RETRIEVAL = "retrieval"  # the description, for search over interpretations (Inquire)


class Embedding(BaseModel):
    kind: EmbeddingKind
    model: str
    vector: list[float]

    @property
    def dimensions(self) -> int:
        return len(self.vector)


class Embeddings(BaseModel):
    embeddings: list[Embedding]


class Provider(Protocol):
    """An AI backend. ``model_id`` names what produced a result, for versioning and cost.

    ``creative_routines`` names the routines that read the creatives' bytes once a description
    exists (others get the copy and the description only, so their inputs cost no S3 read);
    ``embed_many`` embeds up to ``embed_batch_size`` ads in one request where the service allows it.
    """

    name: str
    creative_routines: frozenset[str]
    embed_batch_size: int

    def model_id(self, routine: str) -> str: ...

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]: ...

    async def label(self, ad: AdInput, description: Description | None) -> tuple[Labels, Usage]: ...

    async def embed(self, ad: AdInput, description: Description | None) -> tuple[Embeddings, Usage]: ...

    async def embed_many(
        self, items: list[tuple[AdInput, Description | None]]
    ) -> tuple[list[Embeddings | AIError], Usage]: ...

    async def summarize(self, request: SummaryRequest) -> tuple[SummaryDraft, Usage]: ...

    async def embed_query(self, text: str) -> tuple[Embedding, Usage]:
        """A search query's RETRIEVAL vector, comparable with the ads' (same model and size)."""
        ...

    async def answer(self, request: AnswerRequest) -> tuple[AnswerDraft, Usage]:
        """Inquire's answer written from the evidence it is given (checked by the knowledge layer)."""
        ...


async def run_each(
    call: Callable[[AdInput, Description | None], Awaitable[tuple[T, Usage]]],
    items: list[tuple[AdInput, Description | None]],
) -> tuple[list[T | AIError], Usage]:
    """A batch run one ad at a time: a result or the AIError per ad, in order, and the usage of all."""
    results: list[T | AIError] = []
    usage = Usage()
    for ad, description in items:
        try:
            result, spent = await call(ad, description)
        except AIError as exc:
            results.append(exc)
            continue
        results.append(result)
        usage += spent
    return results, usage
