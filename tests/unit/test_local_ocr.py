"""Reading text for the local provider: PP-OCRv6 on a detection-sized copy, each region read once.

Pinned here, on images drawn with Pillow: words are read with the spaces between them (the
previous models ran "FREE SHIPPING" together); small type on a large portrait creative and text
on a tiny or sliver-shaped image are read; boxes are fractions of the frame in reading order;
scribbles and noise give no single-letter "words"; a region's reading does not depend on what
else was read before or in which process (a fresh model pair reads the same); and a video's
keyframes are its scenes' middles, at most ``MAX_KEYFRAMES``, keeping the first and last scene.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from adology.ai.local import ocr
from adology.ai.local.ocr import read_text
from adology.ai.local.video import MAX_KEYFRAMES, keyframe_scenes


def _drawn(size: tuple[int, int], lines: list[tuple[str, int, float]]) -> np.ndarray:
    """BGR pixels: each (text, font px, vertical position as a fraction) centred, dark on light."""
    image = Image.new("RGB", size, (246, 240, 230))
    draw = ImageDraw.Draw(image)
    for text, font_px, y in lines:
        draw.text(
            (size[0] / 2, size[1] * y), text, font=ImageFont.load_default(size=font_px), fill=(25, 25, 25), anchor="mm"
        )
    return np.asarray(image)[:, :, ::-1].copy()


def test_words_are_read_with_their_spaces_in_reading_order() -> None:
    lines = read_text(
        _drawn((600, 600), [("FREE SHIPPING", 54, 0.2), ("Glow all day", 40, 0.5), ("SHOP NOW", 44, 0.8)])
    )
    assert [line.text for line in lines] == ["FREE SHIPPING", "Glow all day", "SHOP NOW"]
    for line in lines:
        assert 0.0 <= line.box[0] < line.box[2] <= 1.0 and 0.0 <= line.box[1] < line.box[3] <= 1.0
        assert line.confidence >= ocr.MIN_TEXT_CONFIDENCE
    assert lines[0].box[3] < lines[1].box[1] < lines[2].box[1]


def test_small_type_on_a_large_portrait_creative_is_read() -> None:
    # 3% of the short side: the smallest type the evaluation set draws
    lines = read_text(_drawn((1080, 1920), [("Limited stock", 34, 0.9), ("BIG HEADLINE", 110, 0.3)]))
    assert {line.text for line in lines} == {"BIG HEADLINE", "Limited stock"}


@pytest.mark.parametrize("size", [(120, 40), (900, 60), (40, 400)])
def test_tiny_and_sliver_images_are_read_without_blowing_up(size: tuple[int, int]) -> None:
    text = "SALE" if size[0] < size[1] else "SALE 20"
    pixels = _drawn(size, [(text, min(size) // 2, 0.5)])
    lines = read_text(pixels)
    assert all(line.text for line in lines)
    if size[0] > size[1]:
        assert [line.text for line in lines] == [text]


def test_scribbles_and_noise_give_no_single_letter_words() -> None:
    rng = np.random.default_rng(11)
    image = Image.fromarray(rng.integers(0, 256, (480, 480, 3), dtype=np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(80):
        x, y = (int(v) for v in rng.integers(20, 460, 2))
        draw.line([(x + int(dx), y + int(dy)) for dx, dy in rng.integers(-18, 18, (4, 2))], fill=(10, 10, 10), width=4)
    lines = read_text(np.asarray(image)[:, :, ::-1].copy())
    assert all(sum(ch.isalnum() for ch in line.text) >= 2 for line in lines)


def test_a_reading_does_not_depend_on_what_was_read_before(monkeypatch: pytest.MonkeyPatch) -> None:
    pixels = _drawn((800, 450), [("50% OFF", 60, 0.3), ("ENDS SUNDAY", 36, 0.6), ("Shop the sale", 30, 0.85)])
    first = read_text(pixels)
    assert read_text(pixels) == first  # regions read before: taken as read
    # a new process's models and no readings kept: the same lines, to the last digit
    monkeypatch.setattr(ocr, "_models", None)
    monkeypatch.setattr(ocr, "_readings", type(ocr._readings)())
    assert read_text(pixels) == first


def test_keyframes_are_every_scene_up_to_the_cap_then_first_last_and_longest() -> None:
    assert keyframe_scenes([12, 12, 12]) == [0, 1, 2]
    assert keyframe_scenes([5] * MAX_KEYFRAMES) == list(range(MAX_KEYFRAMES))
    lengths = [3, 40, 2, 2, 30, 2, 2, 25, 2, 2, 20, 2, 4]
    chosen = keyframe_scenes(lengths)
    assert len(chosen) == MAX_KEYFRAMES
    assert chosen[0] == 0 and chosen[-1] == len(lengths) - 1
    assert set(chosen[1:-1]) == {1, 4, 7, 10}  # the four longest scenes between
    assert chosen == sorted(chosen)
