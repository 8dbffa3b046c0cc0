"""Creatives measured away from the run that analyses them: a burst of the local provider's CPU work
(OCR, faces, colours, video keyframes) done by other machines, its results left in S3.

:func:`measure_stored` is the worker's side (``workers/measure.py``, under Dagster Pipes on Lambda,
ECS or a local subprocess): it reads each creative from the object store, measures it in a process
pool sized to the machine, and writes the measurements beside it under :func:`measurement_key`.
:func:`load_measurements` is the run's side: it reads them back into the shapes
:class:`~adology.ai.local.provider.MeasurementCache` keeps, so the provider composes descriptions,
labels and vectors from them exactly as from measurements made in the run.

The measurements are pickled: they are the provider's own dataclasses (with numpy arrays), written
and read only by Adology's roles in Adology's bucket. The key carries the OCR model, so a new model
measures again.
"""

from __future__ import annotations

import concurrent.futures
import pickle
import resource
import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg

from adology.ai.local.measurements import Measured, measure_creative
from adology.ai.local.ocr import OCR_MODEL_ID
from adology.ai.local.pool import MeasurementPool
from adology.ai.types import AIError, CreativeInput, CreativeKind
from adology.logs import get_logger
from adology.storage.s3 import ObjectNotFound, ObjectStore, ObjectStoreError

log = get_logger(__name__)


@dataclass(frozen=True)
class StoredCreative:
    """A creative in the object store, as an ad's media lists it."""

    key: str  # its S3 key
    kind: CreativeKind
    content_type: str
    sha256: str

    @property
    def cache_key(self) -> tuple[str, str]:
        """The key the provider's measurement cache keeps it under."""
        return (self.kind.value, self.sha256)

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "kind": self.kind.value, "content_type": self.content_type, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, item: dict[str, str]) -> StoredCreative:
        return cls(item["key"], CreativeKind(item["kind"]), item["content_type"], item["sha256"])


@dataclass
class MeasureOutcome:
    """What a burst measured: counts, the reasons of the failures, and its time."""

    measured: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def measurement_key(creative: StoredCreative) -> str:
    return f"measurements/{OCR_MODEL_ID}/{creative.kind.value}/{creative.sha256}.pickle"


def _cpu_seconds() -> float:
    """This process's and its finished children's CPU time (the pool's workers are its children)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measured_here(creative: CreativeInput) -> concurrent.futures.Future[Measured]:
    """One creative measured in this process (where worker processes cannot run, e.g. AWS Lambda)."""
    outcome: concurrent.futures.Future[Measured] = concurrent.futures.Future()
    try:
        outcome.set_result(measure_creative(creative))
    except AIError as exc:
        outcome.set_exception(exc)
    return outcome


def measure_stored(store: ObjectStore, creatives: list[StoredCreative], *, workers: int) -> MeasureOutcome:
    """Measure each creative (read from ``store``) and write its measurements back to ``store``: in a
    pool of ``workers`` processes, or in this process when ``workers`` is 0."""
    outcome = MeasureOutcome()
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    pool = MeasurementPool(workers) if workers else None
    try:
        pending: dict[concurrent.futures.Future[Measured], StoredCreative] = {}
        for creative in creatives:
            try:
                data = store.get_bytes(key=creative.key)
            except ObjectNotFound:
                outcome.failed["media_unavailable"] += 1
                continue
            item = CreativeInput(
                kind=creative.kind, content_type=creative.content_type, sha256=creative.sha256, data=data
            )
            pending[pool.submit(item) if pool is not None else _measured_here(item)] = creative
        for done in concurrent.futures.as_completed(pending):
            creative = pending[done]
            try:
                measured = done.result()
            except AIError as exc:
                outcome.failed[exc.reason] += 1
                log.warning("creative not measured", extra={"key": creative.key, "reason": exc.reason})
                continue
            store.put_bytes(key=measurement_key(creative), data=pickle.dumps(measured))
            outcome.measured += 1
    finally:
        if pool is not None:
            pool.close()
    outcome.seconds = time.perf_counter() - started
    outcome.cpu_seconds = _cpu_seconds() - cpu_started
    return outcome


def load_measurements(store: ObjectStore, creatives: list[StoredCreative]) -> dict[tuple[str, str], Measured]:
    """The measurements a burst left for these creatives, by cache key (a creative it could not
    measure is left out: the run measures it itself)."""
    found: dict[tuple[str, str], Measured] = {}
    for creative in creatives:
        try:
            # written by our workers into our bucket (see the module docstring)
            found[creative.cache_key] = pickle.loads(store.get_bytes(key=measurement_key(creative)))
        except ObjectStoreError:
            continue
    return found


def creatives_to_describe(conn: psycopg.Connection, brand_ids: list[int], version: str) -> list[StoredCreative]:
    """The stored creatives of the brands' ads whose description at ``version`` has not succeeded yet:
    what a describe run is about to measure (an ad it skips as unchanged needs none)."""
    rows = conn.execute(
        """SELECT DISTINCT m ->> 's3_key', coalesce(m ->> 'content_type', ''), m ->> 'sha256'
           FROM ads a
           CROSS JOIN LATERAL jsonb_array_elements(a.media) m
           LEFT JOIN ad_analysis_state s ON s.ad_id = a.id AND s.stage = 'describe'
           WHERE a.brand_id = ANY(%s) AND m ->> 's3_key' IS NOT NULL AND m ->> 'sha256' IS NOT NULL
             AND (s.status IS DISTINCT FROM 'succeeded' OR s.version IS DISTINCT FROM %s)
           ORDER BY 1""",
        (brand_ids, version),
    ).fetchall()
    return [
        StoredCreative(
            key, CreativeKind.VIDEO if content_type.startswith("video/") else CreativeKind.IMAGE, content_type, sha256
        )
        for key, content_type, sha256 in rows
    ]
