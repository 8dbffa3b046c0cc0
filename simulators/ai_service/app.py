"""The fake's HTTP surface: OpenAI Chat Completions and Embeddings, Bedrock Runtime, and an admin API.

Every API request goes through one pipeline that models a real provider: counted, maybe throttled
(``fail_first_n``, then the requests-per-minute window) with the provider's own 429 shape, queued
behind ``max_concurrency``, delayed by the configured latency, maybe failed with a 500, and then
answered. Answers are deterministic in the request (see :mod:`.generator`); only the faults and
the latency jitter draw on the seeded random stream.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import contextlib
import functools
import json
import math
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from simulators.ai_service.config import FakeServerConfig, FakeServerStats
from simulators.ai_service.generator import (
    UnsupportedSchema,
    break_answer,
    estimate_tokens,
    plain_answer,
    schema_answer,
    schema_text,
    unit_vector,
    without_first_field,
)

_WINDOW_SECONDS = 60.0
_MAX_EMBEDDING_INPUTS = 2048  # OpenAI's limit on inputs in one embeddings request
TITAN_TEXT_V2 = "amazon.titan-embed-text-v2:0"
TITAN_IMAGE_V1 = "amazon.titan-embed-image-v1"
_TITAN_TEXT_DIMENSIONS = (256, 512, 1024)
_TITAN_IMAGE_DIMENSIONS = (256, 384, 1024)


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


# orjson reads and writes a request body several times faster than json: the fake shares the
# benchmark's two cores with the pipeline it serves, so its own CPU is kept small
_json_response = functools.partial(web.json_response, dumps=_json_text)


class BadRequest(Exception):
    """The request is one the real service would refuse with HTTP 400."""


class FakeState:
    """What one fake server knows: its live config, its counters, and its queue and rate window."""

    def __init__(self, config: FakeServerConfig) -> None:
        self.config = config
        self.stats = FakeServerStats()
        self.rng = random.Random(config.seed)
        self._admitted: collections.deque[float] = collections.deque()  # times of requests in the window
        self._waiters: list[asyncio.Future[None]] = []

    def configure(self, changes: Mapping[str, Any]) -> None:
        self.config.checked_update(changes)
        if "seed" in changes:
            self.rng = random.Random(self.config.seed)
        self.wake()  # a raised max_concurrency admits queued requests now, not at the next exit

    def throttle(self) -> float | None:
        """Seconds the caller should wait if this request is refused with a 429, else None."""
        config = self.config
        if config.fail_first_n > 0:
            config.fail_first_n -= 1
            return config.retry_after_seconds if config.retry_after_seconds is not None else 1.0
        if config.requests_per_minute is None:
            return None
        now = time.monotonic()
        while self._admitted and self._admitted[0] <= now - _WINDOW_SECONDS:
            self._admitted.popleft()
        if len(self._admitted) >= config.requests_per_minute:
            if config.retry_after_seconds is not None:
                return config.retry_after_seconds
            return float(math.ceil(self._admitted[0] + _WINDOW_SECONDS - now))
        self._admitted.append(now)
        return None

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of ``max_concurrency`` places while the request is worked on."""
        self.stats.add(waiting=1)
        try:
            while (limit := self.config.max_concurrency) is not None and self.stats.in_flight >= limit:
                waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                try:
                    await waiter
                finally:
                    self._waiters.remove(waiter)
        finally:
            self.stats.add(waiting=-1)
        self.stats.add(in_flight=1)
        try:
            yield
        finally:
            self.stats.add(in_flight=-1)
            self.wake()

    def wake(self) -> None:
        """Let every queued request look again for a free place (each re-checks the limit)."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def latency(self) -> float:
        jitter = self.config.latency_jitter_seconds
        return max(0.0, self.config.latency_seconds + (self.rng.uniform(-jitter, jitter) if jitter else 0.0))

    def fails_with_500(self) -> bool:
        return self.config.error_rate_500 > 0 and self.rng.random() < self.config.error_rate_500

    def take_malformed(self) -> bool:
        """Whether this structured answer is to be spoiled (counted in the stats when it is)."""
        config = self.config
        if config.malformed_first_n > 0:
            config.malformed_first_n -= 1
            spoil = True
        else:
            spoil = config.malformed_rate > 0 and self.rng.random() < config.malformed_rate
        if spoil:
            self.stats.add(malformed=1)
        return spoil


STATE: web.AppKey[FakeState] = web.AppKey("fake_ai_state", FakeState)


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if seconds == int(seconds) else f"{seconds:.3f}".rstrip("0")


def _retry_headers(seconds: float) -> dict[str, str]:
    return {"Retry-After": _seconds_text(seconds), "retry-after-ms": str(round(seconds * 1000))}


@dataclass(frozen=True)
class _Dialect:
    """How one provider family words its errors."""

    throttled: Callable[[float], web.Response]
    server_error: Callable[[], web.Response]
    bad_request: Callable[[str], web.Response]


def _openai_error(
    status: int, message: str, kind: str, code: str | None, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return _json_response(body, status=status, headers=headers)


OPENAI = _Dialect(
    throttled=lambda wait: _openai_error(
        429,
        "Rate limit reached for requests (fake server). Please try again later.",
        "rate_limit_exceeded",
        "rate_limit_exceeded",
        _retry_headers(wait),
    ),
    server_error=lambda: _openai_error(
        500, "The server had an error while processing your request. Sorry about that!", "server_error", None
    ),
    bad_request=lambda message: _openai_error(400, message, "invalid_request_error", None),
)


def _bedrock_error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    # botocore reads the error code from this header in Bedrock Runtime's REST-JSON protocol
    return _json_response({"message": message}, status=status, headers={"x-amzn-ErrorType": kind, **(headers or {})})


BEDROCK = _Dialect(
    throttled=lambda wait: _bedrock_error(429, "ThrottlingException", "Too many requests", _retry_headers(wait)),
    server_error=lambda: _bedrock_error(500, "InternalServerException", "Internal server error (fake server)"),
    bad_request=lambda message: _bedrock_error(400, "ValidationException", message),
)


@dataclass(frozen=True)
class _Call:
    """One admitted API request, as an answering function sees it."""

    state: FakeState
    request: web.Request
    body: dict[str, Any]
    admitted_at: float  # time.monotonic() when it got its place, for the latency it reports

    @property
    def model_id(self) -> str:
        return self.request.match_info["model_id"]


_Answer = Callable[[_Call], web.Response]


async def _serve(request: web.Request, endpoint: str, dialect: _Dialect, answer: _Answer) -> web.Response:
    state = request.app[STATE]
    state.stats.count_request(endpoint)
    wait = state.throttle()
    if wait is not None:
        state.stats.add(status_429=1)
        return dialect.throttled(wait)
    try:
        body = orjson.loads(await request.read())
    except ValueError:  # UnicodeDecodeError is one too
        return dialect.bad_request("the request body is not valid JSON")
    if not isinstance(body, dict):
        return dialect.bad_request("the request body must be a JSON object")
    async with state.slot():
        started = time.monotonic()
        await asyncio.sleep(state.latency())
        if state.fails_with_500():
            state.stats.add(status_500=1)
            return dialect.server_error()
        try:
            response = answer(_Call(state, request, body, started))
        except BadRequest as exc:
            return dialect.bad_request(str(exc))
        except UnsupportedSchema as exc:
            return dialect.bad_request(f"invalid schema: {exc}")
        response.headers["x-fake-latency-ms"] = str(round((time.monotonic() - started) * 1000))
        return response


def _decode_base64(text: Any, what: str) -> bytes:
    if not isinstance(text, str) or not text:
        raise BadRequest(f"{what} must be a non-empty base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise BadRequest(f"{what} is not valid base64") from None


# --- OpenAI ---------------------------------------------------------------------------------------


@dataclass
class _Prompt:
    text: list[str]  # every text part, for token counts
    user_text: list[str]  # what the user said, for the answer's words
    images: int = 0


def _objects(value: Any, what: str) -> list[dict[str, Any]]:
    """``value`` as a list of JSON objects, or a 400 naming ``what``."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadRequest(f"{what} must be an array of objects")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise BadRequest(f"{what} must be a string")
    return value


