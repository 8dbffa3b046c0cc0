"""OCR lines assembled into the phrases a viewer reads, before any rule looks for offers or CTAs.

An OCR engine returns pieces: "FREE" and "SHIPPING" as two boxes on one row when the words are
spaced widely, "FREE GIFT WITH" above "PURCHASE" when a badge wraps. Rules that look for "FREE
SHIPPING" in one line miss both. Here the pieces of one frame are put back together:

- a **phrase** is the lines on one row (they overlap vertically, have similar heights and sit
  close together, in line heights measured in pixels), joined left to right;
- a **block** is the phrases stacked as one paragraph (similar heights, small gaps, overlapping
  horizontally), in which a word may be split over two lines;
- a line in a button or badge (:mod:`.buttons`) joins only lines in the same one, so a
  button's label stays a phrase of its own;
- phrases come in reading order: rows top to bottom, left to right within a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adology.ai.local.buttons import Box, Button
from adology.ai.local.ocr import TextLine

# Two lines are on one row when they overlap vertically by at least half the smaller one's height,
# one is no less than this share of the other's height, and the gap between them is at most
# ROW_GAP line heights (a word space is under half a line height; wide letter-spacing about one).
ROW_OVERLAP = 0.5
ROW_HEIGHT_RATIO = 0.6
ROW_GAP = 1.5
# Two rows are one paragraph when their heights are this similar and the second starts within
# BLOCK_GAP line heights below the first (line spacing), overlapping it horizontally.
BLOCK_HEIGHT_RATIO = 0.75
BLOCK_GAP = 0.8


@dataclass(frozen=True, slots=True)
class Phrase:
    """Lines read on one row, joined: its words and the button or badge it is drawn in, if any."""

    text: str
    button: Button | None = None


Block = tuple[Phrase, ...]  # phrases stacked as one paragraph, top to bottom


def assemble_blocks(
    lines: Sequence[TextLine],
    width: int,
    height: int,
    buttons: Sequence[Button | None] | None = None,
) -> list[Block]:
    """The paragraphs of one ``width``×``height`` frame in reading order; ``buttons`` aligns with ``lines``."""
    placed = [
        _Piece(line.text.strip(), line.box, buttons[i] if buttons is not None else None, width, height)
        for i, line in enumerate(lines)
        if line.text.strip()
    ]
    rows = _rows(placed)
    rows.sort(key=lambda row: (min(p.y0 for p in row), row[0].x0))
    grouped: list[list[list[_Piece]]] = []
    for row in _reading_order(rows):
        if grouped and _same_block(grouped[-1][-1], row):
            grouped[-1].append(row)
        else:
            grouped.append([row])
    return [
        tuple(
            Phrase(
                text=" ".join(piece.text for piece in row),
                button=next((piece.button for piece in row if piece.button is not None), None),
            )
            for row in block
        )
        for block in grouped
    ]


def block_text(block: Sequence[Phrase]) -> str:
    """A paragraph's text; a word hyphenated at a line's end ("SHIP-" / "PING") is joined again."""
    text = ""
    for phrase in block:
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and phrase.text[:1].isalpha():
            text = text[:-1] + phrase.text
        else:
            text = f"{text} {phrase.text}" if text else phrase.text
    return text


@dataclass(frozen=True, slots=True)
class _Piece:
    """An OCR line with its box in pixels, which is what gaps and heights are compared in."""

    text: str
    box: Box
    button: Button | None
    width: int
    height: int

    @property
    def x0(self) -> float:
        return self.box[0] * self.width

    @property
    def x1(self) -> float:
        return self.box[2] * self.width

    @property
    def y0(self) -> float:
        return self.box[1] * self.height

    @property
    def y1(self) -> float:
        return self.box[3] * self.height

    @property
    def h(self) -> float:
        return max(1e-6, self.y1 - self.y0)


def _rows(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Chains of pieces joined left to right, each to its nearest neighbour on the same row."""
    pieces = sorted(pieces, key=lambda piece: piece.x0)
    rows: list[list[_Piece]] = []
    for piece in pieces:
        candidates = [row for row in rows if _continues_row(row[-1], piece)]
        if candidates:
            min(candidates, key=lambda row: piece.x0 - row[-1].x1).append(piece)
        else:
            rows.append([piece])
    return rows


def _continues_row(left: _Piece, right: _Piece) -> bool:
    if not _same_enclosure(left, right):
        return False  # a button's label never joins text outside it
    overlap = min(left.y1, right.y1) - max(left.y0, right.y0)
    smaller, larger = sorted((left.h, right.h))
    gap = right.x0 - left.x1
    return (
        overlap >= ROW_OVERLAP * smaller
        and smaller >= ROW_HEIGHT_RATIO * larger
        and -0.5 * smaller <= gap <= ROW_GAP * larger
    )


def _reading_order(rows: list[list[_Piece]]) -> list[list[_Piece]]:
    """Rows top to bottom; rows that overlap vertically (side by side) left to right."""
    ordered: list[list[list[_Piece]]] = []  # bands of side-by-side rows
    for row in rows:  # sorted by top edge
        top, bottom = min(p.y0 for p in row), max(p.y1 for p in row)
        band = ordered[-1] if ordered else None
        if band is not None:
            band_bottom = max(p.y1 for r in band for p in r)
            if top < band_bottom - 0.5 * (bottom - top):
                band.append(row)
                continue
        ordered.append([row])
    return [row for band in ordered for row in sorted(band, key=lambda r: r[0].x0)]


def _same_block(upper: list[_Piece], lower: list[_Piece]) -> bool:
    if not _same_enclosure(upper[0], lower[0]):
        return False
    upper_h = sum(p.h for p in upper) / len(upper)
    lower_h = sum(p.h for p in lower) / len(lower)
    smaller, larger = sorted((upper_h, lower_h))
    gap = min(p.y0 for p in lower) - max(p.y1 for p in upper)
    overlap = min(upper[-1].x1, lower[-1].x1) - max(upper[0].x0, lower[0].x0)
    return smaller >= BLOCK_HEIGHT_RATIO * larger and -0.3 * smaller <= gap <= BLOCK_GAP * larger and overlap > 0


def _same_enclosure(first: _Piece, second: _Piece) -> bool:
    """Both outside any button, or both inside one (each line measures its button on its own, so
    one line may find the shape the other missed: being inside the other's shape is enough)."""
    if first.button is None and second.button is None:
        return True
    return _inside(first, second.button) or _inside(second, first.button)


def _inside(piece: _Piece, button: Button | None) -> bool:
    if button is None:
        return False
    x, y = (piece.box[0] + piece.box[2]) / 2, (piece.box[1] + piece.box[3]) / 2
    return button.box[0] <= x <= button.box[2] and button.box[1] <= y <= button.box[3]
