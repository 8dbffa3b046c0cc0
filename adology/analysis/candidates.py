"""Which of a brand's ads need a stage, and each selected ad's input as its routine reads it.

An ad needs a stage when it has no result for the stage's current version and inputs, or its last
attempt failed; an unchanged ad costs no AI call. An ad is not analysed from less than it is:

- one naming a creative acquisition has not stored (a download failed: it is retried by the next
  fetch) waits for it, counted as ``waiting_for_creative``, rather than being described from its
  text alone; an ad that names no creative at all (a text ad) is analysed from its text;
- label and embed read the description of the ad's current describe state only: that state must
  have succeeded, for this provider's describe version and the ad's current inputs. Otherwise the
  ad waits (``waiting_for_description``): it is never labelled from an older description.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adology.acquisition.rows import NO_MEDIA_REASON
from adology.ai.routines import Routine
from adology.ai.types import AdInput, AIError, CreativeInput, CreativeKind, Description, input_hash
from adology.analysis.stage_report import StageReport
from adology.brands import Brand
from adology.logs import get_logger
from adology.storage.s3 import ObjectNotFound, ObjectStore, ObjectStoreError

log = get_logger(__name__)

# why an ad waits (the keys of the report's ``waiting_reasons``)
CREATIVE_NOT_STORED = "creative_not_stored"  # it names a creative acquisition has not stored
NOT_DESCRIBED = "not_described"  # no describe attempt yet
DESCRIPTION_FAILED = "description_failed"  # its current describe attempt failed
DESCRIPTION_OUTDATED = "description_outdated"  # of another describe version, or of the ad's older inputs
_DESCRIPTION_WAITS = (NOT_DESCRIBED, DESCRIPTION_FAILED, DESCRIPTION_OUTDATED)


@dataclass
class Candidate:
    """An ad selected for a stage, with what its input is made of."""

    ad_id: int
    source_ad_id: str
    brand: Brand
    row: dict[str, Any]
    media: list[dict[str, Any]]
    description: Description | None
    input_hash: str
    # the ad's stage state before this attempt: when it was written (None: never attempted), which
    # names this attempt in the ad's log, and the reason it failed with, if it did
    previous_attempt_at: datetime | None = None
    previous_failure: str | None = None


@dataclass(frozen=True)
class _Choice:
    source_ad_id: str
    row: dict[str, Any]
    digest: str
    previous_attempt_at: datetime | None
    previous_failure: str | None


def select_candidates(
    connect: Callable[[], Any],
    brand: Brand,
    routine: Routine,
    version: str,
    report: StageReport,
    *,
    describe_version: str | None = None,
) -> list[Candidate]:
    """The brand's ads that need ``routine``, in two reads: what decides it for every ad (copy,
    stored and missing creatives, the stage's state, the describe state), then creatives and
    description text for the selected ones only — so an unchanged brand costs one narrow scan.

    ``describe_version`` is the describe version whose descriptions ``routine`` reads (this run's
    provider's); required when the routine needs a description."""
    if routine.needs_description and describe_version is None:
        raise ValueError(f"{routine.name} reads descriptions: say which describe version")
    with connect() as conn:
        rows = conn.execute(
            """SELECT a.id, a.source_ad_id, a.title, a.body, a.link_url, a.cta,
                      ARRAY(SELECT m->>'sha256' FROM jsonb_array_elements(a.media) m
                            WHERE m->>'s3_key' IS NOT NULL),
                      EXISTS (SELECT 1 FROM jsonb_array_elements(a.media) m WHERE m->>'s3_key' IS NULL)
                          OR (a.media_failure IS NOT NULL AND a.media_failure <> %(no_media)s),
                      s.version, s.input_hash, s.status, s.reason, s.updated_at,
                      d.version, d.input_hash, d.status,
                      EXISTS (SELECT 1 FROM ad_descriptions x
                              WHERE x.ad_id = a.id AND x.analysis_version = d.version AND x.input_hash = d.input_hash)
               FROM ads a
               LEFT JOIN ad_analysis_state s ON s.ad_id = a.id AND s.stage = %(stage)s
               LEFT JOIN ad_analysis_state d ON d.ad_id = a.id AND d.stage = 'describe'
               WHERE a.brand_id = %(brand)s
               ORDER BY a.id""",
            {"no_media": NO_MEDIA_REASON, "stage": routine.name, "brand": brand.id},
        ).fetchall()
        chosen: dict[int, _Choice] = {}
        waiting: collections.Counter[str] = collections.Counter()
        for (
            ad_id,
            source_ad_id,
            title,
            body,
            link_url,
            cta,
            sha256s,
            creative_missing,
            state_version,
            state_hash,
            status,
            state_reason,
            state_at,
            described_version,
            described_hash,
            described_status,
            description_stored,
        ) in rows:
            report.ads += 1
            if creative_missing:
                waiting[CREATIVE_NOT_STORED] += 1
                continue
            if not sha256s and not (title or body):
                continue  # nothing to analyse: no creative and no copy
            digest = input_hash(title, body, link_url, cta, sha256s)
            if routine.needs_description:
                wait = _description_wait(
                    described_status, described_version, described_hash, description_stored, describe_version, digest
                )
                if wait is not None:
                    waiting[wait] += 1
                    continue
                digest = f"{digest}:{describe_version}"
            if status == "succeeded" and state_version == version and state_hash == digest:
                report.unchanged += 1
                continue
            chosen[ad_id] = _Choice(
                source_ad_id,
                {"title": title, "body": body, "link_url": link_url, "cta": cta},
                digest,
                state_at,
                state_reason if status == "failed" else None,
            )
        details = (
            conn.execute(
                """SELECT a.id, a.media, d.description, d.attributes
                   FROM ads a
                   LEFT JOIN ad_descriptions d ON d.ad_id = a.id AND d.analysis_version = %s
                   WHERE a.id = ANY(%s)
                   ORDER BY a.id""",
                (describe_version, list(chosen)),
            ).fetchall()
            if chosen
            else []
        )
    _count_waiting(report, brand, routine, waiting)
    selected = []
    for ad_id, media, description_text, attributes in details:
        choice = chosen[ad_id]
        description = (
            Description(description=description_text, attributes=attributes) if routine.needs_description else None
        )
        selected.append(
            Candidate(
                ad_id,
                choice.source_ad_id,
                brand,
                choice.row,
                [m for m in media if m.get("s3_key")],
                description,
                choice.digest,
                choice.previous_attempt_at,
                choice.previous_failure,
            )
        )
    report.selected += len(selected)
    return selected


def _description_wait(
    status: str | None,
    version: str | None,
    digest: str | None,
    stored: bool,
    current_version: str | None,
    current_digest: str,
) -> str | None:
    """Why the ad's describe state gives label and embed no description to read, or None."""
    if status is None:
        return NOT_DESCRIBED
    if status != "succeeded":
        return DESCRIPTION_FAILED
    if version != current_version or digest != current_digest:
        return DESCRIPTION_OUTDATED
    return None if stored else NOT_DESCRIBED


def _count_waiting(report: StageReport, brand: Brand, routine: Routine, waiting: collections.Counter[str]) -> None:
    report.waiting_reasons.update(waiting)
    report.waiting_for_creative += waiting[CREATIVE_NOT_STORED]
    report.waiting_for_description += sum(waiting[reason] for reason in _DESCRIPTION_WAITS)
    if waiting:
        log.info(
            "ads waiting",
            extra={"brand": brand.partition_key, "stage": routine.name, "waiting": dict(waiting)},
        )


def load_input(store: ObjectStore, candidate: Candidate, with_creatives: bool) -> AdInput | AIError:
    """The ad as the routine reads it; its creatives are read from S3 only when ``with_creatives``."""
    creatives = []
    for item in candidate.media if with_creatives else []:
        try:
            data = store.get_bytes(key=item["s3_key"])
        except ObjectNotFound as exc:
            return AIError("media_unavailable", str(exc))
        except ObjectStoreError as exc:  # the store failed, not the creative: a later run may read it
            return AIError("media_unavailable", str(exc), retryable=True)
        kind = CreativeKind.VIDEO if item.get("content_type", "").startswith("video/") else CreativeKind.IMAGE
        creatives.append(
            CreativeInput(kind=kind, content_type=item.get("content_type", ""), sha256=item["sha256"], data=data)
        )
    return AdInput(ad_id=str(candidate.ad_id), brand=candidate.brand.name, creatives=creatives, **candidate.row)
