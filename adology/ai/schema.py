"""The attribute schema and the UNIVERSAL and TREND taxonomies: versioned data files, not code.

``data/attributes.v*.json`` names every attribute an ad description carries, with its type and
meaning; ``data/taxonomy_universal.v*.json`` and ``data/taxonomy_trend.v*.json`` list each label
with a definition. The highest version of each file is the one in force. Its version string is
part of every stored result, so publishing a new version makes affected ads eligible for
re-analysis.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, Field

AttributeType = Literal["string", "number", "integer", "boolean", "string_list", "enum"]
TaxonomyName = Literal["UNIVERSAL", "TREND"]


class AttributeSpec(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: AttributeType
    description: str
    values: list[str] | None = None  # the allowed values of an enum


class AttributeSchema(BaseModel):
    version: str
    attributes: list[AttributeSpec]

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.attributes]

    def json_schema(self) -> dict[str, Any]:
        """A strict JSON schema (every attribute required, null when unknown) for structured outputs."""
        return {
            "type": "object",
            "additionalProperties": False,
            "required": self.names,
            "properties": {spec.name: _json_type(spec) for spec in self.attributes},
        }

    def validate_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values with every attribute present (missing ones null); raises ValueError on a bad one."""
        unknown = set(values) - set(self.names)
        if unknown:
            raise ValueError(f"attributes not in schema {self.version}: {sorted(unknown)}")
        checked = {}
        for spec in self.attributes:
            value = values.get(spec.name)
            if value is not None and not _conforms(spec, value):
                raise ValueError(f"attribute {spec.name}={value!r} is not a valid {spec.type}")
            checked[spec.name] = value
        return checked


class TaxonomyLabel(BaseModel):
    label: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    definition: str


class Taxonomy(BaseModel):
    taxonomy: TaxonomyName
    version: str
    labels: list[TaxonomyLabel]

    @property
    def names(self) -> list[str]:
        return [label.label for label in self.labels]


def _json_type(spec: AttributeSpec) -> dict[str, Any]:
    types: dict[str, dict[str, Any]] = {
        "string": {"type": "string"},
        "number": {"type": "number"},
        "integer": {"type": "integer"},
        "boolean": {"type": "boolean"},
        "string_list": {"type": "array", "items": {"type": "string"}},
        "enum": {"type": "string", "enum": spec.values or []},
    }
    base = types[spec.type]
    return (
        {**base, "type": [base["type"], "null"], "description": spec.description}
        if spec.type != "enum"
        else {"anyOf": [base, {"type": "null"}], "description": spec.description}
    )


def _conforms(spec: AttributeSpec, value: Any) -> bool:
    match spec.type:
        case "string":
            return isinstance(value, str)
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        case "boolean":
            return isinstance(value, bool)
        case "string_list":
            return isinstance(value, list) and all(isinstance(item, str) for item in value)
        case "enum":
            return value in (spec.values or [])
    return False


_VERSIONED = re.compile(r"^(?P<stem>[a-z_]+)\.v(?P<version>\d+)\.json$")


def _latest(stem: str) -> dict[str, Any]:
    folder = resources.files("adology.ai") / "data"
    candidates = {}
    for entry in folder.iterdir():
        match = _VERSIONED.match(entry.name)
        if match and match["stem"] == stem:
            candidates[int(match["version"])] = entry
    if not candidates:
        raise FileNotFoundError(f"no {stem}.v*.json in adology/ai/data")
    return json.loads(candidates[max(candidates)].read_text(encoding="utf-8"))


@functools.cache
def attribute_schema() -> AttributeSchema:
    return AttributeSchema.model_validate(_latest("attributes"))


@functools.cache
def taxonomies() -> dict[TaxonomyName, Taxonomy]:
    loaded = [Taxonomy.model_validate(_latest(stem)) for stem in ("taxonomy_universal", "taxonomy_trend")]
    return {taxonomy.taxonomy: taxonomy for taxonomy in loaded}
