"""The binary signals a trend is tested on, one row per creative unit, read from the unit's
representative analysis.

A signal is named ``family:value`` (``cta:learn_more``, ``format:video``,
``label:TREND:urgency_limited_time``, ``hue:rose``, ``visual_style:v2``), or by its boolean
attribute's name alone (``urgency``, whose family is its name).

**Known.** Beside its values every signal has a *known* mask: whether the unit's analysis says
anything about that signal's family. A unit whose representative has no CTA read, was not
described or labelled yet, or has an attribute its provider cannot measure (the local provider
reports ``people_present`` only when it sees a face) is left out of the signal's test instead of
counted as "no": counted as "no", an analysis that catches up late, or a provider that only ever
reports one value, would look like a change in the brand's ads. Within a family a known unit has
exactly one value, so the denominators of ``cta:learn_more`` and ``cta:shop_now`` are the same
units. Labels are known for a unit whose representative was labelled (it has labels, or its label
stage succeeded and found none). ``present`` is never True where ``known`` is False.

**Media.** ``media:video|image|none`` comes from what the describe stage measured, never from the
source's ``display_format`` (that one is the ``display`` family): ``video`` when the measured
format is video or a video was measured inside a carousel, ``image`` for an image or a carousel of
images, ``none`` for a described unit with no stored creative. A unit not described is unknown,
like every other attribute family, so media agrees with the rest of the analysis it sits beside.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from adology.knowledge.insights.data import CreativeUnit

LABEL_CONFIDENCE = 0.5  # a label counts as present from this confidence on
# enum attributes tested value by value, under the family name each gets
ENUM_FAMILIES = {
    "cta_type": "cta",
    "offer_type": "offer",
    "format": "format",
    "orientation": "orientation",
    "color_palette_name": "palette",
    "tone": "tone",
}
BOOLEAN_ATTRIBUTES = ("urgency", "scarcity", "price_shown", "people_present")
# twelve 30° hue buckets, each centred on its colour (red spans 345°-15°)
HUES = ("red", "orange", "yellow", "lime", "green", "teal", "cyan", "azure", "blue", "violet", "magenta", "rose")
DARK_BELOW = 0.2  # HSV value under which a colour reads as dark whatever its hue
GREY_BELOW = 0.15  # HSV saturation under which a colour reads as light or grey
LIGHT_ABOVE = 0.8  # HSV value above which an unsaturated colour reads as light
LABEL_STAGE = "label"  # the analysis stage whose success makes an ad's labels known, even when it has none


@dataclass(frozen=True)
class SignalMatrix:
    names: list[str]
    present: np.ndarray  # bool, units × signals; never True where known is False
    known: np.ndarray  # bool, units × signals: whether the unit's analysis says either way


def signal_matrix(units: Sequence[CreativeUnit], visual_styles: np.ndarray | None = None) -> SignalMatrix:
    """Every signal some unit has a value for; ``visual_styles`` is a style id per unit (-1: no visual vector)."""
    columns = _Columns(len(units))
    for attribute, family in ENUM_FAMILIES.items():
        columns.add_family(family, [_text(unit.representative.attributes.get(attribute)) for unit in units])
    columns.add_family("media", [_medium(unit) for unit in units])
    columns.add_family("display", [_text(unit.representative.display_format) for unit in units])
    columns.add_family("hue", [_hue(unit.representative.attributes.get("dominant_colors")) for unit in units])
    for attribute in BOOLEAN_ATTRIBUTES:
        values = [unit.representative.attributes.get(attribute) for unit in units]
        known = np.array([isinstance(value, bool) for value in values], dtype=bool)
        if known.any():
            columns.add(attribute, np.array([value is True for value in values], dtype=bool), known)
    _add_labels(columns, units)
    if visual_styles is not None:
        columns.add_family("visual_style", [f"v{style + 1}" if style >= 0 else None for style in visual_styles])
    return columns.matrix()


class _Columns:
    """The matrix's columns, in the order they are added."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.names: list[str] = []
        self.present: list[np.ndarray] = []
        self.known: list[np.ndarray] = []

    def add(self, name: str, present: np.ndarray, known: np.ndarray) -> None:
        self.names.append(name)
        self.present.append(present & known)
        self.known.append(known)

    def add_family(self, family: str, values: Sequence[str | None]) -> None:
        """One signal per value some unit has; a unit is known for all of them when it has any value."""
        known = np.array([value is not None for value in values], dtype=bool)
        rows_of: dict[str, list[int]] = {}
        for row, value in enumerate(values):
            if value is not None:
                rows_of.setdefault(value, []).append(row)
        for value in sorted(rows_of):
            self.add(f"{family}:{value}", self.rows(rows_of[value]), known)

    def rows(self, rows: list[int]) -> np.ndarray:
        mask = np.zeros(self.count, dtype=bool)
        mask[rows] = True
        return mask

    def matrix(self) -> SignalMatrix:
        if not self.names:
            empty = np.zeros((self.count, 0), dtype=bool)
            return SignalMatrix([], empty, empty.copy())
        return SignalMatrix(self.names, np.column_stack(self.present), np.column_stack(self.known))


def _add_labels(columns: _Columns, units: Sequence[CreativeUnit]) -> None:
    """One signal per label some representative carries with enough confidence, known where it was labelled."""
    labelled = np.array([_labelled(unit) for unit in units], dtype=bool)
    rows_of: dict[str, list[int]] = {}
    for row, unit in enumerate(units):
        for label in unit.representative.labels:
            if label.confidence >= LABEL_CONFIDENCE:
                rows_of.setdefault(f"label:{label.taxonomy}:{label.label}", []).append(row)
    for name in sorted(rows_of):
        columns.add(name, columns.rows(rows_of[name]), labelled)


def _labelled(unit: CreativeUnit) -> bool:
    representative = unit.representative
    return bool(representative.labels) or any(
        version.split(":", 1)[0] == LABEL_STAGE for version in representative.analysis_versions
    )


def _text(value: Any) -> str | None:
    """An enum value as a signal's value; an empty string says nothing."""
    if not isinstance(value, str):
        return None
    return value.strip().lower() or None


def _medium(unit: CreativeUnit) -> str | None:
    """What the describe stage measured the unit's creative to be (see the module's docstring)."""
    attributes = unit.representative.attributes
    if not attributes:
        return None
    measured_format = attributes.get("format")
    duration = attributes.get("video_duration_seconds")
    if measured_format == "video" or (isinstance(duration, int | float) and not isinstance(duration, bool)):
        return "video"
    if measured_format in ("image", "carousel"):
        return "image"
    if not any(ad.media_sha256 for ad in unit.ads):
        return "none"
    return None


def _hue(colours: Any) -> str | None:
    """The leading dominant colour (hex) as one of twelve hues, or light/dark/grey when it has little colour."""
    if not isinstance(colours, list) or not colours or not isinstance(colours[0], str):
        return None
    code = colours[0].strip().lstrip("#")
    if len(code) != 6:
        return None
    try:
        red, green, blue = (int(code[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return None
    hue, saturation, value = colorsys.rgb_to_hsv(red, green, blue)
    if value < DARK_BELOW:
        return "dark"
    if saturation < GREY_BELOW:
        return "light" if value > LIGHT_ABOVE else "grey"
    return HUES[int((hue * 360 + 15) % 360 // 30)]
