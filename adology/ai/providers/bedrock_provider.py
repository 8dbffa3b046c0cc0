"""The Bedrock provider: describe and label through the Converse API, embed with Amazon Titan.

boto3 blocks, so each call runs on a thread of the provider's own pool; the pool's size
(``max_workers``) is the number of Bedrock calls this provider has in flight at most, whatever
the number of coroutines awaiting it. Structured output comes from a tool whose input schema is
the output schema, with the tool forced; its input is then validated like any model answer, and a
malformed one is asked again once. Retries are ours (see :mod:`.calls`): build the client with
:func:`bedrock_runtime_client`, whose botocore retries are off, or botocore's own retries multiply
ours.

Embeddings: TEXT and RETRIEVAL from Titan Text Embeddings v2, VISUAL from Titan Multimodal
Embeddings (the first image creative, or a video's first frame).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    HTTPClientError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from adology.ai.answers import ANSWER_PROMPT_VERSION, AnswerDraft, AnswerRequest
from adology.ai.providers.answer_prompts import answer_instructions, answer_output_schema, answer_text, parse_answer
from adology.ai.providers.calls import RetryPolicy, cost, retry_after_seconds, retrying
from adology.ai.providers.media import Picture, ad_pictures, as_png_or_jpeg, first_picture
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
from adology.ai.types import (
    AdInput,
    AIError,
    Description,
    Embedding,
    EmbeddingKind,
    Embeddings,
    Labels,
    Usage,
    run_each,
)
from adology.logs import get_logger

log = get_logger(__name__)

T = TypeVar("T")

# On-demand list prices in us-east-1 when this was written (an assumption: check
# https://aws.amazon.com/bedrock/pricing and pass the current ones), in US dollars: Claude 3.5
# Haiku $0.80 / $4.00 per million input / output tokens, Titan Text Embeddings v2 $0.02 per
# million tokens, Titan Multimodal Embeddings $0.00006 per image.
DEFAULT_PRICE_PER_MILLION_INPUT = 0.80
DEFAULT_PRICE_PER_MILLION_OUTPUT = 4.00
DEFAULT_PRICE_PER_MILLION_EMBEDDING = 0.02
DEFAULT_PRICE_PER_IMAGE_EMBEDDING = 0.00006

DESCRIBE_TOOL = "record_ad_description"
LABEL_TOOL = "record_ad_labels"
SUMMARY_TOOL = "record_summary"
ANSWER_TOOL = "record_answer"
TITAN_TEXT_DIMENSIONS = (256, 512, 1024)
TITAN_IMAGE_DIMENSIONS = (256, 384, 1024)
_MAX_IMAGES = 20  # the Converse API's limit per request
_DESCRIBE_MAX_TOKENS = 4_096
_LABEL_MAX_TOKENS = 2_048
_SUMMARIZE_MAX_TOKENS = 2_048
_ANSWER_MAX_TOKENS = 1_024  # a 1,500-character answer and its citations, with room to spare
_TEMPERATURE = 0.0  # the same ad should get the same answer when it is re-analysed

_THROTTLED = frozenset({"ThrottlingException", "TooManyRequestsException"})
_UNAVAILABLE = frozenset({"ServiceUnavailableException", "ModelNotReadyException", "InternalServerException"})
_TIMED_OUT = frozenset({"ModelTimeoutException"})


def bedrock_runtime_client(
    *,
    region_name: str,
    endpoint_url: str | None = None,
    max_workers: int = 8,
    connect_timeout_seconds: float = 10.0,
    read_timeout_seconds: float = 120.0,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
) -> Any:
    """A ``bedrock-runtime`` client fit for :class:`BedrockProvider`: no botocore retries, a pool per worker."""
    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        max_pool_connections=max_workers,  # botocore's default of 10 would make workers queue for sockets
        connect_timeout=connect_timeout_seconds,
        read_timeout=read_timeout_seconds,
    )
    return boto3.client(
        "bedrock-runtime",
        region_name=region_name,
        endpoint_url=endpoint_url,
        config=config,
        aws_access_key_id=aws_access_key_id,
        aws_secret_access_key=aws_secret_access_key,
    )


class BedrockProvider:
    """:class:`~adology.ai.types.Provider` over Bedrock Runtime, blocking calls on a bounded thread pool."""

    name = "bedrock"
    creative_routines = frozenset({"describe", "embed"})  # Titan embeds the picture too
    embed_batch_size = 1

    def __init__(
        self,
        client: Any,
        *,
        text_model: str = "anthropic.claude-3-5-haiku-20241022-v1:0",
        embedding_model: str = "amazon.titan-embed-text-v2:0",
        image_embedding_model: str = "amazon.titan-embed-image-v1",
        embedding_dimensions: int = 1024,
        image_embedding_dimensions: int = 1024,
        max_workers: int = 8,
        max_attempts: int = 6,
        backoff_initial_seconds: float = 1.0,
        backoff_max_seconds: float = 60.0,
        price_per_million_input: float = DEFAULT_PRICE_PER_MILLION_INPUT,
        price_per_million_output: float = DEFAULT_PRICE_PER_MILLION_OUTPUT,
        price_per_million_embedding: float = DEFAULT_PRICE_PER_MILLION_EMBEDDING,
        price_per_image_embedding: float = DEFAULT_PRICE_PER_IMAGE_EMBEDDING,
    ) -> None:
        if embedding_dimensions not in TITAN_TEXT_DIMENSIONS:
            raise ValueError(f"embedding_dimensions must be one of {TITAN_TEXT_DIMENSIONS}")
        if image_embedding_dimensions not in TITAN_IMAGE_DIMENSIONS:
            raise ValueError(f"image_embedding_dimensions must be one of {TITAN_IMAGE_DIMENSIONS}")
        self._client = client
        self._text_model = text_model
        self._embedding_model = embedding_model
        self._image_embedding_model = image_embedding_model
        self._embedding_dimensions = embedding_dimensions
        self._image_embedding_dimensions = image_embedding_dimensions
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="bedrock")
        self._retry = RetryPolicy(max_attempts, backoff_initial_seconds, backoff_max_seconds)
        self._price_input = price_per_million_input
        self._price_output = price_per_million_output
        self._price_embedding = price_per_million_embedding
        self._price_image = price_per_image_embedding

    def close(self) -> None:
        """Let the worker threads go; calls still queued are cancelled."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> BedrockProvider:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def model_id(self, routine: str) -> str:
        if routine in ("describe", "label", "summarize", "answer"):
            return self._text_model
        if routine == "embed":  # both models shape the result, so both name it
            return (
                f"{self._embedding_model}@{self._embedding_dimensions}"
                f"+{self._image_embedding_model}@{self._image_embedding_dimensions}"
            )
        raise ValueError(f"unknown routine {routine!r}: expected describe, label, embed, summarize or answer")

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]:
        pictures, notes = await ad_pictures(ad)
        content: list[dict[str, Any]] = [{"text": ad_text(ad, notes)}, *_image_blocks(pictures)]
        return await self._structured(
            "describe",
            ad.ad_id,
            describe_instructions(),
            content,
            tool=DESCRIBE_TOOL,
            tool_description="Record the ad's description, the text in its creatives and its attributes.",
            schema=describe_output_schema(),
            parse=parse_description,
            max_tokens=_DESCRIBE_MAX_TOKENS,
            prompt_version=PROMPT_VERSION,
        )

    async def label(self, ad: AdInput, description: Description | None) -> tuple[Labels, Usage]:
        content: list[dict[str, Any]]
        if description is None:  # nothing has looked at the creatives yet: let the model see them
            pictures, notes = await ad_pictures(ad)
            content = [{"text": label_text(ad, None, notes)}, *_image_blocks(pictures)]
        else:
            content = [{"text": label_text(ad, description, [])}]
        return await self._structured(
            "label",
            ad.ad_id,
            label_instructions(),
            content,
            tool=LABEL_TOOL,
            tool_description="Record the taxonomy labels that apply to the ad.",
            schema=label_output_schema(),
            parse=parse_labels,
            max_tokens=_LABEL_MAX_TOKENS,
            prompt_version=LABEL_PROMPT_VERSION,
        )

    async def summarize(self, request: SummaryRequest) -> tuple[SummaryDraft, Usage]:
        return await self._structured(
            "summarize",
            f"{request.kind}:{request.subject}",
            summarize_instructions(),
            [{"text": summarize_text(request)}],
            tool=SUMMARY_TOOL,
            tool_description="Record the findings, theme names and recommendations, each citing its facts and ads.",
            schema=summarize_output_schema(request),
            parse=parse_summary,
            max_tokens=_SUMMARIZE_MAX_TOKENS,
            prompt_version=SUMMARIZE_PROMPT_VERSION,
        )

    async def answer(self, request: AnswerRequest) -> tuple[AnswerDraft, Usage]:
        return await self._structured(
            "answer",
            f"brandspace:{request.subject}",
            answer_instructions(),
            [{"text": answer_text(request)}],
            tool=ANSWER_TOOL,
            tool_description="Record the answer to the question, citing the facts and ads it rests on.",
            schema=answer_output_schema(request),
            parse=parse_answer,
            max_tokens=_ANSWER_MAX_TOKENS,
            prompt_version=ANSWER_PROMPT_VERSION,
        )

    async def embed_many(
        self, items: list[tuple[AdInput, Description | None]]
    ) -> tuple[list[Embeddings | AIError], Usage]:
        return await run_each(self.embed, items)

    async def embed(self, ad: AdInput, description: Description | None) -> tuple[Embeddings, Usage]:
        """TEXT and RETRIEVAL from Titan text, VISUAL from Titan image when the ad has a picture."""
        picture = await first_picture(ad)
        picture = as_png_or_jpeg(picture) if picture is not None else None  # Titan reads PNG and JPEG only
        calls = [self._embed_text(kind, text) for kind, text in embedding_texts(ad, description).items()]
        if picture is not None:
            calls.append(self._embed_picture(picture))
        results = await asyncio.gather(*calls)
        usage = sum((result_usage for _, result_usage in results), Usage())
        return Embeddings(embeddings=[embedding for embedding, _ in results]), usage

    async def embed_query(self, text: str) -> tuple[Embedding, Usage]:
        return await self._embed_text(EmbeddingKind.RETRIEVAL, text)

    async def _embed_text(self, kind: EmbeddingKind, text: str) -> tuple[Embedding, Usage]:
        answer = await self._invoke(
            self._embedding_model, {"inputText": text, "dimensions": self._embedding_dimensions, "normalize": True}
        )
        tokens = int(answer.get("inputTextTokenCount", 0))
        return (
            Embedding(kind=kind, model=self._embedding_model, vector=answer["embedding"]),
            Usage(calls=1, input_tokens=tokens, cost_usd=cost(tokens, self._price_embedding)),
        )

    async def _embed_picture(self, picture: Picture) -> tuple[Embedding, Usage]:
        answer = await self._invoke(
            self._image_embedding_model,
            {
                "inputImage": base64.b64encode(picture.data).decode(),
                "embeddingConfig": {"outputEmbeddingLength": self._image_embedding_dimensions},
            },
        )
        return (
            Embedding(kind=EmbeddingKind.VISUAL, model=self._image_embedding_model, vector=answer["embedding"]),
            Usage(calls=1, cost_usd=self._price_image),
        )

    async def _invoke(self, model: str, body: dict[str, Any]) -> dict[str, Any]:
        def call() -> dict[str, Any]:  # the body is read on the worker too: it streams from the socket
            response = self._client.invoke_model(
                modelId=model, body=json.dumps(body), contentType="application/json", accept="application/json"
            )
            return json.loads(response["body"].read())

        return await self._send("embed", call)

    async def _structured(
        self,
        routine: str,
        subject: str,  # the ad's id, or the brand or brandspace a summary or answer is about, for the logs
        system: str,
        content: list[dict[str, Any]],
        *,
        tool: str,
        tool_description: str,
        schema: dict[str, Any],
        parse: Callable[[Any], T],
        max_tokens: int,
        prompt_version: str,
    ) -> tuple[T, Usage]:
        """Have the model call ``tool`` with input under ``schema``; a malformed call is asked again once."""
        tool_config = {
            "tools": [{"toolSpec": {"name": tool, "description": tool_description, "inputSchema": {"json": schema}}}],
            "toolChoice": {"tool": {"name": tool}},
        }
        request = functools.partial(
            self._client.converse,
            modelId=self._text_model,
            system=[{"text": system}],
            toolConfig=tool_config,
            inferenceConfig={"maxTokens": max_tokens, "temperature": _TEMPERATURE},
        )
        messages: list[dict[str, Any]] = [{"role": "user", "content": content}]
        response = await self._send(routine, functools.partial(request, messages=messages))
        usage = self._converse_usage(response)
        try:
            return parse(_tool_input(response, tool)), usage
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
            reply = _reply(response)
            messages = [*messages, reply, {"role": "user", "content": _correction(reply, exc.reason)}]
        response = await self._send(routine, functools.partial(request, messages=messages))
        usage += self._converse_usage(response)
        try:
            return parse(_tool_input(response, tool)), usage
        except MalformedOutput as exc:
            raise AIError("ai_malformed_output", f"{routine}: asked twice, still {exc.reason}") from None

    def _converse_usage(self, response: dict[str, Any]) -> Usage:
        counts = response.get("usage") or {}
        prompt, output = int(counts.get("inputTokens", 0)), int(counts.get("outputTokens", 0))
        return Usage(
            calls=1,
            input_tokens=prompt,
            output_tokens=output,
            cost_usd=cost(prompt, self._price_input) + cost(output, self._price_output),
        )

    async def _send(self, routine: str, call: Callable[[], T]) -> T:
        """``call()`` on a worker thread, retried while it fails transiently; raises AIError when it cannot succeed."""
        loop = asyncio.get_running_loop()
        try:
            async for attempt in retrying(
                self._retry, transient=_is_transient, hint=_retry_hint, provider=self.name, routine=routine
            ):
                with attempt:  # the wait between attempts is on the event loop: it holds no worker
                    result = await loop.run_in_executor(self._executor, call)
        except (ClientError, BotoCoreError) as exc:
            raise _as_ai_error(routine, exc) from exc
        return result


