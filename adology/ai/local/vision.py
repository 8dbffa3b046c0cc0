"""Measurements of one still image: the text on it (:mod:`.ocr`) and the button each line sits in
(:mod:`.buttons`), its colours and light (:mod:`.colour`), faces (:mod:`.faces`), layout and its
visual vector (:mod:`.visual_vector`).

Everything here is computed from pixels, offline, with fixed parameters and single-threaded models,
so the same bytes give the same numbers in every process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from adology.ai.local.buttons import Button, buttons_around
from adology.ai.local.colour import Look, measure_look
from adology.ai.local.faces import count_faces
from adology.ai.local.ocr import OCR_MAX_SIDE, TextLine, read_text, text_layout
from adology.ai.local.visual_vector import visual_features
from adology.ai.media_limits import image_size
from adology.ai.types import AIError
from adology.logs import get_logger

log = get_logger(__name__)

# Formats cv2.imdecode reads; bytes starting otherwise are not an image we support.
_IMAGE_MAGIC = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",  # TIFF
)
_COMMON_RATIOS = {
    "1:1": 1.0,
    "4:5": 0.8,
    "9:16": 9 / 16,
    "16:9": 16 / 9,
    "1.91:1": 1.91,
    "2:3": 2 / 3,
    "3:4": 0.75,
    "4:3": 4 / 3,
    "3:2": 1.5,
}


@dataclass(frozen=True, slots=True, eq=False)
class ImageMeasurements:
    width: int
    height: int
    text_lines: tuple[TextLine, ...]  # reading order: top to bottom, then left to right
    buttons: tuple[Button | None, ...]  # the button or badge each text line sits in, if any
    text_area_ratio: float
    layout: str  # one of the attribute schema's ``layout`` values
    look: Look
    face_count: int
    visual_vector: np.ndarray  # float32, VISUAL_DIM, unit norm


def decode_image(data: bytes) -> np.ndarray:
    """BGR pixels of an encoded image; ``unsupported_media`` for non-images, ``corrupt_media`` for broken
    ones, ``media_too_large`` for one whose header declares more pixels than may be decoded."""
    if not data:
        raise AIError("corrupt_media", "the image is empty (0 bytes)")
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not (is_webp or data.startswith(_IMAGE_MAGIC)):
        raise AIError("unsupported_media", f"not a JPEG, PNG, GIF, WebP, BMP or TIFF image (starts {data[:8]!r})")
    image_size(data)  # the declared size, refused before decoding when too large
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if pixels is None or pixels.size == 0:
        raise AIError("corrupt_media", f"the image ({len(data)} bytes) could not be decoded")
    return pixels


def measure_image(data: bytes) -> ImageMeasurements:
    return measure_frame(decode_image(data))


def measure_frame(bgr: np.ndarray) -> ImageMeasurements:
    """Every measurement of one BGR frame (an image, or a video keyframe)."""
    started = time.perf_counter()
    height, width = bgr.shape[:2]
    work = ocr_sized(bgr)
    measured = measure_read_frame(work, read_text(work), width=width, height=height)
    log.debug(
        "measured frame",
        extra={
            "width": width,
            "height": height,
            "text_lines": len(measured.text_lines),
            "ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return measured


def ocr_sized(bgr: np.ndarray) -> np.ndarray:
    """The frame at most OCR_MAX_SIDE pixels long. Every measurement is relative (fractions, shares,
    means), so all of them read this one copy: a 4000-pixel photo costs what an 800-pixel one does."""
    height, width = bgr.shape[:2]
    scale = min(1.0, OCR_MAX_SIDE / max(height, width))
    if scale == 1.0:
        return bgr
    return cv2.resize(bgr, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)


def measure_read_frame(work: np.ndarray, lines: tuple[TextLine, ...], *, width: int, height: int) -> ImageMeasurements:
    """The measurements of a ``width``×``height`` frame, given as its :func:`ocr_sized` copy ``work``,
    on which OCR read ``lines``: the button or badge around each line is measured here, on the same
    pixels, so a keyframe's lines carry that evidence as an image's do."""
    text_area = min(1.0, sum(line.area for line in lines))
    return ImageMeasurements(
        width=width,
        height=height,
        text_lines=lines,
        buttons=buttons_around(work, [line.box for line in lines]),
        text_area_ratio=round(text_area, 4),
        layout=text_layout(lines, text_area),
        look=measure_look(work),
        face_count=count_faces(work),
        visual_vector=visual_features(work),
    )


def aspect_ratio_label(width: int, height: int) -> str:
    ratio = width / height
    for label, common in _COMMON_RATIOS.items():
        if abs(ratio - common) / common <= 0.03:
            return label
    return f"{ratio:.2f}:1"


def orientation(width: int, height: int) -> str:
    if abs(width - height) <= 0.05 * max(width, height):
        return "square"
    return "portrait" if height > width else "landscape"