def _read_openai_messages(messages: Any) -> _Prompt:
    if not _objects(messages, "'messages'"):
        raise BadRequest("'messages' must not be empty")
    prompt = _Prompt(text=[], user_text=[])
    for message in messages:
        role = message.get("role")
        if role not in ("system", "developer", "user", "assistant"):
            raise BadRequest("each message needs a role of system, developer, user or assistant")
        content = message.get("content")
        parts: list[dict[str, Any]] = (
            [{"type": "text", "text": content}] if isinstance(content, str) else _objects(content, "content")
        )
        for part in parts:
            if part.get("type") == "text":
                text = _text(part.get("text"), "a text part's text")
                prompt.text.append(text)
                if role == "user":
                    prompt.user_text.append(text)
            elif part.get("type") == "image_url" and isinstance(part.get("image_url"), dict):
                url = _text(part["image_url"].get("url"), "image_url.url")
                if url.startswith("data:"):  # other URLs are accepted unread: the fake has no network
                    header, _, data = url.partition(",")
                    if not header.endswith(";base64"):
                        raise BadRequest("Invalid image URL: data URLs must be base64-encoded")
                    _decode_base64(data, "the image data URL")
                prompt.images += 1
            else:
                raise BadRequest(f"unsupported content part {part.get('type')!r}")
    return prompt


