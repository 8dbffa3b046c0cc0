"""When a brandspace's report is refreshed.

**The refresh rule** (ARCHITECTURE §7, flow 4). Three signals are measured for every brandspace
against its latest report; the report is refreshed when at least two of them hold:

- ``membership_changed``: the set of competitor and followed brands differs from the set the
  latest report covered (a brand was added or removed; the primary does not count);
- ``new_member_ads``: an ad of a competitor or followed brand was first seen after the latest
  report (the primary's new ads do not count here);
- ``stale_with_new_ads``: the latest report is at least seven days old and an ad of any brand in
  the brandspace, the primary included, was first seen after it.

A brandspace with no report yet is measured against "nothing reported": the baseline membership
is the empty set, every ad it holds is new, and it counts as stale. So a brandspace with
competitors or followed brands that have ads gets its first report at once, without waiting for
acquisition to bring a fresh ad; one with only a primary brand (one signal at most) does not.

:func:`refresh_signals` measures all brandspaces in one query: per brandspace an index probe for
its latest report and index probes on ``ads (brand_id, first_seen_at)`` for its brands.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import psycopg

STALE_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class RefreshSignals:
    membership_changed: bool
    new_member_ads: bool
    stale_with_new_ads: bool

    def held(self) -> tuple[str, ...]:
        """The names of the signals that hold, in declaration order."""
        return tuple(field.name for field in fields(self) if getattr(self, field.name))


def should_refresh(signals: RefreshSignals) -> bool:
    """The rule: refresh when at least two of the three signals hold."""
    return len(signals.held()) >= 2


@dataclass(frozen=True)
class BrandspaceSignals:
    brandspace: str  # partition key
    latest_version: int  # 0 when the brandspace has no report yet
    signals: RefreshSignals


def refresh_signals(conn: psycopg.Connection, *, now: datetime) -> list[BrandspaceSignals]:
    """The three signals for every brandspace, measured at ``now``, ordered by partition key.

    Only ads first seen at or before ``now`` count, so the answer is a function of the data and
    ``now`` alone.
    """
    rows = conn.execute(
        """WITH measured AS (
               SELECT s.partition_key, r.version, r.created_at, r.member_brand_ids,
                      (SELECT coalesce(jsonb_agg(m.brand_id), '[]'::jsonb) FROM brandspace_brands m
                       WHERE m.brandspace_id = s.id AND m.role <> 'primary') AS current_members,
                      EXISTS (SELECT 1 FROM brandspace_brands m JOIN ads a ON a.brand_id = m.brand_id
                              WHERE m.brandspace_id = s.id AND m.role <> 'primary'
                                AND a.first_seen_at > coalesce(r.created_at, '-infinity') AND a.first_seen_at <= %(now)s
                             ) AS member_ads_since,
                      EXISTS (SELECT 1 FROM brandspace_brands m JOIN ads a ON a.brand_id = m.brand_id
                              WHERE m.brandspace_id = s.id
                                AND a.first_seen_at > coalesce(r.created_at, '-infinity') AND a.first_seen_at <= %(now)s
                             ) AS any_ads_since
               FROM brandspaces s
               LEFT JOIN LATERAL (SELECT version, created_at, member_brand_ids FROM brandspace_reports
                                  WHERE brandspace_id = s.id ORDER BY version DESC LIMIT 1) r ON true
           )
           SELECT partition_key, coalesce(version, 0),
                  -- jsonb containment both ways: equal as sets, whatever the order
                  NOT (current_members @> coalesce(member_brand_ids, '[]'::jsonb)
                       AND coalesce(member_brand_ids, '[]'::jsonb) @> current_members),
                  member_ads_since,
                  coalesce(created_at <= %(stale_before)s, true) AND any_ads_since
           FROM measured ORDER BY partition_key""",
        {"now": now, "stale_before": now - STALE_AFTER},
    ).fetchall()
    return [
        BrandspaceSignals(key, version, RefreshSignals(changed, member_ads, stale))
        for key, version, changed, member_ads, stale in rows
    ]
