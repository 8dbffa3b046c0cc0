"""Creatives measured in worker processes, one per core the process may use.

Measuring is CPU work (decoding, OCR on onnxruntime, OpenCV) with Python between the native calls
(finding boxes, decoding characters, colour statistics) that holds the GIL, so threads of one
process contend for it, and processes do not. A :class:`MeasurementPool` spreads creatives over
``available_cores()`` worker processes (:func:`available_cores`). Each worker
is started from multiprocessing's fork server (this module preloaded there, so a worker starts
with its imports done) or spawned where there is no fork server, never forked from the caller,
whose threads (a Dagster run's, an event loop's) a fork would copy mid-step; it loads the OCR
models once, before its first creative, and runs OpenCV single-threaded. Measurements are plain
frozen dataclasses and numpy arrays, so they come back by pickle unchanged: a creative measures
the same in any worker as in the caller's own process.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import threading
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import cv2

from adology.ai.local.measurements import Measured, measure_creative
from adology.ai.local.ocr import load_ocr_models
from adology.ai.types import AIError, CreativeInput
from adology.logs import get_logger

log = get_logger(__name__)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    process_cpu_count = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if process_cpu_count is not None:
        return int(process_cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class _Failed:
    """A creative's AIError on its way back from a worker (an AIError does not survive pickling:
    its constructor takes other arguments than the message pickle re-creates it from)."""

    reason: str
    detail: str
    retryable: bool


def _start_worker() -> None:
    cv2.setNumThreads(1)  # one worker per core already: OpenCV's own threads would only contend
    # A failing initializer breaks the whole pool and hides why; a missing model is instead
    # reported by each creative that needs it, with its own reason (model_unavailable).
    with contextlib.suppress(AIError):
        load_ocr_models()


def _measure_in_worker(creative: CreativeInput) -> Measured | _Failed:
    try:
        return measure_creative(creative)
    except AIError as exc:
        return _Failed(exc.reason, exc.detail, exc.retryable)


def _worker_context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # takes effect when the fork server starts (once per process), so each later worker
        # forks with numpy, OpenCV and this package imported instead of importing them itself
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


class MeasurementPool:
    """Worker processes that measure creatives; started at the first creative, ended by :meth:`close`."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a measurement pool needs at least one worker, got {workers}")
        self.workers = workers
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._closed = False
        self._lock = threading.Lock()

    def submit(self, creative: CreativeInput) -> concurrent.futures.Future[Measured]:
        """A future of the creative's measurements, or of its AIError (a dead worker's is ``local_worker_died``)."""
        outcome: concurrent.futures.Future[Measured] = concurrent.futures.Future()
        executor = self._running()
        try:
            work = executor.submit(_measure_in_worker, creative)
        except BrokenProcessPool as exc:  # a worker died since the last result: start a new pool
            self._discard(executor)
            outcome.set_exception(_worker_died(exc))
            return outcome
        work.add_done_callback(lambda done: self._settle(outcome, done, executor))
        return outcome

    def close(self) -> None:
        """Stop the workers (waiting for them to exit); measurements not yet started are cancelled."""
        with self._lock:
            executor, self._executor = self._executor, None
            self._closed = True
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
            log.info("measurement workers stopped", extra={"workers": self.workers})

    def _running(self) -> concurrent.futures.ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("this measurement pool is closed; its provider's block has ended")
            if self._executor is None:
                self._executor = concurrent.futures.ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=_worker_context(), initializer=_start_worker
                )
                log.info("measurement workers starting", extra={"workers": self.workers})
            return self._executor

    def _discard(self, executor: concurrent.futures.ProcessPoolExecutor) -> None:
        """Forget a broken pool, so the next creative starts a new one (its processes are already gone)."""
        with self._lock:
            if self._executor is executor:
                self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    def _settle(
        self,
        outcome: concurrent.futures.Future[Measured],
        done: concurrent.futures.Future[Measured | _Failed],
        executor: concurrent.futures.ProcessPoolExecutor,
    ) -> None:
        if done.cancelled():  # the pool was closed before this creative's turn
            outcome.cancel()
            return
        error = done.exception()
        if isinstance(error, BrokenProcessPool):
            self._discard(executor)
            outcome.set_exception(_worker_died(error))
        elif error is not None:
            outcome.set_exception(error)
        else:
            result = done.result()
            if isinstance(result, _Failed):
                outcome.set_exception(AIError(result.reason, result.detail, retryable=result.retryable))
            else:
                outcome.set_result(result)


def _worker_died(error: BrokenProcessPool) -> AIError:
    # The creative may be what killed it (a decoder crash) or only have been waiting beside the one
    # that did: retryable, and the ads measured after it get a new pool.
    log.warning("a measurement worker died", extra={"error": str(error)})
    return AIError("local_worker_died", f"a measurement worker process died: {error}", retryable=True)
