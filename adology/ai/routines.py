"""The routine registry: ``describe``, ``label`` and ``embed``, each a typed call on any provider, and
the version of the brand-level ``summarize`` (:mod:`adology.ai.summaries`).

A routine's *version* names everything that shapes its result (provider, model, attribute schema
or taxonomy versions); it is stored with every result, so changing any part of it makes the
affected ads eligible for re-analysis.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from adology.ai.answers import ANSWER_PROMPT_VERSION
from adology.ai.providers.prompts import LABEL_PROMPT_VERSION, PROMPT_VERSION
from adology.ai.schema import attribute_schema, taxonomies
from adology.ai.summaries import SUMMARIZE_PROMPT_VERSION
from adology.ai.types import AdInput, AIError, Description, Provider, Usage, run_each


@dataclass(frozen=True)
class Routine:
    name: str
    summary: str
    needs_description: bool
    _version: Callable[[Provider], str]
    _call: Callable[[Provider, AdInput, Description | None], Awaitable[tuple[BaseModel, Usage]]]

    def version(self, provider: Provider) -> str:
        return self._version(provider)

    async def run(self, provider: Provider, ad: AdInput, description: Description | None = None) -> tuple[Any, Usage]:
        return await self._call(provider, ad, description)

    def batch_size(self, provider: Provider) -> int:
        """How many ads one request of this routine can carry on ``provider``."""
        return provider.embed_batch_size if self.name == "embed" else 1

    async def run_batch(
        self, provider: Provider, items: list[tuple[AdInput, Description | None]]
    ) -> tuple[list[Any | AIError], Usage]:
        """One result or AIError per ad, in order, and what the batch cost together."""
        if self.name == "embed":
            return await provider.embed_many(items)
        return await run_each(lambda ad, description: self._call(provider, ad, description), items)


def _describe_version(provider: Provider) -> str:
    return f"{provider.name}/{provider.model_id('describe')}/{PROMPT_VERSION}/{attribute_schema().version}"


def _label_version(provider: Provider) -> str:
    versions = "+".join(taxonomy.version for taxonomy in taxonomies().values())
    return f"{provider.name}/{provider.model_id('label')}/{LABEL_PROMPT_VERSION}/{versions}"


def _embed_version(provider: Provider) -> str:
    return f"{provider.name}/{provider.model_id('embed')}"


ROUTINES: dict[str, Routine] = {
    routine.name: routine
    for routine in (
        Routine(
            "describe",
            "description of at most 500 words plus every attribute, with the text read from the creatives",
            False,
            _describe_version,
            lambda p, ad, _: p.describe(ad),
        ),
        Routine(
            "label",
            "UNIVERSAL and TREND taxonomy labels with confidence",
            True,
            _label_version,
            lambda p, ad, description: p.label(ad, description),
        ),
        Routine(
            "embed",
            "text, visual and retrieval embeddings",
            True,
            _embed_version,
            lambda p, ad, description: p.embed(ad, description),
        ),
    )
}


def summary_version(provider: Provider) -> str:
    """The version of the brand- and brandspace-level ``summarize`` routine on ``provider``."""
    return f"{provider.name}/{provider.model_id('summarize')}/{SUMMARIZE_PROMPT_VERSION}"


def answer_version(provider: Provider) -> str:
    """The version of Inquire's ``answer`` routine on ``provider``, stored with every answer."""
    return f"{provider.name}/{provider.model_id('answer')}/{ANSWER_PROMPT_VERSION}"
