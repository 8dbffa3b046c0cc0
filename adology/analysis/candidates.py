"""Which of a brand's ads need a stage, and each selected ad's input as its routine reads it.

An ad needs a stage when it has no result for the stage's current version and inputs, or its last
attempt failed; an unchanged ad costs no AI call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adology.ai.routines import Routine
from adology.ai.types import AdInput, AIError, CreativeInput, CreativeKind, Description, input_hash
from adology.analysis.stage_report import StageReport
from adology.brands import Brand
from adology.storage.s3 import ObjectStore, ObjectStoreError


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


def select_candidates(
    connect: Callable[[], Any], brand: Brand, routine: Routine, version: str, report: StageReport
) -> list[Candidate]:
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
        for (
            ad_id,
            source_ad_id,
            title,
            body,
            link_url,
            cta,
            sha256s,
            state_version,
            state_hash,
            status,
            description_version,
        ) in rows:
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
            chosen[ad_id] = (
                source_ad_id,
                {"title": title, "body": body, "link_url": link_url, "cta": cta},
                digest,
                description_version,
            )
        details = (
            conn.execute(
                """SELECT a.id, a.media, d.description, d.attributes
               FROM unnest(%s::bigint[], %s::text[]) AS c (ad_id, description_version)
               JOIN ads a ON a.id = c.ad_id
               LEFT JOIN ad_descriptions d ON d.ad_id = c.ad_id AND d.analysis_version = c.description_version
               ORDER BY a.id""",
                (list(chosen), [choice[3] for choice in chosen.values()]),
            ).fetchall()
            if chosen
            else []
        )
    selected = []
    for ad_id, media, description_text, attributes in details:
        source_ad_id, row, digest, _ = chosen[ad_id]
        description = (
            Description(description=description_text, attributes=attributes) if routine.needs_description else None
        )
        selected.append(
            Candidate(ad_id, source_ad_id, brand, row, [m for m in media if m.get("s3_key")], description, digest)
        )
    report.selected += len(selected)
    return selected


def load_input(store: ObjectStore, candidate: Candidate, with_creatives: bool) -> AdInput | AIError:
    """The ad as the routine reads it; its creatives are read from S3 only when ``with_creatives``."""
    creatives = []
    for item in candidate.media if with_creatives else []:
        try:
            data = store.get_bytes(key=item["s3_key"])
        except ObjectStoreError as exc:
            return AIError("media_unavailable", str(exc))
        kind = CreativeKind.VIDEO if item.get("content_type", "").startswith("video/") else CreativeKind.IMAGE
        creatives.append(
            CreativeInput(kind=kind, content_type=item.get("content_type", ""), sha256=item["sha256"], data=data)
        )
    return AdInput(ad_id=str(candidate.ad_id), brand=candidate.brand.name, creatives=creatives, **candidate.row)
