"""Button evidence measured on pixels drawn with Pillow: whether a line of text sits in a button.

Pinned here: words in a filled pill or rectangle, or inside an outlined box (even on a gradient),
are in a button whose box holds them, whether OCR's box hugs the glyphs or pads them past the
button's edge; words on a flat background, on a band running to the frame's edge, on a gradient or
on noise are not; a line too small to measure around has no evidence either way.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from adology.ai.local.buttons import Box, button_around, buttons_around

SIZE = (800, 800)
TEXT_BOX: Box = (0.35, 0.475, 0.65, 0.525)  # where the words are drawn, as OCR's tight box


def _frame(background: Image.Image, draw_shape: str | None) -> np.ndarray:
    draw = ImageDraw.Draw(background)
    if draw_shape == "pill":
        draw.rounded_rectangle((250, 355, 550, 445), radius=45, fill=(20, 20, 20))
    elif draw_shape == "rectangle":
        draw.rectangle((240, 350, 560, 450), fill=(200, 40, 60))
    elif draw_shape == "outline":
        draw.rectangle((250, 355, 550, 445), outline=(20, 20, 20), width=4)
    elif draw_shape == "band":
        draw.rectangle((0, 340, 800, 460), fill=(40, 90, 160))
    ink = (250, 250, 250) if draw_shape in ("pill", "rectangle", "band") else (20, 20, 20)
    draw.text((400, 400), "SHOP NOW", font=ImageFont.load_default(size=48), fill=ink, anchor="mm")
    return cv2.cvtColor(np.asarray(background), cv2.COLOR_RGB2BGR)


def _flat() -> Image.Image:
    return Image.new("RGB", SIZE, (245, 238, 228))


def _gradient() -> Image.Image:
    ys = np.linspace(0, 1, SIZE[1], dtype=np.float32)[:, None, None]
    pixels = np.array([120, 220, 140]) * (1 - ys) + np.array([40, 200, 230]) * ys
    return Image.fromarray(pixels.repeat(SIZE[0], axis=1).astype(np.uint8), "RGB")


def _noise() -> Image.Image:
    rng = np.random.default_rng(5)
    return Image.fromarray(rng.integers(90, 200, (SIZE[1], SIZE[0], 3), dtype=np.uint8), "RGB")


@pytest.mark.parametrize(
    ("background", "shape"),
    [(_flat, "pill"), (_flat, "rectangle"), (_flat, "outline"), (_gradient, "outline"), (_noise, "rectangle")],
)
def test_words_in_a_drawn_button_are_in_it(background: Callable[[], Image.Image], shape: str) -> None:
    frame = _frame(background(), shape)
    button = button_around(frame, TEXT_BOX)
    assert button is not None
    x0, y0, x1, y1 = button.box
    assert x0 <= TEXT_BOX[0] and y0 <= TEXT_BOX[1] and x1 >= TEXT_BOX[2] and y1 >= TEXT_BOX[3]
    assert (x1 - x0) <= 0.45 and (y1 - y0) <= 0.15, "the button's own box, not the frame"
    assert button.contrast > 0.2 and "in a box" in button.describe()


def test_a_padded_ocr_box_reaching_past_the_button_still_finds_it() -> None:
    padded: Box = (0.30, 0.435, 0.70, 0.565)  # past the pill's top and bottom edges
    assert button_around(_frame(_flat(), "pill"), padded) is not None


@pytest.mark.parametrize(("background", "shape"), [(_flat, None), (_flat, "band"), (_gradient, None), (_noise, None)])
def test_words_without_a_button_have_none(background: Callable[[], Image.Image], shape: str | None) -> None:
    assert button_around(_frame(background(), shape), TEXT_BOX) is None


def test_a_line_too_small_to_measure_has_no_evidence() -> None:
    frame = _frame(_flat(), "pill")
    assert buttons_around(frame, [(0.4, 0.5, 0.45, 0.503), TEXT_BOX])[0] is None
