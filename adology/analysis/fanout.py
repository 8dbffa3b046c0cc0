"""Per-ad AI analysis of a run's brands: one stage over the ads that need it, as one streaming fan-out.

A producer selects each brand's candidates in turn (:mod:`adology.analysis.candidates`) and queues
them as jobs (one ad, or a batch of ads where the service embeds many per request); workers, a few
more than the :class:`AIGovernor` admits at once, load a job's creatives from S3 (only for routines
that read pixels), wait for a slot, call the provider and hand the outcome to a writer. The writer
flushes every ``flush_size`` outcomes in the background (:mod:`adology.analysis.records`). So AI
calls never wait for storage, every slot stays busy across brand boundaries, and memory is bounded
by the queue, not by the number of ads. A failed ad keeps its reason and the run goes on (the
report says whether the failures are the step's: :meth:`StageReport.step_failure`); a spent budget
stops new AI work cleanly and leaves the rest for the next run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from adology.ai.limits import AIGovernor, BudgetExhausted
from adology.ai.types import AdInput, AIError, Provider, Usage
from adology.analysis.candidates import Candidate, load_input, select_candidates
from adology.analysis.records import Outcome, store_outcomes
from adology.analysis.stage_report import StageReport
from adology.analysis.stages import DESCRIBE, Stage
from adology.brands import Brand
from adology.db.locks import holding_brands
from adology.logs import get_logger, log_context
from adology.storage.s3 import ObjectStore

log = get_logger(__name__)

# Workers beyond the governor's slots load the next jobs' creatives while every slot is calling.
_PREFETCH_WORKERS = 16
_FLUSHES_BEHIND = 2  # flushes queued behind the one writing before workers wait


async def analyze_brands(
    stage: Stage,
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
    routine = stage.routine
    report = StageReport(stage=stage.name)
    started = time.monotonic()
    skipped = [brand for brand in brands if brand.status != "analyzed"]
    if skipped:
        report.skipped_reason = "; ".join(
            f"brand {brand.partition_key} is {brand.status}: AI stages run for analyzed brands only"
            for brand in skipped
        )
    analyzed = [brand for brand in brands if brand.status == "analyzed"]
    report.brands = len(analyzed)
    version = routine.version(provider)
    # label and embed read the descriptions this provider's describe writes, and no other
    describe_version = DESCRIBE.routine.version(provider) if routine.needs_description else None
    reads_creatives = stage.name in provider.creative_routines
    workers = governor.limits.concurrency + _PREFETCH_WORKERS
    jobs: asyncio.Queue[list[Candidate] | None] = asyncio.Queue(maxsize=workers)
    stop = asyncio.Event()

    def flushed() -> None:
        if progress is not None:
            progress(report)

    def store_batch(batch: list[tuple[Candidate, Outcome]]) -> None:
        store_outcomes(connect, analyses, store, stage, version, provider, batch)
        report.stored_ad_ids.extend(c.ad_id for c, outcome in batch if not isinstance(outcome, AIError))

    writer = _OutcomeWriter(flush_size, store_batch, flushed)

    async def produce() -> None:
        size = routine.batch_size(provider)
        pending: list[Candidate] = []  # a batch may span brands: requests stay full
        for brand in analyzed:
            with log_context(brand=brand.partition_key):
                pending += await asyncio.to_thread(
                    select_candidates, connect, brand, routine, version, report, describe_version=describe_version
                )
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
            inputs = await asyncio.gather(*(asyncio.to_thread(load_input, store, c, reads_creatives) for c in job))
            outcomes = await _run_job(stage, provider, governor, job, inputs, stop, report)
            await writer.add([(c, outcome) for c, outcome in zip(job, outcomes, strict=True) if outcome is not None])

    # another run over one of these brands (a sensor's, a backfill's) waits here, then selects
    # only what this one left undone
    with log_context(stage=stage.name):
        async with holding_brands(connect, f"analysis:{stage.name}", [brand.id for brand in analyzed]):
            try:
                await asyncio.gather(produce(), *(work() for _ in range(workers)))
            finally:
                await writer.close()
    report.seconds = time.monotonic() - started
    return report


class _OutcomeWriter:
    """Collects outcomes and stores them ``flush_size`` at a time off the event loop, one flush at a
    time (so a batch's rows commit in order); a storage fault fails the stage at the next add."""

    def __init__(
        self, flush_size: int, store: Callable[[list[tuple[Candidate, Outcome]]], None], flushed: Callable[[], None]
    ) -> None:
        self._flush_size = flush_size
        self._store = store
        self._flushed = flushed
        self._pending: list[tuple[Candidate, Outcome]] = []
        self._lock = asyncio.Lock()
        self._flushes: list[asyncio.Task[None]] = []

    async def add(self, outcomes: list[tuple[Candidate, Outcome]]) -> None:
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

    async def _write(self, batch: list[tuple[Candidate, Outcome]]) -> None:
        async with self._lock:
            await asyncio.to_thread(self._store, batch)
        self._flushed()

    async def close(self) -> None:
        if self._pending:
            self._flush()
        await asyncio.gather(*self._flushes)


async def _run_job(
    stage: Stage,
    provider: Provider,
    governor: AIGovernor,
    job: list[Candidate],
    inputs: list[AdInput | AIError],
    stop: asyncio.Event,
    report: StageReport,
) -> list[Outcome | None]:
    """Each ad's outcome; None for ads the budget kept from starting."""
    outcomes: list[Outcome | None] = [ad if isinstance(ad, AIError) else None for ad in inputs]
    ready = [(index, ad) for index, ad in enumerate(inputs) if not isinstance(ad, AIError)]
    if ready and not stop.is_set():
        try:
            slots = await governor.admit(estimated_tokens=stage.estimated_tokens * len(ready))
        except BudgetExhausted as exc:
            if not stop.is_set():
                log.warning("AI budget reached; remaining ads wait for the next run", extra={"detail": exc.detail})
            stop.set()
        else:
            try:
                results, usage = await stage.routine.run_batch(
                    provider, [(ad, job[index].description) for index, ad in ready]
                )
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
            as_before = not outcome.retryable and outcome.reason == candidate.previous_failure
            report.failed_as_before += as_before
            log.warning(
                "ad analysis failed",
                extra={
                    "ad": candidate.source_ad_id,
                    "brand": candidate.brand.partition_key,
                    "reason": outcome.reason,
                    "detail": outcome.detail,
                    "as_before": as_before,
                },
            )
        else:
            report.succeeded += 1
    return outcomes


def _share(usage: Usage, ads: int) -> Usage:
    """Each ad's part of a batch request's usage, for its Mongo document."""
    if ads <= 1:
        return usage
    return Usage(
        calls=usage.calls,
        input_tokens=usage.input_tokens // ads,
        output_tokens=usage.output_tokens // ads,
        cost_usd=usage.cost_usd / ads,
    )
