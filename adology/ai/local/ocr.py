"""The text on an image: rapidocr (PP-OCR models shipped in its wheel), one engine per process.

A frame is read at most :data:`OCR_MAX_SIDE` pixels on its longest side; a line is kept only when
the recogniser is at least :data:`MIN_TEXT_CONFIDENCE` sure of it, so noise is not read as words.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

OCR_MAX_SIDE = 800
OCR_MIN_SIDE = 480
MIN_TEXT_CONFIDENCE = 0.8


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text read from an image; ``box`` is (x0, y0, x1, y1) as fractions of its size."""

    text: str
    confidence: float
    box: tuple[float, float, float, float]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def area(self) -> float:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


_ocr_lock = threading.Lock()
_ocr_engine: Any = None


def read_text(bgr: np.ndarray) -> tuple[TextLine, ...]:
    """The lines of text OCR reads with confidence, in reading order (``bgr`` as measure_frame sizes it)."""
    height, width = bgr.shape[:2]
    # The detector scales the short side up to OCR_MIN_SIDE; a sliver (10x300) would become
    # 480x14400. Padding right and bottom to at most 4:1 bounds that and leaves coordinates as they are.
    padded = cv2.copyMakeBorder(
        bgr, 0, max(0, -(-width // 4) - height), 0, max(0, -(-height // 4) - width), cv2.BORDER_REPLICATE
    )
    # One engine per process; its __call__ keeps per-call settings on the object, so calls take turns.
    with _ocr_lock:
        results, _ = _engine()(padded)
    lines = []
    for box, text, score in results or ():
        text = str(text).strip()
        if float(score) < MIN_TEXT_CONFIDENCE or not any(ch.isalnum() for ch in text):
            continue
        points = np.asarray(box, dtype=np.float64)
        x0, y0 = points.min(axis=0)
        x1, y1 = points.max(axis=0)
        lines.append(
            TextLine(
                text=text,
                confidence=round(float(score), 4),
                box=(_unit(x0 / width), _unit(y0 / height), _unit(x1 / width), _unit(y1 / height)),
            )
        )
    # Reading order: bands of 1/20 of the height top to bottom, then left to right within a band.
    lines.sort(key=lambda line: (round(line.box[1] * 20), line.box[0]))
    return tuple(lines)


def _engine() -> Any:
    global _ocr_engine
    if _ocr_engine is None:
        # Imported here: loading the ONNX sessions costs ~0.2 s, paid only by processes that read text.
        from rapidocr_onnxruntime import RapidOCR

        # The detector upscales frames whose short side is under this; larger ones are read at the
        # size read_text gives them (the default, 736, upscales every ad and reads no more text).
        # one thread per recognition: the provider runs one recognition per core at a time,
        # and onnxruntime's own thread pool on top of that only oversubscribes the cores
        _ocr_engine = RapidOCR(det_limit_side_len=OCR_MIN_SIDE, intra_op_num_threads=1)
    return _ocr_engine


def _unit(value: float) -> float:
    return round(min(1.0, max(0.0, float(value))), 4)


def text_layout(lines: tuple[TextLine, ...], text_area: float) -> str:
    """Where the text sits: the attribute schema's ``layout`` value for these lines."""
    if not lines:
        return "no_text"
    if text_area >= 0.35:
        return "text_dominant"
    thirds = [0.0, 0.0, 0.0]
    for line in lines:
        middle = (line.box[1] + line.box[3]) / 2
        thirds[min(2, int(middle * 3))] += line.area
    total = sum(thirds) or 1.0
    top, center, bottom = (part / total for part in thirds)
    if max(top, center, bottom) < 0.6 and top >= 0.25 and bottom >= 0.25:
        return "text_top_and_bottom"
    return ("text_top", "text_center", "text_bottom")[int(np.argmax([top, center, bottom]))]
