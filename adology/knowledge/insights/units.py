"""Creative units: the ads a brand ran with one creative count once.

The same image runs on Meta and on Google as two ads (two sources, two ids). Counted twice, it
would be two observations of one decision, and the trend tests assume observations that can be
exchanged. Ads sharing any stored creative (by content address) form one unit; an ad without a
creative joins the ads with the same copy.
"""

from __future__ import annotations

from collections.abc import Sequence

from adology.knowledge.insights.data import AdRecord, CreativeUnit

_SOURCE_PREFERENCE = {"meta": 0, "apify": 1, "serpapi": 2}


def creative_units(ads: Sequence[AdRecord]) -> list[CreativeUnit]:
    """The units of ``ads``, ordered by start (then representative id); each ad is in exactly one."""
    parent = list(range(len(ads)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def join(first: int, second: int) -> None:
        parent[root(first)] = root(second)

    owner_of_key: dict[tuple[str, str], int] = {}
    for index, ad in enumerate(ads):
        keys = [("creative", sha) for sha in ad.media_sha256] or [("copy", _copy_key(ad))]
        for key in keys:
            if key[1] == "":
                continue
            if key in owner_of_key:
                join(index, owner_of_key[key])
            else:
                owner_of_key[key] = index
    members: dict[int, list[AdRecord]] = {}
    for index, ad in enumerate(ads):
        members.setdefault(root(index), []).append(ad)
    units = [CreativeUnit(tuple(sorted(group, key=_representative_order))) for group in members.values()]
    units.sort(key=lambda unit: (unit.start, unit.representative.ad_id))
    return units


def _copy_key(ad: AdRecord) -> str:
    return " ".join(f"{ad.title or ''}\x1f{ad.body or ''}".lower().split()) if (ad.title or ad.body) else ""


def _representative_order(ad: AdRecord) -> tuple[int, int, int]:
    """Described ads first (their analysis is the unit's), then by source, then the oldest id."""
    return (ad.description is None, _SOURCE_PREFERENCE.get(ad.source, 3), ad.ad_id)