# keywords OpenAI's strict structured outputs refuse outright (the request fails with 400)
_STRICT_UNSUPPORTED = ("minLength", "maxLength")


def _refuse_unsupported_keywords(name: str, schema: Any, context: tuple[str, ...] = ()) -> None:
    """Refuse a strict schema the way OpenAI does, naming where the unsupported keyword sits."""
    if isinstance(schema, list):
        for branch in schema:
            _refuse_unsupported_keywords(name, branch, context)
        return
    if not isinstance(schema, dict):
        return
    for keyword in _STRICT_UNSUPPORTED:
        if keyword in schema:
            raise BadRequest(
                f"Invalid schema for response_format '{name}': In context={context}, '{keyword}' is not permitted."
            )
    for key, value in schema.items():
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            for field, subschema in value.items():  # names, not keywords
                _refuse_unsupported_keywords(name, subschema, (*context, key, field))
        elif isinstance(value, dict | list):
            _refuse_unsupported_keywords(name, value, (*context, key))


def _chat_completion(call: _Call) -> web.Response:
    state, body = call.state, call.body
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("you must provide a model parameter")
    if body.get("stream"):
        raise BadRequest("the fake server does not stream")
    prompt = _read_openai_messages(body.get("messages"))
    user_text = "\n".join(prompt.user_text)
    response_format = body.get("response_format") or {"type": "text"}
    if not isinstance(response_format, dict):
        raise BadRequest("response_format must be an object")
    schema: dict[str, Any] | None = None
    match response_format.get("type"):
        case "json_schema":
            spec = response_format.get("json_schema")
            if (
                not isinstance(spec, dict)
                or not isinstance(spec.get("name"), str)
                or not isinstance(spec.get("schema"), dict)
            ):
                raise BadRequest("response_format.json_schema needs a name and a schema object")
            schema = spec["schema"]
            if spec.get("strict"):
                _refuse_unsupported_keywords(spec["name"], schema)
        case "json_object":
            schema = {"type": "object", "required": ["answer"], "properties": {"answer": {"type": "string"}}}
        case "text":
            pass
        case other:
            raise BadRequest(f"unsupported response_format type {other!r}")
    if schema is None:
        content = plain_answer(user_text)
    else:
        answer = schema_answer(schema, user_text)
        content = break_answer(answer, state.rng) if state.take_malformed() else json.dumps(answer)
    prompt_tokens = (
        sum(estimate_tokens(text) for text in prompt.text)
        + prompt.images * state.config.image_tokens
        + (estimate_tokens(schema_text(schema)) if schema else 0)
    )
    completion_tokens = estimate_tokens(content)
    state.stats.add(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
    return _json_response(
        {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


def _embeddings(call: _Call) -> web.Response:
    state, body = call.state, call.body
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("you must provide a model parameter")
    inputs = body.get("input")
    inputs = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(inputs, list) or not inputs or not all(isinstance(text, str) and text for text in inputs):
        raise BadRequest("'input' must be a non-empty string or a non-empty array of non-empty strings")
    if len(inputs) > _MAX_EMBEDDING_INPUTS:
        raise BadRequest(f"'input' may hold at most {_MAX_EMBEDDING_INPUTS} items")
    native = 3072 if "large" in model else 1536
    dimensions = body.get("dimensions", native)
    if "dimensions" in body and not model.startswith("text-embedding-3"):
        raise BadRequest("This model does not support specifying dimensions.")
    if not isinstance(dimensions, int) or not 1 <= dimensions <= native:
        raise BadRequest(f"'dimensions' must be an integer between 1 and {native}")
    encoding = body.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise BadRequest("'encoding_format' must be float or base64")
    data = []
    for index, text in enumerate(inputs):
        vector = unit_vector(text, dimensions, salt=model)
        encoded: Any = base64.b64encode(vector.tobytes()).decode() if encoding == "base64" else vector.tolist()
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(estimate_tokens(text) for text in inputs)
    state.stats.add(prompt_tokens=tokens)
    return _json_response(
        {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
    )


# --- Bedrock Runtime ------------------------------------------------------------------------------


def _titan_embedding(call: _Call) -> web.Response:
    state, body = call.state, call.body
    model_id = call.model_id
    if model_id == TITAN_TEXT_V2:
        text = body.get("inputText")
        if not isinstance(text, str) or not text:
            raise BadRequest("inputText must be a non-empty string")
        dimensions = body.get("dimensions", 1024)
        if dimensions not in _TITAN_TEXT_DIMENSIONS:
            raise BadRequest(f"dimensions must be one of {_TITAN_TEXT_DIMENSIONS}")
        vector = unit_vector(text, dimensions, salt=model_id)
        tokens = estimate_tokens(text)
    elif model_id == TITAN_IMAGE_V1:
        image = _decode_base64(body["inputImage"], "inputImage") if "inputImage" in body else b""
        text = _text(body.get("inputText") or "", "inputText")
        if not image and not text:
            raise BadRequest("at least one of inputImage and inputText is required")
        config = body.get("embeddingConfig") or {}
        dimensions = config.get("outputEmbeddingLength", 1024) if isinstance(config, dict) else None
        if dimensions not in _TITAN_IMAGE_DIMENSIONS:
            raise BadRequest(f"outputEmbeddingLength must be one of {_TITAN_IMAGE_DIMENSIONS}")
        vector = unit_vector(base64.b64encode(image).decode() + text, dimensions, salt=model_id)
        tokens = estimate_tokens(text)
    else:
        raise BadRequest("The provided model identifier is invalid.")
    state.stats.add(prompt_tokens=tokens)
    return _json_response(
        {"embedding": vector.tolist(), "inputTextTokenCount": tokens},
        headers={"x-amzn-bedrock-input-token-count": str(tokens)},
    )


def _read_converse_messages(body: dict[str, Any]) -> _Prompt:
    messages = _objects(body.get("messages"), "messages")
    if not messages or messages[0].get("role") != "user":
        raise BadRequest("messages must be a non-empty list that starts with a user message")
    system = [_text(block.get("text"), "system[].text") for block in _objects(body.get("system") or [], "system")]
    prompt = _Prompt(text=system, user_text=[])
    for message in messages:
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise BadRequest("each message's role must be user or assistant")
        for block in _objects(message.get("content"), "content"):
            if "text" in block:
                text = _text(block["text"], "content[].text")
                prompt.text.append(text)
                if role == "user":
                    prompt.user_text.append(text)
            elif isinstance(block.get("image"), dict):
                source = block["image"].get("source")
                _decode_base64(source.get("bytes") if isinstance(source, dict) else None, "image.source.bytes")
                prompt.images += 1
            elif "toolUse" in block or "toolResult" in block:
                prompt.text.append(json.dumps(block))
            else:
                raise BadRequest(f"unsupported content block {sorted(block)}")
    return prompt


def _chosen_tool(tool_config: Any) -> dict[str, Any]:
    """The spec of the tool the request makes the model call (``toolChoice``), else of the first tool."""
    if not isinstance(tool_config, dict):
        raise BadRequest("toolConfig must be an object")
    specs = [
        tool["toolSpec"]
        for tool in _objects(tool_config.get("tools"), "toolConfig.tools")
        if isinstance(tool.get("toolSpec"), dict)
    ]
    if not specs:
        raise BadRequest("toolConfig.tools must hold at least one toolSpec")
    choice = tool_config.get("toolChoice")
    wanted = choice["tool"].get("name") if isinstance(choice, dict) and isinstance(choice.get("tool"), dict) else None
    for spec in specs:
        if wanted is None or spec.get("name") == wanted:
            if not isinstance(spec.get("inputSchema"), dict) or not isinstance(spec["inputSchema"].get("json"), dict):
                raise BadRequest("toolSpec.inputSchema.json must be a JSON schema object")
            return spec
    raise BadRequest(f"toolChoice names {wanted!r}, which is not among the tools")


def _converse(call: _Call) -> web.Response:
    state, body = call.state, call.body
    model_id = call.model_id
    if model_id in (TITAN_TEXT_V2, TITAN_IMAGE_V1):
        raise BadRequest("This model doesn't support the Converse API.")
    prompt = _read_converse_messages(body)
    user_text = "\n".join(prompt.user_text)
    content: list[dict[str, Any]]
    if body.get("toolConfig"):
        spec = _chosen_tool(body["toolConfig"])
        schema = spec["inputSchema"]["json"]
        tool_input = schema_answer(schema, user_text)
        spoil = state.take_malformed()
        if spoil and state.rng.random() < 0.5:  # the model answered in prose instead of calling the tool
            content, stop_reason = [{"text": "I am unable to complete that request."}], "end_turn"
        else:
            content = [
                {
                    "toolUse": {
                        "toolUseId": f"tooluse_{uuid.uuid4().hex[:22]}",
                        "name": spec["name"],
                        "input": without_first_field(tool_input) if spoil else tool_input,
                    }
                }
            ]
            stop_reason = "tool_use"
        prompt.text.append(schema_text(schema))
    else:
        content, stop_reason = [{"text": plain_answer(user_text)}], "end_turn"
    input_tokens = sum(estimate_tokens(text) for text in prompt.text) + prompt.images * state.config.image_tokens
    output_tokens = estimate_tokens(json.dumps(content))
    state.stats.add(prompt_tokens=input_tokens, completion_tokens=output_tokens)
    return _json_response(
        {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop_reason,
            "usage": {
                "inputTokens": input_tokens,
                "outputTokens": output_tokens,
                "totalTokens": input_tokens + output_tokens,
            },
            "metrics": {"latencyMs": round((time.monotonic() - call.admitted_at) * 1000)},
        }
    )


# --- admin and wiring -----------------------------------------------------------------------------


async def _get_stats(request: web.Request) -> web.Response:
    return _json_response(request.app[STATE].stats.snapshot())


async def _get_config(request: web.Request) -> web.Response:
    return _json_response(request.app[STATE].config.to_dict())


async def _post_config(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        changes = json.loads(await request.read())
        if not isinstance(changes, dict):
            raise ValueError("the body must be a JSON object of config fields")
        state.configure(changes)
    except ValueError as exc:
        return _json_response({"error": str(exc)}, status=400)
    return _json_response(state.config.to_dict())


async def _post_reset(request: web.Request) -> web.Response:
    state = request.app[STATE]
    state.stats.reset()
    return _json_response(state.stats.snapshot())


def _route(endpoint: str, dialect: _Dialect, answer: _Answer) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        return await _serve(request, endpoint, dialect, answer)

    return handler


def build_app(state: FakeState) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)  # base64 creatives make large bodies
    app[STATE] = state
    app.router.add_post("/v1/chat/completions", _route("chat.completions", OPENAI, _chat_completion))
    app.router.add_post("/v1/embeddings", _route("embeddings", OPENAI, _embeddings))
    app.router.add_post("/model/{model_id}/invoke", _route("bedrock.invoke", BEDROCK, _titan_embedding))
    app.router.add_post("/model/{model_id}/converse", _route("bedrock.converse", BEDROCK, _converse))
    app.router.add_get("/_admin/stats", _get_stats)
    app.router.add_get("/_admin/config", _get_config)
    app.router.add_post("/_admin/config", _post_config)
    app.router.add_post("/_admin/reset", _post_reset)
    return app
