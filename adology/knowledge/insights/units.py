"""Creative units: the ads a brand ran with one creative count once.

The same image runs on Meta and on Google as two ads (two sources, two ids). Counted twice, it
would be two observations of one decision, and the trend tests assume observations that can be
exchanged. Ads sharing any stored creative (by content address) form one unit. An ad without a
creative (a text ad) joins the ad with the same copy: an ad with creatives when there is one (the
nearest in start, since a brand may reuse copy across creatives and a copy starts with the ad it
copies), else the other text ads with that copy.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime

from adology.knowledge.insights.data import AdRecord, CreativeUnit

_SOURCE_PREFERENCE = {"meta": 0, "apify": 1}  # Meta's own library first, then its scraped copy, then the rest


def creative_units(ads: Sequence[AdRecord]) -> list[CreativeUnit]:
    """The units of ``ads``, ordered by start then representative id; each ad is in exactly one."""
    groups = _Groups(len(ads))
    owner_of_creative: dict[str, int] = {}
    with_creative_by_copy: dict[tuple[str, str], list[int]] = {}
    text_only_by_copy: dict[tuple[str, str], list[int]] = {}
    for index, ad in enumerate(ads):
        creatives = [sha for sha in ad.media_sha256 if sha]
        for sha in creatives:
            groups.join(index, owner_of_creative.setdefault(sha, index))
        if (copy := _copy(ad)) is not None:
            (with_creative_by_copy if creatives else text_only_by_copy).setdefault(copy, []).append(index)
    for copy, text_ads in text_only_by_copy.items():
        candidates = sorted(with_creative_by_copy.get(copy, ()), key=lambda i: (ads[i].start, ads[i].ad_id))
        if not candidates:
            for index in text_ads[1:]:
                groups.join(index, text_ads[0])
            continue
        starts = [ads[i].start for i in candidates]
        for index in text_ads:
            groups.join(index, candidates[_nearest(starts, ads[index].start)])
    members: dict[int, list[AdRecord]] = {}
    for index, ad in enumerate(ads):
        members.setdefault(groups.root(index), []).append(ad)
    units = [CreativeUnit(tuple(sorted(group, key=_representative_first))) for group in members.values()]
    units.sort(key=lambda unit: (unit.start, unit.representative.ad_id))
    return units


class _Groups:
    """Union-find over ad indexes, with path halving."""

    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def root(self, index: int) -> int:
        parent = self.parent
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def join(self, first: int, second: int) -> None:
        self.parent[self.root(first)] = self.root(second)


def _copy(ad: AdRecord) -> tuple[str, str] | None:
    """Title and body, case and spacing aside; None for an ad with neither."""
    title = " ".join((ad.title or "").casefold().split())
    body = " ".join((ad.body or "").casefold().split())
    return (title, body) if title or body else None


def _nearest(starts: list[datetime], start: datetime) -> int:
    """The index of the sorted ``starts`` closest to ``start`` (the earlier on a tie)."""
    after = bisect.bisect_left(starts, start)
    if after == 0:
        return 0
    if after == len(starts) or start - starts[after - 1] <= starts[after] - start:
        return after - 1
    return after


def _representative_first(ad: AdRecord) -> tuple[bool, int, int]:
    """Described ads first (the representative's analysis is the unit's), then by source, then the lowest id."""
    return (ad.description is None, _SOURCE_PREFERENCE.get(ad.source, len(_SOURCE_PREFERENCE)), ad.ad_id)
