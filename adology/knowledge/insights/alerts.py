"""Change alerts: a new insights version with a new theme or a newly significant trend becomes one
notification per organization whose brandspaces include the brand, once per change.

A first version announces nothing: with no earlier version there is no change, only a baseline
(the demo would otherwise open with an alert per trend). The notification rows are written in the
version's transaction, so a change is announced exactly when its version exists, and
``UNIQUE (organization_id, dedupe_key)`` keeps a change from being announced twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from adology.knowledge.insights.model import BrandInsights, Theme
from adology.requests.notifications import CHANNEL

# a theme is the same theme as before when it keeps half its ads or points the same way
SAME_THEME_JACCARD = 0.5


@dataclass(frozen=True)
class Change:
    key: str  # names the change: theme:<leading terms> or trend:<signal>:<direction>
    kind: str  # new_theme | significant_trend
    headline: str
    ad_ids: list[int]


def material_changes(previous: BrandInsights | None, current: BrandInsights) -> list[Change]:
    """What ``current`` says that ``previous`` did not: new themes and newly significant trends."""
    if previous is None:
        return []
    changes = [
        Change(
            key=f"theme:{'+'.join(sorted(theme.terms[:3]))}",
            kind="new_theme",
            headline=f"{current.name}: a new theme, {theme.name} ({theme.share:.0%} of its ads)",
            ad_ids=theme.exemplar_ad_ids,
        )
        for theme in current.themes.themes
        if not any(_same_theme(theme, old) for old in previous.themes.themes)
    ]
    was_significant = {(trend.signal, trend.direction) for trend in previous.significant_trends()}
    changes += [
        Change(
            key=f"trend:{trend.signal}:{trend.direction}",
            kind="significant_trend",
            headline=(
                f"{current.name}: {trend.signal} went {trend.direction} from {trend.share_before:.0%} to "
                f"{trend.share_after:.0%} after {trend.change_after.isoformat()} (q={trend.q_value:.2g})"
            ),
            ad_ids=trend.evidence_ad_ids,
        )
        for trend in current.significant_trends()
        if (trend.signal, trend.direction) not in was_significant
    ]
    return changes


def _same_theme(theme: Theme, old: Theme) -> bool:
    members, old_members = set(theme.ad_ids), set(old.ad_ids)
    union = members | old_members
    overlap = len(members & old_members) / len(union) if union else 0.0
    return overlap >= SAME_THEME_JACCARD or theme.terms[:3] == old.terms[:3]


def record_alerts(conn: psycopg.Connection, insights: BrandInsights, version: int, changes: list[Change]) -> int:
    """One notification per change and following organization, and a NOTIFY for each new one;
    returns how many were written (a change announced before is not announced again)."""
    written = 0
    for change in changes:
        payload = {
            "brand": insights.brand,
            "insights_version": version,
            "change": change.kind,
            "headline": change.headline,
            "ad_ids": change.ad_ids,
        }
        rows = conn.execute(
            """INSERT INTO notifications (kind, organization_id, brand_id, payload, dedupe_key)
               SELECT DISTINCT 'insight_change', s.organization_id, m.brand_id, %(payload)s, %(key)s
               FROM brandspace_brands m JOIN brandspaces s ON s.id = m.brandspace_id
               WHERE m.brand_id = %(brand)s
               ON CONFLICT (organization_id, dedupe_key) DO NOTHING
               RETURNING id, organization_id""",
            {
                "payload": Jsonb(payload),
                "key": f"insight:{insights.brand_id}:{change.key}",
                "brand": insights.brand_id,
            },
        ).fetchall()
        for notification_id, organization_id in rows:
            message: dict[str, Any] = {
                "id": notification_id,
                "kind": "insight_change",
                "organization_id": str(organization_id),
                **payload,
            }
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, json.dumps(message)))
        written += len(rows)
    return written
