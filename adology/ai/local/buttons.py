"""Whether a line of text sits in a button or badge: a shape drawn around it, measured on pixels.

A call to action is usually drawn in a filled rectangle or pill of one colour that stands out from
what is around it, or inside an outlined box, and an offer in a badge. :func:`button_around` looks
for that shape around one OCR line: the colour beside the words must be one flat fill, the pixels
of that fill must form one compact, roughly rectangular shape that holds the words and closes
within a few line heights of them, and the shape's edge must be another colour (the surroundings
of a filled button, or the stroke of an outlined box). Text on a photograph, on a gradient or on a
band running to the frame's edge has no such shape.

OCR's box may hug the glyphs or pad them so generously that it covers the whole button, or more: so
the fill is not looked for at a fixed distance from the box, but among the few colours that cover
most of the box and its rim, each tried in turn (the glyphs' colour and the background's fail the
shape test, the button's passes).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[float, float, float, float]  # (x0, y0, x1, y1) as fractions of the frame
_PixelBox = tuple[int, int, int, int]

# How far around the line (in line heights) a button may reach: a CTA button pads its label by
# about one line height on each side; a fill that runs further is a band or the background.
_REACH_ACROSS = 3.0
_REACH_ABOVE_BELOW = 2.0
# Lab distance under which a pixel counts as the fill's colour; JPEG noise on a flat fill stays
# well under it, while a drawn edge or a different colour is far above it.
_SAME_COLOUR = 20.0
_COLOUR_BIN = 16.0  # Lab units per bin when finding the main colours around a line
_MIN_COLOUR_SHARE = 0.08  # a colour covering less of the line's box and rim is neither fill nor ink
_MAX_FILL_CANDIDATES = 4
_MIN_RECTANGULARITY = 0.8  # the shape's area over its (rotated) bounding rectangle: a pill or box, not a blob
_MIN_EDGE_CONTRAST = 0.6  # share of the pixels along the shape's edge that are not the fill colour
_MIN_LINE_PIXELS = 6  # lines shorter than this many pixels are too small to measure around
_MEASURED_LINE_PIXELS = 16  # a taller line's surroundings are scaled down to this line height first


@dataclass(frozen=True, slots=True)
class Button:
    """A shape around a line of text: its box (fractions of the frame) and how it stands out."""

    box: Box
    contrast: float  # distance in (8-bit) Lab between the fill and the shape's edge, / 100

    def describe(self) -> str:
        width, height = self.box[2] - self.box[0], self.box[3] - self.box[1]
        return f"in a box ({width:.0%}×{height:.0%} of the frame, edge contrast {self.contrast:.2f})"


def button_around(bgr: np.ndarray, line_box: Box) -> Button | None:
    """The button or badge ``line_box`` sits in, or None when the text is not in one."""
    frame_h, frame_w = bgr.shape[:2]
    x0, y0 = round(line_box[0] * frame_w), round(line_box[1] * frame_h)
    x1, y1 = round(line_box[2] * frame_w), round(line_box[3] * frame_h)
    line_h = y1 - y0
    if line_h < _MIN_LINE_PIXELS or x1 - x0 < _MIN_LINE_PIXELS:
        return None
    # The window a button may occupy; a fill reaching its edge (or the frame's) is not a button.
    wx0, wx1 = max(0, x0 - round(_REACH_ACROSS * line_h)), min(frame_w, x1 + round(_REACH_ACROSS * line_h))
    wy0, wy1 = max(0, y0 - round(_REACH_ABOVE_BELOW * line_h)), min(frame_h, y1 + round(_REACH_ABOVE_BELOW * line_h))
    # A shape is as clear with the line ~16 pixels tall as at full size, at a fraction of the cost.
    scale = min(1.0, _MEASURED_LINE_PIXELS / line_h)
    window = bgr[wy0:wy1, wx0:wx1]
    if scale < 1.0:
        size = (max(1, round(window.shape[1] * scale)), max(1, round(window.shape[0] * scale)))
        window = cv2.resize(window, size, interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(window, cv2.COLOR_BGR2LAB).astype(np.float32)
    text = (round((x0 - wx0) * scale), round((y0 - wy0) * scale), round((x1 - wx0) * scale), round((y1 - wy0) * scale))
    line_h = text[3] - text[1]
    reach = max(2, line_h // 6)
    rim = lab[max(0, text[1] - reach) : text[3] + reach, max(0, text[0] - reach) : text[2] + reach]
    for colour in _main_colours(rim):
        found = _shape_around(lab, text, colour) or _outline_around(lab, text, colour)
        if found is not None:
            (left, top, right, bottom), contrast = found
            return Button(
                box=(
                    round((wx0 + left / scale) / frame_w, 4),
                    round((wy0 + top / scale) / frame_h, 4),
                    round((wx0 + right / scale) / frame_w, 4),
                    round((wy0 + bottom / scale) / frame_h, 4),
                ),
                contrast=contrast,
            )
    return None


def buttons_around(bgr: np.ndarray, line_boxes: list[Box]) -> tuple[Button | None, ...]:
    """:func:`button_around` for each line of one frame, in the same order."""
    return tuple(button_around(bgr, box) for box in line_boxes)


def _main_colours(lab: np.ndarray) -> list[np.ndarray]:
    """The colours covering at least :data:`_MIN_COLOUR_SHARE` of ``lab``, most common first (mean
    Lab of each bin of a coarse grid, so JPEG noise on a flat fill stays one colour)."""
    pixels = lab.reshape(-1, 3)
    bins = (pixels // _COLOUR_BIN).astype(np.int32)
    keys = (bins[:, 0] * 64 + bins[:, 1]) * 64 + bins[:, 2]
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    order = np.argsort(-counts)
    return [
        pixels[inverse == index].mean(axis=0)
        for index in order[:_MAX_FILL_CANDIDATES]
        if counts[index] >= _MIN_COLOUR_SHARE * len(pixels)
    ]


def _shape_around(lab: np.ndarray, text: _PixelBox, fill: np.ndarray) -> tuple[_PixelBox, float] | None:
    """The shape of colour ``fill`` that holds ``text``, and the contrast of its edge, if it is one."""
    same = np.linalg.norm(lab - fill, axis=2) < _SAME_COLOUR
    inside = np.zeros(same.shape, dtype=bool)
    inside[text[1] : text[3], text[0] : text[2]] = True
    seeds = inside & same
    if not seeds.any():
        return None
    # The fill around the words is one piece (the glyphs are holes in it); its outline, holes
    # filled, is the shape.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(same.astype(np.uint8), connectivity=4)
    piece = int(np.bincount(labels[seeds], minlength=count)[1:].argmax()) + 1
    left, top, width, height = (int(v) for v in stats[piece, :4])
    right, bottom = left + width, top + height
    window_h, window_w = same.shape
    if left == 0 or top == 0 or right == window_w or bottom == window_h:
        return None  # the fill runs on past where a button would end: a band or the background
    contours, _ = cv2.findContours((labels == piece).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    slack = (text[3] - text[1]) // 4  # a padded box may poke a little past a tight button
    if not (
        left - slack <= text[0] and top - slack <= text[1] and right + slack >= text[2] and bottom + slack >= text[3]
    ):
        return None  # a shape beside the words, or inside them, not around them
    _, (rect_w, rect_h), _ = cv2.minAreaRect(outline)
    if cv2.contourArea(outline) < _MIN_RECTANGULARITY * rect_w * rect_h:
        return None
    # Just outside the shape: the surroundings of a filled button, or the stroke of an outlined box.
    shape = np.zeros(same.shape, dtype=np.uint8)
    cv2.drawContours(shape, [outline], -1, 1, thickness=cv2.FILLED)
    reach = max(2, (text[3] - text[1]) // 8)
    grown = cv2.dilate(shape, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    edge = grown.astype(bool) & ~shape.astype(bool)
    if not edge.any() or 1.0 - same[edge].mean() < _MIN_EDGE_CONTRAST:
        return None
    contrast = round(float(np.linalg.norm(fill - np.median(lab[edge], axis=0))) / 100, 3)
    return (left, top, right, bottom), contrast


def _outline_around(lab: np.ndarray, text: _PixelBox, ink: np.ndarray) -> tuple[_PixelBox, float] | None:
    """The box drawn in colour ``ink`` as an outline around ``text`` (over a background of any kind),
    and the contrast between the stroke and what it encloses, if there is one."""
    same = (np.linalg.norm(lab - ink, axis=2) < _SAME_COLOUR).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(same, connectivity=8)
    window_h, window_w = same.shape
    slack = (text[3] - text[1]) // 4
    around = [
        piece
        for piece in range(1, count)
        if 0 < stats[piece, 0] <= text[0] + slack
        and 0 < stats[piece, 1] <= text[1] + slack
        and stats[piece, 0] + stats[piece, 2] >= text[2] - slack
        and stats[piece, 1] + stats[piece, 3] >= text[3] - slack
        and stats[piece, 0] + stats[piece, 2] < window_w
        and stats[piece, 1] + stats[piece, 3] < window_h
    ]
    if not around:
        return None
    piece = min(around, key=lambda index: int(stats[index, 2]) * int(stats[index, 3]))
    contours, _ = cv2.findContours((labels == piece).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    _, (rect_w, rect_h), _ = cv2.minAreaRect(outline)
    if cv2.contourArea(outline) < _MIN_RECTANGULARITY * rect_w * rect_h:
        return None  # ink that reaches around the words, but not as a box
    enclosed = np.zeros(same.shape, dtype=np.uint8)
    cv2.drawContours(enclosed, [outline], -1, 1, thickness=cv2.FILLED)
    inner = enclosed.astype(bool) & ~same.astype(bool)
    if not inner.any():
        return None
    left, top, width, height = (int(v) for v in stats[piece, :4])
    contrast = round(float(np.linalg.norm(ink - np.median(lab[inner], axis=0))) / 100, 3)
    return (left, top, left + width, top + height), contrast
