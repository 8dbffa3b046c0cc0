"""Per-ad AI analysis of a run's brands: one stage (describe, label or embed) over the ads that need it.

An ad needs a stage when it has no result for the stage's current version and inputs, or its
last attempt failed. Unchanged ads cost no AI call. The work streams: a producer selects each
brand's candidates in turn and queues them as jobs (one ad, or a batch of ads where the service
embeds many per request); workers, a few more than the :class:`AIGovernor` admits at once, load a
job's creatives from S3 (only for routines that read pixels), wait for a slot, call the provider
and hand the outcome to a writer. The writer flushes every ``flush_size`` outcomes in the
background: results bulk-loaded into Postgres in one transaction, the full AI document per ad
appended to Mongo ``ad_analyses``, and one entry per ad added to its log in S3
(``logs/{brand}/{ad}/{time}-{stage}.json``). So AI calls never wait for storage, every slot stays
busy across brand boundaries, and memory is bounded by the queue, not by the number of ads.
A failed ad keeps its reason and the run goes on; a spent budget stops new AI work cleanly and
leaves the rest for the next run.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pgvector import Vector
from psycopg.types.json import Jsonb

from adology.ai.limits import AIGovernor, BudgetExhausted
from adology.ai.routines import ROUTINES, Routine
from adology.ai.schema import taxonomies
from adology.ai.types import (
    AdInput,
    AIError,
    CreativeInput,
    CreativeKind,
    Description,
    Embeddings,
    Labels,
    Provider,
    Usage,
    input_hash,
)
from adology.brands import Brand
from adology.db.locks import holding_brands
from adology.logs import get_logger, log_context
from adology.storage.s3 import ObjectStore, ObjectStoreError

log = get_logger(__name__)

_ESTIMATED_TOKENS = {"describe": 2_000, "label": 1_200, "embed": 300}
# Workers beyond the governor's slots load the next jobs' creatives while every slot is calling.
_PREFETCH_WORKERS = 16
_LOG_WRITERS = 16  # parallel S3 PUTs of per-ad log entries within one flush
_FLUSHES_BEHIND = 2  # flushes queued behind the one writing before workers wait


@dataclass
class StageReport:
    stage: str
    skipped_reason: str | None = None
    brands: int = 0
    ads: int = 0
    unchanged: int = 0
    selected: int = 0
    succeeded: int = 0
    failed: int = 0
    not_started_budget: int = 0
    waiting_for_description: int = 0
    failure_reasons: collections.Counter[str] = field(default_factory=collections.Counter)
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    # the ads whose results this run stored: what its asset checks look at
    stored_ad_ids: list[int] = field(default_factory=list)

    def as_metadata(self) -> dict[str, Any]:
        return {
            "brands": self.brands, "ads": self.ads, "unchanged": self.unchanged, "selected": self.selected,
            "succeeded": self.succeeded, "failed": self.failed, "not_started_budget": self.not_started_budget,
            "waiting_for_description": self.waiting_for_description, "ai_calls": self.usage.calls,
            "input_tokens": self.usage.input_tokens, "output_tokens": self.usage.output_tokens,
            "estimated_cost_usd": round(self.usage.cost_usd, 6), "seconds": round(self.seconds, 3),
        }


@dataclass
class _Candidate:
    ad_id: int
    source_ad_id: str
    brand: Brand
    row: dict[str, Any]
    media: list[dict[str, Any]]
    description: Description | None
    input_hash: str


_Outcome = tuple[Any, Usage] | AIError  # the routine's result and its share of the cost, or why it failed


async def analyze_brands(
    stage: str,
    brands: list[Brand],
    *,
    provider: Provider,
    governor: AIGovernor,
    store: ObjectStore,
    connect: Callable[[], Any],
    analyses: Any,
    flush_size: int = 200,
    progress: Callable[[StageReport], None] | None = None,
) -> StageReport:
    """Run ``stage`` over every analyzed brand of ``brands``; tracked brands are skipped with the reason."""
    routine = ROUTINES[stage]
    report = StageReport(stage=stage)
    started = time.monotonic()
    skipped = [brand for brand in brands if brand.status != "analyzed"]
    if skipped:
        report.skipped_reason = "; ".join(
            f"brand {brand.partition_key} is {brand.status}: AI stages run for analyzed brands only" for brand in skipped)
    analyzed = [brand for brand in brands if brand.status == "analyzed"]
    report.brands = len(analyzed)
    version = routine.version(provider)
    reads_creatives = stage in provider.creative_routines
    workers = governor.limits.concurrency + _PREFETCH_WORKERS
    jobs: asyncio.Queue[list[_Candidate] | None] = asyncio.Queue(maxsize=workers)
    stop = asyncio.Event()

    def flushed() -> None:
        if progress is not None:
            progress(report)

    def store_batch(batch: list[tuple[_Candidate, _Outcome]]) -> None:
        _store_outcomes(connect, analyses, store, stage, version, provider, batch)
        report.stored_ad_ids.extend(c.ad_id for c, outcome in batch if not isinstance(outcome, AIError))

    writer = _OutcomeWriter(flush_size, store_batch, flushed)

    async def produce() -> None:
        size = routine.batch_size(provider)
        pending: list[_Candidate] = []  # a batch may span brands: requests stay full
        for brand in analyzed:
            with log_context(brand=brand.partition_key):
                pending += await asyncio.to_thread(_candidates, connect, brand, routine, version, report)
            while len(pending) >= size:
                job, pending = pending[:size], pending[size:]
                await jobs.put(job)
        if pending:
            await jobs.put(pending)
        for _ in range(workers):
            await jobs.put(None)

    async def work() -> None:
        while (job := await jobs.get()) is not None:
            if stop.is_set():
                report.not_started_budget += len(job)
                continue
            inputs = await asyncio.gather(*(asyncio.to_thread(_ad_input, store, c, reads_creatives) for c in job))
            outcomes = await _run_job(routine, provider, governor, job, inputs, stop, report)
            await writer.add([(c, outcome) for c, outcome in zip(job, outcomes, strict=True) if outcome is not None])

    # another run over one of these brands (a sensor's, a backfill's) waits here, then selects
    # only what this one left undone
    with log_context(stage=stage):
        async with holding_brands(connect, f"analysis:{stage}", [brand.id for brand in analyzed]):
            try:
                await asyncio.gather(produce(), *(work() for _ in range(workers)))
            finally:
                await writer.close()
    report.seconds = time.monotonic() - started
    return report


class _OutcomeWriter:
    """Collects outcomes and stores them ``flush_size`` at a time off the event loop, one flush at a
    time (so a batch's rows commit in order); a storage fault fails the stage at the next add."""

    def __init__(self, flush_size: int, store: Callable[[list[tuple[_Candidate, _Outcome]]], None],
                 flushed: Callable[[], None]) -> None:
        self._flush_size = flush_size
        self._store = store
        self._flushed = flushed
        self._pending: list[tuple[_Candidate, _Outcome]] = []
        self._lock = asyncio.Lock()
        self._flushes: list[asyncio.Task[None]] = []

    async def add(self, outcomes: list[tuple[_Candidate, _Outcome]]) -> None:
        """Queue ``outcomes``; waits while two flushes are already behind, so results never pile
        up in memory when storage is slower than the AI service (backpressure on the workers)."""
        while len(self._flushes) >= _FLUSHES_BEHIND:
            await asyncio.wait(self._flushes, return_when=asyncio.FIRST_COMPLETED)
            self._reap()
        self._reap()
        self._pending += outcomes
        if len(self._pending) >= self._flush_size:
            self._flush()

    def _reap(self) -> None:
        for task in self._flushes:
            if task.done() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        self._flushes = [task for task in self._flushes if not task.done()]

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        self._flushes.append(asyncio.ensure_future(self._write(batch)))

    async def _write(self, batch: list[tuple[_Candidate, _Outcome]]) -> None:
        async with self._lock:
            await asyncio.to_thread(self._store, batch)
        self._flushed()

    async def close(self) -> None:
        if self._pending:
            self._flush()
        await asyncio.gather(*self._flushes)


def _candidates(
    connect: Callable[[], Any], brand: Brand, routine: Routine, version: str, report: StageReport
) -> list[_Candidate]:
    """The brand's ads that need ``routine``, in two reads: what decides it for every ad (copy,
    stored creatives' hashes, state, the newest description's version), then creatives and
    description text for the selected ones only — so an unchanged brand costs one narrow scan."""
    with connect() as conn:
        rows = conn.execute(
            """SELECT a.id, a.source_ad_id, a.title, a.body, a.link_url, a.cta,
                      ARRAY(SELECT m->>'sha256' FROM jsonb_array_elements(a.media) m
                            WHERE m->>'s3_key' IS NOT NULL),
                      s.version, s.input_hash, s.status,
                      (SELECT analysis_version FROM ad_descriptions
                       WHERE ad_id = a.id ORDER BY created_at DESC LIMIT 1)
               FROM ads a
               LEFT JOIN ad_analysis_state s ON s.ad_id = a.id AND s.stage = %s
               WHERE a.brand_id = %s
               ORDER BY a.id""",
            (routine.name, brand.id),
        ).fetchall()
        chosen: dict[int, tuple[str, dict[str, Any], str, str | None]] = {}
        for (ad_id, source_ad_id, title, body, link_url, cta, sha256s, state_version, state_hash, status,
             description_version) in rows:
            report.ads += 1
            if not sha256s and not (title or body):
                continue  # nothing to analyse: no creative and no copy
            digest = input_hash(title, body, link_url, cta, sha256s)
            if routine.needs_description:
                if description_version is None:
                    report.waiting_for_description += 1
                    continue
                digest = f"{digest}:{description_version}"
            if status == "succeeded" and state_version == version and state_hash == digest:
                report.unchanged += 1
                continue
            chosen[ad_id] = (source_ad_id, {"title": title, "body": body, "link_url": link_url, "cta": cta}, digest,
                             description_version)
        details = conn.execute(
            """SELECT a.id, a.media, d.description, d.attributes
               FROM unnest(%s::bigint[], %s::text[]) AS c (ad_id, description_version)
               JOIN ads a ON a.id = c.ad_id
               LEFT JOIN ad_descriptions d ON d.ad_id = c.ad_id AND d.analysis_version = c.description_version
               ORDER BY a.id""",
            (list(chosen), [choice[3] for choice in chosen.values()]),
        ).fetchall() if chosen else []
    selected = []
    for ad_id, media, description_text, attributes in details:
        source_ad_id, row, digest, _ = chosen[ad_id]
        description = (Description(description=description_text, attributes=attributes)
                       if routine.needs_description else None)
        selected.append(_Candidate(ad_id, source_ad_id, brand, row, [m for m in media if m.get("s3_key")],
                                   description, digest))
    report.selected += len(selected)
    return selected


def _ad_input(store: ObjectStore, candidate: _Candidate, with_creatives: bool) -> AdInput | AIError:
    creatives = []
    for item in candidate.media if with_creatives else []:
        try:
            data = store.get_bytes(key=item["s3_key"])
        except ObjectStoreError as exc:
            return AIError("media_unavailable", str(exc))
        kind = CreativeKind.VIDEO if item.get("content_type", "").startswith("video/") else CreativeKind.IMAGE
        creatives.append(CreativeInput(kind=kind, content_type=item.get("content_type", ""), sha256=item["sha256"],
                                       data=data))
    return AdInput(ad_id=str(candidate.ad_id), brand=candidate.brand.name, creatives=creatives, **candidate.row)


async def _run_job(
    routine: Routine,
    provider: Provider,
    governor: AIGovernor,
    job: list[_Candidate],
    inputs: list[AdInput | AIError],
    stop: asyncio.Event,
    report: StageReport,
) -> list[_Outcome | None]:
    """Each ad's outcome; None for ads the budget kept from starting."""
    outcomes: list[_Outcome | None] = [ad if isinstance(ad, AIError) else None for ad in inputs]
    ready = [(index, ad) for index, ad in enumerate(inputs) if not isinstance(ad, AIError)]
    if ready and not stop.is_set():
        try:
            slots = await governor.admit(estimated_tokens=_ESTIMATED_TOKENS[routine.name] * len(ready))
        except BudgetExhausted as exc:
            if not stop.is_set():
                log.warning("AI budget reached; remaining ads wait for the next run", extra={"detail": exc.detail})
            stop.set()
        else:
            try:
                results, usage = await routine.run_batch(
                    provider, [(ad, job[index].description) for index, ad in ready])  # type: ignore[misc]
            except AIError as exc:  # the whole request failed: every ad in it keeps the reason
                results, usage = [exc] * len(ready), Usage()
            finally:
                slots.release()
            governor.record(usage)
            report.usage += usage  # the governor may be shared: it counts every stage of the run
            share = _share(usage, sum(not isinstance(result, AIError) for result in results))
            for (index, _), result in zip(ready, results, strict=True):
                outcomes[index] = result if isinstance(result, AIError) else (result, share)
    for candidate, outcome in zip(job, outcomes, strict=True):
        if outcome is None:
            report.not_started_budget += 1
        elif isinstance(outcome, AIError):
            report.failed += 1
            report.failure_reasons[outcome.reason] += 1
            log.warning("ad analysis failed", extra={"ad": candidate.source_ad_id, "brand": candidate.brand.partition_key,
                                                      "reason": outcome.reason, "detail": outcome.detail})
        else:
            report.succeeded += 1
    return outcomes


def _share(usage: Usage, ads: int) -> Usage:
    """Each ad's part of a batch request's usage, for its Mongo document."""
    if ads <= 1:
        return usage
    return Usage(calls=usage.calls, input_tokens=usage.input_tokens // ads, output_tokens=usage.output_tokens // ads,
                 cost_usd=usage.cost_usd / ads)


def _store_outcomes(
    connect: Callable[[], Any], analyses: Any, store: ObjectStore, stage: str, version: str, provider: Provider,
    done: list[tuple[_Candidate, _Outcome]],
) -> None:
    _write_batch(connect, stage, version, provider, done)
    _write_documents(analyses, store, stage, version, provider, done)


def _write_batch(
    connect: Callable[[], Any], stage: str, version: str, provider: Provider,
    done: list[tuple[_Candidate, tuple[Any, Usage] | AIError]],
) -> None:
    if not done:
        return
    states, descriptions, labels, embeddings = [], [], [], []
    for candidate, outcome in done:
        if isinstance(outcome, AIError):
            states.append((candidate.ad_id, stage, version, candidate.input_hash, "failed", outcome.reason,
                           outcome.detail[:2000]))
            continue
        result, _ = outcome
        states.append((candidate.ad_id, stage, version, candidate.input_hash, "succeeded", None, None))
        model = provider.model_id(stage)
        if isinstance(result, Description):
            descriptions.append((candidate.ad_id, version, result.description, result.word_count,
                                 Jsonb(result.attributes), provider.name, model, version, candidate.input_hash))
        elif isinstance(result, Labels):
            labels.extend((candidate.ad_id, item.taxonomy, version, item.label, item.confidence, provider.name, model,
                           candidate.input_hash) for item in result.labels)
        elif isinstance(result, Embeddings):
            embeddings.extend((candidate.ad_id, item.kind.value, item.model, item.dimensions, Vector(item.vector),
                               candidate.input_hash) for item in result.embeddings)
    with connect() as conn, conn.transaction():
        cursor = conn.cursor()
        succeeded_ids = [c.ad_id for c, outcome in done if not isinstance(outcome, AIError)]
        if stage == "label" and succeeded_ids:
            # a label the new version no longer assigns must not linger from the old one
            cursor.execute("DELETE FROM ad_labels WHERE ad_id = ANY(%s) AND taxonomy_version = %s",
                           (succeeded_ids, version))
        cursor.executemany(
            """INSERT INTO ad_descriptions (ad_id, analysis_version, description, word_count, attributes, provider,
                                            model, prompt_version, input_hash)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, analysis_version) DO UPDATE SET description = EXCLUDED.description,
                   word_count = EXCLUDED.word_count, attributes = EXCLUDED.attributes,
                   input_hash = EXCLUDED.input_hash, created_at = now()""",
            descriptions,
        )
        cursor.executemany(
            """INSERT INTO ad_labels (ad_id, taxonomy, taxonomy_version, label, confidence, provider, model, input_hash)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, taxonomy, taxonomy_version, label) DO UPDATE
               SET confidence = EXCLUDED.confidence, input_hash = EXCLUDED.input_hash, created_at = now()""",
            labels,
        )
        cursor.executemany(
            """INSERT INTO ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash)
               VALUES (%s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, kind, model) DO UPDATE SET dimensions = EXCLUDED.dimensions,
                   embedding = EXCLUDED.embedding, input_hash = EXCLUDED.input_hash, created_at = now()""",
            embeddings,
        )
        cursor.executemany(
            """INSERT INTO ad_analysis_state (ad_id, stage, version, input_hash, status, reason, detail)
               VALUES (%s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, stage) DO UPDATE SET version = EXCLUDED.version, input_hash = EXCLUDED.input_hash,
                   status = EXCLUDED.status, reason = EXCLUDED.reason, detail = EXCLUDED.detail,
                   attempts = CASE WHEN EXCLUDED.status = 'failed' THEN ad_analysis_state.attempts + 1 ELSE 1 END,
                   updated_at = now()""",
            states,
        )


def _write_documents(
    analyses: Any, store: ObjectStore, stage: str, version: str, provider: Provider,
    done: list[tuple[_Candidate, _Outcome]],
) -> None:
    """Append each ad's document to Mongo (one insert for the batch) and its entry to its S3 log.

    Both are append-only: an ad's history is every attempt in order, the newest (``at``) wins,
    and no write reads first, so a flush costs one Mongo insert and one PUT per ad."""
    now = datetime.now(UTC)
    documents = []
    for candidate, outcome in done:
        failed = isinstance(outcome, AIError)
        entry = {
            "ad_id": candidate.ad_id, "source_ad_id": candidate.source_ad_id, "brand": candidate.brand.partition_key,
            "stage": stage, "version": version, "provider": provider.name, "model": provider.model_id(stage),
            "input_hash": candidate.input_hash, "status": "failed" if failed else "succeeded",
        }
        if isinstance(outcome, AIError):
            entry |= {"reason": outcome.reason, "detail": outcome.detail}
        else:
            result, usage = outcome
            entry |= {"result": _document(result), "usage": usage.model_dump()}
        documents.append((candidate, entry))
    if documents:
        analyses.insert_many([{**entry, "at": now} for _, entry in documents])
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")

    def put_log(item: tuple[_Candidate, dict[str, Any]]) -> None:
        candidate, entry = item
        store.put_bytes(key=f"logs/{candidate.brand.partition_key}/{candidate.ad_id}/{stamp}-{stage}.json",
                        data=json.dumps(entry | {"at": now.isoformat()}, default=str).encode(),
                        content_type="application/json")

    with ThreadPoolExecutor(_LOG_WRITERS, thread_name_prefix="ad-log") as pool:
        list(pool.map(put_log, documents))


def _document(result: Any) -> dict[str, Any]:
    """What Mongo and the log keep of a result. Vectors live in Postgres (``ad_embeddings``):
    copied here they would make each ad's document tens of kilobytes of floats."""
    if isinstance(result, Embeddings):
        return {"embeddings": [{"kind": item.kind.value, "model": item.model, "dimensions": item.dimensions}
                               for item in result.embeddings]}
    return result.model_dump(mode="json")


def read_ad_log(store: ObjectStore, brand_key: str, ad_id: int) -> list[dict[str, Any]]:
    """The ad's log entries, oldest first (keys sort by time)."""
    return [json.loads(store.get_bytes(key=key)) for key in sorted(store.list_keys(prefix=f"logs/{brand_key}/{ad_id}/"))]


def stage_invariants(conn: Any, stage: str, ad_ids: list[int]) -> dict[str, int]:
    """Counts that must be zero in the stage's rows of ``ad_ids`` (the ads a run stored), in one pass.

    A run checks what it wrote: rows it left alone were checked by the run that wrote them, so an
    unchanged brand costs no scan of its descriptions' text or its vectors."""
    if stage == "describe":
        sql = """SELECT count(*) FILTER (WHERE word_count > 500), count(*) FILTER (WHERE attributes = '{}'::jsonb)
                 FROM ad_descriptions WHERE ad_id = ANY(%(ads)s)"""
        names = ["descriptions_over_500_words", "descriptions_without_attributes"]
    elif stage == "label":
        sql = """SELECT count(*) FILTER (WHERE NOT (taxonomy || ':' || label = ANY(%(known)s))),
                        count(*) FILTER (WHERE NOT (confidence BETWEEN 0 AND 1))
                 FROM ad_labels WHERE ad_id = ANY(%(ads)s)"""
        names = ["labels_outside_taxonomy", "labels_with_bad_confidence"]
    else:
        sql = """SELECT count(*) FILTER (WHERE vector_dims(embedding) <> dimensions),
                        count(*) FILTER (WHERE abs(vector_norm(embedding) - 1) > 0.001),
                        (SELECT count(*) FROM (SELECT 1 FROM ad_embeddings WHERE ad_id = ANY(%(ads)s)
                                               GROUP BY kind, model HAVING count(DISTINCT dimensions) > 1) m)
                 FROM ad_embeddings WHERE ad_id = ANY(%(ads)s)"""
        names = ["embeddings_with_wrong_dimensions", "embeddings_not_unit_norm", "models_with_mixed_dimensions"]
    known = [f"{name}:{label}" for name, taxonomy in taxonomies().items() for label in taxonomy.names]
    counts = conn.execute(sql, {"ads": ad_ids, "known": known}).fetchone()
    return dict(zip(names, counts, strict=True))
