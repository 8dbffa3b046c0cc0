"""The OpenAI provider: describe and label with a chat model under a strict JSON schema, embed text.

Every call goes through one retry loop (see :mod:`.calls`): 429s, 5xx, timeouts and dropped
connections are retried, honouring ``Retry-After``; anything else fails the ad at once. Retries
are ours, not the SDK's, so the client is used with ``max_retries=0`` whatever it was built with.

OpenAI has no image-embedding endpoint, so :meth:`OpenAIProvider.embed` yields TEXT and RETRIEVAL
embeddings only; the VISUAL embedding comes from another provider (Bedrock's Titan image model or
the local one).
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import openai
import orjson
from openai.types.chat import ChatCompletion

from adology.ai.answers import ANSWER_PROMPT_VERSION, AnswerDraft, AnswerRequest
from adology.ai.providers.answer_prompts import answer_instructions, answer_output_schema, answer_text, parse_answer
from adology.ai.providers.calls import RetryPolicy, cost, retry_after_seconds, retrying
from adology.ai.providers.media import Picture, ad_pictures
from adology.ai.providers.prompts import (
    CORRECTION_REQUEST,
    LABEL_PROMPT_VERSION,
    PROMPT_VERSION,
    MalformedOutput,
    ad_text,
    describe_instructions,
    describe_output_schema,
    embedding_texts,
    label_instructions,
    label_output_schema,
    label_text,
    parse_description,
    parse_labels,
)
from adology.ai.providers.summary_prompts import (
    parse_summary,
    summarize_instructions,
    summarize_output_schema,
    summarize_text,
)
from adology.ai.summaries import SUMMARIZE_PROMPT_VERSION, SummaryDraft, SummaryRequest
from adology.ai.types import AdInput, AIError, Description, Embedding, EmbeddingKind, Embeddings, Labels, Usage
from adology.logs import get_logger

log = get_logger(__name__)

T = TypeVar("T")

# List prices in US dollars per million tokens when this was written (an assumption: check
# https://openai.com/api/pricing and pass the current ones): gpt-4.1-mini $0.40 in / $1.60 out,
# text-embedding-3-small $0.02.
DEFAULT_PRICE_PER_MILLION_INPUT = 0.40
DEFAULT_PRICE_PER_MILLION_OUTPUT = 1.60
DEFAULT_PRICE_PER_MILLION_EMBEDDING = 0.02

EMBEDDING_BATCH = 256  # inputs per embeddings request: well under OpenAI's 2,048 and its 300k-token cap
# Room for a 500-word description plus every attribute; a cut-off answer is malformed, not cheaper.
_DESCRIBE_MAX_TOKENS = 4_096
_SUMMARIZE_MAX_TOKENS = 2_048
_ANSWER_MAX_TOKENS = 1_024  # a 1,500-character answer and its citations, with room to spare
_LABEL_MAX_TOKENS = 2_048
_TEMPERATURE = 0.0  # the same ad should get the same answer when it is re-analysed


class OpenAIProvider:
    """:class:`~adology.ai.types.Provider` over OpenAI's Chat Completions and Embeddings APIs."""

    name = "openai"
    creative_routines = frozenset({"describe"})  # label and embed read the description, not the pixels
    embed_batch_size = EMBEDDING_BATCH // 2  # two texts per ad

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        *,
        chat_model: str = "gpt-4.1-mini",
        embedding_model: str = "text-embedding-3-small",
        embedding_dimensions: int = 512,
        max_attempts: int = 6,
        backoff_initial_seconds: float = 1.0,
        backoff_max_seconds: float = 60.0,
        price_per_million_input: float = DEFAULT_PRICE_PER_MILLION_INPUT,
        price_per_million_output: float = DEFAULT_PRICE_PER_MILLION_OUTPUT,
        price_per_million_embedding: float = DEFAULT_PRICE_PER_MILLION_EMBEDDING,
    ) -> None:
        self._client = client.with_options(max_retries=0)  # a copy sharing the connection pool
        self._chat_model = chat_model
        self._embedding_model = embedding_model
        self._embedding_dimensions = embedding_dimensions
        self._retry = RetryPolicy(max_attempts, backoff_initial_seconds, backoff_max_seconds)
        self._price_input = price_per_million_input
        self._price_output = price_per_million_output
        self._price_embedding = price_per_million_embedding

    def model_id(self, routine: str) -> str:
        if routine in ("describe", "label", "summarize", "answer"):
            return self._chat_model
        if routine == "embed":  # the size shapes the vectors as much as the model does
            return f"{self._embedding_model}@{self._embedding_dimensions}"
        raise ValueError(f"unknown routine {routine!r}: expected describe, label, embed, summarize or answer")

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]:
        pictures, notes = await ad_pictures(ad)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": describe_instructions()},
            {"role": "user", "content": _content(ad_text(ad, notes), pictures)},
        ]
        return await self._structured(
            "describe",
            ad.ad_id,
            messages,
            schema_name="ad_description",
            schema=describe_output_schema(),
            parse=parse_description,
            max_tokens=_DESCRIBE_MAX_TOKENS,
            prompt_version=PROMPT_VERSION,
        )

    async def label(self, ad: AdInput, description: Description | None) -> tuple[Labels, Usage]:
        if description is None:  # nothing has looked at the creatives yet: let the model see them
            pictures, notes = await ad_pictures(ad)
            content = _content(label_text(ad, None, notes), pictures)
        else:
            content = _content(label_text(ad, description, []), [])
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": label_instructions()},
            {"role": "user", "content": content},
        ]
        return await self._structured(
            "label",
            ad.ad_id,
            messages,
            schema_name="ad_labels",
            schema=label_output_schema(),
            parse=parse_labels,
            max_tokens=_LABEL_MAX_TOKENS,
            prompt_version=LABEL_PROMPT_VERSION,
        )

    async def summarize(self, request: SummaryRequest) -> tuple[SummaryDraft, Usage]:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": summarize_instructions()},
            {"role": "user", "content": summarize_text(request)},
        ]
        return await self._structured(
            "summarize",
            f"{request.kind}:{request.subject}",
            messages,
            schema_name="summary",
            schema=summarize_output_schema(request),
            parse=parse_summary,
            max_tokens=_SUMMARIZE_MAX_TOKENS,
            prompt_version=SUMMARIZE_PROMPT_VERSION,
        )

    async def answer(self, request: AnswerRequest) -> tuple[AnswerDraft, Usage]:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": answer_instructions()},
            {"role": "user", "content": answer_text(request)},
        ]
        return await self._structured(
            "answer",
            f"brandspace:{request.subject}",
            messages,
            schema_name="answer",
            schema=answer_output_schema(request),
            parse=parse_answer,
            max_tokens=_ANSWER_MAX_TOKENS,
            prompt_version=ANSWER_PROMPT_VERSION,
        )

    async def embed(self, ad: AdInput, description: Description | None) -> tuple[Embeddings, Usage]:
        """TEXT and RETRIEVAL embeddings in one request; no VISUAL (see the module docstring)."""
        texts = embedding_texts(ad, description)
        vectors, usage = await self.embed_texts(list(texts.values()))
        return Embeddings(
            embeddings=[
                Embedding(kind=kind, model=self._embedding_model, vector=vector)
                for kind, vector in zip(texts, vectors, strict=True)
            ]
        ), usage

    async def embed_query(self, text: str) -> tuple[Embedding, Usage]:
        (vector,), usage = await self.embed_texts([text])
        return Embedding(kind=EmbeddingKind.RETRIEVAL, model=self._embedding_model, vector=vector), usage

    async def embed_many(
        self, items: list[tuple[AdInput, Description | None]]
    ) -> tuple[list[Embeddings | AIError], Usage]:
        """Every ad's TEXT and RETRIEVAL embeddings from as few requests as the batch limit allows."""
        per_ad = [embedding_texts(ad, description) for ad, description in items]
        vectors, usage = await self.embed_texts([text for texts in per_ad for text in texts.values()])
        results: list[Embeddings | AIError] = []
        position = 0
        for texts in per_ad:
            results.append(
                Embeddings(
                    embeddings=[
                        Embedding(kind=kind, model=self._embedding_model, vector=vector)
                        for kind, vector in zip(texts, vectors[position : position + len(texts)], strict=True)
                    ]
                )
            )
            position += len(texts)
        return results, usage

    async def embed_texts(self, texts: list[str]) -> tuple[list[list[float]], Usage]:
        """One vector per text, in order, asking for up to :data:`EMBEDDING_BATCH` texts per request.

        Texts must be non-empty and within the model's 8,191-token limit (OpenAI refuses others).
        """
        vectors: list[list[float]] = []
        usage = Usage()
        options: dict[str, Any] = {}
        if self._embedding_model.startswith("text-embedding-3"):  # older models refuse the parameter
            options["dimensions"] = self._embedding_dimensions
        for start in range(0, len(texts), EMBEDDING_BATCH):
            batch = texts[start : start + EMBEDDING_BATCH]
            response = await self._send(
                "embed",
                functools.partial(self._client.embeddings.create, model=self._embedding_model, input=batch, **options),
            )
            vectors += [item.embedding for item in sorted(response.data, key=lambda item: item.index)]
            tokens = response.usage.prompt_tokens
            usage += Usage(calls=1, input_tokens=tokens, cost_usd=cost(tokens, self._price_embedding))
        return vectors, usage

    async def _structured(
        self,
        routine: str,
        subject: str,  # the ad's id, or the brand or brandspace a summary or answer is about, for the logs
        messages: list[dict[str, Any]],
        *,
        schema_name: str,
        schema: dict[str, Any],
        parse: Callable[[Any], T],
        max_tokens: int,
        prompt_version: str,
    ) -> tuple[T, Usage]:
        """Ask for JSON under ``schema``; a malformed answer is asked again once, with the reason."""
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": schema_name, "schema": schema, "strict": True},
        }
        answer, usage = await self._chat(routine, messages, response_format, max_tokens)
        try:
            return parse(_decode(answer)), usage
        except MalformedOutput as exc:
            log.warning(
                "malformed AI answer; asking again",
                extra={
                    "provider": self.name,
                    "routine": routine,
                    "subject": subject,
                    "prompt_version": prompt_version,
                    "error": exc.reason,
                },
            )
            messages = [
                *messages,
                {"role": "assistant", "content": answer},
                {"role": "user", "content": CORRECTION_REQUEST.format(reason=exc.reason)},
            ]
        answer, again = await self._chat(routine, messages, response_format, max_tokens)
        usage += again
        try:
            return parse(_decode(answer)), usage
        except MalformedOutput as exc:
            raise AIError("ai_malformed_output", f"{routine}: asked twice, still {exc.reason}") from None

    async def _chat(
        self, routine: str, messages: list[dict[str, Any]], response_format: dict[str, Any], max_tokens: int
    ) -> tuple[str, Usage]:
        # The SDK's documented route for a request it need not reshape: ``create`` first walks the
        # whole body against its TypedDicts (the 50-attribute response schema included), a tenth of
        # a run worker's CPU in the benchmark, to change nothing in a body of plain JSON values.
        # The body goes as JSON bytes (``content``), which the SDK sends as they are: orjson encodes a
        # describe request (creatives inline as base64) five times faster than the json module.
        body = orjson.dumps(
            {
                "model": self._chat_model,
                "messages": messages,
                "response_format": response_format,
                "max_completion_tokens": max_tokens,
                "temperature": _TEMPERATURE,
            }
        )
        completion: ChatCompletion = await self._send(
            routine,
            functools.partial(
                self._client.post,
                "/chat/completions",
                cast_to=ChatCompletion,
                content=body,
                options={"headers": {"Content-Type": "application/json"}},
            ),
        )
        return _answer_text(completion), self._chat_usage(completion)

    def _chat_usage(self, completion: ChatCompletion) -> Usage:
        prompt = completion.usage.prompt_tokens if completion.usage else 0
        output = completion.usage.completion_tokens if completion.usage else 0
        return Usage(
            calls=1,
            input_tokens=prompt,
            output_tokens=output,
            cost_usd=cost(prompt, self._price_input) + cost(output, self._price_output),
        )

    async def _send(self, routine: str, request: Callable[[], Awaitable[T]]) -> T:
        """``request()``, retried while it fails transiently; raises AIError when it cannot succeed."""
        try:
            async for attempt in retrying(
                self._retry, transient=_is_transient, hint=_retry_hint, provider=self.name, routine=routine
            ):
                with attempt:
                    result = await request()
        except openai.APIError as exc:
            raise _as_ai_error(routine, exc) from exc
        return result


