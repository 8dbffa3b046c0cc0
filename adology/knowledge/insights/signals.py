"""The binary signals a trend is tested on, one row per creative unit.

A signal is named ``family:value`` (``cta:learn_more``, ``format:video``,
``label:TREND:urgency_limited_time``, ``hue:rose``, ``visual_style:v2``) or by a boolean attribute's
name (``urgency``). Each has a *known* mask beside its values: a unit whose analysis does not say
(no CTA read, an attribute the provider cannot measure, an ad not labelled yet) is left out of that
signal's test rather than counted as "no", since unknown is not absence.
"""

from __future__ import annotations

import colorsys
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from adology.knowledge.insights.data import AdRecord, CreativeUnit

LABEL_CONFIDENCE = 0.5  # a label counts as present from this confidence on
# enum attributes tested value by value, under the family name each gets
ENUM_FAMILIES = {
    "cta_type": "cta",
    "offer_type": "offer",
    "format": "format",
    "orientation": "orientation",
    "color_palette_name": "palette",
    "tone": "tone",
    "layout": "layout",
    "seasonality": "seasonality",
}
BOOLEAN_ATTRIBUTES = ("urgency", "scarcity", "price_shown", "people_present", "new_launch", "subscription_offer")
_HUES = ("red", "orange", "yellow", "lime", "green", "teal", "cyan", "azure", "blue", "violet", "magenta", "rose")


@dataclass(frozen=True)
class SignalMatrix:
    names: list[str]
    present: np.ndarray  # bool, units × signals
    known: np.ndarray  # bool, units × signals: whether the unit's analysis says either way

    def family(self, index: int) -> str:
        return self.names[index].split(":", 1)[0]


def signal_matrix(units: Sequence[CreativeUnit], visual_styles: np.ndarray | None = None) -> SignalMatrix:
    """Every signal some unit shows, over ``units`` (``visual_styles``: a style id per unit, -1 unknown)."""
    columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    count = len(units)

    def add_family(family: str, value_of: Callable[[AdRecord], str | None]) -> None:
        values = [value_of(unit.representative) for unit in units]
        known = np.array([value is not None for value in values], dtype=bool)
        as_array = np.array([value or "" for value in values], dtype=object)
        for value in sorted({value for value in values if value is not None}):
            columns[f"{family}:{value}"] = (as_array == value, known)

    for attribute, family in ENUM_FAMILIES.items():
        add_family(family, functools.partial(_enum_value, name=attribute))
    add_family("display", lambda ad: ad.display_format.lower() if ad.display_format else None)
    add_family("hue", lambda ad: _hue(ad.attributes.get("dominant_colors")))
    for attribute in BOOLEAN_ATTRIBUTES:
        values = [unit.representative.attributes.get(attribute) for unit in units]
        known = np.array([isinstance(value, bool) for value in values], dtype=bool)
        columns[attribute] = (np.array([value is True for value in values], dtype=bool), known)
    labelled = np.array([bool(unit.representative.labels) for unit in units], dtype=bool)
    carriers: dict[str, list[int]] = {}
    for row, unit in enumerate(units):
        for label in unit.representative.labels:
            if label.confidence >= LABEL_CONFIDENCE:
                carriers.setdefault(f"label:{label.taxonomy}:{label.label}", []).append(row)
    for name in sorted(carriers):
        present = np.zeros(count, dtype=bool)
        present[carriers[name]] = True
        columns[name] = (present, labelled)
    if visual_styles is not None:
        known = visual_styles >= 0
        for style in sorted(set(visual_styles[known].tolist())):
            columns[f"visual_style:v{style + 1}"] = (visual_styles == style, known)
    names = list(columns)
    if not names:
        return SignalMatrix([], np.zeros((count, 0), dtype=bool), np.zeros((count, 0), dtype=bool))
    return SignalMatrix(
        names,
        np.column_stack([columns[name][0] for name in names]),
        np.column_stack([columns[name][1] for name in names]),
    )


def _enum_value(ad: AdRecord, *, name: str) -> str | None:
    value = ad.attributes.get(name)
    return value if isinstance(value, str) and value else None


def _hue(colours: object) -> str | None:
    """The leading dominant colour as a named hue, or grey/white/black when it has little colour."""
    if not isinstance(colours, list) or not colours or not isinstance(colours[0], str):
        return None
    code = colours[0].lstrip("#")
    if len(code) != 6:
        return None
    try:
        red, green, blue = (int(code[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return None
    hue, saturation, value = colorsys.rgb_to_hsv(red, green, blue)
    if value < 0.2:
        return "black"
    if saturation < 0.15:
        return "white" if value > 0.85 else "grey"
    return _HUES[int(((hue * 360 + 15) % 360) // 30)]
