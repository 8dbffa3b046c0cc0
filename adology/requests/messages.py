"""The body of every message on the request queues, validated where it is read, and the run key
each of its brands gets.

A producer that drifts from the schema is caught at the consumer, not half-read: a malformed body
raises :class:`MalformedMessage` naming the offending field, which becomes the dead-letter reason.

A message names the request and its ``attempt`` (0 for the first, n for the n-th retry); the run
key is made of those two and the brand (:func:`run_key`), never of SQS's deduplication id, so
every copy of one attempt (a duplicate delivery, a re-publish of a message presumed lost, a
dead letter replayed) maps to one Dagster run, while a retry, which needs a new run because a run
key is used once forever, gets a key of its own.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from adology.errors import AdologyError
from adology.pipeline import PIPELINE_ASSETS

Kind = Literal["analyze", "refresh"]
PriorityName = Literal["high", "low"]
AssetName = Literal[PIPELINE_ASSETS]  # type: ignore[valid-type]  # the names, in pipeline order
BRAND_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,127}$"  # the same rule as the CHECK on brands.partition_key
# UUIDs and deterministic ids such as refresh-2026-11-22T10:00-00042; short enough that a
# ":<attempt>" suffix still fits SQS's 128-character deduplication id.
REQUEST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,79}$"
MAX_BRANDS_PER_MESSAGE = 100
MAX_ATTEMPT = 1000  # far above any retry policy; bounds what a malformed producer can put in a run key
_BRAND_KEY = re.compile(BRAND_KEY_PATTERN)


class MalformedMessage(AdologyError):
    """An SQS message body is not a valid :class:`RequestMessage`; the text says which field and why."""


class InvalidRequestError(AdologyError):
    """``record_request`` was given a kind, priority or asset list the message schema refuses."""


class RequestMessage(BaseModel):
    """The body of every message on the request queues."""

    # strict + forbid: a producer that drifts from the schema is caught at the consumer, not half-read
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    request_id: str = Field(pattern=REQUEST_ID_PATTERN)
    kind: Kind
    priority: PriorityName
    brands: list[str] = Field(min_length=1, max_length=MAX_BRANDS_PER_MESSAGE)
    assets: list[AssetName] = Field(default_factory=lambda: list(PIPELINE_ASSETS), min_length=1)
    requested_at: AwareDatetime
    # absent from messages written before retries existed: those are first attempts
    attempt: int = Field(default=0, ge=0, le=MAX_ATTEMPT)

    @field_validator("brands")
    @classmethod
    def _brands_are_partition_keys(cls, brands: list[str]) -> list[str]:
        for index, brand in enumerate(brands):
            if not _BRAND_KEY.match(brand):
                raise ValueError(f"brand {index} ({brand!r}) is not a partition key matching {BRAND_KEY_PATTERN}")
        if len(set(brands)) != len(brands):
            raise ValueError("brands repeat; each brand may appear once")
        return brands

    @field_validator("assets")
    @classmethod
    def _assets_are_a_subset(cls, assets: list[AssetName]) -> list[AssetName]:
        if len(set(assets)) != len(assets):
            raise ValueError("assets repeat; give each asset once")
        # pipeline order, whatever order the caller gave: two requests for the same work have one payload
        return [asset for asset in PIPELINE_ASSETS if asset in assets]

    def body(self) -> dict[str, Any]:
        """The JSON-ready form stored in the outbox and sent to SQS."""
        return self.model_dump(mode="json")


def run_key(request_id: str, brand: str, attempt: int) -> str:
    """The Dagster run key of one brand of one attempt of a request.

    Attempt 0 keeps the key runs had before attempts existed (``{request id}:{brand}``), so a
    message still in flight when this shipped finds its run. ``/`` appears in neither a request id
    nor a brand key, so no retry's key can equal another request's.
    """
    base = f"{request_id}:{brand}"
    return base if attempt == 0 else f"{base}/retry-{attempt}"


def validation_reason(exc: ValidationError) -> str:
    """One line naming the first offending field and why, for logs and the dead-letter reason."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    if first["type"] == "json_invalid":
        return f"invalid JSON: {first.get('ctx', {}).get('error', first['msg'])}"
    location = ""
    for part in first["loc"]:
        location += f"[{part}]" if isinstance(part, int) else (f".{part}" if location else str(part))
    if first["type"] == "model_type" or not location:
        return f"message body must be a JSON object with the request fields ({first['msg']})"
    detail = first["msg"].removeprefix("Value error, ")
    detail = detail[:1].lower() + detail[1:]
    got = first.get("input")
    quiet = first["type"] in ("missing", "extra_forbidden") or isinstance(got, (dict, list))
    shown = "" if quiet else f" (got {got!r})"
    more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"field {location!r}: {detail}{shown}{more}"


def parse_message(body: str) -> RequestMessage:
    """Validate an SQS message body; :class:`MalformedMessage` names the field that is wrong."""
    try:
        return RequestMessage.model_validate_json(body)
    except ValidationError as exc:
        raise MalformedMessage(validation_reason(exc)) from exc
