"""The attribute summary: what the brand's creatives say and show, as distributions over the
attributes a marketer reads (offers, calls to action, claims, tone, formats, palettes, ...) and the
shares of the labels.

Counts are of creative units, read from each unit's representative (a creative run on two
platforms counts once), over the units whose value is known: a value the analysis did not give
(missing or None) is unknown, not "none", and an attribute no unit has a value for is left out.
An empty list is known: the ad was read and states none. ``media`` and ``labelled`` follow the
trend signals' rules (:mod:`adology.knowledge.insights.signals`), so a distribution and a trend of
the same thing count the same units.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, cast

from adology.knowledge.insights.data import CreativeUnit
from adology.knowledge.insights.model import AttributeSummary, Distribution, LabelShare, Taxonomy, ValueShare
from adology.knowledge.insights.signals import LABEL_CONFIDENCE, _labelled, _medium

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

ValuesOf = Callable[[CreativeUnit], list[str] | None]  # a unit's values, or None when unknown


def attribute_summary(units: Sequence[CreativeUnit]) -> AttributeSummary:
    readers: list[tuple[str, ValuesOf]] = [
        *((name, _reader(name, _enum_values)) for name in ENUMS),
        *((name, _reader(name, _boolean_values)) for name in BOOLEANS),
        *((name, _reader(name, _list_values)) for name in LISTS),
        ("media", lambda unit: _one(_medium(unit))),
        ("display_format", lambda unit: _enum_values(unit.representative.display_format)),
    ]
    distributions = [_distribution(units, name, values_of) for name, values_of in readers]
    labelled = [unit for unit in units if _labelled(unit)]
    return AttributeSummary(
        ads_described=sum(unit.representative.description is not None for unit in units),
        ads_labelled=len(labelled),
        distributions=[distribution for distribution in distributions if distribution.known_ads],
        labels=_label_shares(labelled),
    )


def _reader(name: str, parse: Callable[[Any], list[str] | None]) -> ValuesOf:
    return lambda unit: parse(unit.representative.attributes.get(name))


def _distribution(units: Sequence[CreativeUnit], attribute: str, values_of: ValuesOf) -> Distribution:
    counts: Counter[str] = Counter()
    examples: dict[str, list[int]] = {}
    known = 0
    for unit in units:
        values = values_of(unit)
        if values is None:
            continue
        known += 1
        for value in dict.fromkeys(values):  # a unit counts once per value
            counts[value] += 1
            found = examples.setdefault(value, [])
            if len(found) < EXAMPLES:
                found.append(unit.representative.ad_id)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_VALUES]
    return Distribution(
        attribute=attribute,
        known_ads=known,
        values=[
            ValueShare(value=value, ads=count, share=round(count / known, 4), ad_ids=examples[value])
            for value, count in ranked
        ],
    )


def _label_shares(labelled: list[CreativeUnit]) -> list[LabelShare]:
    """Per label held with confidence, the share of labelled units that carry it, most carried first."""
    carriers: dict[tuple[str, str], list[int]] = {}
    for unit in labelled:
        held = {
            (label.taxonomy, label.label)
            for label in unit.representative.labels
            if label.confidence >= LABEL_CONFIDENCE
        }
        for key in sorted(held):
            carriers.setdefault(key, []).append(unit.representative.ad_id)
    return [
        LabelShare(
            taxonomy=cast(Taxonomy, taxonomy),  # ad_labels' CHECK allows only the two
            label=label,
            ads=len(ad_ids),
            share=round(len(ad_ids) / len(labelled), 4),
            ad_ids=ad_ids[:EXAMPLES],
        )
        for (taxonomy, label), ad_ids in sorted(carriers.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def _one(value: str | None) -> list[str] | None:
    return None if value is None else [value]


def _enum_values(value: Any) -> list[str] | None:
    text = value.strip().lower() if isinstance(value, str) else ""
    return [text] if text else None


def _boolean_values(value: Any) -> list[str] | None:
    return [str(value).lower()] if isinstance(value, bool) else None


def _list_values(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [" ".join(item.lower().split()) for item in value if isinstance(item, str) and item.strip()]
