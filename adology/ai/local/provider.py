"""``LocalProvider``: describe, label and embed offline, from measurements, at no cost.

It implements :class:`adology.ai.types.Provider` without a network or a model hub: OCR from the
PP-OCRv6 models in rapidocr's wheel, pixels through OpenCV, text through WordLlama's bundled
weights. It is deterministic (the same ad gives the same result in any process) and honest: every
statement and attribute comes from something measured or read, and what was not measured is
``None``.

Measuring a creative is the CPU work. Inside ``with LocalProvider() as provider`` (how
:func:`adology.ai.registry.open_provider` opens it) creatives are measured in a
:class:`~adology.ai.local.pool.MeasurementPool` of worker processes, one per core, started at
the first creative and stopped when the block ends; used without ``with`` (a test, a one-off
call) it measures in this process on a thread per core. Either way each creative is measured
once per process: results are kept here, in the caller's process, by ``(kind, sha256)`` in a
bounded LRU, and ads waiting for a creative already being measured wait for that measurement
instead of repeating it. What is composed from the measurements (description, labels, vectors)
costs a few milliseconds an ad and runs on a worker thread, so the event loop keeps serving other
ads. Usage counts one call per routine, with no tokens and no cost.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from types import TracebackType

from adology.ai.answers import AnswerDraft, AnswerRequest
from adology.ai.local.answer import compose_answer
from adology.ai.local.describe import attribute_values, compose_description
from adology.ai.local.embeddings import EMBED_DIM, TEXT_MODEL_ID, embed_texts
from adology.ai.local.labels import score_labels
from adology.ai.local.measurements import AdAnalysis, Measured, measure_creative
from adology.ai.local.ocr import OCR_MODEL_ID
from adology.ai.local.pool import MeasurementPool, available_cores
from adology.ai.local.summarize import compose_summary
from adology.ai.local.visual_vector import VISUAL_DIM
from adology.ai.schema import attribute_schema
from adology.ai.summaries import SummaryDraft, SummaryRequest
from adology.ai.types import (
    AdInput,
    AIError,
    CreativeInput,
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

DESCRIBE_MODEL_ID = "local-describe-v3"  # v2: phrases, button evidence, evidenced labels; v3: the copy model
LABEL_MODEL_ID = "local-label-v3"
VISUAL_MODEL_ID = "local-visual-v1"
SUMMARIZE_MODEL_ID = "local-summarize-v1"  # claims composed from the facts' own statements
ANSWER_MODEL_ID = "local-answer-v1"  # Inquire's answers composed from the evidence's statements
EMBEDDING_MODELS = {
    EmbeddingKind.TEXT: (TEXT_MODEL_ID, EMBED_DIM),
    EmbeddingKind.VISUAL: (VISUAL_MODEL_ID, VISUAL_DIM),
    EmbeddingKind.RETRIEVAL: (TEXT_MODEL_ID, EMBED_DIM),
}
# Every routine rests on the words OCR read (description, findings, labels, the text vector), so the
# OCR model is part of each: a new one re-analyses every ad. Labels depend on the text model too: a
# new WordLlama changes every zero-shot score.
_MODEL_IDS = {
    "describe": f"{DESCRIBE_MODEL_ID}+{OCR_MODEL_ID}",
    "label": f"{LABEL_MODEL_ID}+{TEXT_MODEL_ID}+{OCR_MODEL_ID}",
    "embed": f"{TEXT_MODEL_ID}+{VISUAL_MODEL_ID}+{OCR_MODEL_ID}",
    **{kind.value: model for kind, (model, _) in EMBEDDING_MODELS.items()},
    "summarize": SUMMARIZE_MODEL_ID,
    "answer": ANSWER_MODEL_ID,
}


class MeasurementCache:
    """A bounded LRU of creative measurements; a creative is measured once however many callers
    ask for it meanwhile (from any thread or event loop), and a failure is not kept."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: OrderedDict[Hashable, Measured] = OrderedDict()
        self._pending: dict[Hashable, concurrent.futures.Future[Measured]] = {}
        self._lock = threading.Lock()

    async def get_or_measure(
        self, key: Hashable, start_measuring: Callable[[], concurrent.futures.Future[Measured]]
    ) -> Measured:
        while True:
            started = None
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
                measuring = self._pending.get(key)
                if measuring is None:
                    measuring = started = start_measuring()
                    self._pending[key] = measuring
            if started is not None:  # outside the lock: a future already done runs its callback at once
                started.add_done_callback(lambda done: self._keep(key, done))
            try:
                # shielded: a caller that is cancelled stops waiting, but the measurement goes on
                # for every other caller waiting for it (a cancelled wrapper would cancel it)
                return await asyncio.shield(asyncio.wrap_future(measuring))
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not measuring.cancelled() or (task is not None and task.cancelling()):
                    raise
                # the measurement was another provider's, whose pool closed before measuring it

    def _keep(self, key: Hashable, done: concurrent.futures.Future[Measured]) -> None:
        with self._lock:
            self._pending.pop(key, None)
            if done.cancelled() or done.exception() is not None:
                return  # the next caller measures again
            self._items[key] = done.result()
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def update(self, measured: dict[Hashable, Measured]) -> None:
        """Keep measurements made elsewhere (a burst of workers; :mod:`adology.ai.local.stored`)."""
        with self._lock:
            for key, item in measured.items():
                self._items[key] = item
                self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


