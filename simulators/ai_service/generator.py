"""Deterministic stand-ins for model output: JSON that fits a schema, and unit embedding vectors.

The same schema and prompt always give the same answer, so tests can compare runs; strings reuse
words of the prompt, so a fake description of an ad mentions what the ad says. The generator
covers the JSON-schema subset structured outputs use (objects, arrays, enums, ``anyOf``, nullable
types, local ``$ref``), not all of JSON Schema.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from typing import Any

import numpy as np
import orjson

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_FALLBACK_WORDS = ("bold", "bright", "product", "offer", "lifestyle", "people", "colour", "brand", "clean", "modern")
_MAX_PROMPT_WORDS = 400


class UnsupportedSchema(ValueError):
    """The schema uses something the generator cannot satisfy (a remote $ref, an empty enum...)."""


def schema_text(schema: dict[str, Any]) -> str:
    """``schema`` as JSON text with sorted keys: what seeds an answer and what a schema costs in tokens.

    Every request of a routine carries the same schema, and encoding the describe schema's seventy
    attributes with the json module was a quarter of the fake's CPU under load: orjson's sorted
    bytes (several times cheaper) find the text, made once per distinct schema."""
    return _schema_text(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))


@functools.lru_cache(maxsize=64)
def _schema_text(sorted_json: bytes) -> str:
    return json.dumps(orjson.loads(sorted_json), sort_keys=True)


def _seeded(*parts: str) -> random.Random:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


class SchemaAnswer:
    """Builds one value conforming to a JSON schema, choosing from a random stream seeded by the prompt."""

    def __init__(self, schema: dict[str, Any], prompt: str) -> None:
        self._root = schema
        self._rng = _seeded(schema_text(schema), prompt)
        # the prompt's own words in order, so a run of them reads like a fragment of the ad's copy
        self._words = [word.lower() for word in _WORD.findall(prompt)][:_MAX_PROMPT_WORDS] or list(_FALLBACK_WORDS)

    def build(self) -> Any:
        return self._value(self._root, key="")

    def _value(self, schema: dict[str, Any], *, key: str) -> Any:
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"a schema must be an object, not {type(schema).__name__}")
        if "$ref" in schema:
            return self._value(self._resolve(schema["$ref"]), key=key)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            if not schema["enum"]:
                raise UnsupportedSchema("an enum has no values")
            return self._rng.choice(schema["enum"])
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                if not schema[combinator]:
                    raise UnsupportedSchema(f"{combinator} has no branches")
                # a real model answers null only when it must; the fake always has an answer
                branches = [
                    branch
                    for branch in schema[combinator]
                    if not (isinstance(branch, dict) and branch.get("type") == "null")
                ]
                return self._value(self._rng.choice(branches or schema[combinator]), key=key)
        kind = schema.get("type", "object")
        if isinstance(kind, list):
            kind = next((name for name in kind if name != "null"), "null")
        match kind:
            case "object":
                return self._object(schema)
            case "array":
                return self._array(schema, key=key)
            case "string":
                return self._text(key, schema)
            case "number":
                low, high = schema.get("minimum", 0.0), schema.get("maximum", 100.0)
                return round(self._rng.uniform(low, high), 3)
            case "integer":
                return self._rng.randint(int(schema.get("minimum", 0)), int(schema.get("maximum", 100)))
            case "boolean":
                return self._rng.random() < 0.5
        return None

    def _object(self, schema: dict[str, Any]) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties", {})
        wanted = schema.get("required", list(properties))
        return {name: self._value(properties.get(name, {"type": "string"}), key=name) for name in wanted}

    def _array(self, schema: dict[str, Any], *, key: str) -> list[Any]:
        most = int(schema.get("maxItems", 3))
        low = int(schema.get("minItems", min(1, most)))  # a list that must stay empty stays empty
        high = max(low, min(most, 3))
        items = schema.get("items", {"type": "string"})
        return [self._value(items, key=key) for _ in range(self._rng.randint(low, high))]

    def _text(self, key: str, schema: dict[str, Any]) -> str:
        if key == "description":  # a few sentences: plausible, and far below the 500-word limit
            text = " ".join(f"The ad shows {self._run(8, 14)}." for _ in range(self._rng.randint(2, 4)))
        else:
            text = self._run(2, 5)
        return text[: schema["maxLength"]] if "maxLength" in schema else text

    def _run(self, shortest: int, longest: int) -> str:
        """A run of consecutive prompt words (wrapping around at the end)."""
        start, length = self._rng.randrange(len(self._words)), self._rng.randint(shortest, longest)
        return " ".join(self._words[(start + offset) % len(self._words)] for offset in range(length))

    def _resolve(self, reference: str) -> dict[str, Any]:
        if not reference.startswith("#/"):
            raise UnsupportedSchema(f"only local references are supported, not {reference!r}")
        node: Any = self._root
        for part in reference[2:].split("/"):
            if not isinstance(node, dict) or part not in node:
                raise UnsupportedSchema(f"reference {reference!r} leads nowhere")
            node = node[part]
        return node


def schema_answer(schema: dict[str, Any], prompt: str) -> Any:
    """A value valid under ``schema`` that depends only on the schema and the prompt."""
    return SchemaAnswer(schema, prompt).build()


def plain_answer(prompt: str) -> str:
    """A short free-text reply, for a chat request without a response format."""
    return SchemaAnswer({"type": "string"}, prompt).build()


def without_first_field(answer: Any) -> Any:
    """``answer`` with its first field left out: for a strict schema, a required one is missing."""
    if isinstance(answer, dict) and answer:
        return {name: value for index, (name, value) in enumerate(answer.items()) if index}
    return None


def break_answer(answer: Any, rng: random.Random) -> str:
    """``answer`` spoiled the two ways real models spoil JSON: cut off, or a required field left out."""
    if rng.random() < 0.5:
        return json.dumps(without_first_field(answer))
    text = json.dumps(answer)
    return text[: max(1, len(text) // 2)]


def unit_vector(text: str, dimensions: int, *, salt: str) -> np.ndarray:
    """A float32 unit vector fixed by ``salt`` (the model) and ``text``; unrelated texts are unrelated."""
    digest = hashlib.sha256(f"{salt}\x1f{text}".encode()).digest()
    vector = np.random.default_rng(int.from_bytes(digest[:8], "big")).standard_normal(dimensions)
    return (vector / np.linalg.norm(vector)).astype("<f4")


def estimate_tokens(text: str) -> int:
    """About four characters a token, the usual rule of thumb for English with OpenAI's tokenizers."""
    return max(1, (len(text) + 3) // 4) if text else 0