def _image_blocks(pictures: list[Picture]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"image": {"format": picture.format, "source": {"bytes": picture.data}}} for picture in pictures[:_MAX_IMAGES]
    ]
    if len(pictures) > _MAX_IMAGES:
        blocks.append({"text": f"Only the first {_MAX_IMAGES} of {len(pictures)} pictures are attached."})
    return blocks


def _reply(response: dict[str, Any]) -> dict[str, Any]:
    """The assistant message of a Converse response (an empty one if the response has none)."""
    return (response.get("output") or {}).get("message") or {"role": "assistant", "content": []}


def _tool_input(response: dict[str, Any], tool: str) -> Any:
    if response.get("stopReason") == "max_tokens":
        raise MalformedOutput("the answer was cut off at the token limit")
    for block in _reply(response).get("content", []):
        if "toolUse" in block and block["toolUse"].get("name") == tool:
            return block["toolUse"].get("input")
    raise MalformedOutput(f"the answer did not call the {tool} tool")


def _correction(reply: dict[str, Any], reason: str) -> list[dict[str, Any]]:
    """The user turn after a rejected answer: a failed result for each tool call, then the reason."""
    results = [
        {
            "toolResult": {
                "toolUseId": block["toolUse"]["toolUseId"],
                "status": "error",
                "content": [{"text": f"Rejected: {reason}"}],
            }
        }
        for block in reply.get("content", [])
        if "toolUse" in block
    ]
    return [*results, {"text": CORRECTION_REQUEST.format(reason=reason)}]


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, ClientError):
        code = _error_code(error)
        return code in _THROTTLED | _UNAVAILABLE | _TIMED_OUT or _status(error) == 429 or _status(error) >= 500
    return isinstance(error, BotoConnectionError | HTTPClientError)  # timeouts and dropped connections


def _retry_hint(error: BaseException) -> float | None:
    if isinstance(error, ClientError):
        return retry_after_seconds(error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}))
    return None


def _as_ai_error(routine: str, error: ClientError | BotoCoreError) -> AIError:
    detail = f"{routine}: {type(error).__name__}: {error}"[:500]
    if isinstance(error, ReadTimeoutError | ConnectTimeoutError):
        return AIError("ai_timeout", detail, retryable=True)
    if isinstance(error, BotoConnectionError | HTTPClientError):
        return AIError("ai_server_error", detail, retryable=True)  # the service could not be reached
    if isinstance(error, ClientError):
        code, status = _error_code(error), _status(error)
        # the code first: ModelNotReadyException comes as a 429 but is no rate limit
        if code in _THROTTLED or (status == 429 and code not in _UNAVAILABLE):
            return AIError("ai_rate_limited", detail, retryable=True)
        if code in _TIMED_OUT:
            return AIError("ai_timeout", detail, retryable=True)
        if code in _UNAVAILABLE or status >= 500:
            return AIError("ai_server_error", detail, retryable=True)
    return AIError("ai_request_rejected", detail)