# Measurements are small (text lines, colours, a 192-float vector), so thousands fit in memory.
PROCESS_MEASUREMENTS = MeasurementCache(8192)

# Creatives measured in this process, by a provider used without ``with``: a thread per core,
# made when first needed and shared, like asyncio's default executor.
_in_process_lock = threading.Lock()
_in_process: concurrent.futures.ThreadPoolExecutor | None = None


def _in_process_threads() -> concurrent.futures.ThreadPoolExecutor:
    global _in_process
    with _in_process_lock:
        if _in_process is None:
            _in_process = concurrent.futures.ThreadPoolExecutor(
                max_workers=available_cores(), thread_name_prefix="adology-measure"
            )
        return _in_process


class LocalProvider:
    """The offline provider; creatives are measured once per process (see ``PROCESS_MEASUREMENTS``).

    ``workers`` sizes the process pool used inside ``with`` (default: one per core this process may use).
    """

    name = "local"
    creative_routines = frozenset({"describe", "label", "embed"})  # every routine measures the pixels
    embed_batch_size = 1

    def __init__(self, *, cache: MeasurementCache | None = None, workers: int | None = None) -> None:
        # Shared by every provider in the process by default: the describe, label and embed steps
        # of one run each open a provider, and must not OCR the same creative three times.
        self._cache = cache if cache is not None else PROCESS_MEASUREMENTS
        self._workers = workers if workers is not None else available_cores()
        self._pool: MeasurementPool | None = None

    def __enter__(self) -> LocalProvider:
        if self._pool is not None:
            raise RuntimeError("this LocalProvider is already open; open a new one for another block")
        self._pool = MeasurementPool(self._workers)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def model_id(self, routine: str) -> str:
        """``describe``, ``label``, ``embed``, ``summarize``, or an embedding kind (``text``, ``visual``,
        ``retrieval``)."""
        try:
            return _MODEL_IDS[routine]
        except KeyError:
            raise ValueError(f"unknown routine {routine!r}; expected one of {sorted(_MODEL_IDS)}") from None

    async def describe(self, ad: AdInput) -> tuple[Description, Usage]:
        analysis = await self.analyse(ad)
        return await asyncio.to_thread(self._describe, analysis), Usage(calls=1)

    async def label(self, ad: AdInput, description: Description | None) -> tuple[Labels, Usage]:
        analysis = await self.analyse(ad)
        return await asyncio.to_thread(self._label, analysis, description), Usage(calls=1)

    async def embed_many(
        self, items: list[tuple[AdInput, Description | None]]
    ) -> tuple[list[Embeddings | AIError], Usage]:
        return await run_each(self.embed, items)

    async def embed(self, ad: AdInput, description: Description | None) -> tuple[Embeddings, Usage]:
        analysis = await self.analyse(ad)
        return await asyncio.to_thread(self._embed, analysis, description), Usage(calls=1)

    async def embed_query(self, text: str) -> tuple[Embedding, Usage]:
        (vector,) = await asyncio.to_thread(embed_texts, [text])
        return Embedding(kind=EmbeddingKind.RETRIEVAL, model=TEXT_MODEL_ID, vector=vector.tolist()), Usage(calls=1)

    async def summarize(self, request: SummaryRequest) -> tuple[SummaryDraft, Usage]:
        return compose_summary(request), Usage(calls=1)

    async def answer(self, request: AnswerRequest) -> tuple[AnswerDraft, Usage]:
        return compose_answer(request), Usage(calls=1)

    async def analyse(self, ad: AdInput) -> AdAnalysis:
        """The ad's measurements, its creatives measured side by side (each once per process)."""
        measured = await asyncio.gather(
            *(
                self._cache.get_or_measure(
                    (creative.kind.value, creative.sha256), functools.partial(self._start_measuring, creative)
                )
                for creative in ad.creatives
            )
        )
        return AdAnalysis(ad=ad, creatives=tuple(measured))

    def _start_measuring(self, creative: CreativeInput) -> concurrent.futures.Future[Measured]:
        pool = self._pool
        if pool is not None:
            return pool.submit(creative)
        return _in_process_threads().submit(measure_creative, creative)

    # composed from the measurements, on worker threads

    def _describe(self, analysis: AdAnalysis) -> Description:
        started = time.perf_counter()
        ad = analysis.ad
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

    def _label(self, analysis: AdAnalysis, description: Description | None) -> Labels:
        # Our own description restates the measurements in template words ("Image ad for ..."),
        # which would only add noise to the similarity; another provider's prose adds meaning.
        prose = description.description if description is not None else None
        if prose == compose_description(analysis):
            prose = None
        return Labels(labels=score_labels(analysis, prose))

    def _embed(self, analysis: AdAnalysis, description: Description | None) -> Embeddings:
        ad = analysis.ad
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
