"""The attribute summary: what the brand's creatives say and show, as distributions over the
attributes a marketer reads (offers, CTAs, claims, tone, formats, palettes, ...) and the labels.

Counts are of creative units (a creative run on two platforms counts once), over the units whose
value is known: an attribute the analysis could not read is unknown, not "none".
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import cast

from adology.knowledge.insights.data import AdRecord, CreativeUnit
from adology.knowledge.insights.model import AttributeSummary, Distribution, LabelShare, Taxonomy, ValueShare
from adology.knowledge.insights.signals import LABEL_CONFIDENCE

ENUMS = (
    "offer_type",
    "cta_type",
    "tone",
    "emotional_appeal",
    "format",
    "orientation",
    "color_palette_name",
    "background_style",
    "layout",
    "seasonality",
    "pacing",
)
BOOLEANS = (
    "urgency",
    "scarcity",
    "price_shown",
    "people_present",
    "ugc_style",
    "before_after",
    "new_launch",
    "subscription_offer",
)
LISTS = ("claims", "features", "benefits", "product_names")
TOP_VALUES = 10
EXAMPLES = 5


def attribute_summary(units: Sequence[CreativeUnit]) -> AttributeSummary:
    distributions = [
        _distribution(units, name, functools.partial(read, name=name))
        for names, read in ((ENUMS, _enum), (BOOLEANS, _boolean), (LISTS, _items))
        for name in names
    ]
    distributions.append(
        _distribution(units, "display_format", lambda ad: [ad.display_format.upper()] if ad.display_format else None)
    )
    labelled = [unit for unit in units if unit.representative.labels]
    carriers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for unit in labelled:
        for label in {
            (found.taxonomy, found.label)
            for found in unit.representative.labels
            if found.confidence >= LABEL_CONFIDENCE
        }:
            carriers[label].append(unit.representative.ad_id)
    labels = [
        LabelShare(
            taxonomy=cast(Taxonomy, taxonomy),  # ad_labels' CHECK allows only the two
            label=label,
            ads=len(ad_ids),
            share=round(len(ad_ids) / len(labelled), 4),
            ad_ids=ad_ids[:EXAMPLES],
        )
        for (taxonomy, label), ad_ids in sorted(carriers.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return AttributeSummary(
        ads_described=sum(unit.representative.description is not None for unit in units),
        ads_labelled=len(labelled),
        distributions=[distribution for distribution in distributions if distribution.known_ads],
        labels=labels,
    )


def _distribution(
    units: Sequence[CreativeUnit], attribute: str, values_of: Callable[[AdRecord], list[str] | None]
) -> Distribution:
    counts: Counter[str] = Counter()
    examples: dict[str, list[int]] = defaultdict(list)
    known = 0
    for unit in units:
        values = values_of(unit.representative)
        if values is None:
            continue
        known += 1
        for value in set(values):
            counts[value] += 1
            if len(examples[value]) < EXAMPLES:
                examples[value].append(unit.representative.ad_id)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_VALUES]
    return Distribution(
        attribute=attribute,
        known_ads=known,
        values=[
            ValueShare(value=value, ads=count, share=round(count / known, 4), ad_ids=examples[value])
            for value, count in ranked
        ],
    )


def _enum(ad: AdRecord, name: str) -> list[str] | None:
    value = ad.attributes.get(name)
    return [value] if isinstance(value, str) and value else None


def _boolean(ad: AdRecord, name: str) -> list[str] | None:
    value = ad.attributes.get(name)
    return [str(value).lower()] if isinstance(value, bool) else None


def _items(ad: AdRecord, name: str) -> list[str] | None:
    value = ad.attributes.get(name)
    if not isinstance(value, list):
        return None
    return [" ".join(item.lower().split()) for item in value if isinstance(item, str) and item.strip()]
