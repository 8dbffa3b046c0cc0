"""``LocalProvider``: describe, label and embed offline, from measurements, at no cost.

It implements :class:`adology.ai.types.Provider` without a network or a model hub: OCR from
rapidocr's bundled models, pixels through OpenCV, text through WordLlama's bundled weights.
It is deterministic (the same ad gives the same result in any process) and honest: every
statement and attribute comes from something measured or read, and what was not measured is
``None``.

The measuring is CPU work and runs in worker threads (``asyncio.to_thread``) so the event
loop keeps serving other ads. Each creative is measured once per process: results are kept by
``(kind, sha256)`` in a bounded LRU, and concurrent requests for the same creative wait for
the first measurement instead of repeating it. Usage counts one call per routine, with no
tokens and no cost.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from adology.ai.local.describe import attribute_values, compose_description
from adology.ai.local.embeddings import EMBED_DIM, TEXT_MODEL_ID, embed_texts
from adology.ai.local.labels import score_labels
from adology.ai.local.measurements import AdAnalysis, Measured, measure_creative
from adology.ai.local.visual_vector import VISUAL_DIM
from adology.ai.schema import attribute_schema
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

DESCRIBE_MODEL_ID = "local-describe-v1"
LABEL_MODEL_ID = "local-label-v1"
VISUAL_MODEL_ID = "local-visual-v1"
EMBEDDING_MODELS = {
    EmbeddingKind.TEXT: (TEXT_MODEL_ID, EMBED_DIM),
    EmbeddingKind.VISUAL: (VISUAL_MODEL_ID, VISUAL_DIM),
    EmbeddingKind.RETRIEVAL: (TEXT_MODEL_ID, EMBED_DIM),
}
_MODEL_IDS = {
    "describe": DESCRIBE_MODEL_ID,
    # Labels depend on the text model too: a new WordLlama changes every zero-shot score.
    "label": f"{LABEL_MODEL_ID}+{TEXT_MODEL_ID}",
    "embed": f"{TEXT_MODEL_ID}+{VISUAL_MODEL_ID}",
    **{kind.value: model for kind, (model, _) in EMBEDDING_MODELS.items()},
}


class MeasurementCache:
    """A bounded LRU of creative measurements; one measurement per key at a time, across threads."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: OrderedDict[Hashable, Measured] = OrderedDict()
        self._pending: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get_or_measure(self, key: Hashable, measure: Callable[[], Measured]) -> Measured:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            key_lock = self._pending.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._items:  # measured by the caller we waited for
                    return self._items[key]
            try:
                value = measure()  # a failure is not cached: the next call measures again
                with self._lock:
                    self._items[key] = value
                    while len(self._items) > self._capacity:
                        self._items.popitem(last=False)
            finally:
                with self._lock:
                    self._pending.pop(key, None)
            return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


# Measurements are small (text lines, colours, a 192-float vector), so thousands fit in memory.
PROCESS_MEASUREMENTS = MeasurementCache(8192)


class LocalProvider:
    """The offline provider; creatives are measured once per process (see ``PROCESS_MEASUREMENTS``)."""

    name = "local"
    creative_routines = frozenset({"describe", "label", "embed"})  # every routine measures the pixels
    embed_batch_size = 1

    def __init__(self, *, cache: MeasurementCache | None = None) -> None:
        # Shared by every provider in the process by default: the describe, label and embed steps
        # of one run each open a provider, and must not OCR the same creative three times.
        self._cache = cache if cache is not None else PROCESS_MEASUREMENTS
        # the work is CPU-bound: more measurements at once than cores only thrash
        self._cores = asyncio.Semaphore(os.cpu_count() or 1)

    def model_id(self, routine: str) -> str:
        """``describe``, ``label`` or ``embed`` (or an embedding kind: ``text``, ``visual``, ``retrieval``)."""
        try:
            return _MODEL_IDS[routine]
        except KeyError:
            raise ValueError(f"unknown routine {routine!r}; expected one of {sorted(_MODEL_IDS)}") from None

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]:
        async with self._cores:
            description = await asyncio.to_thread(self._describe_sync, ad)
        return description, Usage(calls=1)

    async def label(self, ad: AdInput, description: Description | None) -> tuple[Labels, Usage]:
        async with self._cores:
            labels = await asyncio.to_thread(self._label_sync, ad, description)
        return labels, Usage(calls=1)

    async def embed_many(
        self, items: list[tuple[AdInput, Description | None]]
    ) -> tuple[list[Embeddings | AIError], Usage]:
        return await run_each(self.embed, items)

    async def embed(self, ad: AdInput, description: Description | None) -> tuple[Embeddings, Usage]:
        async with self._cores:
            embeddings = await asyncio.to_thread(self._embed_sync, ad, description)
        return embeddings, Usage(calls=1)

    # synchronous work, run in worker threads

    def analyse(self, ad: AdInput) -> AdAnalysis:
        """The ad's measurements (each creative measured once per process)."""
        measured = tuple(
            self._cache.get_or_measure(
                (creative.kind.value, creative.sha256), functools.partial(measure_creative, creative)
            )
            for creative in ad.creatives
        )
        return AdAnalysis(ad=ad, creatives=measured)

    def _describe_sync(self, ad: AdInput) -> Description:
        started = time.perf_counter()
        analysis = self.analyse(ad)
        schema = attribute_schema()
        names = set(schema.names)
        # Only the attributes this schema version names; any it adds that we do not measure are null.
        values = {name: value for name, value in attribute_values(analysis).items() if name in names}
        description = Description(
            description=compose_description(analysis),
            attributes=schema.validate_values(values),
            extracted_text=list(analysis.text_lines),
        )
        log.info(
            "described ad",
            extra={
                "ad_id": ad.ad_id,
                "provider": self.name,
                "creatives": len(ad.creatives),
                "words": description.word_count,
                "ms": round((time.perf_counter() - started) * 1000),
            },
        )
        return description

    def _label_sync(self, ad: AdInput, description: Description | None) -> Labels:
        analysis = self.analyse(ad)
        # Our own description restates the measurements in template words ("Image ad for ..."),
        # which would only add noise to the similarity; another provider's prose adds meaning.
        prose = description.description if description is not None else None
        if prose == compose_description(analysis):
            prose = None
        return Labels(labels=score_labels(analysis, prose))

    def _embed_sync(self, ad: AdInput, description: Description | None) -> Embeddings:
        analysis = self.analyse(ad)
        visual = analysis.visual_vector
        if visual is None and not ad.copy_text().strip():
            raise AIError("no_creative", f"ad {ad.ad_id} has neither a creative nor copy to embed")
        retrieval_text = description.description if description is not None else compose_description(analysis)
        words = "\n".join(
            part for part in (ad.copy_text(), *analysis.text_lines, *analysis.findings.phrases) if part.strip()
        )
        text_vector, retrieval_vector = embed_texts([words, retrieval_text])
        embeddings = []
        # An ad with no words at all has no text embedding (a zero vector would match nothing honestly).
        if text_vector.any():
            embeddings.append(Embedding(kind=EmbeddingKind.TEXT, model=TEXT_MODEL_ID, vector=text_vector.tolist()))
        # a text-only ad (a Google text ad, say) has no pixels: no visual vector, the others still exist
        if visual is not None:
            embeddings.append(Embedding(kind=EmbeddingKind.VISUAL, model=VISUAL_MODEL_ID, vector=visual.tolist()))
        embeddings.append(
            Embedding(kind=EmbeddingKind.RETRIEVAL, model=TEXT_MODEL_ID, vector=retrieval_vector.tolist())
        )
        return Embeddings(embeddings=embeddings)
