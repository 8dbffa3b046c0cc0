"""The request message schema: a valid body parses with the pipeline's assets in order, and every
malformed body is refused with one line naming the field that is wrong (the dead-letter reason)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from adology.pipeline import PIPELINE_ASSETS
from adology.requests.messages import MalformedMessage, parse_message


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
    }
    for body, expected in cases.items():
        with pytest.raises(MalformedMessage) as caught:
            parse_message(body)
        assert expected in str(caught.value) and "\n" not in str(caught.value), (body, str(caught.value))
