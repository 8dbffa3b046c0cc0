"""What every remote provider asks a model, the output schemas it imposes, and how answers are checked.

The output schemas are built from the versioned data files (``attribute_schema()`` and
``taxonomies()``) at call time, never from lists in code. The prompt texts are versioned too:
change a prompt's wording and bump its version, so results can be traced to the prompt that made
them. A model's answer is trusted only after it parses and validates here; a failure raises
:class:`MalformedOutput`, whose reason is sent back to the model when it is asked to correct it.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import ValidationError

from adology.ai.schema import attribute_schema, taxonomies
from adology.ai.types import MAX_DESCRIPTION_WORDS, AdInput, Description, EmbeddingKind, Labels, LabelScore

PROMPT_VERSION = "describe-v1"
LABEL_PROMPT_VERSION = "label-v1"

# The reason quoted back to the model: enough to locate the fault, not a page of pydantic output.
_MAX_REASON_CHARS = 1_000
# Embedding models accept about 8,000 tokens; at worst (CJK) a character is a token.
MAX_EMBEDDING_CHARS = 6_000

_DESCRIBE_INSTRUCTIONS = f"""You analyse advertisements for a competitive ad-intelligence service.
You receive one ad: its copy (title, body, call to action, link) and its creatives (images, or the
first frame of a video). Answer with a JSON object:
- "description": what the ad shows and says, how it says it (visual style, tone, people, setting,
  product) and whom it addresses; plain prose, at most {MAX_DESCRIPTION_WORDS} words.
- "extracted_text": every piece of text legible in the creatives, verbatim, one entry per block of
  text; an empty list if there is none.
- "attributes": a value for every attribute of the schema, following each attribute's description;
  null when the ad gives no evidence for it. Never invent text that is not in the ad."""

_LABEL_INSTRUCTIONS = """You classify advertisements for a competitive ad-intelligence service.
Apply the labels of the two taxonomies below to the ad. Each label you give names its taxonomy
(a label belongs only to the taxonomy it is listed under) and a confidence from 0 to 1. Give every
label the ad clearly fits, and no others; an empty list is a valid answer.

{taxonomies}"""

CORRECTION_REQUEST = (
    "Your previous answer was rejected: {reason}\nAnswer again, in full, with output that satisfies the schema exactly."
)


class MalformedOutput(Exception):
    """A model's answer is not valid JSON or breaks the schema; ``reason`` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:_MAX_REASON_CHARS]


def describe_instructions() -> str:
    return _DESCRIBE_INSTRUCTIONS


@functools.cache
def label_instructions() -> str:
    sections = []
    for name, taxonomy in taxonomies().items():
        lines = "\n".join(f"- {label.label}: {label.definition}" for label in taxonomy.labels)
        sections.append(f"{name} taxonomy ({taxonomy.version}):\n{lines}")
    return _LABEL_INSTRUCTIONS.format(taxonomies="\n\n".join(sections))


@functools.cache
def describe_output_schema() -> dict[str, Any]:
    """The strict schema of a description: every field required, no others allowed."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["description", "extracted_text", "attributes"],
        "properties": {
            "description": {
                "type": "string",
                "description": f"What the ad shows and says; at most {MAX_DESCRIPTION_WORDS} words.",
            },
            "extracted_text": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Text legible in the creatives, verbatim, one entry per block.",
            },
            "attributes": attribute_schema().json_schema(),
        },
    }


@functools.cache
def label_output_schema() -> dict[str, Any]:
    """The strict schema of labels: one branch per taxonomy, each allowing only that taxonomy's labels.

    Pairing the taxonomy with its own label enum (rather than one enum of every label) lets
    constrained decoding rule out a label filed under the wrong taxonomy; :func:`parse_labels`
    still checks it, for providers that do not enforce the schema.
    """
    branches = [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["taxonomy", "label", "confidence"],
            "properties": {
                "taxonomy": {"type": "string", "enum": [name]},
                "label": {"type": "string", "enum": taxonomy.names},
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            },
        }
        for name, taxonomy in taxonomies().items()
        if taxonomy.labels  # an empty enum is not a valid schema
    ]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["labels"],
        "properties": {"labels": {"type": "array", "items": {"anyOf": branches}}},
    }


def ad_text(ad: AdInput, creative_notes: list[str]) -> str:
    """The ad's copy and a line per creative, as the model reads them."""
    fields = [
        ("Ad", ad.ad_id),
        ("Brand", ad.brand),
        ("Title", ad.title),
        ("Body", ad.body),
        ("Call to action", ad.cta),
        ("Link", ad.link_url),
    ]
    lines = [f"{name}: {value}" for name, value in fields if value]
    if creative_notes:
        lines += ["Creatives:", *(f"- {note}" for note in creative_notes)]
    return "\n".join(lines)


def label_text(ad: AdInput, description: Description | None, creative_notes: list[str]) -> str:
    text = ad_text(ad, creative_notes)
    if description is not None:
        attributes = "\n".join(
            f"- {name}: {value}" for name, value in description.attributes.items() if value is not None
        )
        text += f"\n\nDescription:\n{description.description}"
        if description.extracted_text:
            text += "\n\nText in the creatives:\n" + "\n".join(description.extracted_text)
        if attributes:
            text += f"\n\nAttributes:\n{attributes}"
    return text


def parse_description(answer: Any) -> Description:
    """The description in a model's (already JSON-decoded) answer; raises MalformedOutput."""
    if not isinstance(answer, dict):
        raise MalformedOutput(f"expected a JSON object, got {type(answer).__name__}")
    missing = {"description", "extracted_text", "attributes"} - set(answer)
    if missing:
        raise MalformedOutput(f"required fields are missing: {sorted(missing)}")
    try:
        description = Description.model_validate(answer)
        return description.model_copy(update={"attributes": attribute_schema().validate_values(description.attributes)})
    except ValidationError as exc:
        raise MalformedOutput(_short(exc)) from None
    except ValueError as exc:  # validate_values names the offending attribute
        raise MalformedOutput(str(exc)) from None


def parse_labels(answer: Any) -> Labels:
    """The labels in a model's answer, each checked against its own taxonomy; raises MalformedOutput."""
    if not isinstance(answer, dict) or not isinstance(answer.get("labels"), list):
        raise MalformedOutput('expected a JSON object with a "labels" array')
    known = {name: set(taxonomy.names) for name, taxonomy in taxonomies().items()}
    best: dict[tuple[str, str], LabelScore] = {}
    for item in answer["labels"]:
        try:
            score = LabelScore.model_validate(item)
        except ValidationError as exc:
            raise MalformedOutput(_short(exc)) from None
        if score.label not in known.get(score.taxonomy, set()):
            raise MalformedOutput(f"label {score.label!r} is not in the {score.taxonomy} taxonomy")
        key = (score.taxonomy, score.label)
        if key not in best or score.confidence > best[key].confidence:  # a repeated label keeps its best score
            best[key] = score
    return Labels(labels=list(best.values()))


def embedding_texts(ad: AdInput, description: Description | None) -> dict[EmbeddingKind, str]:
    """The text behind each text embedding; a kind with nothing to embed is left out."""
    text_parts = [ad.copy_text(), *(description.extracted_text if description else [])]
    texts = {
        EmbeddingKind.TEXT: "\n".join(part for part in text_parts if part.strip()),
        EmbeddingKind.RETRIEVAL: description.description if description else "",
    }
    return {kind: text[:MAX_EMBEDDING_CHARS] for kind, text in texts.items() if text.strip()}


def _short(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'answer'}: {item['msg']}" for item in error.errors()
    )
