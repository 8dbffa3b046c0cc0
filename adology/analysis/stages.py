"""The per-ad stages, one object each: what a stage runs, where its results go, what must hold of them.

A :class:`Stage` owns everything that differs between stages: its AI routine, the name of the
asset that materializes it, the rows it writes (:meth:`Stage.write`) and the invariants its asset
checks count (:meth:`Stage.invariants`, one query whose columns are the checks). The fan-out, the
analysis state, the Mongo documents and the S3 logs are shared. Adding a stage is one subclass here
and an entry in :data:`STAGES`; the asset, its checks and the request schema follow from it.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import psycopg
from pgvector import Vector
from psycopg.types.json import Jsonb

from adology.ai.routines import ROUTINES, Routine
from adology.ai.schema import taxonomies
from adology.ai.types import Description, Embeddings, Labels
from adology.storage.postgres import one_row


@dataclass(frozen=True)
class StoredResult:
    """One ad's result, as the stage's table rows need it."""

    ad_id: int
    input_hash: str
    result: Any


class Stage(abc.ABC):
    """One per-ad AI stage (a singleton per subclass: see :data:`STAGES`)."""

    routine: ClassVar[Routine]
    asset: ClassVar[str]  # the asset materializing this stage
    summary: ClassVar[str]  # what the asset holds, shown in the Dagster UI
    checks: ClassVar[Mapping[str, str]]  # check name -> what it asserts; the columns of invariants()
    estimated_tokens: ClassVar[int]  # per ad, for the rate limiter before the call reports its usage
    _invariants_sql: ClassVar[str]  # one row, one count per check in ``checks`` order, over %(ads)s

    @property
    def name(self) -> str:
        return self.routine.name

    @abc.abstractmethod
    def write(
        self, cursor: psycopg.Cursor, results: list[StoredResult], *, version: str, provider: str, model: str
    ) -> None:
        """Store the results in the stage's table, inside the caller's transaction."""

    def document(self, result: Any) -> dict[str, Any]:
        """What Mongo and the per-ad log keep of a result."""
        return result.model_dump(mode="json")

    def invariants(self, conn: psycopg.Connection, ad_ids: list[int]) -> dict[str, int]:
        """Counts that must be zero in this stage's rows of ``ad_ids`` (the ads a run stored), in one pass.

        A run checks what it wrote: rows it left alone were checked by the run that wrote them, so an
        unchanged brand costs no scan of its descriptions' text or its vectors."""
        counts = one_row(conn.execute(self._invariants_sql, {"ads": ad_ids, **self._invariant_parameters()}))
        return dict(zip(self.checks, counts, strict=True))

    def _invariant_parameters(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        return f"<stage {self.name} -> {self.asset}>"


class DescribeStage(Stage):
    routine = ROUTINES["describe"]
    asset = "ad_descriptions"
    summary = "Per ad: a description of at most 500 words plus every attribute of the schema."
    checks: ClassVar[Mapping[str, str]] = {
        "descriptions_over_500_words": "No description is longer than 500 words.",
        "descriptions_without_attributes": "Every description carries its attributes.",
    }
    estimated_tokens = 2_000
    _invariants_sql = """SELECT count(*) FILTER (WHERE word_count > 500),
                                count(*) FILTER (WHERE attributes = '{}'::jsonb)
                         FROM ad_descriptions WHERE ad_id = ANY(%(ads)s)"""

    def write(
        self, cursor: psycopg.Cursor, results: list[StoredResult], *, version: str, provider: str, model: str
    ) -> None:
        rows = []
        for stored in results:
            description: Description = stored.result
            rows.append(
                (
                    stored.ad_id,
                    version,
                    description.description,
                    description.word_count,
                    Jsonb(description.attributes),
                    provider,
                    model,
                    version,
                    stored.input_hash,
                )
            )
        cursor.executemany(
            """INSERT INTO ad_descriptions (ad_id, analysis_version, description, word_count, attributes, provider,
                                            model, prompt_version, input_hash)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, analysis_version) DO UPDATE SET description = EXCLUDED.description,
                   word_count = EXCLUDED.word_count, attributes = EXCLUDED.attributes,
                   input_hash = EXCLUDED.input_hash, created_at = now()""",
            rows,
        )


class LabelStage(Stage):
    routine = ROUTINES["label"]
    asset = "ad_labels"
    summary = "Per ad: UNIVERSAL and TREND taxonomy labels with confidence."
    checks: ClassVar[Mapping[str, str]] = {
        "labels_outside_taxonomy": "Every label belongs to its taxonomy's current version.",
        "labels_with_bad_confidence": "Every confidence lies in [0, 1].",
    }
    estimated_tokens = 1_200
    _invariants_sql = """SELECT count(*) FILTER (WHERE NOT (taxonomy || ':' || label = ANY(%(known)s))),
                                count(*) FILTER (WHERE NOT (confidence BETWEEN 0 AND 1))
                         FROM ad_labels WHERE ad_id = ANY(%(ads)s)"""

    def write(
        self, cursor: psycopg.Cursor, results: list[StoredResult], *, version: str, provider: str, model: str
    ) -> None:
        if not results:
            return
        # a label the new version no longer assigns must not linger from the old one
        cursor.execute(
            "DELETE FROM ad_labels WHERE ad_id = ANY(%s) AND taxonomy_version = %s",
            ([stored.ad_id for stored in results], version),
        )
        rows = []
        for stored in results:
            labels: Labels = stored.result
            rows += [
                (stored.ad_id, item.taxonomy, version, item.label, item.confidence, provider, model, stored.input_hash)
                for item in labels.labels
            ]
        cursor.executemany(
            """INSERT INTO ad_labels (ad_id, taxonomy, taxonomy_version, label, confidence, provider, model, input_hash)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, taxonomy, taxonomy_version, label) DO UPDATE
               SET confidence = EXCLUDED.confidence, input_hash = EXCLUDED.input_hash, created_at = now()""",
            rows,
        )

    def _invariant_parameters(self) -> dict[str, Any]:
        return {"known": [f"{name}:{label}" for name, taxonomy in taxonomies().items() for label in taxonomy.names]}


class EmbedStage(Stage):
    routine = ROUTINES["embed"]
    asset = "ad_embeddings"
    summary = "Per ad: text, visual and retrieval embeddings in pgvector columns (HNSW-indexed per model)."
    checks: ClassVar[Mapping[str, str]] = {
        "embeddings_with_wrong_dimensions": "Each vector has the dimensions recorded for it.",
        "embeddings_not_unit_norm": "Each vector has unit length (cosine search relies on it).",
        "models_with_mixed_dimensions": "One model and kind never mix dimensions.",
    }
    estimated_tokens = 300
    _invariants_sql = """SELECT count(*) FILTER (WHERE vector_dims(embedding) <> dimensions),
                                count(*) FILTER (WHERE abs(vector_norm(embedding) - 1) > 0.001),
                                (SELECT count(*) FROM (SELECT 1 FROM ad_embeddings WHERE ad_id = ANY(%(ads)s)
                                                       GROUP BY kind, model HAVING count(DISTINCT dimensions) > 1) m)
                         FROM ad_embeddings WHERE ad_id = ANY(%(ads)s)"""

    def write(
        self, cursor: psycopg.Cursor, results: list[StoredResult], *, version: str, provider: str, model: str
    ) -> None:
        rows = []
        for stored in results:
            embeddings: Embeddings = stored.result
            rows += [
                (stored.ad_id, item.kind.value, item.model, item.dimensions, Vector(item.vector), stored.input_hash)
                for item in embeddings.embeddings
            ]
        cursor.executemany(
            """INSERT INTO ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash)
               VALUES (%s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, kind, model) DO UPDATE SET dimensions = EXCLUDED.dimensions,
                   embedding = EXCLUDED.embedding, input_hash = EXCLUDED.input_hash, created_at = now()""",
            rows,
        )

    def document(self, result: Embeddings) -> dict[str, Any]:
        # vectors live in Postgres: copied here they would make each ad's document tens of kilobytes of floats
        return {
            "embeddings": [
                {"kind": item.kind.value, "model": item.model, "dimensions": item.dimensions}
                for item in result.embeddings
            ]
        }


DESCRIBE, LABEL, EMBED = DescribeStage(), LabelStage(), EmbedStage()
STAGES: tuple[Stage, ...] = (DESCRIBE, LABEL, EMBED)  # pipeline order
