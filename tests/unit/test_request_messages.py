"""The request message schema: a valid body parses with the pipeline's assets in order, and every
malformed body is refused with one line naming the field that is wrong (the dead-letter reason).
A message carries its request's attempt (absent in messages written before retries: attempt 0),
and the run key is made of request id, brand and attempt, never of SQS's deduplication id."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from adology.pipeline import PIPELINE_ASSETS
from adology.requests.messages import MalformedMessage, parse_message, run_key


def _body(**changes: Any) -> str:
    body: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "kind": "analyze",
        "priority": "high",
        "brands": ["acme"],
        "requested_at": "2026-11-22T10:00:00Z",
    }
    body.update(changes)
    return json.dumps({key: value for key, value in body.items() if value is not None})


def test_parse_message_names_the_field_that_is_wrong() -> None:
    message = parse_message(_body())
    assert message.assets == list(PIPELINE_ASSETS) and message.requested_at.tzinfo is not None

    cases = {
        "{not json": "invalid JSON",
        "[1, 2]": "JSON object",
        _body(kind="delete"): "field 'kind'",
        _body(brands=["acme", "Not A Key"]): "field 'brands': brand 1 ('Not A Key')",
        _body(brands=[]): "field 'brands'",
        _body(brands=[f"b{i}" for i in range(101)]): "field 'brands'",
        _body(assets=[]): "field 'assets'",
        _body(assets=["ads", "thumbnails"]): "field 'assets[1]'",
        _body(requested_at="2026-11-22T10:00:00"): "field 'requested_at'",
        _body(request_id=None): "field 'request_id': field required",
        _body(extra="x"): "field 'extra': extra inputs are not permitted",
        _body(attempt=-1): "field 'attempt'",
        _body(attempt="1"): "field 'attempt'",
    }
    for body, expected in cases.items():
        with pytest.raises(MalformedMessage) as caught:
            parse_message(body)
        assert expected in str(caught.value) and "\n" not in str(caught.value), (body, str(caught.value))


def test_a_message_carries_its_attempt_and_older_messages_are_first_attempts() -> None:
    assert parse_message(_body()).attempt == 0  # written before attempts existed: still valid
    retry = parse_message(_body(attempt=2))
    assert retry.attempt == 2 and retry.body()["attempt"] == 2
    assert parse_message(json.dumps(retry.body())) == retry


def test_the_run_key_names_request_brand_and_attempt() -> None:
    request_id = str(uuid.uuid4())
    first = run_key(request_id, "acme", 0)
    assert first == f"{request_id}:acme"  # the key a first attempt had before attempts existed
    retries = [run_key(request_id, "acme", attempt) for attempt in (1, 2)]
    assert len({first, *retries}) == 3  # every retry is a run of its own
    assert run_key(request_id, "acme", 1) != run_key(request_id, "acme-1", 0)
    # a request id may hold ':', a brand may look like a retry suffix: still no two keys alike
    assert run_key("r:acme", "retry-1", 0) != run_key("r", "acme", 1)