def _content(text: str, pictures: list[Picture]) -> list[dict[str, Any]]:
    """A user message's parts: the text, then each picture inline as a data URL."""
    images = [
        {
            "type": "image_url",
            "image_url": {"url": f"data:{picture.content_type};base64,{base64.b64encode(picture.data).decode()}"},
        }
        for picture in pictures
    ]
    return [{"type": "text", "text": text}, *images]


def _answer_text(completion: ChatCompletion) -> str:
    """The answer's text; a refusal or an empty answer is malformed (its text says why)."""
    if not completion.choices:
        return ""
    message = completion.choices[0].message
    if message.refusal:
        return f"(refused: {message.refusal})"
    return message.content or ""


def _decode(answer: str) -> Any:
    try:
        return json.loads(answer)
    except json.JSONDecodeError as exc:
        raise MalformedOutput(f"the answer is not valid JSON ({exc.msg} at character {exc.pos})") from None


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, openai.APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError)  # APITimeoutError is one


def _retry_hint(error: BaseException) -> float | None:
    if isinstance(error, openai.APIStatusError):
        return retry_after_seconds(error.response.headers)
    return None


def _as_ai_error(routine: str, error: openai.APIError) -> AIError:
    detail = f"{routine}: {type(error).__name__}: {error.message}"[:500]
    if isinstance(error, openai.APITimeoutError):
        return AIError("ai_timeout", detail, retryable=True)
    if isinstance(error, openai.APIConnectionError):
        return AIError("ai_server_error", detail, retryable=True)  # the service could not be reached
    if isinstance(error, openai.APIStatusError) and error.status_code == 429:
        return AIError("ai_rate_limited", detail, retryable=True)
    if isinstance(error, openai.APIStatusError) and error.status_code >= 500:
        return AIError("ai_server_error", detail, retryable=True)
    return AIError("ai_request_rejected", detail)
